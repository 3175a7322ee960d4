"""Kernel: per-subject audit chains with their heads; the outbox notifies its relay on commit.

Revision ID: 0006
Revises: 0005
"""

from medaid_shared.migrations import downgrade_kernel_speed, upgrade_kernel_speed

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    upgrade_kernel_speed("emergency_fund")


def downgrade() -> None:
    downgrade_kernel_speed("emergency_fund")
