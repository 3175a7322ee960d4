"""The outbox relay: publishes committed outbox rows to Kafka, in order per key.

Rows are claimed with ``FOR UPDATE SKIP LOCKED`` (several relays may run); a row is only
eligible when no earlier row of the same key is still unpublished, so a later event of an
aggregate waits while an earlier one retries. A failed send leaves the row ``pending`` with
its attempt count, error and a back-off; after ``max_attempts`` it becomes ``failed`` and
waits for an operator (``medaid outbox publish-pending``). Published rows are kept for the
retention period so a topic can be replayed onto a fresh broker (``medaid replay``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import structlog
from opentelemetry import propagate, trace
from sqlalchemy import delete, func, select, text, update

from medaid_shared import clock
from medaid_shared.db import Database
from medaid_shared.events import to_kafka
from medaid_shared.kafka import Producer
from medaid_shared.observability import OUTBOX_BACKLOG, OUTBOX_PUBLISHED

log = structlog.get_logger("medaid.outbox")
tracer = trace.get_tracer("medaid.outbox")

_CLAIM_SQL = """
SELECT o.seq FROM {s}.outbox o
WHERE o.state = 'pending' AND o.available_at <= :now
  AND NOT EXISTS (
    SELECT 1 FROM {s}.outbox e WHERE e.key = o.key AND e.seq < o.seq AND e.state <> 'published')
ORDER BY o.seq
LIMIT :limit
FOR UPDATE SKIP LOCKED
"""


class OutboxRelay:
    def __init__(self, db: Database, producer: Producer, *, batch_size: int = 100, max_attempts: int = 10) -> None:
        self.db = db
        self.producer = producer
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.source = f"/medaid/{db.settings.service_name}"

    async def publish_batch(self) -> int:
        """Publish up to ``batch_size`` due rows in one transaction; returns how many.

        Each claim returns only the head row of each key (no earlier unpublished row of the
        same key exists). After publishing those heads, the next claim in the same
        transaction sees them published and returns the following rows. Another relay still
        sees the heads as unpublished and locked, so it skips the whole key: order holds."""
        t = self.db.tables.outbox
        published = 0
        async with self.db.unit_of_work() as uow:
            if not await self._replay_idle(uow):
                return 0
            while published < self.batch_size:
                seqs = (
                    (
                        await uow.session.execute(
                            text(_CLAIM_SQL.format(s=self.db.schema)),
                            {"now": clock.now(), "limit": self.batch_size - published},
                        )
                    )
                    .scalars()
                    .all()
                )
                if not seqs:
                    break
                rows = (
                    (await uow.session.execute(select(t).where(t.c.seq.in_(seqs)).order_by(t.c.seq))).mappings().all()
                )
                sent = 0
                for row in rows:
                    try:
                        await self._send(row)
                    except Exception as exc:  # broker errors are many types; all mean "retry later"
                        await self._mark_failed(uow.session, row, exc)
                        continue
                    await self._mark_published(uow.session, row)
                    sent += 1
                published += sent
                if sent == 0:
                    break
        OUTBOX_PUBLISHED.labels(self.db.settings.service_name).inc(published)
        return published

    @property
    def _replay_lock(self) -> str:
        return f"{self.db.schema}.outbox-replay"

    async def _replay_idle(self, uow: Any) -> bool:
        """Every batch shares this lock; a replay holds it alone, and the relays skip their turns."""
        got = await uow.session.execute(
            text("SELECT pg_try_advisory_xact_lock_shared(hashtext(:k))"), {"k": self._replay_lock}
        )
        return bool(got.scalar_one())

    async def _send(self, row: Any) -> None:
        ctx = propagate.extract({"traceparent": row["traceparent"]} if row["traceparent"] else {})
        with tracer.start_as_current_span(f"publish {row['event_type']}", context=ctx, kind=trace.SpanKind.PRODUCER):
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
            await self.producer.send_and_wait(row["topic"], value=value, key=key, headers=headers)

    async def _mark_published(self, session: Any, row: Any) -> None:
        t = self.db.tables.outbox
        # The lock is held until this transaction commits, so feed positions are handed
        # out in commit order: a reader's cursor never passes an event still to commit.
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"{self.db.schema}.feed"})
        position = select(func.coalesce(func.max(t.c.feed_position), 0) + 1).scalar_subquery()
        await session.execute(
            update(t)
            .where(t.c.seq == row["seq"])
            .values(
                state="published",
                published_at=clock.now(),
                attempts=row["attempts"] + 1,
                last_error=None,
                feed_position=position,
            )
        )

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
        purge_every, ticks = 3000, 0
        while not stop.is_set():
            try:
                n = await self.publish_batch()
                OUTBOX_BACKLOG.labels(self.db.settings.service_name).set(await self.db.outbox_backlog())
                ticks += 1
                if ticks % purge_every == 0:
                    await self.purge_expired()
            except Exception as exc:  # keep relaying whatever one batch hit
                log.error("outbox_relay_error", error=str(exc))
                n = 0
            if n == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=interval)
