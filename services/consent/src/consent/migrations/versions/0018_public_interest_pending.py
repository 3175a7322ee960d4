"""LJ-10: a rank-4 signature on a major public interest that civil affairs has not confirmed
yet is filed as pending; it counts once civil affairs confirms the interest, and never when
civil affairs rejects it. The state, who decided, when and why are on the rank-4 filing (the
signed consent itself stays immutable). A rejected signature leaves room for another signer, so
a treatment or item may have more than one consent row: the service allows one that counts or
is pending.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

S = "consent"
COLUMNS = (
    ("public_interest_state", sa.String(20)),
    ("public_interest_decided_at", sa.DateTime(timezone=True)),
    ("public_interest_decided_by", sa.String(200)),
    ("public_interest_note", sa.Text()),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("rank4_filing", sa.Column(name, type_, nullable=True), schema=S)
    for column in ("treatment_id", "item_id"):
        op.drop_constraint(f"consent_{column}_key", "consent", schema=S, type_="unique")
        op.create_index(f"ix_consent_consent_{column}", "consent", [column], schema=S)


def downgrade() -> None:
    for column in ("treatment_id", "item_id"):
        op.drop_index(f"ix_consent_consent_{column}", "consent", schema=S)
        op.create_unique_constraint(f"consent_{column}_key", "consent", [column], schema=S)
    for name, _ in reversed(COLUMNS):
        op.drop_column("rank4_filing", name, schema=S)
