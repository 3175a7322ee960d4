"""Consent: the insurance catalogue as settlement publishes it (read model for LJ-7.0).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

S = "consent"


def upgrade() -> None:
    op.create_table(
        "catalogue_item",
        sa.Column("version_id", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("in_catalogue", sa.Boolean(), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("example", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version_id"),
        schema=S,
    )
    op.create_index("ix_catalogue_item_code", "catalogue_item", ["code"], unique=False, schema=S)


def downgrade() -> None:
    op.drop_index("ix_catalogue_item_code", table_name="catalogue_item", schema=S)
    op.drop_table("catalogue_item", schema=S)
