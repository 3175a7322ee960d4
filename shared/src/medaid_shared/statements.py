"""The kernel's hot writes as statements built once per table, compiled once per engine.

SQLAlchemy caches a statement's compiled SQL only when the statement has a cache key, and
PostgreSQL's ``insert(...).on_conflict_...()`` has none: built anew on every inbox claim,
idempotency reservation, deadline and read-model upsert, each call also compiled it again
(400–850 µs per call). Here each is written once as SQL text over the table's columns —
identifiers quoted by the dialect, every value a bound parameter typed by its column — so
the statement object, and with it its cache key, is made once and the engine's compiled
cache answers every later call. Callers pass the values as the execution's parameters, one
per column the statement names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

from sqlalchemy import Executable, Table, bindparam, text
from sqlalchemy.dialects import postgresql

_QUOTE = postgresql.dialect().identifier_preparer

# The columns each kernel statement writes (the rest take their server defaults).
INBOX_COLUMNS = ("consumer", "event_id", "event_type")
IDEMPOTENCY_COLUMNS = ("key", "principal", "fingerprint", "status_code", "response", "created_at")
IDEMPOTENCY_ANSWER_COLUMNS = ("status_code", "response", "principal", "key")
DEADLINE_COLUMNS = ("id", "kind", "subject", "due_at", "basis", "calendar_provisional", "payload")
OUTBOX_COLUMNS = (
    "id",
    "topic",
    "key",
    "event_type",
    "dataschema",
    "subject",
    "payload",
    "occurred_at",
    "available_at",
    "traceparent",
)


def _insert(
    table: Table, columns: Sequence[str], tail: str = "", returning: str | Sequence[str] | None = None
) -> Executable:
    """``INSERT INTO table AS target (columns) VALUES (:column, …) tail [RETURNING returning]``
    (``target`` names the existing row in an ``ON CONFLICT … DO UPDATE``)."""
    names = ", ".join(_QUOTE.quote(name) for name in columns)
    values = ", ".join(f":{name}" for name in columns)
    sql = f"INSERT INTO {_QUOTE.format_table(table)} AS target ({names}) VALUES ({values}) {tail}".rstrip()
    binds = [bindparam(name, type_=table.c[name].type) for name in columns]
    if returning is None:
        return text(sql).bindparams(*binds)
    out = (returning,) if isinstance(returning, str) else tuple(returning)
    listed = ", ".join(_QUOTE.quote(name) for name in out)
    return text(f"{sql} RETURNING {listed}").bindparams(*binds).columns(*(table.c[name] for name in out))


@cache
def inbox_claim(inbox: Table) -> Executable:
    """Claim ``(consumer, event_id, event_type)``: returns the event id, or no row when the
    consumer applied the event before (the inbox's key)."""
    return _insert(inbox, INBOX_COLUMNS, "ON CONFLICT DO NOTHING", returning="event_id")


@cache
def inbox_claim_batch(inbox: Table) -> Executable:
    """Claim a batch's events in one statement: ``consumer`` and the arrays ``event_ids``
    and ``event_types`` (in step, no id twice); returns the ids not applied before."""
    names = ", ".join(_QUOTE.quote(name) for name in INBOX_COLUMNS)
    sql = (
        f"INSERT INTO {_QUOTE.format_table(inbox)} ({names}) "
        "SELECT :consumer, u.event_id, u.event_type "
        "FROM unnest(CAST(:event_ids AS text[]), CAST(:event_types AS text[])) AS u(event_id, event_type) "
        f"ON CONFLICT DO NOTHING RETURNING {_QUOTE.quote('event_id')}"
    )
    binds = [
        bindparam("consumer", type_=inbox.c.consumer.type),
        bindparam("event_ids", type_=postgresql.ARRAY(inbox.c.event_id.type)),
        bindparam("event_types", type_=postgresql.ARRAY(inbox.c.event_type.type)),
    ]
    return text(sql).bindparams(*binds).columns(inbox.c.event_id)


@cache
def idempotency_reservation(idempotency_key: Table) -> Executable:
    """Reserve a command's ``(principal, key)``: returns the key, or no row when a command
    with that key ran (or runs) already."""
    return _insert(idempotency_key, IDEMPOTENCY_COLUMNS, "ON CONFLICT DO NOTHING", returning="key")


@cache
def idempotency_answer(idempotency_key: Table) -> Executable:
    """Store a command's ``status_code`` and sealed ``response`` on its reserved
    ``(principal, key)``."""
    t = idempotency_key
    q = _QUOTE.quote
    sql = (
        f"UPDATE {_QUOTE.format_table(t)} SET {q('status_code')} = :status_code, {q('response')} = :response "
        f"WHERE {q('principal')} = :principal AND {q('key')} = :key"
    )
    return text(sql).bindparams(*(bindparam(name, type_=t.c[name].type) for name in IDEMPOTENCY_ANSWER_COLUMNS))


@cache
def deadline_start(deadline: Table) -> Executable:
    """Start a deadline; one already started for the same ``(kind, subject)`` stays as it is."""
    return _insert(deadline, DEADLINE_COLUMNS, "ON CONFLICT (kind, subject) DO NOTHING")


@cache
def outbox_row(outbox: Table) -> Executable:
    """An event for the relay to publish."""
    return _insert(outbox, OUTBOX_COLUMNS)


def upsert(
    table: Table, key: str, columns: Iterable[str], *, newer_by: str | None = None, returning: str | None = None
) -> Executable:
    """Insert a row of ``columns`` or, when its ``key`` exists, overwrite those columns (a
    read model following its source's events). ``newer_by``: a stored row whose value of
    that column is later than the incoming one is left as it is (an older event never
    overwrites a newer one; a missing time on either side overwrites). ``returning``: the
    column to return, no row when the stored row was kept."""
    return _upsert(table, key, tuple(sorted(columns)), newer_by, returning)


@cache
def _upsert(
    table: Table, key: str, columns: tuple[str, ...], newer_by: str | None, returning: str | None
) -> Executable:
    changed = [_QUOTE.quote(name) for name in columns if name != key]
    action = "DO UPDATE SET " + ", ".join(f"{name} = EXCLUDED.{name}" for name in changed) if changed else "DO NOTHING"
    if newer_by is not None and changed:
        by = _QUOTE.quote(newer_by)
        action += f" WHERE target.{by} IS NULL OR EXCLUDED.{by} IS NULL OR target.{by} <= EXCLUDED.{by}"
    return _insert(table, columns, f"ON CONFLICT ({_QUOTE.quote(key)}) {action}", returning=returning)


@cache
def insert_new(table: Table, columns: tuple[str, ...], returning: str | None = None) -> Executable:
    """Insert a row of ``columns`` unless one with its key exists (``returning``: the column
    to return, no row when it existed)."""
    return _insert(table, columns, "ON CONFLICT DO NOTHING", returning=returning)


@cache
def locked_row(table: Table, keys: tuple[str, ...], columns: tuple[str, ...]) -> Executable:
    """Insert a row of ``columns`` if none has its ``keys`` yet, lock it either way and
    return it whole (an upsert whose no-op update takes the row lock)."""
    first = _QUOTE.quote(keys[0])
    conflict = ", ".join(_QUOTE.quote(k) for k in keys)
    tail = f"ON CONFLICT ({conflict}) DO UPDATE SET {first} = EXCLUDED.{first}"
    return _insert(table, columns, tail, returning=tuple(table.c.keys()))


@cache
def counter(table: Table, keys: tuple[str, ...], column: str) -> Executable:
    """The next value of a counter row: ``column`` starts at 1 for new ``keys`` and goes up
    by one, under the row's lock, on every later call; returns the new value."""
    conflict = ", ".join(_QUOTE.quote(k) for k in keys)
    c = _QUOTE.quote(column)
    tail = f"ON CONFLICT ({conflict}) DO UPDATE SET {c} = target.{c} + 1"
    return _insert(table, (*keys, column), tail, returning=column)
