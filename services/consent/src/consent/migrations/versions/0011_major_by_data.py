"""LJ-11.2 major treatment by data: a treatment keeps its procedure code, the hospital's own
label, the self-pay item a high self-pay treatment stands for and the parameter version
that classified it.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

S = "consent"


def upgrade() -> None:
    op.add_column("treatment", sa.Column("procedure_code", sa.String(32), nullable=True), schema=S)
    op.add_column("treatment", sa.Column("labelled_kind", sa.String(20), nullable=True), schema=S)
    op.add_column("treatment", sa.Column("item_id", sa.String(64), nullable=True), schema=S)
    op.add_column("treatment", sa.Column("parameters_version", sa.String(200), nullable=True), schema=S)
    op.create_index("ix_consent_treatment_item_id", "treatment", ["item_id"], schema=S)


def downgrade() -> None:
    op.drop_index("ix_consent_treatment_item_id", "treatment", schema=S)
    for column in ("parameters_version", "item_id", "labelled_kind", "procedure_code"):
        op.drop_column("treatment", column, schema=S)
