"""The deadline scheduler isolates each row: a failing handler marks that row's attempt
and error and is retried later, the rows behind it still fire; a database outage is
waited out and not counted against any row."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import select, text

from medaid_shared import clock
from medaid_shared.calendar import clock_deadline
from medaid_shared.db import Database, UnitOfWork
from medaid_shared.runtime import Runtime
from medaid_shared.testing import Infrastructure

from .conftest import ItemCounted, KernelTestSettings, build, metadata, unreachable


@pytest.fixture
async def rt(infrastructure: Infrastructure, kernel_schema: None) -> AsyncIterator[Runtime]:
    runtime = build(
        infrastructure,
        transient_retry_initial_s=0.01,
        transient_retry_max_s=0.05,
        deadline_retry_initial_s=60,
        scheduler_interval_s=0.05,
    )
    async with runtime.db.engine.begin() as conn:
        await conn.execute(text("TRUNCATE kerneltest.deadline, kerneltest.outbox"))
    yield runtime
    await runtime.db.dispose()


async def schedule(rt: Runtime, *subjects: str) -> None:
    start = clock.now() - timedelta(hours=2)
    async with rt.db.unit_of_work() as uow:
        for i, subject in enumerate(subjects):
            # due one after the other, in the order given
            await uow.schedule("reply", subject, clock_deadline(start + timedelta(minutes=i), 1), basis="clock")


async def rows(rt: Runtime) -> dict[str, dict[str, Any]]:
    t = rt.db.tables.deadline
    async with rt.db.read() as s:
        return {r["subject"]: dict(r) for r in (await s.execute(select(t))).mappings()}


async def emitted(rt: Runtime) -> list[str]:
    t = rt.db.tables.outbox
    async with rt.db.read() as s:
        return [p["item"] for p in (await s.execute(select(t.c.payload).order_by(t.c.seq))).scalars()]


async def test_a_failing_row_is_marked_and_the_rows_behind_it_still_fire(rt: Runtime) -> None:
    broken = {"d-1"}

    async def overdue(uow: UnitOfWork, row: Any) -> None:
        await uow.emit(ItemCounted(item=f"overdue-{row['subject']}", n=1))
        if row["subject"] in broken:
            raise ValueError("no rule applies to this record")

    assert rt.scheduler is not None
    rt.scheduler.handlers = {"reply": overdue}
    await schedule(rt, "d-1", "d-2", "d-3")  # the failing one is due first
    assert await rt.scheduler.fire_due() == 2
    state = await rows(rt)
    assert {s: r["state"] for s, r in state.items()} == {"d-1": "open", "d-2": "fired", "d-3": "fired"}
    assert state["d-1"]["attempts"] == 1
    assert state["d-1"]["last_error"] == "ValueError: no rule applies to this record"
    assert state["d-1"]["next_attempt_at"] > clock.now()
    assert await emitted(rt) == ["overdue-d-2", "overdue-d-3"]  # the failed row's event rolled back

    assert await rt.scheduler.fire_due() == 0  # not retried before its back-off has passed
    with time_machine.travel(state["d-1"]["next_attempt_at"] + timedelta(seconds=1), tick=False):
        assert await rt.scheduler.fire_due() == 0  # still failing: a second attempt recorded
        assert (await rows(rt))["d-1"]["attempts"] == 2
    broken.clear()  # the fault is fixed
    with time_machine.travel(clock.now() + timedelta(days=1), tick=False):
        assert await rt.scheduler.fire_due() == 1
    assert (await rows(rt))["d-1"]["state"] == "fired"
    assert await emitted(rt) == ["overdue-d-2", "overdue-d-3", "overdue-d-1"]


async def test_a_database_error_in_a_handler_is_an_outage_not_the_rows_failure(rt: Runtime) -> None:
    failures = 2

    async def contended(uow: UnitOfWork, row: Any) -> None:
        nonlocal failures
        await uow.emit(ItemCounted(item=f"overdue-{row['subject']}", n=1))
        if row["subject"] == "d-2" and failures:
            failures -= 1
            await uow.session.execute(
                text("DO $$ BEGIN RAISE EXCEPTION 'could not serialize' USING ERRCODE = '40001'; END $$")
            )

    assert rt.scheduler is not None
    rt.scheduler.handlers = {"reply": contended}
    await schedule(rt, "d-1", "d-2", "d-3")
    stop = asyncio.Event()
    task = asyncio.create_task(rt.scheduler.run(stop))
    try:
        async with asyncio.timeout(30):
            while any(r["state"] != "fired" for r in (await rows(rt)).values()):
                assert not task.done()
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await task
    assert rt.scheduler.outage_retries == 2
    assert all(r["attempts"] == 0 for r in (await rows(rt)).values())  # no row was blamed
    assert sorted(await emitted(rt)) == ["overdue-d-1", "overdue-d-2", "overdue-d-3"]  # each once


async def test_an_unreachable_database_is_waited_out_by_the_scheduler(rt: Runtime) -> None:
    async def overdue(uow: UnitOfWork, row: Any) -> None:
        await uow.emit(ItemCounted(item=f"overdue-{row['subject']}", n=1))

    scheduler = rt.scheduler
    assert scheduler is not None
    scheduler.handlers = {"reply": overdue}
    await schedule(rt, "d-1")
    real_db = scheduler.db
    down_url = unreachable(real_db.settings.database_url)
    down = Database(KernelTestSettings(database_url=down_url), metadata)
    scheduler.db = down
    stop = asyncio.Event()
    task = asyncio.create_task(scheduler.run(stop))
    try:
        async with asyncio.timeout(30):
            while scheduler.outage_retries < 3:
                assert not task.done()
                await asyncio.sleep(0.05)
            scheduler.db = real_db  # the database is back
            while (await rows(rt))["d-1"]["state"] != "fired":
                assert not task.done()
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await task
        await down.dispose()
    assert (await rows(rt))["d-1"]["attempts"] == 0
    assert await emitted(rt) == ["overdue-d-1"]
