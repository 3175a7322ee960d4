"""The kernel's versioned parameters: face-photo retention (SPEC 0.4).

Revision ID: 0005
Revises: 0004
"""

from medaid_shared.parameter_store import create_parameter_table, drop_parameter_table

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_parameter_table("identity_check")


def downgrade() -> None:
    drop_parameter_table("identity_check")
