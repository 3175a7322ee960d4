"""LJ-13.1 / SPEC 0.5: the national platform's one-stop settlement result as the fact —
stored per admission, and the statement names the result it took its insurance and aid from
and where it differs from the own computation.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SCHEMA = "settlement"
MONEY = (
    "medfee_sumamt",
    "inscp_scp_amt",
    "fulamt_ownpay_amt",
    "act_pay_dedc",
    "hifp_pay",
    "hifmi_pay",
    "maf_pay",
    "oth_pay",
    "acct_pay",
    "psn_cash_pay",
)


def upgrade() -> None:
    op.create_table(
        "platform_settlement",
        sa.Column("admission_id", sa.String(length=100), primary_key=True),
        sa.Column("setl_id", sa.String(length=30), nullable=False, unique=True),
        sa.Column("mdtrt_id", sa.String(length=30), nullable=True),
        sa.Column("facility_id", sa.String(length=100), nullable=False),
        sa.Column("setl_time", sa.DateTime(timezone=True), nullable=False),
        *(sa.Column(name, sa.Numeric(14, 2), nullable=False) for name in MONEY),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("posted_by", sa.String(length=200), nullable=False),
        sa.Column("posted_role", sa.String(length=50), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.add_column("statement", sa.Column("platform_setl_id", sa.String(length=30), nullable=True), schema=SCHEMA)
    op.add_column("statement", sa.Column("platform_differences", JSONB(), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("statement", "platform_differences", schema=SCHEMA)
    op.drop_column("statement", "platform_setl_id", schema=SCHEMA)
    op.drop_table("platform_settlement", schema=SCHEMA)
