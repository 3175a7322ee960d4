"""Data migrations that move a plaintext column into ciphertext (SPEC 0.4).

The migration encrypts existing values with the service's key exactly as the store does
(:class:`medaid_shared.crypto.ColumnCipher`), so a row reads back the same afterwards. It
needs ``MEDAID_ENCRYPTION_KEY`` only when there are rows to move; it refuses to use the
development key outside development.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import op

from medaid_shared.crypto import ColumnCipher, EncryptedField, FieldCipher
from medaid_shared.settings import DEV_ENCRYPTION_KEY


def encrypt_column(schema: str, field: EncryptedField, length: int) -> None:
    """Add ``field.column``, encrypt every value of ``field.field`` into it, drop the plaintext."""
    op.add_column(field.table, sa.Column(field.column, sa.LargeBinary(), nullable=True), schema=schema)
    bind = op.get_bind()
    table = sa.table(
        field.table,
        sa.column(field.key, sa.String()),
        sa.column(field.field, sa.String(length)),
        sa.column(field.column, sa.LargeBinary()),
        schema=schema,
    )
    rows = bind.execute(
        sa.select(table.c[field.key], table.c[field.field]).where(table.c[field.field].is_not(None))
    ).all()
    if rows:
        key = os.environ.get("MEDAID_ENCRYPTION_KEY")
        development = os.environ.get("MEDAID_ENVIRONMENT", "development") in ("development", "test")
        if not key and not development:
            raise RuntimeError(f"encrypting {schema}.{field.table}.{field.field} needs MEDAID_ENCRYPTION_KEY")
        columns = ColumnCipher(FieldCipher(key or DEV_ENCRYPTION_KEY), [field])
        for row_key, value in rows:
            sealed = columns.seal(field.table, {field.field: value}, row_key)
            bind.execute(
                table.update().where(table.c[field.key] == row_key).values({field.column: sealed[field.column]})
            )
    op.drop_column(field.table, field.field, schema=schema)


def decrypt_column(schema: str, field: EncryptedField, length: int) -> None:
    """The way back: the plaintext column from the ciphertext."""
    op.add_column(field.table, sa.Column(field.field, sa.String(length), nullable=True), schema=schema)
    bind = op.get_bind()
    table = sa.table(
        field.table,
        sa.column(field.key, sa.String()),
        sa.column(field.field, sa.String(length)),
        sa.column(field.column, sa.LargeBinary()),
        schema=schema,
    )
    rows = bind.execute(
        sa.select(table.c[field.key], table.c[field.column]).where(table.c[field.column].is_not(None))
    ).all()
    if rows:
        columns = ColumnCipher(FieldCipher(os.environ.get("MEDAID_ENCRYPTION_KEY") or DEV_ENCRYPTION_KEY), [field])
        for row_key, token in rows:
            value = columns.open(field.table, {field.key: row_key, field.column: token})[field.field]
            bind.execute(table.update().where(table.c[field.key] == row_key).values({field.field: value}))
    op.drop_column(field.table, field.column, schema=schema)
