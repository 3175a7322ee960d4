"""LJ-4.3c: an admission keeps the adviser (建议方) of unfiled outside care, as civil affairs
recorded it with its evidence.

Revision ID: 0015
Revises: 0014
"""

from alembic import op
from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("admission", Column("unfiled_care_adviser", JSONB, nullable=True), schema="referral")


def downgrade() -> None:
    op.drop_column("admission", "unfiled_care_adviser", schema="referral")
