"""LJ-7.2 / LJ-7.3: a self-pay item awaiting a review step (the initial review, the town's
filing, the civil-affairs review) carries that step's due instant on the official calendar,
its overdue flag and the parameter version that set it, so each office's work list of items
awaiting it reads overdue first in SQL. Items already waiting keep no due instant (none was
set when their step began); they sort by their proposal.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

S = "consent"
ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("self_pay_item", sa.Column("step_due_at", ts, nullable=True), schema=S)
    op.add_column("self_pay_item", sa.Column("step_calendar_provisional", sa.Boolean, nullable=True), schema=S)
    op.add_column("self_pay_item", sa.Column("step_overdue_at", ts, nullable=True), schema=S)
    op.add_column("self_pay_item", sa.Column("step_parameters_version", sa.String(200), nullable=True), schema=S)
    op.create_index("ix_consent_self_pay_item_status", "self_pay_item", ["status", "step_due_at"], schema=S)


def downgrade() -> None:
    op.drop_index("ix_consent_self_pay_item_status", "self_pay_item", schema=S)
    for column in ("step_parameters_version", "step_overdue_at", "step_calendar_provisional", "step_due_at"):
        op.drop_column("self_pay_item", column, schema=S)
