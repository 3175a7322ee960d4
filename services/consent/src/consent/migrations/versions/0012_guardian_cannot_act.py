"""LJ-10: a verified finding about the guardian is either that none exists or that the
guardian on file (or named) cannot act — the latter verified by civil affairs only.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

S = "consent"


def upgrade() -> None:
    op.add_column(
        "guardian_absence",
        sa.Column("finding", sa.String(20), nullable=False, server_default=sa.text("'no_guardian'")),
        schema=S,
    )
    op.add_column("guardian_absence", sa.Column("guardian_id", sa.String(64), nullable=True), schema=S)


def downgrade() -> None:
    op.drop_column("guardian_absence", "guardian_id", schema=S)
    op.drop_column("guardian_absence", "finding", schema=S)
