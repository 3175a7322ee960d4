"""The outbox relay: publishes committed outbox rows to Kafka, in order per key.

Rows are claimed with ``FOR UPDATE SKIP LOCKED`` (several relays may run); a row is only
eligible when no earlier row of the same key is still unpublished, so a later event of an
aggregate waits while an earlier one retries. A failed send leaves the row ``pending`` with
its attempt count, error and a back-off; after ``max_attempts`` it becomes ``failed`` and
waits for an operator (``medaid outbox publish-pending``). Published rows are kept for the
retention period so a topic can be replayed onto a fresh broker (``medaid replay``).

Before each batch a relay with a broker guard (the service's broker watch, while the
background loops run) asks whether the broker still holds the lifetime the watch last
saw. A broker that came back empty is restored first — topics, the retained outbox
replayed — so no new event reaches it ahead of the replayed ones it follows.

The relay claims up to a batch of due rows, sends them, marks them published in one
statement, and sleeps until the outbox's commit notification (``LISTEN <schema>_outbox``;
a trigger NOTIFYs on every committed insert) or the poll interval, whichever comes first.

Feed positions (LJ-18) are numbered as the batch commits: one statement gives the rows it
published the next numbers after the highest committed one, in the batch's transaction.
Two relays numbering at once cannot both commit the same positions (the position is
unique): the later one's numbering fails (in a savepoint; its publishing commits) and its
rows are numbered by the relay's next sweep (every second, every published row without a
position), so a reader's cursor never passes a position that commits later — and no lock
is held, neither while sending nor while numbering.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any, Protocol

import structlog
from opentelemetry import context as otel_context
from opentelemetry import propagate
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from medaid_shared import clock
from medaid_shared.db import Database
from medaid_shared.events import to_kafka
from medaid_shared.kafka import Producer
from medaid_shared.observability import OUTBOX_BACKLOG, OUTBOX_PUBLISHED

log = structlog.get_logger("medaid.outbox")

_CLAIM_SQL = """
SELECT o.* FROM {s}.outbox o
WHERE o.state = 'pending' AND o.available_at <= :now
  AND NOT EXISTS (
    SELECT 1 FROM {s}.outbox e WHERE e.key = o.key AND e.seq < o.seq AND e.state <> 'published')
ORDER BY o.seq
LIMIT :limit
FOR UPDATE SKIP LOCKED
"""

_NUMBER_SQL = """
WITH base AS (SELECT COALESCE(max(feed_position), 0) AS top FROM {s}.outbox),
todo AS (
    SELECT seq, row_number() OVER (ORDER BY seq) AS n FROM {s}.outbox
    WHERE state = 'published' AND feed_position IS NULL)
UPDATE {s}.outbox o SET feed_position = base.top + todo.n FROM base, todo WHERE o.seq = todo.seq
"""
# The rows a batch just published, numbered in its own transaction (a savepoint): the
# highest position comes from the position's unique index, the rows from their keys, so
# the cost does not grow with the retained outbox.
_NUMBER_THESE_SQL = """
WITH base AS (SELECT COALESCE(max(feed_position), 0) AS top FROM {s}.outbox),
todo AS (
    SELECT seq, row_number() OVER (ORDER BY seq) AS n FROM {s}.outbox
    WHERE seq = ANY(CAST(:seqs AS bigint[])) AND feed_position IS NULL)
