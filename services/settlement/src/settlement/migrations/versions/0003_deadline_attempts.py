"""Deadlines record a failing handler's attempts, last error and next attempt time.

Revision ID: 0003
Revises: 0002
"""

from medaid_shared.migrations import add_deadline_attempts, drop_deadline_attempts

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_deadline_attempts("settlement")


def downgrade() -> None:
    drop_deadline_attempts("settlement")
