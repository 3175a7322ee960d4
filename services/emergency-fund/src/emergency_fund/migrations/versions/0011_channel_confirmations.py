"""Channel amounts confirmed by the department responsible, exclusions decided by the agency
(GD-18.1, GD-14, SPEC 0.5).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SCHEMA = "emergency_fund"


def _ts(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def upgrade() -> None:
    for column in (
        sa.Column("claimed_amount", sa.Numeric(14, 2), nullable=True),
        sa.Column("status", sa.String(20), nullable=False, server_default="claimed"),
        sa.Column("document_ref", sa.String(200), nullable=True),
        sa.Column("confirmed_by", sa.String(200), nullable=True),
        sa.Column("confirmed_role", sa.String(40), nullable=True),
        _ts("confirmed_at"),
        sa.Column("waiver_reason", sa.Text, nullable=True),
        sa.Column("waived_by", sa.String(200), nullable=True),
        _ts("waived_at"),
    ):
        op.add_column("channel_payment", column, schema=SCHEMA)
    # What settlement's statements said is a fact; what the hospital entered stays its claim.
    op.execute(
        f"UPDATE {SCHEMA}.channel_payment SET status = 'confirmed', confirmed_by = 'settlement', "
        "confirmed_role = 'medical_insurance', confirmed_at = recorded_at WHERE source = 'settlement'"
    )
    op.execute(f"UPDATE {SCHEMA}.channel_payment SET claimed_amount = amount WHERE source = 'hospital'")
    op.create_index(
        op.f("ix_emergency_fund_channel_payment_status"), "channel_payment", ["status", "channel"], schema=SCHEMA
    )
    for column in (
        sa.Column("exclusion_status", sa.String(20), nullable=True),
        sa.Column("exclusion_decided_by", sa.String(200), nullable=True),
        _ts("exclusion_decided_at"),
        sa.Column("exclusion_decision_reason", sa.Text, nullable=True),
    ):
        op.add_column("cost_item", column, schema=SCHEMA)
    op.execute(f"UPDATE {SCHEMA}.cost_item SET exclusion_status = 'proposed' WHERE exclusion IS NOT NULL")
    for column in (
        sa.Column("exclusion_proposed", sa.String(40), nullable=True),
        sa.Column("exclusion_proposed_reason", sa.Text, nullable=True),
        sa.Column("exclusion_proposed_by", sa.String(200), nullable=True),
        _ts("exclusion_proposed_at"),
    ):
        op.add_column("case", column, schema=SCHEMA)


def downgrade() -> None:
    for name in ("exclusion_proposed_at", "exclusion_proposed_by", "exclusion_proposed_reason", "exclusion_proposed"):
        op.drop_column("case", name, schema=SCHEMA)
    for name in ("exclusion_decision_reason", "exclusion_decided_at", "exclusion_decided_by", "exclusion_status"):
        op.drop_column("cost_item", name, schema=SCHEMA)
    op.drop_index(op.f("ix_emergency_fund_channel_payment_status"), "channel_payment", schema=SCHEMA)
    for name in (
        "waived_at",
        "waived_by",
        "waiver_reason",
        "confirmed_at",
        "confirmed_role",
        "confirmed_by",
        "document_ref",
        "status",
        "claimed_amount",
    ):
        op.drop_column("channel_payment", name, schema=SCHEMA)
