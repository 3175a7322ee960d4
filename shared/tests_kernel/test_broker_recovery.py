"""Broker loss heals itself, against a real Tansu broker of the test's own: SIGKILLed (its
log is in memory, so it comes back empty), restarted on the same port, and the service's
background loops restore topics, events and consumer positions with no operator command."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import structlog.testing
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import UnknownError
from sqlalchemy import select, text

from medaid_shared.broker_recovery import epoch_topic, replay_onto_broker
from medaid_shared.kafka import DEFAULT_PARTITIONS, ensure_topics
from medaid_shared.localstack import free_port, start_tansu
from medaid_shared.runtime import Runtime
from medaid_shared.testing import Infrastructure

from .conftest import applied_rows, build, emit_items

LOG = Path(".medaid/logs/tansu-broker-recovery-test.log")


class OwnBroker:
    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] = start_tansu(self.port, LOG)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def crash_and_restart(self) -> None:
        """SIGKILL, then a new broker on the same port: every topic and offset is gone."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.proc = start_tansu(self.port, LOG)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture
async def broker() -> AsyncIterator[OwnBroker]:
    b = OwnBroker()
    yield b
    b.stop()


async def fresh_runtime(infra: Infrastructure, broker: OwnBroker, **overrides: Any) -> Runtime:
    rt = build(infra, prefix=f"heal{uuid.uuid4().hex[:6]}", kafka_bootstrap_servers=broker.bootstrap, **overrides)
    async with rt.db.engine.begin() as conn:
        await conn.execute(
            text("TRUNCATE kerneltest.applied, kerneltest.outbox, kerneltest.inbox, kerneltest.dead_letter")
        )
    assert rt.broker_watch is not None
    # As `make up` or a deployment job makes them (the epoch topic is the watch's own).
    await ensure_topics(broker.bootstrap, [t for t in rt.broker_watch.expected() if "broker-epoch" not in t])
    return rt


async def partition_counts(bootstrap: str, topics: list[str]) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        described = await admin.describe_topics([t for t in topics if t in existing])
        return {d["topic"]: len(d["partitions"]) for d in described}
    finally:
        await admin.close()


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 60) -> None:
    """Wait for an asynchronous outcome (bounded; the assertion is the outcome, not the time)."""
    async with asyncio.timeout(timeout):
        while not await check():  # noqa: ASYNC110  (polling the service's state over time)
            await asyncio.sleep(0.2)


async def dead_letters(rt: Runtime) -> int:
    async with rt.db.read() as s:
        return len((await s.execute(select(rt.db.tables.dead_letter.c.id))).all())


async def test_a_broker_that_comes_back_empty_is_restored_by_the_running_service(
    infrastructure: Infrastructure, kernel_schema: None, broker: OwnBroker
) -> None:
    rt = await fresh_runtime(
        infrastructure, broker, run_background=True, broker_check_interval_s=0.3, relay_interval_s=0.1
    )
    watch = rt.broker_watch
    assert watch is not None
    await rt.start()
    try:
        await emit_items(rt, ("a", 1), ("a", 2), ("b", 3))

        async def three_applied() -> bool:
            return len(await applied_rows(rt)) == 3 and watch.epoch is not None

        await until(three_applied)
        assert watch.recoveries == 0

        broker.crash_and_restart()
        # A client's request auto-creates the item topic with the broker's own partition
        # count, as Tansu does for any unknown topic.
        topic = rt.settings.topic("kerneltest.item")
        admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(topic, num_partitions=DEFAULT_PARTITIONS + 1, replication_factor=1)])
        finally:
            await admin.close()
        await emit_items(rt, ("a", 4), ("c", 5))

        async def healed() -> bool:
            return watch.recoveries >= 1 and len(await applied_rows(rt)) == 5

        await until(healed)
        assert await applied_rows(rt) == [("a", 1), ("a", 2), ("b", 3), ("a", 4), ("c", 5)]
        counts = await partition_counts(broker.bootstrap, [topic, rt.settings.dead_letter_topic()])
        assert counts == {topic: DEFAULT_PARTITIONS, rt.settings.dead_letter_topic(): DEFAULT_PARTITIONS}
        assert await dead_letters(rt) == 0
        findings = await watch.inspect()
        assert not findings.lost and findings.epoch == watch.epoch
        assert rt.alive()
    finally:
        await rt.stop()


