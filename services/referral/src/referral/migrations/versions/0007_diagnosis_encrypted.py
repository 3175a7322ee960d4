"""SPEC 0.4: an admission's diagnosis group rests encrypted (``diagnosis_group_enc``).

Revision ID: 0007
Revises: 0006
"""

from medaid_shared.crypto import EncryptedField
from medaid_shared.migrations_crypto import decrypt_column, encrypt_column

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FIELD = EncryptedField("admission", "diagnosis_group", "diagnosis_group_enc", "admission_id")


def upgrade() -> None:
    encrypt_column("referral", FIELD, 100)


def downgrade() -> None:
    decrypt_column("referral", FIELD, 100)
