"""Settlement: the insurance catalogue as versioned reference data; bill lines record the
catalogue entry their membership was looked up in.

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCHEMA = "settlement"


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
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("loaded_by", sa.String(length=200), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version_id"),
        schema=SCHEMA,
    )
    op.create_index("ix_catalogue_item_code", "catalogue_item", ["code", "region"], unique=False, schema=SCHEMA)
    op.add_column("bill_line", sa.Column("catalogue_version", sa.String(length=200), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("bill_line", "catalogue_version", schema=SCHEMA)
    op.drop_index("ix_catalogue_item_code", table_name="catalogue_item", schema=SCHEMA)
    op.drop_table("catalogue_item", schema=SCHEMA)
