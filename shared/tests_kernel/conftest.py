"""Kernel tests run against a small test service ("kerneltest") on the real PostgreSQL and
broker: a table, a command that emits an event, and a consumer that applies it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import ClassVar

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from medaid_shared.authz import Policy
from medaid_shared.db import UnitOfWork
from medaid_shared.events import Event, EventMeta
from medaid_shared.kafka import ensure_topics
from medaid_shared.migrations import outbox_notify_sql
from medaid_shared.runtime import ConsumerSpec, Runtime
from medaid_shared.settings import ServiceSettings
from medaid_shared.tables import kernel_tables
from medaid_shared.testing import Infrastructure


class KernelTestSettings(ServiceSettings):
    service_name: ClassVar[str] = "kerneltest"
    default_port: ClassVar[int] = 8099


metadata = MetaData(schema="kerneltest")
kernel_tables(metadata)
applied = Table(
    "applied",
    metadata,
    Column("event_id", String(100), primary_key=True),
    Column("item", String(100), nullable=False),
    Column("n", Integer, nullable=False),
)


class ItemCounted(Event):
    event_type: ClassVar[str] = "medaid.kerneltest.ItemCounted"
    topic: ClassVar[str] = "kerneltest.item"
    key_field: ClassVar[str] = "item"

    item: str
    n: int


async def record_item(uow: UnitOfWork, event: ItemCounted, meta: EventMeta) -> None:
    """The consumer's effect: a row per applied event (a duplicate would violate nothing,
    so the test counts rows to see each event applied once)."""
    if event.item.startswith("poison"):
        raise ValueError("this item always fails")
    await uow.session.execute(pg_insert(applied).values(event_id=meta.id + str(event.n), item=event.item, n=event.n))


def build(infra: Infrastructure, prefix: str | None = None, **overrides: object) -> Runtime:
    values: dict[str, object] = {
        "database_url": infra.database_url,
        "kafka_bootstrap_servers": infra.kafka_bootstrap,
        "topic_prefix": prefix or infra.topic_prefix,
        "environment": "test",
        "run_background": False,
    }
    settings = KernelTestSettings(**{**values, **overrides})
    return Runtime.build(
        settings, metadata, Policy.from_mapping({}), consumers=[ConsumerSpec("items", {ItemCounted: record_item})]
    )


@pytest.fixture(scope="session")
async def kernel_schema(infrastructure: Infrastructure) -> None:
    rt = build(infrastructure)
    async with rt.db.engine.begin() as conn:
        await conn.execute(text("CREATE SCHEMA IF NOT EXISTS kerneltest"))
        await conn.run_sync(metadata.create_all)
        for statement in outbox_notify_sql("kerneltest"):
            await conn.execute(text(statement))
    await rt.db.dispose()


@pytest.fixture
async def runtime(infrastructure: Infrastructure, kernel_schema: None) -> AsyncIterator[Runtime]:
    """A fresh kernel-test runtime with its own topics (a per-test prefix), so consumer
    groups and dead letters never mix across tests."""
    rt = build(infrastructure, prefix=f"{infrastructure.topic_prefix}{uuid.uuid4().hex[:6]}")
    await ensure_topics(
        infrastructure.kafka_bootstrap, [rt.settings.topic(ItemCounted.topic), rt.settings.dead_letter_topic()]
    )
    async with rt.db.engine.begin() as conn:
        await conn.execute(
            text(
                "TRUNCATE kerneltest.applied, kerneltest.outbox, kerneltest.inbox, kerneltest.dead_letter, "
                "kerneltest.deadline, kerneltest.audit_log, kerneltest.audit_head, kerneltest.idempotency_key, "
                "kerneltest.parameter_version "
                "RESTART IDENTITY"
            )
        )
    await rt.producer.start()
    yield rt
    await rt.producer.stop()
    await rt.db.dispose()


async def emit_items(rt: Runtime, *items: tuple[str, int]) -> None:
    async with rt.db.unit_of_work() as uow:
        for item, n in items:
            await uow.emit(ItemCounted(item=item, n=n))


async def applied_rows(rt: Runtime) -> list[tuple[str, int]]:
    async with rt.db.read() as s:
        return [(r.item, r.n) for r in (await s.execute(applied.select().order_by(applied.c.n))).all()]


async def consume_until(rt: Runtime, done: Callable[[], Awaitable[bool]], timeout: float = 30) -> None:
    """Run the runtime's consumer until ``done()`` holds (events arrive asynchronously)."""
    stop = asyncio.Event()
    task = asyncio.create_task(rt.consumers[0].run(stop))
    try:
        async with asyncio.timeout(timeout):
            while not await done():
                if task.done():
                    task.result()
                await asyncio.sleep(0.1)
    finally:
        stop.set()
        await task


def unreachable(database_url: str) -> str:
    """The same database URL pointed at a TCP port nobody listens on. Host and port may also
    sit in the query (a unix-socket URL such as the embedded server's): those go, or the
    "unreachable" database would still answer."""
    from sqlalchemy.engine import make_url

    from medaid_shared.localstack import free_port

    url = make_url(database_url)
    query = {k: v for k, v in url.query.items() if k not in {"host", "port"}}
    return url.set(host="127.0.0.1", port=free_port(), query=query).render_as_string(hide_password=False)
