"""LJ-10: every rank-4 signature reaches civil affairs' work list with its acknowledgement
deadline and overdue flag; civil affairs confirms a major public interest before a rank-4
signature on it counts, and the consent names the confirmation.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

S = "consent"
ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("consent", sa.Column("public_interest_confirmation_id", sa.String(64), nullable=True), schema=S)
    op.create_table(
        "public_interest_confirmation",
        sa.Column("confirmation_id", sa.String(64), primary_key=True),
        sa.Column("subject_id", sa.String(64), nullable=False, unique=True),
        sa.Column("subject_kind", sa.String(20), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("admission_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.LargeBinary, nullable=False),
        sa.Column("confirmed_by", sa.String(200), nullable=False),
        sa.Column("confirmed_at", ts, nullable=False),
        schema=S,
    )
    op.create_table(
        "rank4_filing",
        sa.Column("consent_id", sa.String(64), sa.ForeignKey(f"{S}.consent.consent_id"), primary_key=True),
        sa.Column("admission_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("signer_id", sa.String(200), nullable=False),
        sa.Column("signer_role", sa.String(40), nullable=False),
        sa.Column("major_public_interest", sa.Boolean, nullable=False),
        sa.Column("filed_at", ts, nullable=False),
        sa.Column("acknowledgement_due_at", ts, nullable=False),
        sa.Column("calendar_provisional", sa.Boolean, nullable=False),
        sa.Column("parameters_version", sa.String(200), nullable=False),
        sa.Column("acknowledged_at", ts, nullable=True),
        sa.Column("acknowledged_by", sa.String(200), nullable=True),
        sa.Column("acknowledgement_note", sa.Text, nullable=True),
        sa.Column("overdue_at", ts, nullable=True),
        schema=S,
    )
    op.create_index(
        "ix_consent_rank4_filing_acknowledged_at", "rank4_filing", ["acknowledged_at", "filed_at"], schema=S
    )


def downgrade() -> None:
    op.drop_index("ix_consent_rank4_filing_acknowledged_at", "rank4_filing", schema=S)
    op.drop_table("rank4_filing", schema=S)
    op.drop_table("public_interest_confirmation", schema=S)
    op.drop_column("consent", "public_interest_confirmation_id", schema=S)
