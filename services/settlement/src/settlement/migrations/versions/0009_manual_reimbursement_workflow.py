"""LJ-13.2 / LJ-3.2b / LJ-6.2: manual reimbursement as a workflow — the application window a
versioned parameter, the guardian as an applicant, the aid reserved on the yearly ceiling at
application, medical insurance's review (amounts or reasons) and the payment.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SCHEMA = "settlement"
MONEY = ("aid_reserved", "aid_held", "approved_basic_insurance", "approved_critical_illness", "approved_medical_aid")


def upgrade() -> None:
    op.add_column("person", sa.Column("guardian_id", sa.String(length=100), nullable=True), schema=SCHEMA)
    m = "manual_reimbursement"
    op.add_column(
        m, sa.Column("state", sa.String(length=20), nullable=False, server_default="requested"), schema=SCHEMA
    )
    op.execute(f"UPDATE {SCHEMA}.{m} SET state = 'applied' WHERE applied_at IS NOT NULL")
    op.add_column(m, sa.Column("window_version", sa.String(length=200), nullable=True), schema=SCHEMA)
    op.add_column(m, sa.Column("applied_role", sa.String(length=40), nullable=True), schema=SCHEMA)
    for name in MONEY[:2]:
        op.add_column(m, sa.Column(name, sa.Numeric(14, 2), nullable=True), schema=SCHEMA)
    op.add_column(m, sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)
    op.add_column(m, sa.Column("reviewed_by", sa.String(length=200), nullable=True), schema=SCHEMA)
    op.add_column(m, sa.Column("review_reasons", JSONB(), nullable=True), schema=SCHEMA)
    for name in MONEY[2:]:
        op.add_column(m, sa.Column(name, sa.Numeric(14, 2), nullable=True), schema=SCHEMA)
    op.add_column(m, sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)
    op.add_column(m, sa.Column("paid_by", sa.String(length=200), nullable=True), schema=SCHEMA)
    op.add_column(m, sa.Column("paid_amount", sa.Numeric(14, 2), nullable=True), schema=SCHEMA)
    op.add_column(m, sa.Column("payment_ref", sa.String(length=100), nullable=True), schema=SCHEMA)
    op.create_check_constraint(
        "manual_state",
        m,
        "state IN ('requested', 'applied', 'approved', 'rejected', 'paid', 'reversed')",
        schema=SCHEMA,
    )


def downgrade() -> None:
    m = "manual_reimbursement"
    op.drop_constraint("manual_state", m, schema=SCHEMA)
    for name in (
        "payment_ref", "paid_amount", "paid_by", "paid_at", *MONEY[2:], "review_reasons", "reviewed_by",
        "reviewed_at", *MONEY[:2], "applied_role", "window_version", "state",
    ):  # fmt: skip
        op.drop_column(m, name, schema=SCHEMA)
    op.drop_column("person", "guardian_id", schema=SCHEMA)
