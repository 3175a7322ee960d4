"""Transient is not poison: a consumer waits out an unavailable database (refused
connections, terminated backends, serialization failures, deadlocks) without
dead-lettering; only a handler's own failure on a database that answers is dead-lettered,
after the configured number of attempts. A lost rebalance is survived; offsets are
committed per batch. (Batches themselves: ``test_consumer_batches``.)"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka import errors as kafka_errors
from pydantic import ValidationError
from sqlalchemy import select, text

from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.db import Database, UnitOfWork
from medaid_shared.events import EventMeta
from medaid_shared.idempotency import KERNEL_PARAMETERS
from medaid_shared.kafka import ensure_topics
from medaid_shared.parameter_store import ParameterStore
from medaid_shared.runtime import ConsumerSpec, Runtime
from medaid_shared.testing import Infrastructure
from medaid_shared.transient import is_transient

from .conftest import (
    ItemCounted,
    KernelTestSettings,
    applied_rows,
    build,
    emit_items,
    metadata,
    record_item,
    unreachable,
)

Version = KERNEL_PARAMETERS.version_model
FAST = {"transient_retry_initial_s": 0.01, "transient_retry_max_s": 0.05}


async def fresh_runtime(infra: Infrastructure, handler: Any, **overrides: Any) -> Runtime:
    """A kernel-test runtime on its own topics whose consumer runs ``handler``."""
    rt = build(infra, prefix=f"{infra.topic_prefix}{uuid.uuid4().hex[:6]}", **{**FAST, **overrides})
    rt.consumers[0].handlers[ItemCounted.event_type] = handler
    await ensure_topics(infra.kafka_bootstrap, [rt.settings.topic(ItemCounted.topic), rt.settings.dead_letter_topic()])
    async with rt.db.engine.begin() as conn:
        await conn.execute(
            text("TRUNCATE kerneltest.applied, kerneltest.outbox, kerneltest.inbox, kerneltest.dead_letter")
        )
    await rt.producer.start()
    return rt


async def close(rt: Runtime) -> None:
    await rt.producer.stop()
    await rt.db.dispose()


async def dead_letters(rt: Runtime) -> list[str]:
    t = rt.db.tables.dead_letter
    async with rt.db.read() as s:
        return list((await s.execute(select(t.c.error))).scalars())


async def run_consumer_until(rt: Runtime, condition: Any, timeout: float = 60) -> None:
    """Run the consumer until ``condition()`` holds — a bounded wait, failing if the
    consumer loop itself dies."""
    stop = asyncio.Event()
    task = asyncio.create_task(rt.consumers[0].run(stop))
    try:
        async with asyncio.timeout(timeout):
            while not await condition():
                if task.done():
                    task.result()
                    raise AssertionError("the consumer loop ended")
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await task


@pytest.fixture
async def kernel(infrastructure: Infrastructure, kernel_schema: None) -> Infrastructure:
    return infrastructure


@pytest.mark.parametrize(
    ("sqlstate", "meaning"),
    [("40001", "serialization failure"), ("40P01", "deadlock detected"), ("57P01", "admin shutdown")],
)
async def test_a_contended_or_restarting_database_is_retried_not_dead_lettered(
    kernel: Infrastructure, sqlstate: str, meaning: str
) -> None:
    failures = 3

    async def flaky(uow: UnitOfWork, event: ItemCounted, meta: EventMeta) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            # A real PostgreSQL error with that SQLSTATE, through the real driver stack.
            await uow.session.execute(
                text(f"DO $$ BEGIN RAISE EXCEPTION '{meaning}' USING ERRCODE = '{sqlstate}'; END $$")
            )
        await record_item(uow, event, meta)

    rt = await fresh_runtime(kernel, flaky, consumer_max_attempts=1)
    try:
        await emit_items(rt, ("contended", 1))
        await rt.relay.publish_batch()

        async def applied() -> bool:
            return len(await applied_rows(rt)) == 1

        await run_consumer_until(rt, applied)
        assert await applied_rows(rt) == [("contended", 1)]
        assert await dead_letters(rt) == []
        assert rt.consumers[0].transient_retries == 3
    finally:
        await close(rt)


async def test_a_terminated_database_connection_is_retried_not_dead_lettered(kernel: Infrastructure) -> None:
    terminated = False

    async def killed_midway(uow: UnitOfWork, event: ItemCounted, meta: EventMeta) -> None:
        nonlocal terminated
        if not terminated:
            terminated = True
            await uow.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        await record_item(uow, event, meta)

    rt = await fresh_runtime(kernel, killed_midway, consumer_max_attempts=1)
    try:
        await emit_items(rt, ("terminated", 1))
        await rt.relay.publish_batch()

        async def applied() -> bool:
            return len(await applied_rows(rt)) == 1

        await run_consumer_until(rt, applied)
        assert await dead_letters(rt) == []
        assert rt.consumers[0].transient_retries >= 1
    finally:
        await close(rt)


async def test_an_unreachable_database_holds_the_partition_until_it_returns(kernel: Infrastructure) -> None:
    """The consumer's database refuses connections (a port nobody listens on) for as
    long as the test likes; the records wait — nothing dead-lettered, nothing skipped —
    and are applied in order once it is back."""
    rt = await fresh_runtime(kernel, record_item, consumer_max_attempts=1)
    consumer = rt.consumers[0]
    real_db = consumer.db
    down_url = unreachable(kernel.database_url)
    down = Database(KernelTestSettings(database_url=down_url, topic_prefix=rt.settings.topic_prefix), metadata)
    try:
        await emit_items(rt, ("waiting", 1), ("waiting", 2))
        await rt.relay.publish_batch()
        consumer.db = down
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run(stop))
        try:
            async with asyncio.timeout(60):
                while consumer.transient_retries < 5:  # it keeps waiting for the database
                    assert not task.done()
                    await asyncio.sleep(0.05)
            assert await applied_rows(rt) == []
            consumer.db = real_db  # the database is back
            async with asyncio.timeout(60):
                while len(await applied_rows(rt)) < 2:
                    assert not task.done()
                    await asyncio.sleep(0.05)
        finally:
            stop.set()
            await task
        assert await applied_rows(rt) == [("waiting", 1), ("waiting", 2)]
        assert await dead_letters(rt) == []
    finally:
        await down.dispose()
        await close(rt)


async def test_a_handlers_own_failure_is_dead_lettered_after_the_configured_attempts(kernel: Infrastructure) -> None:
    calls = 0

    async def bad_data(uow: UnitOfWork, event: ItemCounted, meta: EventMeta) -> None:
        nonlocal calls
        if event.item == "bad":
            calls += 1
            raise ValueError("the rule cannot apply to this record")
        await record_item(uow, event, meta)

    rt = await fresh_runtime(kernel, bad_data, consumer_max_attempts=4)
    try:
        await emit_items(rt, ("bad", 1), ("good", 2))
        await rt.relay.publish_batch()

        async def settled() -> bool:
            return len(await dead_letters(rt)) == 1 and len(await applied_rows(rt)) == 1

        await run_consumer_until(rt, settled)
        assert calls == 4
        assert await dead_letters(rt) == [
            "ValueError: the rule cannot apply to this record (after 4 attempts, consumer_attempts:any:any:default)"
        ]
        assert await applied_rows(rt) == [("good", 2)]
        assert rt.consumers[0].transient_retries == 0
    finally:
        await close(rt)


async def test_a_loaded_kernel_parameter_version_sets_the_attempts_and_is_cited(kernel: Infrastructure) -> None:
    """SPEC 0.5: the attempts before a dead letter are the kernel's versioned parameter
    ``consumer_attempts``: a version in force wins over the setting (4 here), applies to
    the next failing event without a restart, and the dead letter cites it."""
    calls = 0

    async def bad_data(uow: UnitOfWork, event: ItemCounted, meta: EventMeta) -> None:
        nonlocal calls
        calls += 1
        raise ValueError("the rule cannot apply to this record")

    rt = await fresh_runtime(kernel, bad_data, consumer_max_attempts=4)
    async with rt.db.engine.begin() as conn:
        await conn.execute(text("TRUNCATE kerneltest.parameter_version"))
    today = clock.to_local(clock.now()).date()
    version = Version(kind="consumer_attempts", effective_from=today, values={"max_attempts": 2})
    try:
        async with rt.db.unit_of_work() as uow:
            store = ParameterStore(uow.session, rt.db.tables.parameter_version, KERNEL_PARAMETERS)
            await store.load(uow, Principal("ops", Role.ADMIN), [version])
        await emit_items(rt, ("bad", 1))
        await rt.relay.publish_batch()

        async def dead() -> bool:
            return len(await dead_letters(rt)) == 1

        await run_consumer_until(rt, dead)
        assert calls == 2
        assert await dead_letters(rt) == [
            f"ValueError: the rule cannot apply to this record (after 2 attempts, consumer_attempts:any:any:{today})"
        ]
    finally:
        await close(rt)


def test_a_kernel_parameter_version_of_no_attempt_is_refused() -> None:
    with pytest.raises(ValidationError, match="max_attempts"):
        Version(kind="consumer_attempts", effective_from="2027-01-01", values={"max_attempts": 0})


async def test_a_refused_commit_after_a_rebalance_rejoins_instead_of_dying(
    kernel: Infrastructure, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = await fresh_runtime(kernel, record_item)
    real_commit = AIOKafkaConsumer.commit
    refused: list[str] = []

    async def commit(self: AIOKafkaConsumer, offsets: Any = None) -> None:
        if len(refused) < 2:
            error = [kafka_errors.CommitFailedError, kafka_errors.IllegalStateError][len(refused)]
            refused.append(error.__name__)
            raise error("the group has already rebalanced")
        await real_commit(self, offsets)

    monkeypatch.setattr(AIOKafkaConsumer, "commit", commit)
    try:
        await emit_items(rt, ("rebalanced", 1))
        await rt.relay.publish_batch()
        stop = asyncio.Event()
        task = asyncio.create_task(rt.consumers[0].run(stop))
        try:
            async with asyncio.timeout(60):
                for n in (2, 3):  # each refused commit is followed by another event, consumed
                    while len(refused) < n - 1 or len(await applied_rows(rt)) < n - 1:
                        assert not task.done(), task
                        await asyncio.sleep(0.05)
                    await emit_items(rt, ("rebalanced", n))
                    await rt.relay.publish_batch()
                while len(await applied_rows(rt)) < 3:
                    assert not task.done(), task
                    await asyncio.sleep(0.05)
        finally:
            stop.set()
            await task
        assert refused == ["CommitFailedError", "IllegalStateError"]
        assert await applied_rows(rt) == [("rebalanced", 1), ("rebalanced", 2), ("rebalanced", 3)]
    finally:
        await close(rt)


async def test_two_members_of_one_group_share_the_stream_through_rebalances(kernel: Infrastructure) -> None:
    """A second member joins mid-stream and leaves again (two real rebalances): neither
    dies and every event is applied exactly once."""
    rt = await fresh_runtime(kernel, record_item)
    twin = Runtime.build(
        rt.settings, metadata, rt.policy, consumers=[ConsumerSpec("items", {ItemCounted: record_item})]
    )
    first, second = rt.consumers[0], twin.consumers[0]
    assert first.group_id == second.group_id
    try:
        stop_first, stop_second = asyncio.Event(), asyncio.Event()
        tasks = [asyncio.create_task(first.run(stop_first))]
        await emit_items(rt, *[(f"k{n % 4}", n) for n in range(1, 21)])
        await rt.relay.publish_batch()
        tasks.append(asyncio.create_task(second.run(stop_second)))
        await emit_items(rt, *[(f"k{n % 4}", n) for n in range(21, 41)])
        await rt.relay.publish_batch()
        async with asyncio.timeout(90):
            while len(await applied_rows(rt)) < 20:
                assert not any(t.done() for t in tasks)
                await asyncio.sleep(0.05)
            stop_second.set()
            await tasks[1]
            await emit_items(rt, *[(f"k{n % 4}", n) for n in range(41, 51)])
            await rt.relay.publish_batch()
            while len(await applied_rows(rt)) < 50:
                assert not tasks[0].done()
                await asyncio.sleep(0.05)
        stop_first.set()
        await tasks[0]
        assert [n for _, n in await applied_rows(rt)] == list(range(1, 51))
    finally:
        await twin.db.dispose()
        await close(rt)


async def test_offsets_are_committed_per_batch_after_the_inbox_transactions(
    kernel: Infrastructure, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = await fresh_runtime(kernel, record_item)
    consumer = rt.consumers[0]
    log: list[str] = []
    real_commit, real_handle = AIOKafkaConsumer.commit, consumer.handle_batch

    async def commit(self: AIOKafkaConsumer, offsets: Any = None) -> None:
        log.append(f"commit {sorted(offsets.values())}")
        await real_commit(self, offsets)

    async def handle(records: Any, stop: Any = None) -> list[str]:
        outcomes = await real_handle(records, stop)  # returns once their transaction committed
        log.extend(f"applied {record.offset}" for record in records)
        return outcomes

    monkeypatch.setattr(AIOKafkaConsumer, "commit", commit)
    consumer.handle_batch = handle  # type: ignore[method-assign]
    try:
        await emit_items(rt, *[("batch", n) for n in range(1, 11)])
        await rt.relay.publish_batch()

        async def ten() -> bool:
            return len(await applied_rows(rt)) == 10

        await run_consumer_until(rt, ten)
        applied = [line for line in log if line.startswith("applied")]
        commits = [line for line in log if line.startswith("commit")]
        assert len(applied) == 10
        assert len(commits) < len(applied)  # not one commit per record
        assert commits[-1] == "commit [10]"  # the last committed offset is past every record
        # Every commit follows the records it covers.
        for i, line in enumerate(log):
            if line.startswith("commit"):
                committed = int(line.split("[")[1].rstrip("]"))
                assert f"applied {committed - 1}" in log[:i]
    finally:
        await close(rt)


def test_the_classifier_tells_outages_from_the_data() -> None:
    from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    assert is_transient(ConnectionRefusedError(111, "Connection refused"))
    assert is_transient(TimeoutError())
    assert is_transient(PoolTimeout("QueuePool limit reached"))
    assert is_transient(OperationalError("SELECT 1", {}, Exception("server closed the connection")))
    assert is_transient(DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True))
    assert is_transient(kafka_errors.KafkaConnectionError("no broker"))
    assert is_transient(kafka_errors.NotCoordinatorForGroupError())
    wrapped = RuntimeError("handler failed")
    wrapped.__cause__ = ConnectionResetError()
    assert is_transient(wrapped)
    assert is_transient(OSError("Multiple exceptions: [Errno 111] Connect call failed ('::1', 5432)"))
    assert not is_transient(FileNotFoundError("template.html"))
    assert not is_transient(PermissionError("key file"))
    assert not is_transient(ValueError("bad data"))
    assert not is_transient(KeyError("sub"))
    assert not is_transient(IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not is_transient(ProgrammingError("SELECT", {}, Exception("syntax error")))
