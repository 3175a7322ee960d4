"""SPEC 0.4: persons no longer keep a digest of the ID number under a key all services
shared; the emergency fund matches persons by the number sealed for it.

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
    op.drop_column("person", "id_digest", schema="referral")


def downgrade() -> None:
    op.add_column(
        "person",
        sa.Column("id_digest", sa.String(length=64), nullable=False, server_default=""),
        schema="referral",
    )
