"""What was decided on a public notice term that a loaded calendar notice corrected
(SPEC 0.1, GD-21).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SCHEMA = "emergency_fund"


def upgrade() -> None:
    op.add_column("application", sa.Column("notice_flag", sa.String(60), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("application", "notice_flag", schema=SCHEMA)
