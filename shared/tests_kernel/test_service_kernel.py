"""The kernel inside a service: problem details, idempotent commands, trace propagation
HTTP → outbox → Kafka → consumer, deadlines fired exactly once, the audit hash chain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated, Any

import httpx
import pytest
import time_machine
from fastapi import APIRouter, Body
from pydantic import BaseModel, Field
from sqlalchemy import select, text, update

from medaid_shared import clock
from medaid_shared.app import IdempotencyKey, RuntimeDep, create_service_app
from medaid_shared.audit import verify_chain
from medaid_shared.auth import CurrentPrincipal, issue_token
from medaid_shared.authz import Policy
from medaid_shared.calendar import clock_deadline
from medaid_shared.db import UnitOfWork
from medaid_shared.idempotency import KERNEL_PARAMETERS, kernel_parameter_defaults, run_command
from medaid_shared.parameter_api import parameter_router
from medaid_shared.parameter_store import ServiceParameters
from medaid_shared.runtime import Runtime
from medaid_shared.testing import Infrastructure

from .conftest import ItemCounted, applied_rows, build, consume_until

POLICY = Policy.from_mapping({"item.count": ["hospital"], "parameters.change": ["admin"]})


class CountItem(BaseModel):
    item: str = Field(min_length=1, max_length=50)
    n: int = Field(gt=0)


def item_router() -> APIRouter:
    router = APIRouter()

    @router.post("/items", status_code=201)
    async def count_item(
        body: Annotated[CountItem, Body()], principal: CurrentPrincipal, runtime: RuntimeDep, key: IdempotencyKey = None
    ) -> Any:
        runtime.policy.authorize(principal, "item.count")

        async def command(uow: UnitOfWork) -> tuple[int, Any]:
            event_id = await uow.emit(ItemCounted(item=body.item, n=body.n))
            await uow.audit(principal, "item.count", body.item, reason="test")
            return 201, {"event_id": str(event_id), "item": body.item}

        _status, result = await run_command(runtime.db, principal, key, body, command)
        return result

    return router


@pytest.fixture
async def app_client(runtime: Runtime) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    runtime.policy = POLICY
    parameters = ServiceParameters(KERNEL_PARAMETERS, runtime.db.tables.parameter_version).including(
        KERNEL_PARAMETERS, kernel_parameter_defaults
    )
    app = create_service_app(
        lambda: runtime,
        title="medaid kerneltest",
        description="kernel test",
        routers=[item_router(), parameter_router(parameters)],
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test/v1") as client:
        yield runtime, client


def auth(rt: Runtime, role: str = "hospital", subject: str = "h-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(rt.settings, subject=subject, role=role, scopes=['facility:H1'])}"}


async def test_problem_details_for_missing_token_wrong_role_and_bad_field(app_client: Any) -> None:
    rt, client = app_client
    r = await client.post("/items", json={"item": "a", "n": 1})
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "/problems/unauthorized"
    r = await client.post("/items", json={"item": "a", "n": 1}, headers=auth(rt, "police"))
    assert r.status_code == 403 and "police" in r.json()["detail"]
    r = await client.post("/items", json={"item": "a", "n": 0}, headers=auth(rt))
    body = r.json()
    assert r.status_code == 422 and body["field"] == "/n" and body["title"] == "Invalid request"
    assert set(body) >= {"type", "title", "status", "detail", "field"}
    assert await rt.db.outbox_backlog() == 0  # rejected commands changed nothing


async def test_a_repeated_command_changes_nothing_twice(app_client: Any) -> None:
    rt, client = app_client
    headers = {**auth(rt), "Idempotency-Key": "req-1"}
    first = await client.post("/items", json={"item": "a", "n": 1}, headers=headers)
    again = await client.post("/items", json={"item": "a", "n": 1}, headers=headers)
    assert first.status_code == 201 and again.json() == first.json()
    assert await rt.db.outbox_backlog() == 1
    clash = await client.post("/items", json={"item": "b", "n": 1}, headers=headers)
    assert clash.status_code == 409 and clash.json()["field"] == "Idempotency-Key"
    other_caller = await client.post(
        "/items", json={"item": "a", "n": 1}, headers={**auth(rt, subject="h-2"), "Idempotency-Key": "req-1"}
    )
    assert other_caller.json()["event_id"] != first.json()["event_id"]


async def test_traceparent_flows_from_http_through_kafka_to_the_consumer(app_client: Any) -> None:
    rt, client = app_client
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    headers = {**auth(rt), "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"}
    assert (await client.post("/items", json={"item": "traced", "n": 5}, headers=headers)).status_code == 201
    t = rt.db.tables.outbox
    async with rt.db.read() as s:
        stored = (await s.execute(select(t.c.traceparent))).scalar_one()
    assert stored.split("-")[1] == trace_id
    await rt.relay.publish_batch()
    seen: list[str | None] = []
    consumer = rt.consumers[0]
    original = consumer.handlers[ItemCounted.event_type]

    async def spy(uow: UnitOfWork, event: Any, meta: Any) -> None:
        seen.append(meta.traceparent)
        await original(uow, event, meta)

    consumer.handlers[ItemCounted.event_type] = spy

    async def applied() -> bool:
        return len(await applied_rows(rt)) == 1

    await consume_until(rt, applied)
    assert seen[0] is not None and seen[0].split("-")[1] == trace_id


async def test_deadline_fires_its_event_exactly_once(infrastructure: Infrastructure, kernel_schema: None) -> None:
    fired: list[str] = []

    async def overdue(uow: UnitOfWork, row: Any) -> None:
        fired.append(row["subject"])
        await uow.emit(ItemCounted(item=f"overdue-{row['subject']}", n=1))

    rt = build(infrastructure)
    rt.scheduler.handlers = {"reply": overdue}  # type: ignore[union-attr]
    async with rt.db.engine.begin() as conn:
        await conn.execute(text("TRUNCATE kerneltest.deadline, kerneltest.outbox"))
    start = clock.now()
    async with rt.db.unit_of_work() as uow:
        await uow.schedule("reply", "r-1", clock_deadline(start, 24), basis="clock")
        await uow.schedule("reply", "r-2", clock_deadline(start, 72), basis="clock")
        await uow.schedule("reply", "r-1", clock_deadline(start, 1), basis="clock")  # ignored: already started
    assert await rt.scheduler.fire_due() == 0  # type: ignore[union-attr]
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        assert await rt.scheduler.fire_due() == 1  # type: ignore[union-attr]
        assert await rt.scheduler.fire_due() == 0  # type: ignore[union-attr]
    async with rt.db.unit_of_work() as uow:
        assert await uow.close_deadline("reply", "r-2") is True  # met in time
    with time_machine.travel(start + timedelta(days=5), tick=False):
        assert await rt.scheduler.fire_due() == 0  # type: ignore[union-attr]
    assert fired == ["r-1"]
    assert await rt.db.outbox_backlog() == 1
    await rt.db.dispose()


async def test_audit_chain_verifies_and_detects_tampering(runtime: Runtime) -> None:
    from medaid_shared.auth import Principal, Role

    who = Principal("ca-1", Role.CIVIL_AFFAIRS)
    for i in range(3):
        async with runtime.db.unit_of_work() as uow:
            await uow.audit(who, "selfpay.approve", f"item-{i}", reason="necessary", details={"amount": "1500.00"})
    report = await verify_chain(runtime.db)
    assert report.ok and report.entries == 3
    t = runtime.db.tables.audit_log
    async with runtime.db.unit_of_work() as uow:
        await uow.session.execute(update(t).where(t.c.seq == 2).values(reason="changed afterwards"))
    report = await verify_chain(runtime.db)
    assert not report.ok and report.broken_at == 2


async def test_values_the_database_cannot_store_are_the_callers_mistake(app_client: Any) -> None:
    """A NUL character reaches PostgreSQL as a data exception (SQLSTATE 22): 422, not 500."""
    rt, client = app_client
    r = await client.post("/items", json={"item": "bad\u0000item", "n": 1}, headers=auth(rt))
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert await rt.db.outbox_backlog() == 0
    r = await client.get("/calendar/573902855")
    assert r.status_code == 422 and r.json()["field"] == "year"


async def test_migration_drift_reports_tables_the_database_lacks(
    infrastructure: Infrastructure, kernel_schema: None
) -> None:
    from sqlalchemy import Column, Integer, MetaData, Table

    from medaid_shared.auth import Policy
    from medaid_shared.tables import kernel_tables
    from medaid_shared.testing import migration_drift

    from .conftest import KernelTestSettings, metadata

    assert await migration_drift(build(infrastructure)) == []
    drifted = MetaData(schema="kerneltest")
    kernel_tables(drifted)
    for table in metadata.tables.values():
        if table.name == "applied":
            table.to_metadata(drifted)
    Table("never_migrated", drifted, Column("id", Integer, primary_key=True))
    settings = KernelTestSettings(database_url=infrastructure.database_url, environment="test", run_background=False)
    rt = Runtime.build(settings, drifted, Policy.from_mapping({}))
    diff = await migration_drift(rt)
    assert [d[0] for d in diff] == ["add_table"] and diff[0][1].name == "never_migrated"
    await rt.db.dispose()


async def test_concurrent_retries_with_one_key_run_the_command_once(app_client: Any) -> None:
    import asyncio

    rt, client = app_client
    headers = {**auth(rt), "Idempotency-Key": "burst-1"}
    answers = await asyncio.gather(
        *[client.post("/items", json={"item": "burst", "n": 1}, headers=headers) for _ in range(8)]
    )
    assert {r.status_code for r in answers} == {201}
    assert len({r.json()["event_id"] for r in answers}) == 1
    assert await rt.db.outbox_backlog() == 1


async def test_spec_0_4_stored_answers_are_ciphertext_and_expire_after_the_retention(app_client: Any) -> None:
    """Issue scenario: the stored answer of a command run with an Idempotency-Key holds no
    personal data in clear, still answers a retry, and is purged after the retention."""
    from medaid_shared.idempotency import purge_expired

    rt, client = app_client
    headers = {**auth(rt), "Idempotency-Key": "name-1"}
    first = await client.post("/items", json={"item": "张小三", "n": 1}, headers=headers)
    t = rt.db.tables.idempotency_key
    async with rt.db.read() as s:
        stored = str((await s.execute(select(t.c.response))).scalars().all())
    assert "张小三" not in stored and "item" not in stored
    assert (await client.post("/items", json={"item": "张小三", "n": 1}, headers=headers)).json() == first.json()
    days = rt.settings.idempotency_retention_days
    with time_machine.travel(clock.now() + timedelta(days=days) - timedelta(minutes=1), tick=False):
        assert await purge_expired(rt.db) == 0
    with time_machine.travel(clock.now() + timedelta(days=days, minutes=1), tick=False):
        assert await purge_expired(rt.db) == 1
    async with rt.db.read() as s:
        assert (await s.execute(select(t))).first() is None


async def test_spec_0_4_idempotency_retention_is_a_versioned_parameter_the_purge_reads(app_client: Any) -> None:
    """The retention is a kernel kind of versioned parameters every service stores: a version
    an administrator loads applies from its effective date, the setting only as the default."""
    from medaid_shared.idempotency import purge_expired, retention_in_force

    rt, client = app_client
    assert (await retention_in_force(rt.db)).version_id == "idempotency_retention:any:any:default"
    today = clock.to_local(clock.now()).date()
    weaker = {"kind": "idempotency_retention", "effective_from": today.isoformat(), "values": {"retention_days": 0}}
    r = await client.post("/admin/parameters", json={"versions": [weaker]}, headers=auth(rt, "admin", "admin-1"))
    assert r.status_code == 422 and "retention_days" in r.json()["field"]
    version = {**weaker, "values": {"retention_days": 30}, "source": "区政务数据管理局通知"}
    r = await client.post("/admin/parameters", json={"versions": [version]}, headers=auth(rt, "admin", "admin-1"))
    assert r.status_code == 201, r.text
    assert (await retention_in_force(rt.db)).version_id == f"idempotency_retention:any:any:{today.isoformat()}"
    headers = {**auth(rt), "Idempotency-Key": "kept-30-days"}
    assert (await client.post("/items", json={"item": "a", "n": 1}, headers=headers)).status_code == 201
    default_days = rt.settings.idempotency_retention_days
    with time_machine.travel(clock.now() + timedelta(days=default_days, minutes=1), tick=False):
        assert await purge_expired(rt.db) == 0  # the loaded 30 days, not the setting's 7
    with time_machine.travel(clock.now() + timedelta(days=30) - timedelta(minutes=1), tick=False):
        assert await purge_expired(rt.db) == 0
    with time_machine.travel(clock.now() + timedelta(days=30, minutes=1), tick=False):
        assert await purge_expired(rt.db) == 1


async def test_spec_0_4_the_purge_applies_the_retention_version_in_force_on_the_day_it_runs(app_client: Any) -> None:
    """Two versions of the idempotency retention follow each other (30 days, then 5): the
    purge deletes the answers older than the version in force that day and keeps the newer
    ones, so the same answers live or go depending on which version applies."""
    from medaid_shared.idempotency import purge_expired

    rt, client = app_client
    t = rt.db.tables.idempotency_key
    start = clock.now()
    today = clock.to_local(start).date()
    switch = today + timedelta(days=20)
    versions = [
        {
            "kind": "idempotency_retention",
            "effective_from": today.isoformat(),
            "effective_to": switch.isoformat(),
            "values": {"retention_days": 30},
        },
        {"kind": "idempotency_retention", "effective_from": switch.isoformat(), "values": {"retention_days": 5}},
    ]
    r = await client.post("/admin/parameters", json={"versions": versions}, headers=auth(rt, "admin", "admin-1"))
    assert r.status_code == 201, r.text

    async def answer(key: str, on_day: int) -> None:
        with time_machine.travel(start + timedelta(days=on_day), tick=False):
            headers = {**auth(rt), "Idempotency-Key": key}
            assert (await client.post("/items", json={"item": key, "n": 1}, headers=headers)).status_code == 201

    async def purge_on(day: int) -> int:
        with time_machine.travel(start + timedelta(days=day), tick=False):
            return await purge_expired(rt.db)

    async def kept() -> set[str]:
        async with rt.db.read() as s:
            return set((await s.execute(select(t.c.key))).scalars())

    await answer("day-0", 0)
    await answer("day-18", 18)
    assert await purge_on(19) == 0  # 30 days in force: the 19-day-old answer is kept
    assert await kept() == {"day-0", "day-18"}
    assert await purge_on(21) == 1  # 5 days in force: 21 days old goes, 3 days old stays
    assert await kept() == {"day-18"}
    assert await purge_on(24) == 1
    assert await kept() == set()
