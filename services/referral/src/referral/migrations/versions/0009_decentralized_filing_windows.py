"""LJ-4.2c: a decentralized person's filing chain has no 24-hour deadline; an admission keeps
when nothing filed counts as unfiled (the institution's 24 hours for a centralized person, the
interpretation's working days for an unstarted decentralized chain).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "admission", sa.Column("unfiled_due_at", sa.DateTime(timezone=True), nullable=True), schema="referral"
    )
    op.execute("UPDATE referral.admission SET unfiled_due_at = filing_due_at")
    op.alter_column("admission", "unfiled_due_at", nullable=False, schema="referral")


def downgrade() -> None:
    op.drop_column("admission", "unfiled_due_at", schema="referral")
