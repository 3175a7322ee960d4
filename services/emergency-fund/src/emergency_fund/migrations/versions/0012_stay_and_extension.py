"""Living days from the stay, extensions with evidence and a decision (GD-13.3, GD-13.5).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SCHEMA = "emergency_fund"

COLUMNS = (
    ("extension_hours", sa.Integer),
    ("extension_evidence", JSONB),
    ("extension_status", lambda: sa.String(20)),
    ("extension_requested_by", lambda: sa.String(200)),
    ("extension_requested_at", lambda: sa.DateTime(timezone=True)),
    ("extension_decided_by", lambda: sa.String(200)),
    ("extension_decided_role", lambda: sa.String(40)),
    ("extension_decided_at", lambda: sa.DateTime(timezone=True)),
    ("extension_decision_reason", sa.Text),
    ("stay_ended_at", lambda: sa.DateTime(timezone=True)),
    ("stay_end_outcome", lambda: sa.String(20)),
    ("stay_end_note", sa.Text),
    ("stay_end_recorded_by", lambda: sa.String(200)),
    ("stay_end_recorded_at", lambda: sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("case", sa.Column(name, type_(), nullable=True), schema=SCHEMA)
    # An extension recorded before this revision was the hospital's own call. On a case not
    # yet in an application it becomes a request awaiting the decision (the normal 72 hours
    # apply meanwhile, and a filed claim is withdrawn); on a case already decided it stands,
    # marked as recorded before decisions existed.
    op.execute(
        f"UPDATE {SCHEMA}.case SET extension_status = 'requested', extension_hours = emergency_hours, "
        "emergency_hours = 72, state = 'open', claim_medical = NULL, claim_living = NULL, claimed_at = NULL "
        "WHERE extension_category IS NOT NULL AND state IN ('open', 'claimed')"
    )
    op.execute(
        f"UPDATE {SCHEMA}.case SET extension_status = 'approved', extension_hours = emergency_hours, "
        "extension_decided_by = 'before revision 0012' WHERE extension_category IS NOT NULL "
        "AND extension_status IS NULL"
    )


def downgrade() -> None:
    for name, _ in reversed(COLUMNS):
        op.drop_column("case", name, schema=SCHEMA)
