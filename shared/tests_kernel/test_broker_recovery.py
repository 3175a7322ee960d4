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
from typing import Any, ClassVar

import pytest
import structlog.testing
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import UnknownError
from sqlalchemy import MetaData, select, text

from medaid_shared.authz import Policy
from medaid_shared.broker_recovery import BrokerLostDuringReplay, epoch_topic, replay_onto_broker
from medaid_shared.kafka import DEFAULT_PARTITIONS, ensure_topics
from medaid_shared.localstack import free_port, start_tansu
from medaid_shared.runtime import Runtime
from medaid_shared.tables import kernel_tables
from medaid_shared.testing import Infrastructure

from .conftest import ItemCounted, KernelTestSettings, applied_rows, build, consume_until, emit_items, record_item

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


async def test_a_relay_batch_of_many_records_is_not_taken_for_a_loss(
    infrastructure: Infrastructure, kernel_schema: None, broker: OwnBroker
) -> None:
    """The relay sends a claim's rows together, so a partition gets batches of many records;
    the local broker then reports its end offset as one past the batch's first record. The
    watch counts the records in the log and sees no shortfall (no needless replay)."""
    rt = await fresh_runtime(infrastructure, broker)
    watch = rt.broker_watch
    assert watch is not None and rt.relay is not None
    await rt.producer.start()
    try:
        assert not (await watch.check()).lost
        await emit_items(rt, *((f"k{i}", i) for i in range(60)))  # 60 keys: about 20 a partition
        assert await rt.relay.publish_batch() == 60
        findings = await watch.check()
        assert not findings.shortfall and not findings.lost
        assert watch.recoveries == 0
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


class ProducerSettings(KernelTestSettings):
    service_name: ClassVar[str] = "kerneltestp"


producer_metadata = MetaData(schema="kerneltestp")
kernel_tables(producer_metadata)


async def producer_service(infra: Infrastructure, broker: OwnBroker, prefix: str) -> Runtime:
    """Another service (its own schema and outbox) publishing the items the kernel-test
    service consumes, as settlement publishes the catalogue consent reads."""
    settings = ProducerSettings(
        database_url=infra.database_url,
        kafka_bootstrap_servers=broker.bootstrap,
        topic_prefix=prefix,
        environment="test",
        run_background=False,
    )
    rt = Runtime.build(settings, producer_metadata, Policy.from_mapping({}))
    async with rt.db.engine.begin() as conn:
        await conn.execute(text("CREATE SCHEMA IF NOT EXISTS kerneltestp"))
        await conn.run_sync(producer_metadata.create_all)
        await conn.execute(text("TRUNCATE kerneltestp.outbox"))
    await rt.producer.start()
    return rt


async def test_a_topic_recreated_after_a_consumers_recovery_is_read_again_from_its_start(
    infrastructure: Infrastructure, kernel_schema: None, broker: OwnBroker
) -> None:
    """Once, consent never applied settlement's catalogue items replayed after a broker
    kill. The watches of both services look at the broker just back; consent's re-creates
    the topics and rewinds its consumer, which reads the producer's newest events in the
    new topic. Settlement's watch, which had looked before, still sees the topic a client
    auto-created with the broker's own partition count, deletes it and makes it again, and
    replays its outbox oldest first. Consent's positions then point past the oldest events
    of the topic made again: a topic re-created by any watch must rewind every service's
    consumers (a new epoch)."""
    consumer = await fresh_runtime(infrastructure, broker)  # "consent": the consumer, no events of its own
    producer = await producer_service(infrastructure, broker, consumer.settings.topic_prefix)  # "settlement"
    assert consumer.broker_watch is not None and producer.broker_watch is not None
    assert producer.relay is not None
    items = consumer.consumers[0]
    topic = consumer.settings.topic(ItemCounted.topic)
    await consumer.producer.start()
    stop = asyncio.Event()
    running = asyncio.create_task(items.run(stop))

    def applied(*ns: int) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            assert not running.done(), running
            return [n for _, n in await applied_rows(consumer)] == list(ns)

        return check

    try:
        await consumer.broker_watch.check()
        await producer.broker_watch.check()
        await emit_items(producer, ("a", 1))
        await producer.relay.publish_batch()
        await until(applied(1))
        stop.set()
        await running
        # Published and acknowledged by the broker, not yet consumed when it dies.
        await emit_items(producer, ("a", 2), ("a", 3))
        await producer.relay.publish_batch()

        await consumer.producer.stop()
        await producer.producer.stop()
        broker.crash_and_restart()
        await consumer.producer.start()
        await producer.producer.start()

        assert (await consumer.broker_watch.check()).lost  # the consumer's watch looks first
        # The producer's relay publishes its newest events before its watch has looked.
        await emit_items(producer, ("a", 4), ("a", 5), ("a", 6))
        await producer.relay.publish_batch()
        stop = asyncio.Event()
        running = asyncio.create_task(items.run(stop))
        await until(applied(1, 4, 5, 6))

        # The producer's watch had looked before and saw the topic a client had auto-created
        # with the broker's own partition count: it deletes the topic (now the one the
        # consumer reads) — left as that auto-created one — and makes it again.
        await auto_created_again(broker, topic)
        found = await producer.broker_watch.check()
        assert found.lost and topic in found.layout.wrong  # re-created and replayed, oldest first

        await consumer.broker_watch.check()  # notices the new epoch: rewinds
        await until(applied(1, 2, 3, 4, 5, 6))
        assert await dead_letters(consumer) == 0
    finally:
        stop.set()
        await running
        await consumer.producer.stop()
        await producer.producer.stop()
        await consumer.db.dispose()
        await producer.db.dispose()


