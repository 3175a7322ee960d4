"""LJ-15.1: a discharged admission carries the due instant of its health plan on the
official calendar, its overdue flag and the parameter version that set it, so the carers'
list of plans to make reads overdue first in SQL. Admissions discharged before keep no due
instant (none was set at their discharge); they sort by their discharge.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

S = "referral"
ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("admission", sa.Column("health_plan_due_at", ts, nullable=True), schema=S)
    op.add_column("admission", sa.Column("health_plan_calendar_provisional", sa.Boolean, nullable=True), schema=S)
    op.add_column("admission", sa.Column("health_plan_overdue_at", ts, nullable=True), schema=S)
    op.add_column("admission", sa.Column("health_plan_parameters_version", sa.String(200), nullable=True), schema=S)


def downgrade() -> None:
    for column in (
        "health_plan_parameters_version",
        "health_plan_overdue_at",
        "health_plan_calendar_provisional",
        "health_plan_due_at",
    ):
        op.drop_column("admission", column, schema=S)
