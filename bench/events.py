"""Events: the outbox relay against raw aiokafka produce of the same messages, and commit →
applied in another service at a steady rate (referral's outbox → broker → settlement's
inbox consumer, the services' real relay and consumer)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer
from sqlalchemy import text

from bench.common import ROOT, Spread, percentile
from medaid_shared.contracts.common import SupportType
from medaid_shared.contracts.referral import PersonRegistered
from medaid_shared.events import EventMeta, to_kafka
from medaid_shared.kafka import ensure_topics, make_producer
from medaid_shared.testing import Infrastructure, start_harness, stop_harness


def person(person_id: str, n: int = 0) -> PersonRegistered:
    return PersonRegistered(
        person_id=person_id,
        name_masked="张*三",
        id_number_masked="4502**********1234",
        id_number_digest=f"{n:064d}",
        support_type=SupportType.CENTRALIZED,
        institution_id="I01",
        town_id="T01",
    )


RELAY_OUTBOX = """
INSERT INTO {s}.outbox (id, topic, key, event_type, dataschema, subject, payload, occurred_at, available_at)
SELECT gen_random_uuid(), :topic, 'K' || (i % :keys), 'medaid.bench.Numbered', 'urn:bench', 'K' || (i % :keys),
       jsonb_build_object('key', 'K' || (i % :keys), 'n', i, 'padding', repeat('x', 400)), now(), now() - interval '1 s'