async def test_a_service_restarted_after_a_broker_loss_does_not_resume_from_positions_of_a_lost_log(
    infrastructure: Infrastructure, kernel_schema: None, broker: OwnBroker
) -> None:
    """Once, referral never applied two ConsentSigned events in the short chaos run: the
    broker died, came back empty, and referral was killed before its watch had looked
    again. Its consumer had meanwhile read the topics as they were just after the restart
    and committed its positions there; consent's watch then re-created a topic and
    replayed its outbox into it. The restarted referral process, whose watch had seen no
    earlier lifetime to compare with, resumed its group from those positions and skipped
    the replayed events before them. Consumer groups are per broker lifetime: the restarted
    process finds no offsets in the group of the lifetime it joins and reads from the start."""
    consumer = await fresh_runtime(infrastructure, broker)  # "referral"
    producer = await producer_service(infrastructure, broker, consumer.settings.topic_prefix)  # "consent"
    assert consumer.broker_watch is not None and producer.broker_watch is not None
    assert producer.relay is not None
    items = consumer.consumers[0]
    items.lifetime = consumer.broker_watch  # as the running service wires it
    topic = consumer.settings.topic(ItemCounted.topic)
    await consumer.producer.start()
    stop = asyncio.Event()
    running = asyncio.create_task(items.run(stop))

    def applied(rt: Runtime, task: asyncio.Task[None], *ns: int) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            assert not task.done(), task
            return [n for _, n in await applied_rows(rt)] == list(ns)

        return check

    restarted: Runtime | None = None
    try:
        await consumer.broker_watch.check()
        await producer.broker_watch.check()
        await emit_items(producer, ("a", 1))
        await producer.relay.publish_batch()
        await until(applied(consumer, running, 1))
        stop.set()
        await running
        await emit_items(producer, ("a", 2), ("a", 3))  # acknowledged, not yet consumed
        await producer.relay.publish_batch()

        await consumer.producer.stop()
        await producer.producer.stop()
        broker.crash_and_restart()
        await consumer.producer.start()
        await producer.producer.start()

        # The broker just back: the consumer reads and commits before its watch looks
        # again (its topics made as the watch would make them, the newest events first).
        await ensure_topics(broker.bootstrap, [topic])
        await emit_items(producer, ("a", 4), ("a", 5), ("a", 6))
        await producer.relay.publish_batch()
        stop = asyncio.Event()
        running = asyncio.create_task(items.run(stop))
        await until(applied(consumer, running, 1, 4, 5, 6))
        group = items.group
        assert group is not None

        # The producer's watch re-creates the topic (as a client had auto-created it) and
        # replays its outbox, oldest first; the consumer, still at its positions in the
        # topic as it was, reads on from there and commits.
        await auto_created_again(broker, topic)
        assert (await producer.broker_watch.check()).lost
        await until(lambda: _committed_past(broker.bootstrap, group, topic, 6))
        stop.set()
        await running  # then the process is killed, before its watch looks again

        # The consumer's service starts again: a new process whose watch has seen no
        # lifetime before this one.
        await consumer.producer.stop()
        restarted = build(
            infrastructure, prefix=consumer.settings.topic_prefix, kafka_bootstrap_servers=broker.bootstrap
        )
        assert restarted.broker_watch is not None
        await ensure_topics(broker.bootstrap, [t for t in restarted.broker_watch.expected() if "broker-epoch" not in t])
        await restarted.producer.start()
        again = restarted.consumers[0]
        again.lifetime = restarted.broker_watch
        assert not (await restarted.broker_watch.check()).lost  # nothing it can see is amiss
        stop = asyncio.Event()
        running = asyncio.create_task(again.run(stop))
        await until(applied(restarted, running, 1, 2, 3, 4, 5, 6))
        assert await dead_letters(restarted) == 0
    finally:
        stop.set()
        await running
        await producer.producer.stop()
        await consumer.db.dispose()
        await producer.db.dispose()
        if restarted is not None:
            await restarted.producer.stop()
            await restarted.db.dispose()


