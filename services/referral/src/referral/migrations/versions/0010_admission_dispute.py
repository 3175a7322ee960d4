"""SPEC 0.3: another hospital's admission never blocks the real one — one open admission per
person and facility; the person's carer or civil affairs can dispute an admission (the person
is not there), which then blocks nothing and raises no filing deadline.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("admission", sa.Column("disputed_at", sa.DateTime(timezone=True), nullable=True), schema="referral")
    op.add_column("admission", sa.Column("disputed_by", sa.String(length=200), nullable=True), schema="referral")
    op.add_column("admission", sa.Column("dispute_reason", sa.Text(), nullable=True), schema="referral")
    op.drop_index("uq_admission_open_person", table_name="admission", schema="referral")
    op.create_index(
        "uq_admission_open_person_facility",
        "admission",
        ["person_id", "facility_id"],
        unique=True,
        schema="referral",
        postgresql_where=sa.text("discharged_at IS NULL AND disputed_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_admission_open_person_facility", table_name="admission", schema="referral")
    op.create_index(
        "uq_admission_open_person",
        "admission",
        ["person_id"],
        unique=True,
        schema="referral",
        postgresql_where=sa.text("discharged_at IS NULL"),
    )
    for name in ("dispute_reason", "disputed_by", "disputed_at"):
        op.drop_column("admission", name, schema="referral")
