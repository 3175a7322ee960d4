"""Deadlines record a failing handler's attempts, last error and next attempt time.

Revision ID: 0004
Revises: 0003
"""

from medaid_shared.migrations import add_deadline_attempts, drop_deadline_attempts

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_deadline_attempts("referral")


def downgrade() -> None:
    drop_deadline_attempts("referral")
