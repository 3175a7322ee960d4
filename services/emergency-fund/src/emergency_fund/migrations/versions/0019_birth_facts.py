"""The birth date and sex an ID number says, kept encrypted for the emergency-period
extension's category (GD-13.3, SPEC 0.5).

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

SCHEMA = "emergency_fund"


def upgrade() -> None:
    # A case identified before this revision with the hospital's ID number reads its facts
    # from the encrypted number; nothing to move here.
    for table in ("case", "identity_signal"):
        op.add_column(table, sa.Column("birth_facts_enc", sa.LargeBinary, nullable=True), schema=SCHEMA)


def downgrade() -> None:
    for table in ("identity_signal", "case"):
        op.drop_column(table, "birth_facts_enc", schema=SCHEMA)
