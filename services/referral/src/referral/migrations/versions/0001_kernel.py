"""Kernel tables: outbox, inbox, dead letters, deadlines, audit log, idempotency keys, calendar.

Revision ID: 0001
Revises:
"""

from medaid_shared.migrations import create_kernel_tables, drop_kernel_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kernel_tables("referral")


def downgrade() -> None:
    drop_kernel_tables("referral")
