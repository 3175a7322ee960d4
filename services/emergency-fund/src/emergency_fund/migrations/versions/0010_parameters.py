"""The kernel's versioned parameters in the fund's schema: the idempotency retention (SPEC 0.4).

Revision ID: 0010
Revises: 0009
"""

from medaid_shared.parameter_store import create_parameter_table, drop_parameter_table

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_parameter_table("emergency_fund")


def downgrade() -> None:
    drop_parameter_table("emergency_fund")
