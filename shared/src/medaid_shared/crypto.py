"""Field encryption, blind indexes and masking for sensitive personal data (SPEC 0.4)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

_VERSION = b"\x01"


class FieldCipher:
    """AES-256-GCM for values stored at rest. ``aad`` binds a ciphertext to its column/row,
    so a value copied into another record does not decrypt."""

    def __init__(self, key_b64: str) -> None:
        key = base64.b64decode(key_b64)
        if len(key) != 32:
            raise ValueError("encryption key must be 32 bytes, base64-encoded")
        self._aead = AESGCM(key)
        self._index_key = hmac.new(key, b"medaid-blind-index", hashlib.sha256).digest()

    def encrypt(self, plaintext: bytes, aad: bytes = b"") -> bytes:
        nonce = os.urandom(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext, aad)

    def decrypt(self, token: bytes, aad: bytes = b"") -> bytes:
        if token[:1] != _VERSION:
            raise ValueError("unknown ciphertext version")
        return self._aead.decrypt(token[1:13], token[13:], aad)

    def encrypt_text(self, text: str, aad: str = "") -> bytes:
        return self.encrypt(text.encode(), aad.encode())

    def decrypt_text(self, token: bytes, aad: str = "") -> str:
        return self.decrypt(token, aad.encode()).decode()

    def blind_index(self, value: str) -> str:
        """A keyed hash to find a record by an encrypted value (e.g. an ID number)."""
        return hmac.new(self._index_key, value.encode(), hashlib.sha256).hexdigest()


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _sealing_key(shared: bytes, ephemeral: bytes, recipient: bytes, purpose: str) -> bytes:
    info = b"medaid-sealed:" + purpose.encode() + ephemeral + recipient
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)


def seal(public_key_b64: str, text: str, purpose: str) -> str:
    """Encrypt ``text`` for the one service holding the private key (X25519 + HKDF +
    AES-GCM, a fresh key per value). The sender cannot read it back, nor can anyone holding
    another service's key: SPEC 0.4, a person is matched across services without a digest
    any service could recompute."""
    recipient = X25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
    ephemeral = X25519PrivateKey.generate()
    eph_raw, rec_raw = _raw_public(ephemeral.public_key()), _raw_public(recipient)
    key = _sealing_key(ephemeral.exchange(recipient), eph_raw, rec_raw, purpose)
    # The key is used once, so a fixed nonce is safe.
    token = _VERSION + eph_raw + AESGCM(key).encrypt(b"\x00" * 12, text.encode(), purpose.encode())
    return base64.b64encode(token).decode()


class Unsealer:
    """Opens what :func:`seal` sealed for this private key."""

    def __init__(self, private_key_b64: str) -> None:
        self._key = X25519PrivateKey.from_private_bytes(base64.b64decode(private_key_b64))
        self.public_key_b64 = base64.b64encode(_raw_public(self._key.public_key())).decode()

    def open(self, token_b64: str, purpose: str) -> str:
        token = base64.b64decode(token_b64)
        if token[:1] != _VERSION:
            raise ValueError("unknown sealed-value version")
        eph_raw, ciphertext = token[1:33], token[33:]
        shared = self._key.exchange(X25519PublicKey.from_public_bytes(eph_raw))
        key = _sealing_key(shared, eph_raw, base64.b64decode(self.public_key_b64), purpose)
        return AESGCM(key).decrypt(b"\x00" * 12, ciphertext, purpose.encode()).decode()


def new_keypair() -> tuple[str, str]:
    """A (private, public) X25519 key pair, base64: ``python -c "from medaid_shared.crypto
    import new_keypair; print(*new_keypair())"``."""
    key = X25519PrivateKey.generate()
    private = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(private).decode(), base64.b64encode(_raw_public(key.public_key())).decode()


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_valid_id_number(value: str) -> bool:
    """Resident ID number: 18 characters, 17 digits and a GB 11643 check character."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    return value[17].upper() == id_number_check_char(value[:17])


def mask_id_number(value: str) -> str:
    """``4502**********1234``: the first four and the last four characters."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(name: str) -> str:
    """``张*三``: keep the first and the last character; two-character names keep the first."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


@dataclass(frozen=True)
class EncryptedField:
    """A field a use case reads and writes in clear that rests only as ciphertext:
    ``field`` of ``table`` is stored in ``column``, bound to the row's ``key`` column."""

    table: str
    field: str
    column: str
    key: str


class ColumnCipher:
    """Encrypts and decrypts a store's encrypted fields at its boundary (SPEC 0.4), so a use
    case sees a diagnosis as a value and the database only as ciphertext. Filtering by an
    encrypted field is refused: a query that needs equality needs a blind index."""

    def __init__(self, cipher: FieldCipher | None, fields: Iterable[EncryptedField]) -> None:
        self._cipher = cipher
        self._by_table: dict[str, list[EncryptedField]] = {}
        for f in fields:
            self._by_table.setdefault(f.table, []).append(f)

    def _aad(self, f: EncryptedField, key: object) -> str:
        return f"{f.table}:{key}:{f.field}"

    def seal(self, table: str, values: Mapping[str, Any], key: object = None) -> dict[str, Any]:
        out = dict(values)
        for f in self._by_table.get(table, []):
            if f.field not in out:
                continue
            value = out.pop(f.field)
            row_key = out.get(f.key, key)
            if row_key is None:
                raise ValueError(f"{table}.{f.field} is encrypted: writing it needs the row's {f.key}")
            if self._cipher is None:
                raise RuntimeError(f"{table}.{f.field} is encrypted: this store has no cipher")
            out[f.column] = None if value is None else self._cipher.encrypt_text(str(value), self._aad(f, row_key))
        return out

    def open(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        for f in self._by_table.get(table, []):
            if f.column in row:
                token = row.pop(f.column)
                if token is None:
                    row[f.field] = None
                elif self._cipher is None:
                    raise RuntimeError(f"{table}.{f.field} is encrypted: this store has no cipher")
                else:
                    row[f.field] = self._cipher.decrypt_text(bytes(token), self._aad(f, row[f.key]))
        return row

    def refuse_filter(self, table: str, where: Mapping[str, Any] | None) -> None:
        for f in self._by_table.get(table, []):
            if any(k.partition("__")[0] == f.field for k in where or {}):
                raise ValueError(f"{table}.{f.field} is encrypted at rest and cannot be filtered on")
