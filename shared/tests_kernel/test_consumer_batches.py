"""Consumer batches: the records fetched from one partition are applied in one transaction,
their inbox claims in one statement and no savepoint. A poison record rolls the batch back:
the records before it are applied again, a savepoint each, it is retried or dead-lettered
alone, and every neighbour applies exactly once; a database outage mid-batch rolls the batch
back and loses or repeats nothing; the Kafka offsets move only after the transaction
committed."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from sqlalchemy import event, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from medaid_shared.db import Database, UnitOfWork
from medaid_shared.events import EventMeta
from medaid_shared.runtime import Runtime
from medaid_shared.testing import Infrastructure

from .conftest import ItemCounted, KernelTestSettings, applied, emit_items, metadata, unreachable
from .test_consumer_faults import close, dead_letters, fresh_runtime, run_consumer_until

Handler = Callable[[UnitOfWork, ItemCounted, EventMeta], Any]


@pytest.fixture
async def kernel(infrastructure: Infrastructure, kernel_schema: None) -> Infrastructure:
    return infrastructure


def counting(calls: Counter[int], fails: Callable[[int], BaseException | None] = lambda n: None) -> Handler:
    """A handler writing a row with a fresh key per application (so an event applied twice
    shows as two rows), counting its calls per item number; ``fails(n)`` may make a call fail."""

    async def handle(uow: UnitOfWork, event: ItemCounted, meta: EventMeta) -> None:
        calls[event.n] += 1
        await uow.session.execute(pg_insert(applied).values(event_id=uuid.uuid4().hex, item=event.item, n=event.n))
        failure = fails(event.n)
        if failure is not None:
            raise failure

    return handle


async def applied_numbers(rt: Runtime) -> list[int]:
    async with rt.db.read() as s:
        return list((await s.execute(select(applied.c.n).order_by(applied.c.n))).scalars())


async def inbox_claims(rt: Runtime) -> int:
    t = rt.db.tables.inbox
    async with rt.db.read() as s:
        return int((await s.execute(select(func.count()).select_from(t))).scalar_one())


async def published(rt: Runtime, n: int, item: str = "batch") -> list[ConsumerRecord]:
    """``n`` events of one key (one partition) through the outbox and the relay, read back
    from the broker as the consumer would fetch them."""
    await emit_items(rt, *[(item, i) for i in range(1, n + 1)])
    await rt.relay.publish_batch()
    topic = rt.settings.topic(ItemCounted.topic)
    reader = AIOKafkaConsumer(
        topic,
        bootstrap_servers=rt.settings.kafka_bootstrap_servers,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await reader.start()
    try:
        records: list[ConsumerRecord] = []
        async with asyncio.timeout(30):
            while len(records) < n:
                for batch in (await reader.getmany(timeout_ms=500)).values():
                    records += batch
    finally:
        await reader.stop()
    assert len({r.partition for r in records}) == 1
    return sorted(records, key=lambda r: r.offset)


def transactions(rt: Runtime) -> Counter[str]:
    """Counts the consumer database's commits, savepoints and inbox statements from now on."""
    seen: Counter[str] = Counter()
    engine = rt.db.engine.sync_engine
    for name in ("commit", "savepoint", "rollback_savepoint"):
        event.listen(engine, name, lambda *_, name=name: seen.update([name]))

    def statement(conn: Any, cursor: Any, sql: str, *_: Any) -> None:
        if "inbox" in sql:
            seen.update(["inbox statement"])

    event.listen(engine, "before_cursor_execute", statement)
    return seen


async def test_a_batch_of_many_records_commits_once(kernel: Infrastructure) -> None:
    calls: Counter[int] = Counter()
    rt = await fresh_runtime(kernel, counting(calls))
    try:
        records = await published(rt, 50)
        seen = transactions(rt)
        outcomes = await rt.consumers[0].handle_batch(records)
        assert outcomes == ["applied"] * 50
        assert seen == Counter({"commit": 1, "inbox statement": 1})  # one claim for all, no savepoint
        assert await applied_numbers(rt) == list(range(1, 51))
        assert calls == Counter(range(1, 51))
        # Delivered again (as after a crash before the offset commit): the inbox absorbs it.
        assert await rt.consumers[0].handle_batch(records) == ["duplicate"] * 50
        assert await applied_numbers(rt) == list(range(1, 51))
    finally:
        await close(rt)


