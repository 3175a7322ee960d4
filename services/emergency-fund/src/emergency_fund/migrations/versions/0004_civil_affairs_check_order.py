"""Civil affairs' checks of a case in the order they were recorded: the latest decides (GD-22.3).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "emergency_fund"


def upgrade() -> None:
    op.add_column(
        "civil_affairs_check",
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        schema=SCHEMA,
    )
    op.create_unique_constraint("civil_affairs_check_seq_key", "civil_affairs_check", ["seq"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_constraint("civil_affairs_check_seq_key", "civil_affairs_check", schema=SCHEMA, type_="unique")
    op.drop_column("civil_affairs_check", "seq", schema=SCHEMA)
