"""Broker loss heals itself: a background loop in every service that notices a broker which
came back without its data and restores what the services need from it.

A broker can come back empty: the local memory-only broker after a crash, or a cluster
restored without its data. Nothing in the services fails loudly then — producers and
consumers simply talk to the new, empty broker, which even auto-creates topics with its own
partition counts. The watch looks, every ``broker_check_interval_s``, for three signs:

* **topics**: an expected topic is missing, or has other partitions than
  :func:`~medaid_shared.kafka.ensure_topics` gives it (auto-created by a client's request);
* **epoch**: the last record of the epoch topic differs from the one this process saw
  before. A watch that finds the topic empty writes one (a new broker lifetime; the
  cluster id cannot tell: the local broker's is a constant), and so does every watch that
  deleted or created a topic: a re-created topic is a new log, and every service's
  consumers must read it from its start (see below);
* **shortfall**: a topic holds fewer records than this service's outbox holds as published
  to it — a broker that kept its log never has fewer (counted from the end offsets, and
  where those look short, from the log itself: see :func:`records_in`).

On any sign it repairs the topics (deleting an auto-created one with the wrong partition
count, creating what is missing), writes a new epoch if there is none or if it re-created
a topic, replays the retained
outbox if this service's events are short (one replica does it, under a lock, while the
relays wait), and rewinds this service's consumers to the start of every partition; their
inboxes absorb the repeats. No operator command is needed; ``medaid replay`` does the same
by hand (:func:`recover`).

Why a re-created topic announces a new epoch: after a broker restart every service's watch
looks at about the same moment. One may still see a topic a client auto-created with the
broker's own partition count and delete it after another service's watch had already
re-created it, rewound its consumers, and let them read on in the new topic. Those
consumers' positions then point into a log that is gone; in the topic made again and
replayed (oldest events first) they would skip exactly the oldest events — settlement's
catalogue items, once, never reached consent. The new epoch makes every watch rewind its
consumers once more.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from prometheus_client import Counter
from sqlalchemy import func, select

from medaid_shared.backoff import wait_or_stop
from medaid_shared.consumer import EventConsumer
from medaid_shared.db import Database
from medaid_shared.kafka import DEFAULT_PARTITIONS, EventProducer, all_topics
from medaid_shared.outbox import OutboxRelay
from medaid_shared.transient import is_transient

log = structlog.get_logger("medaid.broker_recovery")

BROKER_RECOVERIES = Counter(
    "medaid_broker_recoveries_total", "Times the service found the broker without its data and restored it", ["service"]
)


class BrokerLostDuringReplay(KafkaError):
    """The broker came back empty again while the outbox was replayed onto it."""


def epoch_topic(topic_prefix: str) -> str:
    """One partition; its first record names the broker's lifetime."""
    return f"{topic_prefix}.broker-epoch.v1"


@dataclass
class Layout:
    """What the broker holds of the expected topics."""

    missing: list[str] = field(default_factory=list)
    wrong: dict[str, int] = field(default_factory=dict)  # topic → partitions it has
    partitions: dict[str, int] = field(default_factory=dict)  # existing, right-sized
    repaired: list[str] = field(default_factory=list)  # topics this repair deleted or created

    @property
    def ok(self) -> bool:
        return not self.missing and not self.wrong


@dataclass
class Findings:
    layout: Layout
    epoch: str | None
    epoch_changed: bool
    shortfall: dict[str, tuple[int, int]]  # topic → (published rows retained, records in the topic)

    epoch_topic: str = ""

    @property
    def lost(self) -> bool:
        """The broker lost (some of) its data since this process last looked. An epoch
        topic missing alone is a broker nobody named yet (a new system), not a loss."""
        missing = [t for t in self.layout.missing if t != self.epoch_topic]
        return bool(missing or self.layout.wrong or self.epoch_changed or self.shortfall)


