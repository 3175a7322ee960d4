"""Deadlines record a failing handler's attempts, last error and next attempt time.

Revision ID: 0005
Revises: 0004
"""

from medaid_shared.migrations import add_deadline_attempts, drop_deadline_attempts

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_deadline_attempts("emergency_fund")


def downgrade() -> None:
    drop_deadline_attempts("emergency_fund")