async def test_a_poison_record_mid_batch_is_dead_lettered_alone_and_its_neighbours_apply_once(
    kernel: Infrastructure,
) -> None:
    """SPEC 0.5: the record that fails rolls the batch back (its own write and every inbox
    claim with it); the records before it are applied again, each in a savepoint, and
    commit; it is tried by itself up to ``consumer_attempts`` times and dead-lettered; the
    records after it follow, in order. Each neighbour's write is there once."""
    calls: Counter[int] = Counter()
    rt = await fresh_runtime(kernel, counting(calls, lambda n: ValueError("no rule applies") if n == 5 else None))
    try:
        records = await published(rt, 10)
        seen = transactions(rt)
        outcomes = await rt.consumers[0].handle_batch(records)
        assert outcomes == ["applied"] * 4 + ["dead"] + ["applied"] * 5
        # 1–4 ran in the rolled-back batch and again in savepoints; 5 had the setting's 3 attempts
        assert calls == Counter({**{n: 1 for n in range(1, 11)}, **{n: 2 for n in range(1, 5)}, 5: 3})
        assert seen["savepoint"] == 4 and seen["rollback_savepoint"] == 0
        assert await applied_numbers(rt) == [1, 2, 3, 4, 6, 7, 8, 9, 10]
        assert await inbox_claims(rt) == 9
        assert await dead_letters(rt) == [
            "ValueError: no rule applies (after 3 attempts, consumer_attempts:any:any:default)"
        ]
    finally:
        await close(rt)


async def test_a_record_failing_once_mid_batch_is_retried_alone_and_applied(kernel: Infrastructure) -> None:
    calls: Counter[int] = Counter()

    def first_call_fails(n: int) -> BaseException | None:
        return ValueError("its facts have not arrived yet") if n == 3 and calls[3] == 1 else None

    rt = await fresh_runtime(kernel, counting(calls, first_call_fails))
    try:
        records = await published(rt, 6)
        seen = transactions(rt)
        assert await rt.consumers[0].handle_batch(records) == ["applied"] * 6
        # the batch was rolled back at 3: 1 and 2 again (a savepoint each), 3 alone, 4–6 a new batch
        assert calls == Counter({1: 2, 2: 2, 3: 2, 4: 1, 5: 1, 6: 1})
        assert seen["savepoint"] == 2 and seen["rollback_savepoint"] == 0
        assert await applied_numbers(rt) == list(range(1, 7))
        assert await dead_letters(rt) == []
    finally:
        await close(rt)


async def test_a_database_outage_mid_batch_loses_nothing_and_duplicates_nothing(kernel: Infrastructure) -> None:
    """At the sixth record the consumer's connection is terminated and the database
    refuses connections (a port nobody listens on) until the test brings it back: the
    batch is rolled back and waits; then every event is applied once, in order, nothing
    dead-lettered."""
    consumer_db: list[Database] = []
    down: list[Database] = []

    async def outage_at_six(uow: UnitOfWork, event: ItemCounted, meta: EventMeta) -> None:
        if event.n == 6 and not down:
            down.append(Database(KernelTestSettings(database_url=unreachable(kernel.database_url)), metadata))
            rt.consumers[0].db = down[0]
            await uow.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        await handle(uow, event, meta)

    calls: Counter[int] = Counter()
    handle = counting(calls)
    rt = await fresh_runtime(kernel, outage_at_six, consumer_max_attempts=1)
    consumer = rt.consumers[0]
    consumer_db.append(consumer.db)
    try:
        await emit_items(rt, *[("outage", n) for n in range(1, 21)])
        await rt.relay.publish_batch()

        async def waited_then_back() -> bool:
            if down and consumer.db is down[0] and consumer.transient_retries >= 3:
                # what the batch of the sixth applied before it was rolled back with it
                assert max(await applied_numbers(rt), default=0) < 6
                consumer.db = consumer_db[0]  # the database is back
            return len(await applied_numbers(rt)) >= 20

        await run_consumer_until(rt, waited_then_back)
        assert await applied_numbers(rt) == list(range(1, 21))
        assert await inbox_claims(rt) == 20
        assert await dead_letters(rt) == []
    finally:
        for db in down:
            await db.dispose()
        await close(rt)


