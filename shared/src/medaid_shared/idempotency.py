"""Idempotency keys for HTTP commands: a repeated command changes nothing twice.

The key is stored with the command's response in the command's own transaction, keyed by
(principal, key) — a unique key, not a check-then-insert. A repeat with the same request
gets the stored answer; the same key with a different request is a conflict.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from medaid_shared.auth import Principal
from medaid_shared.db import Database, UnitOfWork, canonical_json
from medaid_shared.problems import Conflict, ValidationFailed

Command = Callable[[UnitOfWork], Awaitable[tuple[int, Any]]]
MAX_KEY_LENGTH = 200


def encode(value: Any) -> Any:
    """JSON-ready, with money kept exact: Decimal becomes its string, never a float."""
    return jsonable_encoder(value, custom_encoder={Decimal: str})


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
                return stored
            status, body = await command(uow)
            encoded = encode(body)
            await uow.session.execute(
                insert(t).values(
                    key=key, principal=principal.subject, fingerprint=fp, status_code=status, response=encoded
                )
            )
            return status, encoded
    except IntegrityError:
        # A concurrent twin committed first: answer with what it stored.
        async with db.unit_of_work() as uow:
            stored = await _stored(uow, t, principal, key, fp)
        if stored is None:
            raise
        return stored


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