async def layout(admin: AIOKafkaAdminClient, expected: Iterable[str], partitions: dict[str, int]) -> Layout:
    """Compare the broker's topics with the expected ones (never auto-creating any: only
    topics the broker lists are described)."""
    existing = set(await admin.list_topics())
    wanted = set(expected)
    result = Layout(missing=sorted(wanted - existing))
    present = sorted(wanted & existing)
    if present:
        for topic in await admin.describe_topics(present):
            name, count = topic["topic"], len(topic["partitions"])
            if count != partitions.get(name, DEFAULT_PARTITIONS):
                result.wrong[name] = count
            else:
                result.partitions[name] = count
    return result


async def repair_topics(
    bootstrap_servers: str, expected: Iterable[str], partitions: dict[str, int], rounds: int = 5
) -> Layout:
    """Create missing topics and re-create wrongly partitioned ones with their counts.
    A client may auto-create a topic again between delete and create: look again, a few
    rounds."""
    wanted = sorted(set(expected))
    repaired: set[str] = set()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="medaid-recovery")
    await admin.start()
    try:
        found = await layout(admin, wanted, partitions)
        for _ in range(rounds):
            if found.ok:
                break
            if found.wrong:
                log.warning("broker_topics_wrongly_partitioned", topics=found.wrong)
                await admin.delete_topics(sorted(found.wrong))
                repaired.update(found.wrong)
            for name in sorted([*found.missing, *found.wrong]):
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics(
                        [NewTopic(name, num_partitions=partitions.get(name, DEFAULT_PARTITIONS), replication_factor=1)]
                    )
                    repaired.add(name)
            await asyncio.sleep(0.2)
            found = await layout(admin, wanted, partitions)
        found.repaired = sorted(repaired)
        return found
    finally:
        await admin.close()


async def end_offsets(consumer: AIOKafkaConsumer, partitions: dict[str, int]) -> dict[str, int]:
    """Records per topic (the sum of its partitions' end offsets)."""
    tps = [TopicPartition(t, p) for t, n in partitions.items() for p in range(n)]
    if not tps:
        return {}
    ends = await consumer.end_offsets(tps)
    totals: dict[str, int] = dict.fromkeys(partitions, 0)
    for tp, end in ends.items():
        totals[tp.topic] += int(end)
    return totals


async def records_in(consumer: AIOKafkaConsumer, topic: str, partitions: int) -> int:
    """Records in a topic, read from its log rather than its reported end offsets: the local
    broker reports a partition's end as one past the *first* record of its last batch, so a
    batch of many records looks like a loss. The last batch of each partition is fetched and
    its last record counted. Asked only of a topic that looks short (one fetch per partition)."""
    tps = [TopicPartition(topic, p) for p in range(partitions)]
    ends = await consumer.end_offsets(tps)
    total = 0
    for tp in tps:
        end = int(ends.get(tp) or 0)
        if end:
            consumer.assign([tp])
            consumer.seek(tp, end - 1)
            batch = await consumer.getmany(tp, timeout_ms=2000)
            end = max([end, *(record.offset + 1 for record in batch.get(tp, []))])
        total += end
    return total


async def read_epoch(consumer: AIOKafkaConsumer, topic: str) -> str | None:
    """The last record of the epoch topic: the current broker lifetime (None when empty)."""
    tp = TopicPartition(topic, 0)
    end = (await consumer.end_offsets([tp])).get(tp)
    if not end:
        return None
    consumer.assign([tp])
    consumer.seek(tp, end - 1)
    last = None
    batch = await consumer.getmany(tp, timeout_ms=5000)
    for record in batch.get(tp, []):
        last = (record.value or b"").decode()
    return last


async def published_counts(db: Database) -> dict[str, int]:
    """Retained published outbox rows per topic."""
    t = db.tables.outbox
    async with db.read() as session:
        rows = await session.execute(
            select(t.c.topic, func.count()).where(t.c.state == "published").group_by(t.c.topic)
        )
        return {topic: int(n) for topic, n in rows.all()}


async def _stop(consumer: AIOKafkaConsumer) -> None:
    """Stop a consumer without a group. aiokafka raises CancelledError from its own
    committed-offsets task there; only a cancellation of this task itself is passed on."""
    try:
        await consumer.stop()
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise


