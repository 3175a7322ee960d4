"""LJ-11.1 / LJ-11.2: settlement keeps the treatments consent recorded and their consents, a
bill line names the treatment it bills, and a statement lists the lines of treatments never
consented.

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

SCHEMA = "settlement"


def upgrade() -> None:
    op.create_table(
        "treatment",
        sa.Column("treatment_id", sa.String(length=100), primary_key=True),
        sa.Column("admission_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("consent_required", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consent_id", sa.String(length=100), nullable=True),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("evaluation_conclusion", sa.String(length=30), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("ix_settlement_treatment_admission_id", "treatment", ["admission_id"], schema=SCHEMA)
    op.add_column("bill_line", sa.Column("treatment_id", sa.String(length=100), nullable=True), schema=SCHEMA)
    op.add_column("statement", sa.Column("unconsented_lines", JSONB(), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("statement", "unconsented_lines", schema=SCHEMA)
    op.drop_column("bill_line", "treatment_id", schema=SCHEMA)
    op.drop_index("ix_settlement_treatment_admission_id", table_name="treatment", schema=SCHEMA)
    op.drop_table("treatment", schema=SCHEMA)
