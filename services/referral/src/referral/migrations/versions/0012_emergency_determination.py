"""LJ-11.3 / SPEC 0.5: an emergency is a recorded determination with a basis — the condition
from the national list of urgent and critical illnesses (reference data, 国卫办医发〔2013〕32号),
the arrival channel and the onset — recorded within the window; civil affairs and medical
insurance may contest it.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
COLUMNS = (
    ("emergency_status", sa.String(length=20)),
    ("emergency_due_at", TS),
    ("emergency_condition_enc", sa.LargeBinary()),
    ("emergency_arrival_channel", sa.String(length=30)),
    ("emergency_onset_at", TS),
    ("emergency_determined_at", TS),
    ("emergency_determined_by", sa.String(length=200)),
    ("emergency_review", postgresql.JSONB()),
)


def upgrade() -> None:
    for name, kind in COLUMNS:
        op.add_column("admission", sa.Column(name, kind, nullable=True), schema="referral")
    # emergencies admitted before the determination existed stand as claimed, without a window
    op.execute("UPDATE referral.admission SET emergency_status = 'claimed' WHERE emergency")
    op.create_table(
        "urgent_condition",
        sa.Column("code", sa.String(length=64), primary_key=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("example", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("loaded_by", sa.String(length=200), nullable=False),
        sa.Column("loaded_at", TS, nullable=False),
        schema="referral",
    )


def downgrade() -> None:
    op.drop_table("urgent_condition", schema="referral")
    for name, _ in COLUMNS:
        op.drop_column("admission", name, schema="referral")