async def test_each_sign_of_loss_is_noticed(
    infrastructure: Infrastructure, kernel_schema: None, broker: OwnBroker
) -> None:
    rt = await fresh_runtime(infrastructure, broker)
    watch = rt.broker_watch
    assert watch is not None
    await rt.producer.start()
    try:
        first = await watch.check()
        assert not first.lost  # a new system: the epoch topic is made, nothing to restore
        assert watch.epoch is not None and watch.recoveries == 0
        await emit_items(rt, ("x", 1), ("x", 2))
        assert await rt.relay.publish_batch() == 2  # type: ignore[union-attr]
        assert not (await watch.check()).lost

        # Shortfall: the topic was deleted and made again, empty (the epoch survived).
        topic = rt.settings.topic("kerneltest.item")
        admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap)
        await admin.start()
        try:
            await admin.delete_topics([topic])
            await admin.create_topics([NewTopic(topic, num_partitions=DEFAULT_PARTITIONS, replication_factor=1)])
        finally:
            await admin.close()
        short = await watch.check()
        assert short.shortfall == {topic: (2, 0)} and short.lost and not short.epoch_changed
        assert not (await watch.inspect()).shortfall  # replayed

        # A new broker lifetime, announced by the manual path (medaid replay).
        before = watch.epoch
        assert await replay_onto_broker(rt.db, rt.producer, rt.relay, announce=True) == 2  # type: ignore[arg-type]
        changed = await watch.check()
        assert changed.epoch_changed and changed.lost and watch.epoch != before

        # The broker lost everything.
        await rt.producer.stop()
        broker.crash_and_restart()
        await rt.producer.start()
        gone = await watch.check()
        assert (
            gone.lost and topic in gone.layout.missing and epoch_topic(rt.settings.topic_prefix) in gone.layout.missing
        )
        assert not (await watch.inspect()).lost
        assert watch.recoveries == 3
    finally:
        await rt.producer.stop()
        await rt.db.dispose()


async def test_manual_replay_survives_refused_writes_of_a_broker_just_back(
    infrastructure: Infrastructure, kernel_schema: None, broker: OwnBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``medaid replay`` failed with UnknownError: the local broker refuses an append when two
    producers write one partition at once (its log object already exists). The replay now
    retries such a write instead of giving up."""
    rt = await fresh_runtime(infrastructure, broker)
    await rt.producer.start()
    try:
        await emit_items(rt, ("m", 1), ("m", 2), ("n", 3))
        assert rt.relay is not None
        assert await rt.relay.publish_batch() == 3
        original = rt.producer.send_and_wait
        refused = {"left": 2}

        async def flaky(*args: Any, **kwargs: Any) -> Any:
            if refused["left"] and not str(args[0]).endswith("broker-epoch.v1"):
                refused["left"] -= 1
                raise UnknownError()
            return await original(*args, **kwargs)

        monkeypatch.setattr(rt.producer, "send_and_wait", flaky)
        assert await replay_onto_broker(rt.db, rt.producer, rt.relay, announce=True) == 3
        assert refused["left"] == 0
    finally:
        await rt.producer.stop()
        await rt.db.dispose()


async def test_a_service_starting_while_the_broker_is_away_waits_for_it(
    infrastructure: Infrastructure, kernel_schema: None, broker: OwnBroker
) -> None:
    rt = await fresh_runtime(infrastructure, broker, transient_retry_max_s=0.5)
    broker.proc.send_signal(signal.SIGKILL)
    broker.proc.wait(10)
    with structlog.testing.capture_logs() as logs:
        starting = asyncio.create_task(rt.start())

        async def refused_once() -> bool:
            assert not starting.done() or starting.exception() is None
            return any(e.get("what") == "connect to the broker" for e in logs)

        await until(refused_once)
        broker.proc = start_tansu(broker.port, LOG)
        await asyncio.wait_for(starting, 60)  # started once the broker answered
    assert await rt.producer.reachable()
    await rt.stop()
