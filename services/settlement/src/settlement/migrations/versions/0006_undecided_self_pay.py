"""Settlement: self-pay items are known from their proposal, before they are decided, so a
settlement waits for an undecided item instead of charging it to the hospital.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SCHEMA = "settlement"


def upgrade() -> None:
    op.alter_column("self_pay_decision", "outcome", nullable=True, schema=SCHEMA)
    op.alter_column("self_pay_decision", "decided_at", nullable=True, schema=SCHEMA)


def downgrade() -> None:
    op.execute(f"DELETE FROM {SCHEMA}.self_pay_decision WHERE outcome IS NULL")
    op.alter_column("self_pay_decision", "decided_at", nullable=False, schema=SCHEMA)
    op.alter_column("self_pay_decision", "outcome", nullable=False, schema=SCHEMA)
