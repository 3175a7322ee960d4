"""LJ-4.3c: the adviser civil affairs recorded names the advising facility's id ``unit_id``
(docs/VOCABULARY.md: a reference uses the referenced resource's id name, never a bare ``id``).
Advisers recorded before are rewritten with the key renamed; nothing else changes.

Revision ID: 0017
Revises: 0016
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _rename(old: str, new: str) -> None:
    op.execute(
        f"UPDATE referral.admission SET unfiled_care_adviser = (unfiled_care_adviser - '{old}') "
        f"|| jsonb_build_object('{new}', unfiled_care_adviser -> '{old}') "
        f"WHERE jsonb_typeof(unfiled_care_adviser) = 'object' AND unfiled_care_adviser ? '{old}'"
    )


def upgrade() -> None:
    _rename("id", "unit_id")


def downgrade() -> None:
    _rename("unit_id", "id")