FROM generate_series(1, :n) AS i
"""


async def relay_bench(infra: Infrastructure, n: int, keys: int, reps: int) -> dict[str, Any]:
    """Publish ``n`` outbox rows over ``keys`` keys through the relay, and the same records
    with a raw aiokafka producer (send all, then await all); per-key order is checked on the
    topic the relay wrote."""
    h = await start_harness("referral", infra)
    relay = h.runtime.relay
    assert relay is not None
    schema = h.runtime.settings.db_schema
    relay_s, raw_s, ratio_s = Spread(), Spread(), Spread()
    raw = make_producer(infra.kafka_bootstrap)
    await raw.start()
    try:
        for rep in range(reps):
            topic = f"{infra.topic_prefix}.bench.relay{rep}.v1"
            raw_topic = f"{infra.topic_prefix}.bench.raw{rep}.v1"
            await ensure_topics(infra.kafka_bootstrap, [topic, raw_topic])
            async with h.runtime.db.unit_of_work() as uow:
                await uow.session.execute(text(f"DELETE FROM {schema}.outbox"))
                await uow.session.execute(text(RELAY_OUTBOX.format(s=schema)), {"topic": topic, "keys": keys, "n": n})
                rows = (await uow.session.execute(text(f"SELECT * FROM {schema}.outbox ORDER BY seq"))).mappings().all()
            records = [
                to_kafka(
                    event_id=r["id"], source="/medaid/referral", event_type=r["event_type"], dataschema=r["dataschema"],
                    subject=r["subject"], occurred_at=r["occurred_at"], payload=r["payload"], key=r["key"],
                )
                for r in rows
            ]  # fmt: skip
            started = time.perf_counter()
            published = 0
            while published < n:
                got = await relay.publish_batch()
                if got == 0:
                    raise RuntimeError(f"the relay stopped after {published} of {n} rows")
                published += got
            relay_rate = n / (time.perf_counter() - started)
            started = time.perf_counter()
            futures = [await raw.send(raw_topic, value=v, key=k, headers=hd) for k, v, hd in records]
            await asyncio.gather(*futures)
            raw_rate = n / (time.perf_counter() - started)
            relay_s.add(relay_rate)
            raw_s.add(raw_rate)
            ratio_s.add(relay_rate / raw_rate)
            if rep == 0:
                await check_order(infra, topic, n)
    finally:
        await raw.stop()
        await stop_harness(h)
    return {"relay": relay_s, "raw": raw_s, "ratio": ratio_s, "rows": n, "keys": keys}


async def check_order(infra: Infrastructure, topic: str, n: int) -> None:
    import json

    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=infra.kafka_bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    seen: dict[str, list[int]] = defaultdict(list)
    count = 0
    try:
        deadline = time.monotonic() + 60
        while count < n and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for r in records:
                    body = json.loads(r.value)
                    seen[body["key"]].append(body["n"])
                    count += 1
    finally:
        await consumer.stop()
    if count < n:
        raise RuntimeError(f"only {count} of {n} relayed records arrived")
    broken = [k for k, ns in seen.items() if ns != sorted(ns)]
    if broken:
        raise RuntimeError(f"per-key order broken for {len(broken)} keys, e.g. {broken[0]}: {seen[broken[0]][:10]}")


async def e2e_bench(infra: Infrastructure, rate: int, seconds: float, reps: int, fed: int = 2_000) -> dict[str, Any]:
    """Events committed into referral's outbox at ``rate`` per second, each in its own
    transaction, by a process of its own (``bench.emit``); referral's relay publishes them
    and settlement's read-model consumer applies them (its inbox transaction), in this
    process. Latency = the consumer's commit − the event's commit (wall clock, one machine).
    Then ``fed`` events produced straight onto the topic give the consumer's own rate."""
    referral = await start_harness("referral", infra)
    settlement = await start_harness("settlement", infra)
    relay = referral.runtime.relay
    consumer = next(c for c in settlement.runtime.consumers if PersonRegistered.event_type in c.handlers)
    assert relay is not None
    latencies: list[float] = []
    apply_batch, apply_alone = consumer._apply_batch, consumer._apply

    def committed_at(record: Any) -> float:
        """The event's commit time from its CloudEvents ``ce_time`` header (decoding the
        whole record again would cost the consumer's loop as much as its own decoding)."""
        stamp = next(v for k, v in record.headers if k == "ce_time").decode()
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()

    async def timed_apply_batch(records: Any) -> tuple[list[str], str | None]:
        outcomes, failure = await apply_batch(records)  # returns once its transaction committed
        now = time.time()
        latencies.extend((now - committed_at(record)) * 1000 for record in records[: len(outcomes)])
        return outcomes, failure

    async def timed_apply(event: Any, meta: EventMeta) -> str:  # a record retried alone
        outcome = await apply_alone(event, meta)
        assert meta.time is not None
        latencies.append((time.time() - meta.time.timestamp()) * 1000)
        return outcome

    consumer._apply_batch = timed_apply_batch  # type: ignore[method-assign]
    consumer._apply = timed_apply  # type: ignore[method-assign]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(relay.run(stop)), asyncio.create_task(consumer.run(stop))]
    topic = referral.runtime.settings.topic(PersonRegistered.topic)
    schema = referral.runtime.settings.db_schema

    async def run_emitter(n_rate: int, n_seconds: float) -> int:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.emit", infra.database_url, schema, topic, str(n_rate), str(n_seconds),
            stdout=asyncio.subprocess.PIPE, cwd=str(ROOT),
        )  # fmt: skip
        out, _ = await proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError("the event emitter failed")
        return int(out.decode().strip())

    async def wait_applied(count: int, within: float) -> None:
        deadline = time.monotonic() + within
        while len(latencies) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{count - len(latencies)} of {count} events never applied")
            await asyncio.sleep(0.05)

    async def fed_directly(n: int) -> float:
        """The consumer's own pace: ``n`` events produced straight onto its topic (raw
        aiokafka, no outbox or relay), applied per second."""
        raw = make_producer(infra.kafka_bootstrap)
        await raw.start()
        try:
            latencies.clear()
            started = time.perf_counter()
            futures = []
            for i in range(n):
                event = person(f"FED-{uuid.uuid4().hex[:12]}", i)
                key, value, headers = to_kafka(
                    event_id=uuid.uuid4(), source="/medaid/referral", event_type=event.event_type,
                    dataschema=event.dataschema(), subject=event.partition_key(), occurred_at=datetime.now(UTC),
                    payload=event.model_dump(mode="json"), key=event.partition_key(),
                )  # fmt: skip
                futures.append(await raw.send(topic, value=value, key=key, headers=headers))
            await asyncio.gather(*futures)
            await wait_applied(n, 120)
            return n / (time.perf_counter() - started)
        finally:
            await raw.stop()

    p50, p99, relayed, consumer_rate = Spread(), Spread(), Spread(), Spread()
    try:
        warm = await run_emitter(50, 1)  # the consumer joins its group and reads from the start
        await wait_applied(warm, 60)
        for _ in range(reps):
            latencies.clear()
            total = await run_emitter(rate, seconds)
            await wait_applied(total, 120)
            p50.add(percentile(latencies, 50))
            p99.add(percentile(latencies, 99))
            async with referral.runtime.db.read() as session:
                relayed.add(
                    float(
                        (
                            await session.execute(
                                text(
                                    "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM "
                                    f"published_at - occurred_at)) * 1000 FROM {schema}.outbox "
                                    "WHERE published_at IS NOT NULL"
                                )
                            )
                        ).scalar_one()
                    )
                )
                await session.execute(text(f"DELETE FROM {schema}.outbox"))
                await session.commit()
            consumer_rate.add(await fed_directly(fed))
    finally:
        stop.set()
        for task in tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 15)
        await stop_harness(settlement)
        await stop_harness(referral)
    return {
        "p50_ms": p50,
        "p99_ms": p99,
        "relayed_p50_ms": relayed,
        "consumer_per_s": consumer_rate,
        "rate": rate,
        "seconds": seconds,
    }
