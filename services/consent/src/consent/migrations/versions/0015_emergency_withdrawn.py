"""LJ-11.3 / SPEC 0.5: the admission read model keeps referral's withdrawal of an
emergency's exemptions (EmergencyExemptionWithdrawn), so "emergency" self-pay outcomes
end with it.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

S = "consent"


def upgrade() -> None:
    op.add_column("admission", sa.Column("emergency_withdrawn_at", sa.DateTime(timezone=True), nullable=True), schema=S)
    op.add_column("admission", sa.Column("emergency_withdrawn_reason", sa.String(40), nullable=True), schema=S)


def downgrade() -> None:
    op.drop_column("admission", "emergency_withdrawn_reason", schema=S)
    op.drop_column("admission", "emergency_withdrawn_at", schema=S)
