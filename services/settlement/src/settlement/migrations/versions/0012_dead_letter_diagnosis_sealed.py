"""SPEC 0.4 / LJ-9: DischargeRecorded v2 carries the diagnosis group sealed for settlement.
Discharges this service dead-lettered before (v1, the group in clear) are rewritten the same
way, so no diagnosis rests in clear among the dead letters and a re-drive still brings the
group (the v2 model has no clear field to read it from).

Sealing needs ``MEDAID_DIAGNOSIS_GROUPS_PRIVATE_KEY`` (the service's own key; its public half
seals) only when there are such rows; outside development the development key is refused.

Revision ID: 0012
Revises: 0011
"""

import json
import os

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from medaid_shared.crypto import Unsealer, seal
from medaid_shared.settings import DEV_DIAGNOSIS_GROUPS_PRIVATE_KEY, DIAGNOSIS_GROUPS_PURPOSE

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

EVENT_TYPE = "medaid.referral.DischargeRecorded"


def upgrade() -> None:
    bind = op.get_bind()
    dead = sa.table(
        "dead_letter",
        sa.column("id", sa.BigInteger()),
        sa.column("value", sa.LargeBinary()),
        sa.column("headers", postgresql.JSONB()),
        schema="settlement",
    )
    rows = bind.execute(
        sa.select(dead.c.id, dead.c.value, dead.c.headers).where(dead.c.headers.contains([["ce_type", EVENT_TYPE]]))
    ).all()
    todo = []
    for row_id, value, headers in rows:
        try:
            data = json.loads(value) if value else None
        except ValueError:
            continue  # not JSON: a poison message, nothing of ours to rewrite
        if isinstance(data, dict) and "diagnosis_group" in data:
            todo.append((row_id, data, headers))
    if not todo:
        return
    key = os.environ.get("MEDAID_DIAGNOSIS_GROUPS_PRIVATE_KEY")
    development = os.environ.get("MEDAID_ENVIRONMENT", "development") in ("development", "test")
    if not key and not development:
        raise RuntimeError("sealing the dead letters' diagnosis groups needs MEDAID_DIAGNOSIS_GROUPS_PRIVATE_KEY")
    public = Unsealer(key or DEV_DIAGNOSIS_GROUPS_PRIVATE_KEY).public_key_b64
    for row_id, data, headers in todo:
        group = data.pop("diagnosis_group")
        data["diagnosis_group_sealed"] = None if group is None else seal(public, group, DIAGNOSIS_GROUPS_PURPOSE)
        schema = f"urn:medaid:event:{EVENT_TYPE}:2"
        headers = [[k, schema if k == "ce_dataschema" else v] for k, v in headers]
        bind.execute(dead.update().where(dead.c.id == row_id).values(value=json.dumps(data).encode(), headers=headers))


def downgrade() -> None:
    # The sealed groups stay sealed (opening them back into clear would undo SPEC 0.4).
    pass
