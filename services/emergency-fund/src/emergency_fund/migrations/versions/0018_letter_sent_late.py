"""A case whose police letter was sent later than "immediately" is flagged (GD-16.1).

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

SCHEMA = "emergency_fund"


def upgrade() -> None:
    op.add_column("case", sa.Column("letter_sent_late_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("case", "letter_sent_late_at", schema=SCHEMA)
