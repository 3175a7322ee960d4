"""The kernel's versioned parameters in consent's schema: the idempotency retention (SPEC 0.4).

Revision ID: 0007
Revises: 0006
"""

from medaid_shared.parameter_store import create_parameter_table, drop_parameter_table

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_parameter_table("consent")


def downgrade() -> None:
    drop_parameter_table("consent")
