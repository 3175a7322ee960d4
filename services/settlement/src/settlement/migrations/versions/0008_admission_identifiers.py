"""The hospital's admission number (住院号) and the national platform's ids of an admission,
learnt from AdmissionFiled, so the settlement statement shows them.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = {"hospital_admission_no": 40, "psn_no": 30, "mdtrt_id": 30, "setl_id": 30}


def upgrade() -> None:
    for name, length in COLUMNS.items():
        op.add_column("admission", sa.Column(name, sa.String(length=length), nullable=True), schema="settlement")


def downgrade() -> None:
    for name in COLUMNS:
        op.drop_column("admission", name, schema="settlement")
