"""Idempotency keys for HTTP commands: a repeated command changes nothing twice.

The key is stored with the command's response in the command's own transaction, keyed by
(principal, key) — a unique key, not a check-then-insert. A repeat with the same request
gets the stored answer; the same key with a different request is a conflict.

The stored answer can hold personal data (a registered person's full name, a self-pay
necessity text), so it is kept only as the kernel cipher's ciphertext, bound to its
(principal, key), and purged after the idempotency retention period (SPEC 0.4).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy import delete, insert, select, text
from sqlalchemy.exc import IntegrityError

from medaid_shared import clock
from medaid_shared.authz import Principal
from medaid_shared.crypto import FieldCipher
from medaid_shared.db import Database, UnitOfWork, canonical_json
from medaid_shared.errors import Conflict, ValidationFailed

Command = Callable[[UnitOfWork], Awaitable[tuple[int, Any]]]
MAX_KEY_LENGTH = 200


def _money(value: Decimal) -> str:
    return str(value + 0)  # + 0 turns a "-0.00" (a zero reached by subtraction) into "0.00"


def encode(value: Any) -> Any:
    """JSON-ready, with money kept exact: Decimal becomes its string, never a float."""
    return jsonable_encoder(value, custom_encoder={Decimal: _money})


def fingerprint(request: Any) -> str:
    return hashlib.sha256(canonical_json(encode(request)).encode()).hexdigest()


async def run_command(
    db: Database, principal: Principal, key: str | None, request: Any, command: Command
) -> tuple[int, Any]:
    """Run ``command`` in one unit of work, at most once per (principal, idempotency key)."""
    if key is None:
        async with db.unit_of_work() as uow:
            status, body = await command(uow)
            return status, encode(body)
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(f"Idempotency-Key must be 1–{MAX_KEY_LENGTH} characters", field="Idempotency-Key")
    fp = fingerprint(request)
    t = db.tables.idempotency_key
    try:
        async with db.unit_of_work() as uow:
            # A concurrent twin with the same key waits here until this one commits, then
            # answers with what it stored instead of running the command again.
            await uow.session.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"idempotency:{principal.subject}:{key}"}
            )
            stored = await _stored(uow, t, principal, key, fp)
            if stored is not None:
                return stored[0], open_response(db, principal.subject, key, stored[1])
            status, body = await command(uow)
            encoded = encode(body)
            await uow.session.execute(
                insert(t).values(
                    key=key,
                    principal=principal.subject,
                    fingerprint=fp,
                    status_code=status,
                    response=seal_response(db, principal.subject, key, encoded),
                    created_at=clock.now(),
                )
            )
            return status, encoded
    except IntegrityError:
        # A concurrent twin committed first: answer with what it stored.
        async with db.unit_of_work() as uow:
            stored = await _stored(uow, t, principal, key, fp)
        if stored is None:
            raise
        return stored[0], open_response(db, principal.subject, key, stored[1])


async def _stored(uow: UnitOfWork, t: Any, principal: Principal, key: str, fp: str) -> tuple[int, Any] | None:
    row = (
        (await uow.session.execute(select(t).where(t.c.principal == principal.subject, t.c.key == key)))
        .mappings()
        .first()
    )
    if row is None:
        return None
    if row["fingerprint"] != fp:
        raise Conflict("this Idempotency-Key was already used for a different request", field="Idempotency-Key")
    return int(row["status_code"]), row["response"]


@cache
def _cipher(key_b64: str) -> FieldCipher:
    return FieldCipher(key_b64)


def _aad(principal: str, key: str) -> str:
    return f"idempotency:{principal}:{key}"


def seal_response(db: Database, principal: str, key: str, body: Any) -> dict[str, str]:
    """SPEC 0.4: the stored answer as ciphertext only; a database reader or a backup sees
    no name, ID number or medical text in it."""
    cipher = _cipher(db.settings.encryption_key.get_secret_value())
    token = cipher.encrypt_text(json.dumps(body, ensure_ascii=False), _aad(principal, key))
    return {"enc": base64.b64encode(token).decode()}


def open_response(db: Database, principal: str, key: str, stored: Any) -> Any:
    cipher = _cipher(db.settings.encryption_key.get_secret_value())
    return json.loads(cipher.decrypt_text(base64.b64decode(stored["enc"]), _aad(principal, key)))


async def purge_expired(db: Database) -> int:
    """SPEC 0.4: stored answers older than the retention period are deleted (a retry after
    that long is a new command, answered by the command's own rules)."""
    t = db.tables.idempotency_key
    cutoff = clock.now() - timedelta(days=db.settings.idempotency_retention_days)
    async with db.unit_of_work() as uow:
        result = await uow.session.execute(delete(t).where(t.c.created_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
