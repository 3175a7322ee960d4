"""Kernel: per-subject audit chains with their heads; the outbox notifies its relay on commit.

Revision ID: 0004
Revises: 0003
"""

from medaid_shared.migrations import downgrade_kernel_speed, upgrade_kernel_speed

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    upgrade_kernel_speed("identity_check")


def downgrade() -> None:
    downgrade_kernel_speed("identity_check")
