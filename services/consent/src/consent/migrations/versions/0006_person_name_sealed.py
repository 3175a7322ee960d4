"""SPEC 0.4 / LJ-7.1: the person read model keeps the full name referral sealed for consent
(ciphertext only consent opens), printed on the annex-3 form the patient side signs.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("person", sa.Column("name_sealed", sa.Text(), nullable=True), schema="consent")


def downgrade() -> None:
    op.drop_column("person", "name_sealed", schema="consent")
