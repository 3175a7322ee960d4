"""LJ annex 3 / SPEC 0.4: the consent form names its reviewers — each reviewer's display
name (the reviewing token's), encrypted at review like the signer's.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("self_pay_review", sa.Column("reviewer_name_enc", sa.LargeBinary(), nullable=True), schema="consent")


def downgrade() -> None:
    op.drop_column("self_pay_review", "reviewer_name_enc", schema="consent")