class BrokerWatch:
    """The loop that notices a broker without its data and restores it (see module doc)."""

    def __init__(
        self,
        db: Database,
        producer: EventProducer,
        relay: OutboxRelay,
        consumers: Sequence[EventConsumer],
    ) -> None:
        self.db = db
        self.settings = db.settings
        self.producer = producer
        self.relay = relay
        self.consumers = consumers
        self.epoch: str | None = None  # the broker lifetime this process last saw
        self.recoveries = 0
        self._checking = asyncio.Lock()  # the loop and the relay may both ask for a look
        self._admin: AIOKafkaAdminClient | None = None  # kept for same_lifetime (every relay batch)
        # A replay that did not finish within one broker lifetime (the broker died again
        # meanwhile, its sends went partly to the lost log): the next recovery replays
        # whatever the counts say, which a partial replay can fool.
        self._replay_owed = False

    def expected(self, published: Iterable[str] = ()) -> dict[str, int]:
        """Every topic this service needs, with its partition count."""
        topics = {
            *all_topics(self.settings.topic_prefix),
            *(t for c in self.consumers for t in c.topics),
            self.settings.dead_letter_topic(),
            *published,
        }
        counts = dict.fromkeys(sorted(topics), DEFAULT_PARTITIONS)
        counts[epoch_topic(self.settings.topic_prefix)] = 1
        return counts

    async def inspect(self) -> Findings:
        bootstrap = self.settings.kafka_bootstrap_servers
        published = await published_counts(self.db)  # before the offsets: never more than they show
        partitions = self.expected(published)
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="medaid-recovery")
        await admin.start()
        try:
            found = await layout(admin, partitions, partitions)
        finally:
            await admin.close()
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
        await consumer.start()
        try:
            topics = {t: n for t, n in found.partitions.items() if t in published}
            ends = await end_offsets(consumer, topics)
            for t in [t for t in topics if ends[t] < published[t]]:
                ends[t] = await records_in(consumer, t, topics[t])
            shortfall = {t: (published[t], ends[t]) for t in topics if ends[t] < published[t]}
            # A topic this service published to that is missing or wrongly partitioned holds
            # none of its events: short too (asked again under the replay lock, a topic
            # another watch is just re-creating must not call the replay off).
            shortfall |= {t: (n, 0) for t, n in published.items() if t not in found.partitions}
            et = epoch_topic(self.settings.topic_prefix)
            epoch = await read_epoch(consumer, et) if et in found.partitions else None
        finally:
            await _stop(consumer)
        changed = self.epoch is not None and epoch != self.epoch
        return Findings(found, epoch, changed, shortfall, et)

    async def same_lifetime(self) -> bool:
        """Quick, before each relay batch: whether the broker still holds the lifetime this
        watch last saw (its epoch topic's last record). False when it cannot tell — no look
        yet, the epoch topic gone, the broker away: the relay then asks for :meth:`check`."""
        if self.epoch is None:
            return False
        try:
            return await self._current_epoch() == self.epoch
        except Exception as exc:  # any failure means "cannot tell"; the clients start afresh
            log.info("broker_epoch_unreadable", error=f"{type(exc).__name__}: {exc}"[:300])
            await self.close()
            return False

    async def _current_epoch(self) -> str | None:
        bootstrap = self.settings.kafka_bootstrap_servers
        topic = epoch_topic(self.settings.topic_prefix)
        if self._admin is None:
            admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="medaid-epoch")
            await admin.start()
            self._admin = admin
        # Listed first: a consumer's request for a missing topic would auto-create it.
        if topic not in await self._admin.list_topics():
            return None
        # A reader of its own each time: one kept assigned to the epoch topic would ask for
        # it after a broker restart, and so auto-create it with the broker's partition count.
        reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
        await reader.start()
        try:
            return await read_epoch(reader, topic)
        finally:
            await _stop(reader)

    async def close(self) -> None:
        """Stop the client :meth:`same_lifetime` keeps."""
        admin, self._admin = self._admin, None
        if admin is not None:
            with contextlib.suppress(Exception):
                await admin.close()

    async def check(self) -> Findings:
        """One look; restores what it finds lost. Returns what it found."""
        async with self._checking:
            return await self._check()

    async def _check(self) -> Findings:
        findings = await self.inspect()
        if findings.lost:
            await self.recover(findings)
        elif findings.epoch is None:
            # A broker without an epoch but with everything else in place (a new system,
            # or topics made by hand): name this lifetime from now on.
            self.epoch = await ensure_epoch(self.producer, self.settings.topic_prefix)
        else:
            self.epoch = findings.epoch
        return findings

    async def recover(self, findings: Findings) -> None:
        log.warning(
            "broker_lost_data",
            missing=findings.layout.missing,
            wrongly_partitioned=findings.layout.wrong,
            epoch_changed=findings.epoch_changed,
            shortfall=findings.shortfall,
        )
        partitions = self.expected(await published_counts(self.db))
        repaired = await repair_topics(self.settings.kafka_bootstrap_servers, partitions, partitions)
        # A topic this watch deleted or created is a new log for every service's consumers,
        # also those whose watches recovered before this one: a new epoch rewinds them.
        renewed = [t for t in repaired.repaired if t != epoch_topic(self.settings.topic_prefix)]
        self.epoch = await ensure_epoch(self.producer, self.settings.topic_prefix, new=bool(renewed))
        owed, self._replay_owed = self._replay_owed, True
        replayed = await self.relay.replay(only_if=None if owed else self._still_short)
        if not await self.same_lifetime():
            raise BrokerLostDuringReplay(f"the broker lost its data again while {replayed} events were replayed")
        self._replay_owed = False
        for consumer in self.consumers:
            consumer.rewind()
        self.recoveries += 1
        BROKER_RECOVERIES.labels(self.settings.service_name).inc()
        log.warning("broker_recovered", replayed=replayed, consumers_rewound=[c.name for c in self.consumers])

    async def _still_short(self) -> bool:
        """Asked under the replay lock: another replica may have replayed meanwhile."""
        return bool((await self.inspect()).shortfall)

    async def run(self, stop: asyncio.Event) -> None:
        interval = self.settings.broker_check_interval_s
        while not stop.is_set():
            try:
                await self.check()
            except Exception as exc:
                # The broker or database is away: that is for the next look, not a failure
                # of the loop (which would count against the service's liveness).
                if not (isinstance(exc, KafkaError | OSError) or is_transient(exc)):
                    raise
                log.info("broker_check_skipped", error=f"{type(exc).__name__}: {exc}"[:300])
            await wait_or_stop(stop, interval)


