"""LJ annex 3 / SPEC 0.4: the consent form names the filing unit and the signer — the units'
names as they signed the annex-1 form, the signer's display name encrypted at signing.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit",
        sa.Column("unit_id", sa.String(length=64), primary_key=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema="consent",
    )
    op.add_column("consent", sa.Column("signer_name_enc", sa.LargeBinary(), nullable=True), schema="consent")


def downgrade() -> None:
    op.drop_column("consent", "signer_name_enc", schema="consent")
    op.drop_table("unit", schema="consent")