async def _committed_past(bootstrap: str, group: str, topic: str, records: int) -> bool:
    """Whether the group has committed positions adding up to ``records`` in the topic."""
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await reader.start()
    try:
        total = 0
        for partition in range(DEFAULT_PARTITIONS):
            total += await reader.committed(TopicPartition(topic, partition)) or 0
        return total >= records
    finally:
        await reader.stop()


async def auto_created_again(broker: OwnBroker, topic: str) -> None:
    """The topic deleted and made again as a client's request would auto-create it, with the
    broker's own partition count (what a watch then finds wrongly partitioned)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([topic])
        await until(lambda: _gone(admin, topic))
        await admin.create_topics([NewTopic(topic, num_partitions=DEFAULT_PARTITIONS + 1, replication_factor=1)])
    finally:
        await admin.close()


async def _gone(admin: AIOKafkaAdminClient, topic: str) -> bool:
    return topic not in await admin.list_topics()


async def test_no_new_event_overtakes_the_replay_of_a_broker_that_came_back_empty(
    infrastructure: Infrastructure, kernel_schema: None, broker: OwnBroker
) -> None:
    """Between a broker's loss and the watch's next look (every few seconds), the relay
    would send a new event to the empty broker ahead of the older events of its key that
    the replay brings back, and a consumer would apply them out of order. The relay asks
    the watch before each batch; a broker that lost its log is restored first."""
    rt = await fresh_runtime(infrastructure, broker, broker_check_interval_s=3600)  # the loop never looks in time
    watch, relay = rt.broker_watch, rt.relay
    assert watch is not None and relay is not None
    relay.guard = watch  # as Runtime.build sets it when the background loops run
    first_applied: list[int] = []

    async def in_order(uow: Any, event: ItemCounted, meta: Any) -> None:
        first_applied.append(event.n)  # the inbox lets each event through once
        await record_item(uow, event, meta)

    rt.consumers[0].handlers[ItemCounted.event_type] = in_order
    await rt.producer.start()
    try:
        await emit_items(rt, ("a", 1), ("a", 2))
        assert await relay.publish_batch() == 2  # the first batch let the watch name the lifetime
        await rt.producer.stop()
        broker.crash_and_restart()
        await rt.producer.start()

        await emit_items(rt, ("a", 3))
        assert await relay.publish_batch() == 1
        assert watch.recoveries == 1  # restored before the new event was sent

        stop = asyncio.Event()
        consuming = asyncio.create_task(rt.consumers[0].run(stop))
        try:
            await until(lambda: _applied_count(rt, 3))
        finally:
            stop.set()
            await consuming
        assert first_applied == [1, 2, 3]
    finally:
        await watch.close()
        await rt.producer.stop()
        await rt.db.dispose()


async def _applied_count(rt: Runtime, n: int) -> bool:
    return len(await applied_rows(rt)) == n


async def test_a_replay_cut_short_by_another_broker_loss_is_done_again_in_full(
    infrastructure: Infrastructure, kernel_schema: None, broker: OwnBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The broker died again while the outbox was replayed onto it (the chaos suite kills it
    twice in a few seconds): the first events went to the log that was lost, the rest to the
    new broker, whose topic then held records enough to look complete. Such a replay does
    not count: the next look replays everything again, whatever the counts say."""
    rt = await fresh_runtime(infrastructure, broker)
    watch, relay = rt.broker_watch, rt.relay
    assert watch is not None and relay is not None
    await rt.producer.start()
    try:
        await emit_items(rt, *(("r", n) for n in range(1, 7)))
        assert await relay.publish_batch() == 6
        await watch.check()
        await rt.producer.stop()
        broker.crash_and_restart()
        await rt.producer.start()

        real_send = relay._send_retrying
        sent = 0

        async def dies_midway(row: Any, attempts: int = 8) -> None:
            nonlocal sent
            sent += 1
            if sent == 4:  # three replayed events are lost with the broker
                await rt.producer.stop()
                broker.crash_and_restart()
                await rt.producer.start()
            await real_send(row, attempts)

        monkeypatch.setattr(relay, "_send_retrying", dies_midway)
        with pytest.raises(BrokerLostDuringReplay):
            await watch.check()
        monkeypatch.setattr(relay, "_send_retrying", real_send)
        again = await watch.check()
        assert again.lost and watch.recoveries == 1
        assert not (await watch.inspect()).lost
        await consume_until(rt, lambda: _applied_count(rt, 6))
        assert [n for _, n in await applied_rows(rt)] == [1, 2, 3, 4, 5, 6]
    finally:
        await watch.close()
        await rt.producer.stop()
        await rt.db.dispose()
