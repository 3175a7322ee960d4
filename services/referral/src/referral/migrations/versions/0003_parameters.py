"""The kernel's versioned parameters: filing and discharge windows (LJ-4.2, LJ-12).

Revision ID: 0003
Revises: 0002
"""

from medaid_shared.parameter_store import create_parameter_table, drop_parameter_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_parameter_table("referral")


def downgrade() -> None:
    drop_parameter_table("referral")
