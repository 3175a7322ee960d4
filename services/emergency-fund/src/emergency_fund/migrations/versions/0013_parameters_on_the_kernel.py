"""The fund's policy parameters move onto the kernel's versioned parameters (SPEC 0.6): its
own name/value table goes; versions are loaded as kernel kinds into ``parameter_version``
(``POST /admin/parameters``). A version of the old table is not carried over — its shape
(one value from an instant) is not a kind's (every field of a kind from a day): an
administrator loads the versions again as kinds.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SCHEMA = "emergency_fund"


def upgrade() -> None:
    op.drop_table("parameter", schema=SCHEMA)


def downgrade() -> None:
    op.create_table(
        "parameter",
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", JSONB, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("name", "effective_from"),
        schema=SCHEMA,
    )
