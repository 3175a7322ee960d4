"""LJ-7.2 / LJ-7.3: a review step that refuses an item is recorded as "rejected", the one
outcome word of every service (docs/VOCABULARY.md); rows stored with the former word
"objected" say the same.

Revision ID: 0016
Revises: 0015
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

S = "consent"


def upgrade() -> None:
    op.execute(f"UPDATE {S}.self_pay_review SET outcome = 'rejected' WHERE outcome = 'objected'")


def downgrade() -> None:
    op.execute(f"UPDATE {S}.self_pay_review SET outcome = 'objected' WHERE outcome = 'rejected'")
