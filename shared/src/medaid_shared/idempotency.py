"""Idempotency keys for HTTP commands: a repeated command changes nothing twice.

The key is stored with the command's response in the command's own transaction, keyed by
(principal, key) — a unique key, not a check-then-insert. A repeat with the same request
gets the stored answer; the same key with a different request is a conflict.

The stored answer can hold personal data (a registered person's full name, a self-pay
necessity text), so it is kept only as the kernel cipher's ciphertext, bound to its
(principal, key), and purged after the idempotency retention period (SPEC 0.4): a kernel
kind of versioned parameters (``idempotency_retention``) that every service stores beside
its own kinds and an administrator loads through the service's ``POST /admin/parameters``;
its default is the setting ``MEDAID_IDEMPOTENCY_RETENTION_DAYS``.
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
from pydantic import Field
from sqlalchemy import delete, select

from medaid_shared import clock, statements
from medaid_shared.authz import Principal
from medaid_shared.crypto import FieldCipher
from medaid_shared.db import Database, UnitOfWork, canonical_json
from medaid_shared.errors import Conflict, ValidationFailed
from medaid_shared.kernel_parameters import CONSUMER_ATTEMPTS, ConsumerAttempts
from medaid_shared.parameter_store import ParameterStore
from medaid_shared.parameters import Applied, ParameterCatalogue, ParameterKind, ParameterValues
from medaid_shared.settings import ServiceSettings

Command = Callable[[UnitOfWork], Awaitable[tuple[int, Any]]]
MAX_KEY_LENGTH = 200


class IdempotencyRetention(ParameterValues):
    """SPEC 0.4 (interpretation): how long a command's stored answer serves its retries."""

    retention_days: int = Field(default=7, ge=1, le=3660)


IDEMPOTENCY_RETENTION = ParameterKind(
    "idempotency_retention",
    IdempotencyRetention,
    rule="SPEC 0.4",
    default=IdempotencyRetention(),
    description="how long stored command answers (Idempotency-Key) are kept (SPEC 0.4)",
)
# The kernel's kinds, stored by every service beside its own.
KERNEL_PARAMETERS = ParameterCatalogue([IDEMPOTENCY_RETENTION, CONSUMER_ATTEMPTS])


def kernel_parameter_defaults(settings: ServiceSettings) -> dict[str, ParameterValues]:
    """The kernel kinds' defaults an operator sets by configuration."""
    return {
        IDEMPOTENCY_RETENTION.name: IdempotencyRetention(retention_days=settings.idempotency_retention_days),
        CONSUMER_ATTEMPTS.name: ConsumerAttempts(max_attempts=max(1, settings.consumer_max_attempts)),
    }


def _money(value: Decimal) -> str:
    return str(value + 0)  # + 0 turns a "-0.00" (a zero reached by subtraction) into "0.00"


_PLAIN = frozenset({str, int, float, bool, type(None)})
_MONEY: dict[Any, Callable[[Any], Any]] = {Decimal: _money}


def encode(value: Any) -> Any:
    """JSON-ready, with money kept exact: Decimal becomes its string, never a float.

    What FastAPI's ``jsonable_encoder`` answers, walked here for the plain shapes an answer
    is made of (dicts, lists, strings, numbers, money) and handed to it for anything else
    (models, dataclasses, enums, times): a large answer is encoded in a fraction of its time."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {
            (k if type(k) is str else encode(k)): encode(v)
            for k, v in value.items()
            if type(k) is not str or not k.startswith("_sa")  # as jsonable_encoder, SQLAlchemy's state
        }
    if kind is list or kind is tuple:
        return [encode(v) for v in value]
    if kind is Decimal:
        return _money(value)
    return jsonable_encoder(value, custom_encoder=_MONEY)


def fingerprint(request: Any) -> str:
    """The digest an Idempotency-Key is compared on (canonical JSON of the request)."""
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
    async with db.unit_of_work() as uow:
        # Reserve the key first: a concurrent twin's insert of the same key waits on the
        # unique index until this transaction ends, then finds the stored answer instead
        # of running the command again (and runs it if this one was refused).
        reserved = await uow.session.execute(
            statements.idempotency_reservation(t),
            {
                "key": key,
                "principal": principal.subject,
                "fingerprint": fp,
                "status_code": 0,
                "response": {},
                "created_at": clock.now(),
            },
        )
        if reserved.first() is None:
            stored = await _stored(uow, t, principal, key, fp)
            if stored is None:  # purged between the two statements: the caller may retry
                raise Conflict("this Idempotency-Key is being used by a concurrent request", field="Idempotency-Key")
            return stored[0], open_response(db, principal.subject, key, stored[1])
        status, body = await command(uow)
        encoded = encode(body)
        await uow.session.execute(
            statements.idempotency_answer(t),
            {
                "status_code": status,
                "response": seal_response(db, principal.subject, key, encoded),
                "principal": principal.subject,
                "key": key,
            },
        )
        return status, encoded


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
    """The stored answer, decrypted for the (principal, key) it was sealed to."""
    cipher = _cipher(db.settings.encryption_key.get_secret_value())
    return json.loads(cipher.decrypt_text(base64.b64decode(stored["enc"]), _aad(principal, key)))


async def retention_in_force(db: Database) -> Applied:
    """SPEC 0.4: the idempotency-retention version in force today (Asia/Shanghai)."""
    async with db.read() as session:
        catalogue = KERNEL_PARAMETERS.with_defaults(kernel_parameter_defaults(db.settings))
        store = ParameterStore(session, db.tables.parameter_version, catalogue)
        return await store.applied(IDEMPOTENCY_RETENTION.name, on=clock.to_local(clock.now()).date())


async def purge_expired(db: Database) -> int:
    """SPEC 0.4: stored answers older than the retention period in force are deleted (a retry
    after that long is a new command, answered by the command's own rules)."""
    applied = await retention_in_force(db)
    t = db.tables.idempotency_key
    cutoff = clock.now() - timedelta(days=applied.values.retention_days)
    async with db.unit_of_work() as uow:
        result = await uow.session.execute(delete(t).where(t.c.created_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
