"""Database access: one async engine per service, one schema per service, and the unit of
work through which every command writes its state, its events (outbox), its deadlines and
its audit entries in one PostgreSQL transaction."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import cache
from typing import Any, TypeVar

from opentelemetry import propagate, trace
from sqlalchemy import Executable, MetaData, event, func, select, text, update
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from medaid_shared import clock, statements
from medaid_shared.authz import Principal
from medaid_shared.calendar import Due
from medaid_shared.events import Event
from medaid_shared.settings import ServiceSettings
from medaid_shared.tables import KernelTables, kernel_tables

GENESIS_HASH = "0" * 64
R = TypeVar("R")

Session = AsyncSession
"""A database session as the use cases see it: an opaque handle they give to their
repository factory, never a query API (use cases import no SQLAlchemy)."""


IDLE_BEFORE_PING_S = 10.0
"""A pooled connection idle longer than this is pinged before a command gets it."""


def make_engine(url: str, pool_size: int = 5) -> AsyncEngine:
    # SPEC 0.4: bound parameters (names, ID numbers) never appear in error text or logs.
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, hide_parameters=True)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: AsyncEngine) -> None:
    """A connection handed out again within :data:`IDLE_BEFORE_PING_S` of its last use goes
    without a ping (``pool_pre_ping`` pays a round trip on every checkout, one in every
    twenty of a command's); one idle longer — across a database restart, a network cut —
    is pinged, and a dead one is replaced before the command sees it. A connection that
    dies in the window fails its command as a disconnect, which drops it from the pool."""
    pool_events = engine.sync_engine.pool

    @event.listens_for(pool_events, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool_events, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_BEFORE_PING_S:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:
            raise DisconnectionError("the pooled connection did not answer its ping") from exc


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def audit_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(entry)).encode()).hexdigest()


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


class UnitOfWork:
    """One transaction: ``async with db.unit_of_work() as uow`` commits on success and
    rolls everything back — state, events, deadlines, audit — on any exception."""

    def __init__(self, session: AsyncSession, tables: KernelTables, settings: ServiceSettings) -> None:
        self.session = session
        self.tables = tables
        self.schema = settings.db_schema
        self._settings = settings
        self._repositories: dict[Callable[[AsyncSession], Any], Any] = {}

    @property
    def service_name(self) -> str:
        return self._settings.service_name

    def repository(self, factory: Callable[[AsyncSession], R]) -> R:
        """The repository ``factory`` makes on this transaction, one per unit of work (use
        cases ask for it here and never touch the session)."""
        if factory not in self._repositories:
            self._repositories[factory] = factory(self.session)
        repo: R = self._repositories[factory]
        return repo

    async def emit(self, event: Event, *, subject: str | None = None) -> uuid.UUID:
        """Write an event to the outbox in this transaction (the relay publishes it)."""
        event_id = uuid.uuid4()
        now = clock.now()
        await self.session.execute(
            statements.outbox_row(self.tables.outbox),
            {
                "id": event_id,
                "topic": self._settings.topic(event.topic),
                "key": event.partition_key(),
                "event_type": event.event_type,
                "dataschema": event.dataschema(),
                "subject": subject or event.partition_key(),
                "payload": event.model_dump(mode="json"),
                "occurred_at": now,
                # due by the service clock the relay compares with, not the database server's
                "available_at": now,
                "traceparent": current_traceparent(),
            },
        )
        return event_id

    async def schedule(
        self, kind: str, subject: str, due: Due, *, basis: str, payload: dict[str, Any] | None = None
    ) -> None:
        """Start a deadline; the scheduler turns it into its event once, when due."""
        await self.session.execute(
            statements.deadline_start(self.tables.deadline),
            {
                "id": uuid.uuid4(),
                "kind": kind,
                "subject": subject,
                "due_at": due.at,
                "basis": basis,
                "calendar_provisional": due.calendar_provisional,
                "payload": {**(payload or {}), **due.recount()},
            },
        )

    async def lock_deadline(self, kind: str, subject: str) -> None:
        """Lock a deadline row before the rows its handler locks: a command that closes a
        deadline takes the scheduler's lock order (deadline, then subject), so a decision at
        the exact instant the deadline fires waits for the scheduler instead of deadlocking."""
        t = self.tables.deadline
        await self.session.execute(select(t.c.id).where(t.c.kind == kind, t.c.subject == subject).with_for_update())

    async def close_deadline(self, kind: str, subject: str, state: str = "met") -> bool:
        """Close an open deadline (met in time, or cancelled). True if one was open."""
        result = await self.session.execute(
            update(self.tables.deadline)
            .where(
                self.tables.deadline.c.kind == kind,
                self.tables.deadline.c.subject == subject,
                self.tables.deadline.c.state == "open",
            )
            .values(state=state, closed_at=clock.now())
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def audit(
        self,
        principal: Principal | None,
        action: str,
        subject: str,
        *,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> str:
        """Append to the subject's hash chain in the decision log; returns the entry's hash.

        One statement in the usual case: the entry is chained to the subject's head as the
        statement read it and the head moves to it, only if no other transaction moved the
        head meanwhile (the head row is locked until commit, so the chain never forks, and
        decisions about other subjects append in parallel). When one did — two decisions
        about one subject at once — nothing was written and the entry is appended in two
        statements instead: lock and read the head, then write the entry and move the head."""
        at = clock.now()
        entry: dict[str, Any] = {
            "at": at.isoformat(),
            "actor": principal.subject if principal else "system",
            "role": principal.role.value if principal else "system",
            "action": action,
            "subject": subject,
            "reason": reason,
            "details": details or {},
        }
        values = {
            "at": at,
            "actor": entry["actor"],
            "role": entry["role"],
            "action": action,
            "subject": subject,
            "reason": reason,
            "details": canonical_json(entry["details"]),
        }
        content = canonical_json(entry)
        appended = (
            await self.session.execute(
                _audit_append(self.schema), {**values, "content": content, "genesis": GENESIS_HASH}
            )
        ).first()
        if appended is not None:
            prev, digest = appended
            if audit_hash(prev, entry) != digest:  # the database hashed other bytes than the verifier will
                raise RuntimeError("the decision log's entry hash does not match its content")
            return str(digest)
        head = (
            await self.session.execute(_audit_head(self.schema), {"subject": subject, "genesis": GENESIS_HASH})
        ).scalar_one()
        digest = audit_hash(head, entry)
        await self.session.execute(_audit_entry(self.schema), {**values, "prev": head, "hash": digest})
        return digest


@cache
def _audit_append(schema: str) -> Executable:
    """Chain the entry to the subject's head as this statement sees it and move the head
    (made if new) to it, unless another transaction moved or made it meanwhile: then no
    row is written and none returned. Returns the entry's previous hash and its hash,
    sha256 of the previous hash and the entry's canonical JSON (``content``), as
    :func:`audit_hash` computes it."""
    return text(
        f"WITH old AS (SELECT hash FROM {schema}.audit_head WHERE subject = CAST(:subject AS text)), "
        "chained AS (SELECT p.prev, encode(sha256(convert_to(p.prev || CAST(:content AS text), 'UTF8')), 'hex') AS hash, "
        f"nextval(pg_get_serial_sequence('{schema}.audit_log', 'seq')) AS seq "
        "FROM (SELECT coalesce((SELECT hash FROM old), CAST(:genesis AS text)) AS prev) p), "
        f"head AS (INSERT INTO {schema}.audit_head AS target (subject, hash, entries, last_seq) "
        "SELECT CAST(:subject AS text), hash, 1, seq FROM chained "
        "ON CONFLICT (subject) DO UPDATE SET hash = EXCLUDED.hash, entries = target.entries + 1, "
        "last_seq = EXCLUDED.last_seq WHERE target.hash = (SELECT hash FROM old) RETURNING hash) "
        f"INSERT INTO {schema}.audit_log (seq, at, actor, role, action, subject, reason, details, prev_hash, hash) "
        "SELECT c.seq, CAST(:at AS timestamptz), CAST(:actor AS text), CAST(:role AS text), CAST(:action AS text), "
        "CAST(:subject AS text), CAST(:reason AS text), CAST(:details AS jsonb), c.prev, c.hash "
        "FROM chained c JOIN head h ON h.hash = c.hash RETURNING prev_hash, hash"
    )


@cache
def _audit_head(schema: str) -> Executable:
    """Lock the subject's chain head (made at the genesis hash if new) and return its hash."""
    return text(
        f"INSERT INTO {schema}.audit_head (subject, hash, entries, last_seq) VALUES (:subject, :genesis, 0, 0) "
        "ON CONFLICT (subject) DO UPDATE SET subject = EXCLUDED.subject RETURNING hash"
    )


@cache
def _audit_entry(schema: str) -> Executable:
    """Append the entry and move the subject's head to it."""
    return text(
        f"WITH e AS (INSERT INTO {schema}.audit_log (at, actor, role, action, subject, reason, details, prev_hash, hash) "
        "VALUES (:at, :actor, :role, :action, :subject, :reason, CAST(:details AS jsonb), :prev, :hash) "
        f"RETURNING seq) UPDATE {schema}.audit_head SET hash = :hash, entries = entries + 1, "
        "last_seq = (SELECT seq FROM e) WHERE subject = :subject"
    )


_tracer = trace.get_tracer("medaid.db")


class Database:
    """A service's engine, session factory, schema and kernel tables."""

    def __init__(self, settings: ServiceSettings, metadata: MetaData) -> None:
        if metadata.schema != settings.db_schema:
            raise ValueError(f"metadata schema {metadata.schema} is not the service schema {settings.db_schema}")
        self.settings = settings
        self.schema = settings.db_schema
        self.metadata = metadata
        self.tables = kernel_tables(metadata)
        self.engine = make_engine(settings.database_url, settings.db_pool_size)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        with _tracer.start_as_current_span("unit of work"):
            async with self.sessions() as session, session.begin():
                yield UnitOfWork(session, self.tables, self.settings)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def outbox_backlog(self) -> int:
        async with self.read() as s:
            t = self.tables.outbox
            return int((await s.execute(select(func.count()).where(t.c.state != "published"))).scalar_one())

    async def dispose(self) -> None:
        await self.engine.dispose()
