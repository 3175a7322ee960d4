"""Idempotent event consumers (inbox) with a dead-letter topic.

The records of one fetch are applied in one transaction: one statement inserts every
record's ``(consumer, event id)`` into the inbox — an id already there means the event was
already applied, so its handler does not run — and the handlers of the claimed records run
in their partitions' order. The Kafka offsets are committed after the transaction, so a
crash before it re-delivers records the inbox has not claimed. A database or broker outage
is not the event's fault: the batch is rolled back and waits and retries with back-off for
as long as it lasts. A handler that fails on a database that answers rolls the batch back;
the records before it are applied again, each in a savepoint of its own, and commit. The
failing record — or one that cannot be decoded — is tried again by itself and, if it keeps
failing, written to the dead-letter topic and the ``dead_letter`` table with its error, and
the consumer moves on; ``medaid dlq redrive`` sends it back to its topic. How many attempts
is the kernel's versioned parameter ``consumer_attempts``
(:mod:`medaid_shared.kernel_parameters`), read when a handler first fails; the dead letter
cites the version it applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka import errors as kafka_errors
from opentelemetry import propagate, trace
from prometheus_client import Counter
from sqlalchemy import insert, or_, select, update

from medaid_shared import clock, statements
from medaid_shared.backoff import Backoff, wait_or_stop
from medaid_shared.db import Database, UnitOfWork
from medaid_shared.events import Event, EventMeta, UndecodableEvent, from_kafka, parse_payload
from medaid_shared.idempotency import KERNEL_PARAMETERS, kernel_parameter_defaults
from medaid_shared.kafka import Producer
from medaid_shared.kernel_parameters import CONSUMER_ATTEMPTS
from medaid_shared.observability import CONSUMER_LAG, EVENTS_CONSUMED
from medaid_shared.parameter_store import ParameterStore
from medaid_shared.parameters import Applied
from medaid_shared.transient import Stopped, is_transient, retry_transient

log = structlog.get_logger("medaid.consumer")
tracer = trace.get_tracer("medaid.consumer")

Handler = Callable[[UnitOfWork, Any, EventMeta], Awaitable[None]]

TRANSIENT_WAITS = Counter(
    "medaid_consumer_transient_retries_total",
    "Retries of a record while the database or broker was unavailable",
    ["service", "consumer"],
)


class Lifetime(Protocol):
    """Where a consumer learns the broker's current lifetime (the service's broker watch)."""

    epoch: str | None


# The group moved on without this member (a rebalance): its commit is refused.
REBALANCED: tuple[type[BaseException], ...] = (
    kafka_errors.CommitFailedError,
    kafka_errors.IllegalStateError,
    kafka_errors.RebalanceInProgressError,
    kafka_errors.UnknownMemberIdError,
    kafka_errors.IllegalGenerationError,
)


FETCH_MAX_WAIT_MS = 20
MAX_RECORDS = 500  # per fetch: a backlog is worked off in batches this large


class _HandlerFailed(Exception):
    """A handler of a batch failed on a database that answers: the batch was rolled back."""

    def __init__(self, index: int, error: str) -> None:
        super().__init__(error)
        self.index = index  # the failing record's place in the batch
        self.error = error


class EventConsumer:
    """Consumes the topics of the event types in ``handlers`` as one consumer group."""

    def __init__(self, db: Database, producer: Producer, name: str, handlers: Mapping[type[Event], Handler]) -> None:
        self.db = db
        self.producer = producer
        self.name = name
        self.settings = db.settings
        self.handlers = {model.event_type: handler for model, handler in handlers.items()}
        self.topics = sorted({self.settings.topic(model.topic) for model in handlers})
        self.group_id = f"{self.settings.topic_prefix}.{self.settings.service_name}.{name}"
        self.backoff = Backoff(self.settings.transient_retry_initial_s, self.settings.transient_retry_max_s, 0.5)
        self.transient_retries = 0  # how often a record waited for the database or broker
        # The broker lifetime the group's committed offsets belong to (the service's broker
        # watch, while the background loops run; None: one group for every lifetime).
        self.lifetime: Lifetime | None = None
        self.group: str | None = None  # the group of the running client
        self._rewind = False
        self._has_dead: bool | None = None  # unknown until first looked up

    def rewind(self) -> None:
        """Read every partition again from its start, as a member of the group of the broker's
        current lifetime: the broker lost its log and offsets (``broker_recovery``); the
        inbox absorbs what was applied before."""
        self._rewind = True
        self._has_dead = None

    def _waited(self, _: BaseException) -> None:
        self.transient_retries += 1
        TRANSIENT_WAITS.labels(self.settings.service_name, self.name).inc()

    async def attempts_allowed(self, stop: asyncio.Event | None = None) -> Applied:
        """SPEC 0.5: how often a handler's own failure is tried before its event is
        dead-lettered — the kernel parameter ``consumer_attempts`` in force today (the
        settings' ``MEDAID_CONSUMER_MAX_ATTEMPTS`` when no version is loaded). Read afresh
        on each failing event, so a loaded version applies at once, on every replica."""

        async def read() -> Applied:
            async with self.db.read() as session:
                catalogue = KERNEL_PARAMETERS.with_defaults(kernel_parameter_defaults(self.settings))
                store = ParameterStore(session, self.db.tables.parameter_version, catalogue)
                return await store.applied(CONSUMER_ATTEMPTS.name, on=clock.to_local(clock.now()).date())

        return await retry_transient(
            read, stop=stop, backoff=self.backoff, what="read consumer_attempts", on_retry=self._waited
        )

    async def handle_batch(self, records: Sequence[ConsumerRecord], stop: asyncio.Event | None = None) -> list[str]:
        """Apply fetched records in their order (each partition's in its order), exactly
        once each; returns their outcomes (applied/duplicate/ignored/dead), one per record.

        The records share one transaction: their inbox claims are one statement, then their
        handlers run one after another, so a batch costs its handlers' statements plus a
        claim and a commit. A record whose handler fails rolls the batch back; the records
        before it are applied again, each in a savepoint of its own, and commit; it is tried
        again (and dead-lettered) by itself as :meth:`handle_record` does, and the records
        after it follow in a new batch — so the partition's order holds and each record is
        applied once. A database or broker outage rolls the whole transaction back and
        retries it after back-off: nothing was claimed, so nothing is lost or applied twice.
        Raises :class:`Stopped` when ``stop`` is set while waiting."""
        outcomes: list[str] = []
        while len(outcomes) < len(records):
            pending = records[len(outcomes) :]
            prefix, failure = await retry_transient(
                functools.partial(self._apply_batch, pending),
                stop=stop,
                backoff=self.backoff,
                what="consume batch",
                on_retry=self._waited,
            )
            outcomes += prefix
            if len(prefix) < len(pending):  # pending[len(prefix)] stopped the batch: it goes alone
                outcomes.append(await self.handle_record(pending[len(prefix)], stop, failed_once=failure))
        return outcomes

    async def _apply_batch(self, records: Sequence[ConsumerRecord]) -> tuple[list[str], str | None]:
        """Apply ``records`` in as few transactions as they allow, until a record cannot be
        applied here: undecodable (error None) or its handler failed on a database that
        answers (the error). Returns the outcomes of the records before it, committed, and
        that error. A transient failure propagates and rolls back what was not committed."""
        try:
            return await self._apply_together(records)
        except _HandlerFailed as failed:
            # Rolled back: the records before the failing one again, each in a savepoint
            # (should one of them fail this time, it stops the batch instead).
            if failed.index == 0:
                return [], failed.error
            outcomes, failure = await self._apply_each(records[: failed.index])
            return outcomes, failed.error if len(outcomes) == failed.index else failure

    async def _apply_together(self, records: Sequence[ConsumerRecord]) -> tuple[list[str], str | None]:
        """The records up to the first undecodable one in one transaction: one inbox claim
        for all of them, then each claimed record's handler. Raises :class:`_HandlerFailed`
        (the transaction rolled back) when a handler fails on a database that answers."""
        decoded: list[tuple[EventMeta, Event | None]] = []
        for record in records:
            try:
                decoded.append(self._decode(record))
            except UndecodableEvent:
                break
        wanted = [meta for meta, event in decoded if event is not None]
        if not wanted:
            return ["ignored"] * len(decoded), None
        outcomes: list[str] = []
        async with self.db.unit_of_work() as uow:
            claimed = await self._claim_all(uow, wanted)
            applied: list[str] = []
            for index, (meta, event) in enumerate(decoded):
                if event is None:
                    outcomes.append("ignored")
                    continue
                if meta.id not in claimed:  # applied before (or earlier in this batch)
                    outcomes.append("duplicate")
                    continue
                claimed.discard(meta.id)
                with self._span(meta):
                    try:
                        await self.handlers[meta.type](uow, event, meta)
                    except Exception as exc:
                        if is_transient(exc):
                            raise
                        failure = f"{type(exc).__name__}: {exc}"
                        log.warning("event_handler_failed", event_type=meta.type, attempt=1, error=failure)
                        raise _HandlerFailed(index, failure) from exc
                outcomes.append("applied")
                applied.append(meta.id)
            await self._resolve_dead_letters(uow, applied)
        return outcomes, None

    async def _claim_all(self, uow: UnitOfWork, metas: Sequence[EventMeta]) -> set[str]:
        """Claim the events in the inbox in one statement; returns the ids claimed now (an
        id already there was applied before; an id twice in the batch is claimed once)."""
        first: dict[str, str] = {}
        for meta in metas:
            first.setdefault(meta.id, meta.type)
        claimed = await uow.session.execute(
            statements.inbox_claim_batch(self.db.tables.inbox),
            {"consumer": self.name, "event_ids": list(first), "event_types": list(first.values())},
        )
        return set(claimed.scalars())

    async def _apply_each(self, records: Sequence[ConsumerRecord]) -> tuple[list[str], str | None]:
        """One transaction over ``records``, a savepoint per record, until a record cannot
        be applied here: undecodable (error None) or its handler failed on a database that
        answers (the error). Returns the outcomes of the records before it, committed, and
        that error. A transient failure propagates and rolls everything back."""
        outcomes: list[str] = []
        failure: str | None = None
        async with self.db.unit_of_work() as uow:
            for record in records:
                try:
                    meta, event = self._decode(record)
                except UndecodableEvent:
                    break
                if event is None:
                    outcomes.append("ignored")
                    continue
                with self._span(meta):
                    try:
                        async with uow.session.begin_nested():
                            outcomes.append(await self._claim_and_handle(uow, event, meta))
                    except Exception as exc:
                        if is_transient(exc):
                            raise
                        failure = f"{type(exc).__name__}: {exc}"
                        log.warning("event_handler_failed", event_type=meta.type, attempt=1, error=failure)
                        break
        return outcomes, failure

    def _decode(self, record: ConsumerRecord) -> tuple[EventMeta, Event | None]:
        """The record's envelope and, when this consumer handles its type, its event.
        Raises :class:`UndecodableEvent`."""
        meta, data = from_kafka(
            key=record.key,
            value=record.value,
            headers=record.headers,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
        )
        return meta, parse_payload(meta, data) if meta.type in self.handlers else None

    def _span(self, meta: EventMeta) -> contextlib.AbstractContextManager[Any]:
        ctx = propagate.extract({"traceparent": meta.traceparent} if meta.traceparent else {})
        return tracer.start_as_current_span(f"consume {meta.type}", context=ctx, kind=trace.SpanKind.CONSUMER)

    async def handle_record(
        self, record: ConsumerRecord, stop: asyncio.Event | None = None, *, failed_once: str | None = None
    ) -> str:
        """Apply one record exactly once, in a transaction of its own; returns the outcome
        (applied/duplicate/ignored/dead). ``failed_once`` is the error of an attempt
        already made (in a batch's savepoint), counted as the first.

        A database or broker that is unavailable is waited for, however long it takes
        (nothing is dead-lettered for it); only the handler's own failure, on a database
        that answers, is tried ``max_attempts`` times and then dead-lettered. Raises
        :class:`Stopped` when ``stop`` is set while waiting: the record stays uncommitted."""
        try:
            meta, event = self._decode(record)
        except UndecodableEvent as exc:
            await self._dead_letter(record, str(exc), stop)
            return "dead"
        if event is None:
            return "ignored"
        failures, last_error = (0, "") if failed_once is None else (1, failed_once)
        applied: Applied | None = None
        while True:
            if failures:
                if applied is None:
                    applied = await self.attempts_allowed(stop)
                if failures >= applied.values.max_attempts:
                    break
                await self._pause(stop, self.backoff.delay(failures))
            with self._span(meta):
                try:
                    return await retry_transient(
                        lambda: self._apply(event, meta),
                        stop=stop,
                        backoff=self.backoff,
                        what=f"consume {meta.type}",
                        on_retry=self._waited,
                    )
                except Stopped:
                    raise
                except Exception as exc:  # the handler's own failure: retried, then dead-lettered
                    failures += 1
                    last_error = f"{type(exc).__name__}: {exc}"
                    log.warning("event_handler_failed", event_type=meta.type, attempt=failures, error=last_error)
        # A failure the classifier did not recognise may still be an outage: dead-letter
        # only once the database is seen to answer.
        await retry_transient(
            lambda: self.db.ping(), stop=stop, backoff=self.backoff, what="database ping", on_retry=self._waited
        )
        assert applied is not None  # read at the first failure
        await self._dead_letter(record, f"{last_error} (after {failures} attempts, {applied.version_id})", stop)
        return "dead"

    async def _pause(self, stop: asyncio.Event | None, seconds: float) -> None:
        if stop is None:
            await asyncio.sleep(seconds)
            return
        await wait_or_stop(stop, seconds)
        if stop.is_set():
            raise Stopped("consumer stopping")

    async def _apply(self, event: Event, meta: EventMeta) -> str:
        """One event in a transaction of its own (a retried record, and the services' tests)."""
        async with self.db.unit_of_work() as uow:
            return await self._claim_and_handle(uow, event, meta)

    async def _claim_and_handle(self, uow: UnitOfWork, event: Event, meta: EventMeta) -> str:
        """Claim the event in the inbox and run its handler, in ``uow``'s transaction or
        savepoint: a claim already there means it was applied before."""
        inserted = await uow.session.execute(
            statements.inbox_claim(self.db.tables.inbox),
            {"consumer": self.name, "event_id": meta.id, "event_type": meta.type},
        )
        if inserted.first() is None:
            return "duplicate"
        await self.handlers[meta.type](uow, event, meta)
        await self._resolve_dead_letter(uow, meta.id)
        return "applied"

    async def _resolve_dead_letter(self, uow: UnitOfWork, event_id: str) -> None:
        await self._resolve_dead_letters(uow, [event_id])

    async def _resolve_dead_letters(self, uow: UnitOfWork, event_ids: Sequence[str]) -> None:
        """An event applied after all — delivered again once what it needed had arrived, as
        after a broker loss, when a later event can reach a consumer before the replay of an
        earlier one — is no longer a dead letter. Looked up only while this consumer has
        dead letters (checked once, then whenever it dead-letters or rewinds)."""
        if not event_ids:
            return
        t = self.db.tables.dead_letter
        mine = (t.c.consumer == self.name) & (t.c.state == "dead")
        if self._has_dead is None:
            self._has_dead = (await uow.session.execute(select(t.c.id).where(mine).limit(1))).first() is not None
        if self._has_dead:
            await uow.session.execute(
                update(t)
                .where(mine, or_(*(t.c.headers.contains([["ce_id", event_id]]) for event_id in event_ids)))
                .values(state="applied", redriven_at=clock.now())
            )

    async def _dead_letter(self, record: ConsumerRecord, error: str, stop: asyncio.Event | None) -> None:
        """Record the dead letter (table and topic) in one transaction, waiting out outages.
        A record already dead-lettered by this consumer (re-delivered after a rebalance)
        is not recorded twice."""
        t = self.db.tables.dead_letter
        headers = [
            *list(record.headers or ()),
            ("medaid_error", error[:1000].encode()),
            ("medaid_original_topic", record.topic.encode()),
            ("medaid_consumer", self.name.encode()),
        ]

        async def write() -> None:
            async with self.db.unit_of_work() as uow:
                existing = await uow.session.execute(
                    select(t.c.id).where(
                        t.c.consumer == self.name,
                        t.c.topic == record.topic,
                        t.c.partition == record.partition,
                        t.c.offset == record.offset,
                        t.c.state == "dead",
                    )
                )
                if existing.first() is not None:
                    return
                await uow.session.execute(
                    insert(t).values(
                        consumer=self.name,
                        topic=record.topic,
                        partition=record.partition,
                        offset=record.offset,
                        key=record.key,
                        value=record.value,
                        headers=[[k, v.decode(errors="replace")] for k, v in (record.headers or ())],
                        error=error[:4000],
                    )
                )
                # Sent inside the transaction: a failed send leaves no row, and a failed
                # commit only repeats the send (the table is what redrive reads).
                await self.producer.send_and_wait(
                    self.settings.dead_letter_topic(), value=record.value, key=record.key, headers=headers
                )

        await retry_transient(write, stop=stop, backoff=self.backoff, what="dead-letter", on_retry=self._waited)
        self._has_dead = True
        log.error("event_dead_lettered", topic=record.topic, offset=record.offset, consumer=self.name)

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set. Offsets are committed per fetch, after the
        transaction of the fetch's records has committed. Losing the
        partitions in a rebalance is not fatal: the uncommitted records go to the member
        that now owns them (its inbox absorbs any repeat) and this one rejoins.

        The group is named after the broker lifetime (its epoch, see ``broker_recovery``):
        offsets committed in one lifetime are positions in that lifetime's log only. A
        broker that came back empty may be read, before the watch notices, at positions
        of the lost log, and those positions committed; a process started afresh would
        resume from them and skip the replayed events before them. In the new lifetime's
        group it finds no offsets and reads the new log from its start."""
        while not stop.is_set():
            group = await self._group(stop)
            if group is None:
                return
            await self._consume(stop, group)

    async def _group(self, stop: asyncio.Event) -> str | None:
        """The consumer group for the broker's current lifetime, once the watch has looked
        (None when ``stop`` was set meanwhile)."""
        if self.lifetime is None:
            return self.group_id
        while self.lifetime.epoch is None:
            await wait_or_stop(stop, 0.2)
            if stop.is_set():
                return None
        return f"{self.group_id}.{self.lifetime.epoch}"

    async def _consume(self, stop: asyncio.Event, group: str) -> None:
        """One client in one group, until ``stop`` or a rewind (which starts a new client)."""
        kafka = AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_interval_ms=300_000,
            # The broker answers a fetch with nothing before its wait ends, however soon a
            # record arrives (the local broker does not wake a waiting fetch): the wait bounds
            # commit → applied, so it is short; an idle consumer asks 50 times a second.
            fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
        )
        from_start, self._rewind = self._rewind, False
        self.group = group
        await kafka.start()
        done: dict[TopicPartition, int] = {}
        try:
            while not stop.is_set() and not self._rewind:
                if from_start and kafka.assignment():
                    from_start = False
                    await kafka.seek_to_beginning(*kafka.assignment())
                batches = await kafka.getmany(timeout_ms=500, max_records=MAX_RECORDS)
                # Revoked partitions' records are their new owner's; a lost log's, the new client's.
                owned = {} if self._rewind else {tp: rs for tp, rs in batches.items() if tp in kafka.assignment()}
                try:
                    # Every partition's records in one batch (each partition's in its order):
                    # one transaction per fetch, not one per partition.
                    for outcome in await self.handle_batch([r for rs in owned.values() for r in rs], stop):
                        EVENTS_CONSUMED.labels(self.settings.service_name, self.name, outcome).inc()
                except Stopped:
                    break
                for tp, records in owned.items():
                    done[tp] = records[-1].offset + 1  # its transaction committed
                    self._record_lag(kafka, tp, records[-1].offset + 1)
                if self._rewind:
                    done.clear()  # positions in the lost log mean nothing on the new one
                await self._commit(kafka, done)
        finally:
            if self._rewind:
                done.clear()
            with contextlib.suppress(Exception):  # best effort: what is not committed is re-applied as duplicates
                await self._commit(kafka, done)
            await kafka.stop()

    async def _commit(self, kafka: AIOKafkaConsumer, done: dict[TopicPartition, int]) -> None:
        """Commit the offsets of applied records. A rebalance drops them (the partitions'
        new owners start from the last commit); an unreachable broker keeps them for the
        next batch's commit."""
        owned = {tp: offset for tp, offset in done.items() if tp in kafka.assignment()}
        if not owned:
            done.clear()
            return
        try:
            await kafka.commit(owned)
            done.clear()
        except REBALANCED as exc:
            log.warning("consumer_rebalanced", consumer=self.name, error=f"{type(exc).__name__}: {exc}"[:300])
            done.clear()
        except Exception as exc:
            if not is_transient(exc):
                raise
            log.warning("offset_commit_deferred", consumer=self.name, error=f"{type(exc).__name__}: {exc}"[:300])

    def _record_lag(self, kafka: AIOKafkaConsumer, tp: TopicPartition, position: int) -> None:
        end = kafka.highwater(tp)
        if end is not None:
            CONSUMER_LAG.labels(self.settings.service_name, self.name, tp.topic, str(tp.partition)).set(
                max(0, end - position)
            )


async def redrive_dead_letters(db: Database, producer: Producer, consumer: str | None = None) -> int:
    """Send dead-lettered records back to their original topics (after a fix)."""
    t = db.tables.dead_letter
    count = 0
    async with db.unit_of_work() as uow:
        query = select(t).where(t.c.state == "dead").order_by(t.c.id).with_for_update(skip_locked=True)
        if consumer:
            query = query.where(t.c.consumer == consumer)
        for row in (await uow.session.execute(query)).mappings().all():
            headers = [(k, v.encode()) for k, v in row["headers"]]
            await producer.send_and_wait(row["topic"], value=row["value"], key=row["key"], headers=headers)
            await uow.session.execute(
                update(t).where(t.c.id == row["id"]).values(state="redriven", redriven_at=clock.now())
            )
            count += 1
    return count