UPDATE {s}.outbox o SET feed_position = base.top + todo.n FROM base, todo WHERE o.seq = todo.seq
"""
BACKLOG_EVERY_S = 1.0


class BrokerGuard(Protocol):
    """What the relay asks before it publishes (:class:`~medaid_shared.broker_recovery.BrokerWatch`)."""

    async def same_lifetime(self) -> bool:
        """Whether the broker still holds what the guard last saw (False: cannot tell)."""
        ...

    async def check(self) -> Any:
        """Look at the broker and restore what it lost (replaying the outbox)."""
        ...


class OutboxRelay:
    def __init__(self, db: Database, producer: Producer, *, batch_size: int = 500, max_attempts: int = 10) -> None:
        self.db = db
        self.producer = producer
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.source = f"/medaid/{db.settings.service_name}"
        self.guard: BrokerGuard | None = None

    async def publish_batch(self) -> int:
        """Publish up to ``batch_size`` due rows in one transaction; returns how many.

        Each claim returns only the head row of each key (no earlier unpublished row of the
        same key exists). After publishing those heads, the next claim in the same
        transaction sees them published and returns the following rows. Another relay still
        sees the heads as unpublished and locked, so it skips the whole key: order holds."""
        if not await self._broker_holds_its_log():
            return 0
        published = 0
        seqs: list[int] = []
        claim = text(_CLAIM_SQL.format(s=self.db.schema))
        async with self.db.unit_of_work() as uow:
            if not await self._replay_idle(uow):
                return 0
            while published < self.batch_size:
                params = {"now": clock.now(), "limit": self.batch_size - published}
                rows = (await uow.session.execute(claim, params)).mappings().all()
                if not rows:
                    break
                outcomes = await self._send_all(rows)
                sent = [row for row, error in zip(rows, outcomes, strict=True) if error is None]
                for row, error in zip(rows, outcomes, strict=True):
                    if error is not None:
                        await self._mark_failed(uow.session, row, error)
                if sent:
                    await self._mark_published(uow.session, sent)
                    seqs += [row["seq"] for row in sent]
                published += len(sent)
                if not sent:
                    break
            if seqs:
                await self._number_these(uow.session, seqs)
        OUTBOX_PUBLISHED.labels(self.db.settings.service_name).inc(published)
        return published

    async def _broker_holds_its_log(self) -> bool:
        """Between a broker's loss and the watch's next look, a new event would reach the
        empty broker ahead of the older ones the replay brings back, and a consumer would
        apply them out of order. So the relay asks its guard first, and lets it restore the
        broker (outside any batch: the replay takes the lock the batches share)."""
        if self.guard is None or await self.guard.same_lifetime():
            return True
        try:
            await self.guard.check()
        except Exception as exc:  # the broker or database is away: the next batch asks again
            log.info("outbox_relay_waits_for_broker", error=f"{type(exc).__name__}: {exc}"[:300])
            return False
        return True

    @property
    def _replay_lock(self) -> str:
        return f"{self.db.schema}.outbox-replay"

    async def _replay_idle(self, uow: Any) -> bool:
        """Every batch shares this lock; a replay holds it alone, and the relays skip their turns."""
        got = await uow.session.execute(
            text("SELECT pg_try_advisory_xact_lock_shared(hashtext(:k))"), {"k": self._replay_lock}
        )
        return bool(got.scalar_one())

    async def _send_all(self, rows: Sequence[Any]) -> list[Exception | None]:
        """Queue every claimed row with the producer, then await the acknowledgements: the
        producer packs them into one request per broker. A claim holds at most one row of
        each key, so this keeps per-key order; a row whose send fails is retried later, and
        the rows of its key wait behind it. (A producer that only sends and waits gets the
        rows all at once instead.)"""
        send = getattr(self.producer, "send", None)
        if send is None:
            results = await asyncio.gather(*(self._send(row) for row in rows), return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException) and not isinstance(result, Exception):
                    raise result  # cancellation and the like are not a broker's answer
            return [result if isinstance(result, Exception) else None for result in results]
        queued: list[Any] = []
        for row in rows:
            try:
                queued.append(await self._send(row, send))
            except Exception as exc:  # refused before it was queued
                queued.append(exc)
        outcomes: list[Exception | None] = []
        for acknowledgement in queued:
            if isinstance(acknowledgement, Exception):
                outcomes.append(acknowledgement)
                continue
            try:
                await acknowledgement
                outcomes.append(None)
            except Exception as exc:  # broker errors are many types; all mean "retry later"
                outcomes.append(exc)
        return outcomes

    async def _send(self, row: Any, send: Callable[..., Awaitable[Any]] | None = None) -> Any:
        """Send one row and await it, or (``send``) queue it and return its acknowledgement."""
        # The command's trace goes on: the producer's own span (the aiokafka instrumentation,
        # which writes the record's traceparent) is made under it. A span of the relay's own
        # around it doubled the tracing cost of every event for nothing a trace shows.
        token = (
            otel_context.attach(propagate.extract({"traceparent": row["traceparent"]})) if row["traceparent"] else None
        )
        try:
            key, value, headers = to_kafka(
                event_id=row["id"],
                source=self.source,
                event_type=row["event_type"],
                dataschema=row["dataschema"],
                subject=row["subject"],
                occurred_at=row["occurred_at"],
                payload=row["payload"],
                key=row["key"],
            )
            if send is not None:
                return await send(row["topic"], value=value, key=key, headers=headers)
            return await self.producer.send_and_wait(row["topic"], value=value, key=key, headers=headers)
        finally:
            if token is not None:
                otel_context.detach(token)

    async def _mark_published(self, session: Any, rows: Sequence[Any]) -> None:
        t = self.db.tables.outbox
        await session.execute(
            update(t)
            .where(t.c.seq.in_([r["seq"] for r in rows]))
            .values(state="published", published_at=clock.now(), attempts=t.c.attempts + 1, last_error=None)
        )

    async def _number_these(self, session: Any, seqs: list[int]) -> None:
        """Number the rows this batch published, in its transaction. A relay numbering at
        the same time takes the same positions: this savepoint then fails on the unique
        position (having waited for the other's commit), or on a deadlock when the two took
        positions in different orders, and the rows are numbered by the next
        :meth:`number_feed` — the publishing itself still commits."""
        try:
            async with session.begin_nested():
                await session.execute(text(_NUMBER_THESE_SQL.format(s=self.db.schema)), {"seqs": seqs})
        except DBAPIError as exc:  # the unique position, or a deadlock between the two
            log.info("outbox_numbering_deferred", rows=len(seqs), error=type(exc).__name__)

    async def number_feed(self) -> int:
        """Give published rows their feed positions, in outbox order, after the highest
        committed position. A concurrent numbering of the same rows makes this one fail on
        the unique position; the rows are numbered by the next round."""
        try:
            async with self.db.unit_of_work() as uow:
                result = await uow.session.execute(text(_NUMBER_SQL.format(s=self.db.schema)))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]
        except IntegrityError:
            return 0

    async def _mark_failed(self, session: Any, row: Any, exc: Exception) -> None:
        t = self.db.tables.outbox
        attempts = row["attempts"] + 1
        backoff = timedelta(seconds=min(60, 2**attempts))
        state = "failed" if attempts >= self.max_attempts else "pending"
        log.warning("outbox_publish_failed", event_type=row["event_type"], attempts=attempts, error=str(exc))
        await session.execute(
            update(t)
            .where(t.c.seq == row["seq"])
            .values(state=state, attempts=attempts, last_error=str(exc)[:2000], available_at=clock.now() + backoff)
        )

    async def publish_pending(self) -> int:
        """Operator command: retry every unpublished row now, including ``failed`` ones."""
        t = self.db.tables.outbox
        async with self.db.unit_of_work() as uow:
            await uow.session.execute(
                update(t).where(t.c.state != "published").values(state="pending", available_at=clock.now())
            )
        total = 0
        while (n := await self.publish_batch()) > 0:
            total += n
        return total

    async def replay(self, only_if: Callable[[], Awaitable[bool]] | None = None) -> int:
        """Republish every retained row in order (e.g. onto a fresh broker). Consumers'
        inboxes make the repeat harmless. Unpublished rows are left to the relay.

        The relays of every replica pause meanwhile (the replay holds the lock their batches
        share), so no newer event of a key overtakes its replayed predecessors; ``only_if``,
        asked once the lock is held, may call the replay off (another replica did it)."""
        t = self.db.tables.outbox
        count = 0
        async with self.db.unit_of_work() as uow:
            await uow.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": self._replay_lock})
            if only_if is not None and not await only_if():
                return 0
            result = await uow.session.stream(select(t).where(t.c.state == "published").order_by(t.c.seq))
            async for row in result.mappings():
                await self._send_retrying(row)
                count += 1
        return count

    async def _send_retrying(self, row: Any, attempts: int = 8) -> None:
        # A broker that just came back refuses a write now and then (the local broker
        # answers UnknownError when two producers append to one partition at once).
        for attempt in range(1, attempts + 1):
            try:
                await self._send(row)
                return
            except Exception as exc:  # broker errors are many types; all mean "try again"
                if attempt == attempts:
                    raise
                log.warning("outbox_replay_send_failed", event_type=row["event_type"], attempt=attempt, error=str(exc))
                await asyncio.sleep(min(5.0, 0.2 * 2**attempt))

    async def purge_expired(self) -> int:
        """Drop published rows older than the retention period."""
        t = self.db.tables.outbox
        cutoff = clock.now() - timedelta(days=self.db.settings.outbox_retention_days)
        async with self.db.unit_of_work() as uow:
            result = await uow.session.execute(delete(t).where(t.c.state == "published", t.c.published_at < cutoff))
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def run(self, stop: asyncio.Event) -> None:
        interval = self.db.settings.relay_interval_s
        purge_every, ticks, backlog_at = 3000, 0, 0.0
        wake = asyncio.Event()
        async with self._listening(wake):
            while not stop.is_set():
                wake.clear()
                try:
                    n = await self.publish_batch()
                    loop_time = asyncio.get_running_loop().time()
                    if loop_time - backlog_at >= BACKLOG_EVERY_S:
                        backlog_at = loop_time
                        OUTBOX_BACKLOG.labels(self.db.settings.service_name).set(await self.db.outbox_backlog())
                        await self.number_feed()  # rows a failed numbering left behind
                    ticks += 1
                    if ticks % purge_every == 0:
                        await self.purge_expired()
                except Exception as exc:  # keep relaying whatever one batch hit
                    log.error("outbox_relay_error", error=str(exc))
                    n = 0
                if n < self.batch_size:
                    await _first_of(stop, wake, interval)

    @contextlib.asynccontextmanager
    async def _listening(self, wake: asyncio.Event) -> AsyncIterator[None]:
        """LISTEN for the outbox's commit notification on a connection of its own; without
        it (no trigger, connection lost) the relay still polls every interval."""
        channel = f"{self.db.schema}_outbox"
        conn = None
        try:
            conn = await self.db.engine.connect()
            raw: Any = (await conn.get_raw_connection()).driver_connection
            await raw.add_listener(channel, lambda *_: wake.set())
        except Exception as exc:  # the relay polls instead
            log.warning("outbox_listen_failed", error=str(exc))
        try:
            yield
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()


async def _first_of(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
