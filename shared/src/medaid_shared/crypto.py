"""Field encryption, blind indexes and masking for sensitive personal data (SPEC 0.4)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

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


def id_number_digest(id_number: str, matching_key: str) -> str:
    """A keyed digest of an ID number that every service computes alike (same matching key),
    so events can say "this person" without carrying the number."""
    return hmac.new(matching_key.encode(), id_number.upper().encode(), hashlib.sha256).hexdigest()


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
