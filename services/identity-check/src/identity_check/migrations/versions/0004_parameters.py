"""The kernel's versioned parameters: face-photo retention (SPEC 0.4).

Revision ID: 0004
Revises: 0003
"""

from medaid_shared.parameter_store import create_parameter_table, drop_parameter_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_parameter_table("identity_check")


def downgrade() -> None:
    drop_parameter_table("identity_check")
