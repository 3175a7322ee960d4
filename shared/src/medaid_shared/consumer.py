"""Idempotent event consumers (inbox) with a dead-letter topic.

For each record the consumer opens a transaction, inserts ``(consumer, event id)`` into the
inbox — a duplicate key means the event was already applied, so nothing happens — runs the
handler, and commits; only then is the Kafka offset committed. A record that cannot be
decoded, or whose handler keeps failing, is written to the dead-letter topic and the
``dead_letter`` table with its error, and the partition moves on; ``medaid dlq redrive``
sends it back to its topic.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from opentelemetry import propagate, trace
from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from medaid_shared import clock
from medaid_shared.db import Database, UnitOfWork
from medaid_shared.events import Event, EventMeta, UndecodableEvent, from_kafka, parse_payload
from medaid_shared.kafka import Producer
from medaid_shared.observability import CONSUMER_LAG, EVENTS_CONSUMED

log = structlog.get_logger("medaid.consumer")
tracer = trace.get_tracer("medaid.consumer")

Handler = Callable[[UnitOfWork, Any, EventMeta], Awaitable[None]]


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
        self._kafka: AIOKafkaConsumer | None = None

    async def handle_record(self, record: ConsumerRecord) -> str:
        """Apply one record exactly once; returns the outcome (applied/duplicate/ignored/dead)."""
        try:
            meta, data = from_kafka(
                key=record.key,
                value=record.value,
                headers=record.headers,
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
            )
            event = parse_payload(meta, data) if meta.type in self.handlers else None
        except UndecodableEvent as exc:
            await self._dead_letter(record, str(exc))
            return "dead"
        if event is None:
            return "ignored"
        ctx = propagate.extract({"traceparent": meta.traceparent} if meta.traceparent else {})
        last_error = ""
        for attempt in range(1, self.settings.consumer_max_attempts + 1):
            with tracer.start_as_current_span(f"consume {meta.type}", context=ctx, kind=trace.SpanKind.CONSUMER):
                try:
                    return await self._apply(event, meta)
                except Exception as exc:  # a handler may fail any way; retry, then dead-letter
                    last_error = f"{type(exc).__name__}: {exc}"
                    log.warning("event_handler_failed", event_type=meta.type, attempt=attempt, error=last_error)
                    await asyncio.sleep(0.05 * attempt)
        await self._dead_letter(record, last_error)
        return "dead"

    async def _apply(self, event: Event, meta: EventMeta) -> str:
        inbox = self.db.tables.inbox
        async with self.db.unit_of_work() as uow:
            inserted = await uow.session.execute(
                pg_insert(inbox)
                .values(consumer=self.name, event_id=meta.id, event_type=meta.type)
                .on_conflict_do_nothing()
                .returning(inbox.c.event_id)
            )
            if inserted.first() is None:
                return "duplicate"
            await self.handlers[meta.type](uow, event, meta)
        return "applied"

    async def _dead_letter(self, record: ConsumerRecord, error: str) -> None:
        headers = [
            *list(record.headers or ()),
            ("medaid_error", error[:1000].encode()),
            ("medaid_original_topic", record.topic.encode()),
            ("medaid_consumer", self.name.encode()),
        ]
        await self.producer.send_and_wait(
            self.settings.dead_letter_topic(), value=record.value, key=record.key, headers=headers
        )
        async with self.db.unit_of_work() as uow:
            await uow.session.execute(
                insert(self.db.tables.dead_letter).values(
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
        log.error("event_dead_lettered", topic=record.topic, offset=record.offset, consumer=self.name)

    async def run(self, stop: asyncio.Event) -> None:
        kafka = AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_interval_ms=300_000,
        )
        self._kafka = kafka
        await kafka.start()
        try:
            while not stop.is_set():
                batches = await kafka.getmany(timeout_ms=500, max_records=100)
                for tp, records in batches.items():
                    for record in records:
                        outcome = await self.handle_record(record)
                        EVENTS_CONSUMED.labels(self.settings.service_name, self.name, outcome).inc()
                        # Commit only after the handler's transaction committed.
                        await kafka.commit({tp: record.offset + 1})
                    self._record_lag(kafka, tp, records[-1].offset + 1)
        finally:
            await kafka.stop()

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
