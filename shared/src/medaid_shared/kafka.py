"""Kafka clients configured the one way this system uses them.

Producers use ``acks=all`` without idempotence: the local Tansu broker rejects idempotent
producers, and the consumers' inboxes make duplicates harmless anyway.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

DEFAULT_PARTITIONS = 3


class Producer(Protocol):
    async def send_and_wait(
        self, topic: str, value: bytes | None = None, key: bytes | None = None, headers: Any = None
    ) -> Any: ...


def make_producer(bootstrap_servers: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        acks="all",
        enable_idempotence=False,
        request_timeout_ms=10_000,
        client_id="medaid",
    )


class EventProducer:
    """A producer created when started (aiokafka clients must be made inside the loop)."""

    def __init__(self, bootstrap_servers: str) -> None:
        self.bootstrap_servers = bootstrap_servers
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        if self._producer is None:
            producer = make_producer(self.bootstrap_servers)
            try:
                await producer.start()
            except BaseException:
                with contextlib.suppress(Exception):  # a broker that is away: the next start tries afresh
                    await producer.stop()
                raise
            self._producer = producer

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def send_and_wait(
        self,
        topic: str,
        value: bytes | None = None,
        key: bytes | None = None,
        headers: Any = None,
        partition: int | None = None,
    ) -> Any:
        if self._producer is None:
            raise RuntimeError("producer not started")
        return await self._producer.send_and_wait(topic, value=value, key=key, headers=headers, partition=partition)

    async def send(self, topic: str, value: bytes | None = None, key: bytes | None = None, headers: Any = None) -> Any:
        """Queue a record; returns the future of its acknowledgement (the producer packs the
        records queued meanwhile into one request per broker, in order per partition)."""
        if self._producer is None:
            raise RuntimeError("producer not started")
        return await self._producer.send(topic, value=value, key=key, headers=headers)

    async def reachable(self) -> bool:
        if self._producer is None:
            return False
        try:
            await self._producer.client.fetch_all_metadata()
        except Exception:  # any failure means "not ready"
            return False
        return True


def all_topics(topic_prefix: str) -> list[str]:
    """Every topic of the system: one per event contract, one dead-letter topic per service."""
    import medaid_shared.contracts  # noqa: F401  (registers every event model)
    from medaid_shared.events import REGISTRY
    from medaid_shared.services import SERVICES

    contracts = [m for m in REGISTRY.values() if m.__module__.startswith("medaid_shared.contracts")]
    topics = {f"{topic_prefix}.{m.topic}.v1" for m in contracts}
    topics |= {f"{topic_prefix}.{s.name}.dead-letter.v1" for s in SERVICES.values()}
    return sorted(topics)


async def ensure_topics(
    bootstrap_servers: str, topics: Iterable[str], partitions: int = DEFAULT_PARTITIONS
) -> list[str]:
    """Create the topics that do not exist yet; returns the ones it created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="medaid-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = sorted(set(topics) - existing)
        for name in missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
        return missing
    finally:
        await admin.close()
