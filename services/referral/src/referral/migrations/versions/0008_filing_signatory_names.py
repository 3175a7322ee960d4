"""LJ annex 1 / SPEC 0.4: a filing keeps the names it is signed with (the filing unit's and
the officers'), so the printed form shows names to those entitled to it, not a login id.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = ("submitted_unit_name", "submitted_by_name", "forwarded_by_name")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("filing", sa.Column(name, sa.String(length=200), nullable=True), schema="referral")


def downgrade() -> None:
    for name in COLUMNS:
        op.drop_column("filing", name, schema="referral")
