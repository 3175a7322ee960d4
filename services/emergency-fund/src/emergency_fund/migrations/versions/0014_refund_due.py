"""A refund demand's due date and overdue flag (GD-16.4).

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SCHEMA = "emergency_fund"


def upgrade() -> None:
    op.add_column("refund_demand", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)
    op.add_column(
        "refund_demand",
        sa.Column("calendar_provisional", sa.Boolean, nullable=False, server_default="false"),
        schema=SCHEMA,
    )
    op.add_column("refund_demand", sa.Column("due_parameters_version", sa.String(120), nullable=True), schema=SCHEMA)
    op.add_column("refund_demand", sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    for name in ("overdue_at", "due_parameters_version", "calendar_provisional", "due_at"):
        op.drop_column("refund_demand", name, schema=SCHEMA)
