"""SPEC 0.5 / LJ-11.3: an admission's emergency is the determination referral recorded
(EmergencyDetermined), not the hospital's claim at admission; a bill line's ``emergency`` is
the hospital's claim, recorded and bounded by that determination (LJ-7.4).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SCHEMA = "settlement"


def upgrade() -> None:
    op.add_column(
        "admission", sa.Column("emergency_determined_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_column("admission", "emergency_determined_at", schema=SCHEMA)
