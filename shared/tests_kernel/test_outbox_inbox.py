"""The event kernel against the real PostgreSQL and broker: outbox → Kafka → inbox."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from medaid_shared.kafka import ensure_topics
from medaid_shared.localstack import free_port, start_tansu
from medaid_shared.outbox import OutboxRelay
from medaid_shared.testing import Infrastructure

from .conftest import applied_rows, build, consume_until, emit_items


async def outbox_states(rt: Any) -> list[str]:
    t = rt.db.tables.outbox
    async with rt.db.read() as s:
        return list((await s.execute(select(t.c.state).order_by(t.c.seq))).scalars())


async def test_relay_publishes_in_order_and_consumer_applies(runtime: Any) -> None:
    await emit_items(runtime, ("a", 1), ("a", 2), ("b", 3))
    assert await runtime.relay.publish_batch() == 3
    assert await outbox_states(runtime) == ["published"] * 3

    async def three() -> bool:
        return len(await applied_rows(runtime)) == 3

    await consume_until(runtime, three)
    assert await applied_rows(runtime) == [("a", 1), ("a", 2), ("b", 3)]


async def test_relay_dies_after_publishing_before_marking_event_applied_once(runtime: Any, monkeypatch: Any) -> None:
    """The relay crashes between the send and the mark: the row stays pending, the next
    relay publishes it again, the event reaches the consumer twice and is applied once."""
    await emit_items(runtime, ("x", 1))

    class RelayDied(BaseException):
        pass

    async def die(self: OutboxRelay, session: Any, row: Any) -> None:
        raise RelayDied

    monkeypatch.setattr(OutboxRelay, "_mark_published", die)
    with pytest.raises(RelayDied):
        await runtime.relay.publish_batch()
    monkeypatch.undo()
    assert await outbox_states(runtime) == ["pending"]
    assert await runtime.relay.publish_batch() == 1  # the same event, a second time

    consumer = runtime.consumers[0]
    outcomes: list[str] = []
    original = consumer.handle_batch

    async def spy(records: Any, *args: Any) -> list[str]:
        outcomes.extend(await original(records, *args))
        return outcomes[-len(records) :]

    consumer.handle_batch = spy  # type: ignore[method-assign]

    async def both_seen() -> bool:
        return len(outcomes) >= 2

    await consume_until(runtime, both_seen)
    assert outcomes == ["applied", "duplicate"]
    assert await applied_rows(runtime) == [("x", 1)]


async def test_failed_send_keeps_later_rows_of_the_same_key_waiting(runtime: Any) -> None:
    """Per-key order: while the first row of key "k" retries, the second waits; another
    key is not held up."""
    await emit_items(runtime, ("k", 1), ("k", 2), ("other", 3))
    real = runtime.relay.producer
    calls: list[int] = []

    class FlakyProducer:
        async def send_and_wait(
            self, topic: str, value: bytes | None = None, key: bytes | None = None, headers: Any = None
        ) -> Any:
            calls.append(1)
            if key == b"k":
                raise ConnectionError("broker unavailable")
            return await real.send_and_wait(topic, value=value, key=key, headers=headers)

    runtime.relay.producer = FlakyProducer()
    assert await runtime.relay.publish_batch() == 1  # only "other"
    t = runtime.db.tables.outbox
    async with runtime.db.read() as s:
        rows = (await s.execute(select(t.c.key, t.c.state, t.c.attempts, t.c.last_error).order_by(t.c.seq))).all()
    assert [(r.key, r.state, r.attempts) for r in rows] == [
        ("k", "pending", 1),
        ("k", "pending", 0),
        ("other", "published", 1),
    ]
    assert "broker unavailable" in rows[0].last_error
    runtime.relay.producer = real
    assert await runtime.relay.publish_pending() == 2
    assert await outbox_states(runtime) == ["published"] * 3


async def test_poison_message_goes_to_dead_letter_and_partition_moves_on(runtime: Any) -> None:
    await emit_items(runtime, ("poison-1", 1), ("poison-1", 2))
    # Same key, so same partition: the poison (n=1 fails) comes first.
    async with runtime.db.unit_of_work() as uow:
        await uow.session.execute(
            runtime.db.tables.outbox.update()
            .where(runtime.db.tables.outbox.c.seq == 2)
            .values(payload={"item": "fine", "n": 2})
        )
    await runtime.relay.publish_batch()
    # And a record that is not a CloudEvent at all.
    await runtime.producer.send_and_wait(runtime.consumers[0].topics[0], value=b"not json", key=b"poison-1")

    dl = runtime.db.tables.dead_letter

    async def done() -> bool:
        async with runtime.db.read() as s:
            dead = (await s.execute(select(dl.c.error))).scalars().all()
        return len(dead) == 2 and len(await applied_rows(runtime)) == 1

    await consume_until(runtime, done)
    assert await applied_rows(runtime) == [("fine", 2)]
    async with runtime.db.read() as s:
        errors = sorted((await s.execute(select(dl.c.error))).scalars().all())
    assert any("this item always fails" in e for e in errors)
    assert any("not a CloudEvent" in e for e in errors)


async def test_dead_letters_can_be_redriven(runtime: Any) -> None:
    from medaid_shared.consumer import redrive_dead_letters

    await emit_items(runtime, ("poison-2", 7))
    await runtime.relay.publish_batch()
    dl = runtime.db.tables.dead_letter

    async def dead() -> bool:
        async with runtime.db.read() as s:
            return len((await s.execute(select(dl.c.id))).all()) == 1

    await consume_until(runtime, dead)
    assert await redrive_dead_letters(runtime.db, runtime.producer) == 1
    async with runtime.db.read() as s:
        assert (await s.execute(select(dl.c.state))).scalars().all() == ["redriven"]


async def test_replay_onto_a_fresh_broker_delivers_every_event_once(
    infrastructure: Infrastructure, kernel_schema: None
) -> None:
    """The local broker keeps its log in memory: after a restart the retained outbox is
    replayed; the consumer sees every event again and applies each one once."""
    port = free_port()
    from pathlib import Path

    fresh = start_tansu(port, Path(".medaid/logs/tansu-replay-test.log"))
    try:
        first = build(infrastructure, prefix="replay")
        async with first.db.engine.begin() as conn:
            from sqlalchemy import text

            await conn.execute(text("TRUNCATE kerneltest.applied, kerneltest.outbox, kerneltest.inbox"))
        await first.producer.start()
        await ensure_topics(
            infrastructure.kafka_bootstrap,
            [first.settings.topic("kerneltest.item"), first.settings.dead_letter_topic()],
        )
        await emit_items(first, ("r", 1), ("r", 2), ("s", 3))
        await first.relay.publish_batch()

        async def three() -> bool:
            return len(await applied_rows(first)) == 3

        await consume_until(first, three)
        await first.producer.stop()

        second = build(infrastructure, prefix="replay", kafka_bootstrap_servers=f"127.0.0.1:{port}")
        await ensure_topics(
            second.settings.kafka_bootstrap_servers,
            [second.settings.topic("kerneltest.item"), second.settings.dead_letter_topic()],
        )
        await second.producer.start()
        assert await second.relay.replay() == 3
        consumer = second.consumers[0]
        outcomes: list[str] = []
        original = consumer.handle_batch

        async def spy(records: Any, *args: Any) -> list[str]:
            outcomes.extend(await original(records, *args))
            return outcomes[-len(records) :]

        consumer.handle_batch = spy  # type: ignore[method-assign]

        async def all_seen() -> bool:
            return len(outcomes) == 3

        await consume_until(second, all_seen)
        assert outcomes == ["duplicate"] * 3
        assert await applied_rows(second) == [("r", 1), ("r", 2), ("s", 3)]
        await second.producer.stop()
        await second.db.dispose()
        await first.db.dispose()
    finally:
        fresh.terminate()
        fresh.wait(10)


async def test_two_relays_numbering_at_once_give_every_published_row_one_feed_position(runtime: Any) -> None:
    """LJ-18: each batch numbers the rows it published in its own transaction; two relays
    at once cannot commit the same positions — the later one's numbering gives way (its
    rows are still published) and the sweep numbers what it left, so every published row
    ends with one position, none twice, none skipped."""
    first = runtime.relay
    first.batch_size = 5
    second = OutboxRelay(runtime.db, runtime.producer, batch_size=5)
    await runtime.producer.start()
    await emit_items(runtime, *[(f"key{i % 8}", i) for i in range(40)])
    while sum(await asyncio.gather(first.publish_batch(), second.publish_batch())):
        pass
    await first.number_feed()  # the sweep
    t = runtime.db.tables.outbox
    async with runtime.db.read() as s:
        rows = (await s.execute(select(t.c.state, t.c.feed_position))).all()
    assert {state for state, _ in rows} == {"published"}
    assert sorted(position for _, position in rows) == list(range(1, 41))
