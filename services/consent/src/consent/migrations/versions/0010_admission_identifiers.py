"""The hospital's admission number (住院号) and the national platform's ids of an admission,
learnt from AdmissionFiled, so annex 3 and annex 4 print them instead of our own id.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COLUMNS = {"hospital_admission_no": 40, "psn_no": 30, "mdtrt_id": 30, "setl_id": 30}


def upgrade() -> None:
    for name, length in COLUMNS.items():
        op.add_column("admission", sa.Column(name, sa.String(length=length), nullable=True), schema="consent")


def downgrade() -> None:
    for name in COLUMNS:
        op.drop_column("admission", name, schema="consent")
