"""The kernel's versioned parameters: face-photo retention (SPEC 0.4).

Revision ID: 0006
Revises: 0005
"""

from medaid_shared.parameter_store import create_parameter_table, drop_parameter_table

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_parameter_table("identity_check")


def downgrade() -> None:
    drop_parameter_table("identity_check")
