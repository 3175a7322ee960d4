"""Hospital and national identifiers of an admission: the hospital's admission number (住院号)
and the national medical-insurance platform's person, treatment and settlement ids, printed
on the forms beside ours.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = {"hospital_admission_no": 40, "psn_no": 30, "mdtrt_id": 30, "setl_id": 30}


def upgrade() -> None:
    for name, length in COLUMNS.items():
        op.add_column("admission", sa.Column(name, sa.String(length=length), nullable=True), schema="referral")


def downgrade() -> None:
    for name in COLUMNS:
        op.drop_column("admission", name, schema="referral")
