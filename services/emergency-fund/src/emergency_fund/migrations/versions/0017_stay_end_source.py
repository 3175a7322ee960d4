"""Where a case's stay end comes from: the hospital's record or referral's discharge (GD-13.5).

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

SCHEMA = "emergency_fund"


def upgrade() -> None:
    op.add_column("case", sa.Column("stay_end_source", sa.String(20), nullable=True), schema=SCHEMA)
    op.execute(f"UPDATE {SCHEMA}.case SET stay_end_source = 'hospital' WHERE stay_ended_at IS NOT NULL")


def downgrade() -> None:
    op.drop_column("case", "stay_end_source", schema=SCHEMA)
