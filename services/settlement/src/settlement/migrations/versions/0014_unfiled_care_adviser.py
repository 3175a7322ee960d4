"""LJ-4.3c: settlement keeps the adviser civil affairs recorded for outside care never filed
(UnfiledCareAdviserRecorded), and a statement names who bears what the unfiled gate refuses —
that adviser (建议方) when known, else the person (当事人).

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SCHEMA = "settlement"


def upgrade() -> None:
    op.add_column("admission", sa.Column("unfiled_care_adviser", JSONB(), nullable=True), schema=SCHEMA)
    op.add_column("statement", sa.Column("unfiled_care_bearer", JSONB(), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("statement", "unfiled_care_bearer", schema=SCHEMA)
    op.drop_column("admission", "unfiled_care_adviser", schema=SCHEMA)
