"""LJ-12 / LJ-17 seen from the patient's side: the institution, village committee or guardian
records that the patient was declared fit or that documents are withheld (SPEC 0.5: the
reporter's claim, with who and when); that starts the LJ-12 clocks.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "admission", sa.Column("patient_fit_at", sa.DateTime(timezone=True), nullable=True), schema="referral"
    )
    for name in ("patient_fit_report", "documents_withheld_report"):
        op.add_column("admission", sa.Column(name, postgresql.JSONB(), nullable=True), schema="referral")


def downgrade() -> None:
    for name in ("documents_withheld_report", "patient_fit_report", "patient_fit_at"):
        op.drop_column("admission", name, schema="referral")