async def test_offsets_advance_only_after_the_batch_committed(
    kernel: Infrastructure, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whenever the consumer commits offset X to the broker, every record before X is
    already committed in the database (seen from another connection) — also when the
    batch's first transaction was lost to a terminated connection at its last record."""
    terminated: list[int] = []
    calls: Counter[int] = Counter()
    handle = counting(calls)

    async def killed_at_ten(uow: UnitOfWork, event: ItemCounted, meta: EventMeta) -> None:
        await handle(uow, event, meta)
        if event.n == 10 and not terminated:
            terminated.append(event.n)
            await uow.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))

    rt = await fresh_runtime(kernel, killed_at_ten)
    real_commit = AIOKafkaConsumer.commit
    offsets_committed: list[int] = []

    async def commit(self: AIOKafkaConsumer, offsets: Any = None) -> None:
        for offset in offsets.values():
            assert len(await applied_numbers(rt)) >= offset  # records 0 … offset-1 are in the database
            offsets_committed.append(offset)
        await real_commit(self, offsets)

    monkeypatch.setattr(AIOKafkaConsumer, "commit", commit)
    try:
        await emit_items(rt, *[("offsets", n) for n in range(1, 11)])
        await rt.relay.publish_batch()

        async def ten() -> bool:
            return len(await applied_numbers(rt)) == 10 and bool(offsets_committed)

        await run_consumer_until(rt, ten)
        assert terminated == [10]
        assert rt.consumers[0].transient_retries >= 1
        assert offsets_committed[-1] == 10
        assert await applied_numbers(rt) == list(range(1, 11))
    finally:
        await close(rt)


async def test_a_record_failing_in_the_database_mid_batch_is_dead_lettered_and_the_others_apply_once(
    kernel: Infrastructure,
) -> None:
    """A handler whose statement fails in PostgreSQL (not an outage: division by zero) aborts
    the batch's transaction; the batch is rolled back and redone around it, record by record:
    the others apply exactly once, in order, and it alone is dead-lettered."""
    calls: Counter[int] = Counter()
    handle = counting(calls)

    async def divides_by_zero_at_four(uow: UnitOfWork, event: ItemCounted, meta: EventMeta) -> None:
        await handle(uow, event, meta)
        if event.n == 4:
            await uow.session.execute(text("SELECT 1 / 0"))

    rt = await fresh_runtime(kernel, divides_by_zero_at_four, consumer_max_attempts=2)
    try:
        records = await published(rt, 8)
        outcomes = await rt.consumers[0].handle_batch(records)
        assert outcomes == ["applied"] * 3 + ["dead"] + ["applied"] * 4
        assert await applied_numbers(rt) == [1, 2, 3, 5, 6, 7, 8]
        assert await inbox_claims(rt) == 7
        assert len(await dead_letters(rt)) == 1
        assert "division by zero" in (await dead_letters(rt))[0]
    finally:
        await close(rt)


async def test_a_poison_record_first_in_its_batch_lets_the_rest_apply_once(kernel: Infrastructure) -> None:
    calls: Counter[int] = Counter()
    rt = await fresh_runtime(kernel, counting(calls, lambda n: ValueError("never") if n == 1 else None))
    try:
        records = await published(rt, 5)
        seen = transactions(rt)
        assert await rt.consumers[0].handle_batch(records) == ["dead"] + ["applied"] * 4
        assert calls == Counter({1: 3, 2: 1, 3: 1, 4: 1, 5: 1})  # nothing before it to apply again
        assert seen["savepoint"] == 0
        assert await applied_numbers(rt) == [2, 3, 4, 5]
        assert await inbox_claims(rt) == 4
    finally:
        await close(rt)


async def test_a_batch_redelivered_half_applied_with_a_record_twice_applies_each_event_once(
    kernel: Infrastructure,
) -> None:
    """After a crash before the offset commit a batch comes again with records the inbox
    already holds, and a republished event can appear twice in one fetch: one claim
    statement tells them apart, and each event's handler runs once."""
    calls: Counter[int] = Counter()
    rt = await fresh_runtime(kernel, counting(calls))
    try:
        records = await published(rt, 8)
        consumer = rt.consumers[0]
        assert await consumer.handle_batch(records[:3]) == ["applied"] * 3
        seen = transactions(rt)
        outcomes = await consumer.handle_batch([*records, records[5]])
        assert outcomes == ["duplicate"] * 3 + ["applied"] * 5 + ["duplicate"]
        assert seen == Counter({"commit": 1, "inbox statement": 1})
        assert calls == Counter(range(1, 9))
        assert await applied_numbers(rt) == list(range(1, 9))
        assert await inbox_claims(rt) == 8
    finally:
        await close(rt)
