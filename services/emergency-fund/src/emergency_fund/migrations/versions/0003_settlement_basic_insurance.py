"""Settlement read model: the basic (and critical-illness) insurance share of a statement,
an existing channel of GD-18.1 for destitute persons.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "emergency_fund"


def upgrade() -> None:
    op.add_column(
        "settlement",
        sa.Column("basic_insurance", sa.Numeric(precision=14, scale=2), nullable=False, server_default="0"),
        schema=SCHEMA,
    )
    op.alter_column("settlement", "basic_insurance", server_default=None, schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("settlement", "basic_insurance", schema=SCHEMA)
