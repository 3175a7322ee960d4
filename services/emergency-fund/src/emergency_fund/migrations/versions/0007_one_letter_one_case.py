"""One letter, one case (GD-16.3, GD-13.4): a case names the identity-check request it
rests on, used by at most one case; one case per admission number of a hospital.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCHEMA = "emergency_fund"


def upgrade() -> None:
    op.add_column("case", sa.Column("identity_check_request_id", sa.String(64), nullable=True), schema=SCHEMA)
    op.drop_index("ix_emergency_fund_case_facility_id", "case", schema=SCHEMA)
    op.create_index("uq_case_admission_number", "case", ["facility_id", "patient_ref"], unique=True, schema=SCHEMA)
    op.create_index(
        "uq_case_identity_check_request",
        "case",
        ["identity_check_request_id"],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("identity_check_request_id IS NOT NULL"),
    )
    op.add_column("identity_signal", sa.Column("received_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("identity_signal", "received_at", schema=SCHEMA)
    op.drop_index("uq_case_identity_check_request", "case", schema=SCHEMA)
    op.drop_index("uq_case_admission_number", "case", schema=SCHEMA)
    op.create_index("ix_emergency_fund_case_facility_id", "case", ["facility_id", "patient_ref"], schema=SCHEMA)
    op.drop_column("case", "identity_check_request_id", schema=SCHEMA)
