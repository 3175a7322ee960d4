"""SPEC 0.4 / LJ-9: DischargeRecorded v2 carries the diagnosis group sealed for settlement.
Discharges already in the outbox (retained and republished after a broker loss, served on
the feeds) are rewritten the same way, so no diagnosis stays in clear in the outbox.

Sealing needs ``MEDAID_DIAGNOSIS_GROUPS_PUBLIC_KEY`` only when there are such rows; outside
development the development key is refused.

Revision ID: 0014
Revises: 0013
"""

import os

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from medaid_shared.crypto import seal
from medaid_shared.settings import DEV_DIAGNOSIS_GROUPS_PUBLIC_KEY, DIAGNOSIS_GROUPS_PURPOSE

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

EVENT_TYPE = "medaid.referral.DischargeRecorded"


def _outbox() -> sa.TableClause:
    return sa.table(
        "outbox",
        sa.column("seq", sa.BigInteger()),
        sa.column("event_type", sa.String()),
        sa.column("dataschema", sa.String()),
        sa.column("payload", postgresql.JSONB()),
        schema="referral",
    )


def upgrade() -> None:
    bind = op.get_bind()
    outbox = _outbox()
    rows = bind.execute(
        sa.select(outbox.c.seq, outbox.c.payload).where(
            outbox.c.event_type == EVENT_TYPE, outbox.c.payload.has_key("diagnosis_group")
        )
    ).all()
    if not rows:
        return
    key = os.environ.get("MEDAID_DIAGNOSIS_GROUPS_PUBLIC_KEY")
    development = os.environ.get("MEDAID_ENVIRONMENT", "development") in ("development", "test")
    if not key and not development:
        raise RuntimeError("sealing the outbox's diagnosis groups needs MEDAID_DIAGNOSIS_GROUPS_PUBLIC_KEY")
    for seq, payload in rows:
        data = dict(payload)
        group = data.pop("diagnosis_group")
        data["diagnosis_group_sealed"] = (
            None if group is None else seal(key or DEV_DIAGNOSIS_GROUPS_PUBLIC_KEY, group, DIAGNOSIS_GROUPS_PURPOSE)
        )
        bind.execute(
            outbox.update()
            .where(outbox.c.seq == seq)
            .values(payload=data, dataschema=f"urn:medaid:event:{EVENT_TYPE}:2")
        )


def downgrade() -> None:
    # The sealed groups stay sealed: referral cannot open them (only settlement holds the key).
    pass