async def ensure_epoch(producer: EventProducer, topic_prefix: str, *, new: bool = False) -> str:
    """The broker lifetime's name: the epoch topic's last record, written if there is none
    (``new``: write one even so — topics were re-created, or a manual recovery tells every
    running watch)."""
    topic = epoch_topic(topic_prefix)
    bootstrap = producer.bootstrap_servers
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        current = await read_epoch(consumer, topic)
        if current is not None and not new:
            return current
        await repair_topics(bootstrap, [topic], {topic: 1})
        await producer.send_and_wait(topic, value=uuid.uuid4().hex.encode(), partition=0)
        epoch = await read_epoch(consumer, topic)
        assert epoch is not None
        return epoch
    finally:
        await _stop(consumer)


async def replay_onto_broker(db: Database, producer: EventProducer, relay: OutboxRelay, *, announce: bool) -> int:
    """``medaid replay``, the manual path: re-create the topics with their partition counts,
    (``announce``) start a new broker lifetime so every running service rewinds its
    consumers, and republish the service's retained outbox."""
    prefix = db.settings.topic_prefix
    partitions = dict.fromkeys({*all_topics(prefix), *await published_counts(db)}, DEFAULT_PARTITIONS)
    await repair_topics(db.settings.kafka_bootstrap_servers, partitions, partitions)
    if announce:
        await ensure_epoch(producer, prefix, new=True)
    return await relay.replay()
