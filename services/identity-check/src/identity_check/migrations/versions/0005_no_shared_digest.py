"""SPEC 0.4: findings no longer keep a digest of the ID number under a key all services
shared; the identification is sealed for the emergency fund in the event only.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_column("finding", "id_number_digest", schema="identity_check")


def downgrade() -> None:
    op.add_column(
        "finding", sa.Column("id_number_digest", sa.String(length=64), nullable=True), schema="identity_check"
    )
