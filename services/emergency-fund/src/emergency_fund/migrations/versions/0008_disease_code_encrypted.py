"""SPEC 0.4: a case's disease code rests encrypted (``disease_code_enc``).

Revision ID: 0008
Revises: 0007
"""

from medaid_shared.crypto import EncryptedField
from medaid_shared.migrations_crypto import decrypt_column, encrypt_column

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FIELD = EncryptedField("case", "disease_code", "disease_code_enc", "id")


def upgrade() -> None:
    encrypt_column("emergency_fund", FIELD, 40)


def downgrade() -> None:
    decrypt_column("emergency_fund", FIELD, 40)
