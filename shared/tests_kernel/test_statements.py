"""The kernel's hot statements are built once per table, reused from the engine's compiled
cache, and do on the real PostgreSQL what the per-call statements did: an inbox claim or
idempotency reservation answers once, a started deadline is not restarted, an outbox row
is written, and an upsert inserts then overwrites."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select, text
from sqlalchemy.engine import default

from medaid_shared import statements
from medaid_shared.db import Database
from medaid_shared.runtime import Runtime
from medaid_shared.testing import Infrastructure

from .conftest import ItemCounted, applied, build

AT = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def db(infrastructure: Infrastructure, kernel_schema: None) -> AsyncIterator[Database]:
    rt: Runtime = build(infrastructure)
    async with rt.db.engine.begin() as conn:
        await conn.execute(
            text("TRUNCATE kerneltest.applied, kerneltest.inbox, kerneltest.deadline, kerneltest.idempotency_key")
        )
    yield rt.db
    await rt.db.dispose()


def test_each_statement_is_built_once_per_table(db: Database) -> None:
    t = db.tables
    for build_one, table in [
        (statements.inbox_claim, t.inbox),
        (statements.idempotency_reservation, t.idempotency_key),
        (statements.idempotency_answer, t.idempotency_key),
        (statements.deadline_start, t.deadline),
        (statements.outbox_row, t.outbox),
    ]:
        assert build_one(table) is build_one(table)
    assert statements.upsert(applied, "event_id", ["item", "n"]) is statements.upsert(
        applied, "event_id", ["n", "item"]
    )
    assert statements.upsert(applied, "event_id", ["n"]) is not statements.upsert(applied, "event_id", ["item", "n"])
    # The statement keeps its cache key, so a call costs no key derivation either.
    claim = statements.inbox_claim(t.inbox)
    assert claim._generate_cache_key() is claim._generate_cache_key()


async def test_an_inbox_claim_answers_once_and_comes_from_the_compiled_cache(db: Database) -> None:
    claim = statements.inbox_claim(db.tables.inbox)
    params = {"consumer": "items", "event_id": str(uuid.uuid4()), "event_type": "medaid.kerneltest.ItemCounted"}
    async with db.unit_of_work() as uow:
        first = await uow.session.execute(claim, params)
        assert first.scalar_one() == params["event_id"]
        again = await uow.session.execute(claim, params)
        assert again.first() is None  # applied before: the consumer does nothing
        assert again.context.cache_hit == default.CACHE_HIT  # type: ignore[attr-defined]
        other = await uow.session.execute(claim, {**params, "consumer": "another"})
        assert other.scalar_one() == params["event_id"]  # the claim is per consumer


async def test_a_batch_inbox_claim_answers_only_for_events_not_claimed_before(db: Database) -> None:
    claim = statements.inbox_claim_batch(db.tables.inbox)
    assert statements.inbox_claim_batch(db.tables.inbox) is claim
    ids = [str(uuid.uuid4()) for _ in range(3)]
    types = ["medaid.kerneltest.ItemCounted"] * 3
    async with db.unit_of_work() as uow:
        first = await uow.session.execute(claim, {"consumer": "items", "event_ids": ids[:2], "event_types": types[:2]})
        assert sorted(first.scalars()) == sorted(ids[:2])
        again = await uow.session.execute(claim, {"consumer": "items", "event_ids": ids, "event_types": types})
        assert list(again.scalars()) == [ids[2]]  # the two applied before answer nothing
        assert again.context.cache_hit == default.CACHE_HIT  # type: ignore[attr-defined]
        other = await uow.session.execute(claim, {"consumer": "another", "event_ids": ids, "event_types": types})
        assert sorted(other.scalars()) == sorted(ids)  # the claim is per consumer


async def test_an_idempotency_reservation_answers_once(db: Database) -> None:
    reserve = statements.idempotency_reservation(db.tables.idempotency_key)
    params = {
        "key": "k-1",
        "principal": "his-01",
        "fingerprint": "f" * 64,
        "status_code": 0,
        "response": {},
        "created_at": AT,
    }
    async with db.unit_of_work() as uow:
        assert (await uow.session.execute(reserve, params)).scalar_one() == "k-1"
        assert (await uow.session.execute(reserve, {**params, "fingerprint": "g" * 64})).first() is None
        assert (await uow.session.execute(reserve, {**params, "principal": "his-02"})).scalar_one() == "k-1"
        answer = {"status_code": 201, "response": {"enc": "x"}, "principal": "his-01", "key": "k-1"}
        await uow.session.execute(statements.idempotency_answer(db.tables.idempotency_key), answer)
        t = db.tables.idempotency_key
        stored = (await uow.session.execute(select(t.c.principal, t.c.status_code, t.c.response))).all()
    assert sorted(tuple(r) for r in stored) == [("his-01", 201, {"enc": "x"}), ("his-02", 0, {})]


async def test_a_started_deadline_is_not_restarted(db: Database) -> None:
    t = db.tables.deadline
    start = statements.deadline_start(t)
    params = {
        "kind": "reply",
        "subject": "R-1",
        "due_at": AT,
        "basis": "working_days",
        "calendar_provisional": False,
        "payload": {"days": 3},
    }
    async with db.unit_of_work() as uow:
        await uow.session.execute(start, {**params, "id": uuid.uuid4()})
        await uow.session.execute(start, {**params, "id": uuid.uuid4(), "due_at": AT + timedelta(days=9)})
        rows = (await uow.session.execute(select(t.c.due_at, t.c.payload).where(t.c.subject == "R-1"))).all()
    assert [(row.due_at, row.payload) for row in rows] == [(AT, {"days": 3})]


async def test_an_upsert_inserts_then_overwrites(db: Database) -> None:
    async with db.unit_of_work() as uow:
        row = {"event_id": "P-1", "item": "first", "n": 1}
        await uow.session.execute(statements.upsert(applied, "event_id", row), row)
        changed = {"event_id": "P-1", "item": "second", "n": 2}
        await uow.session.execute(statements.upsert(applied, "event_id", changed), changed)
        stored = (await uow.session.execute(select(applied.c.item, applied.c.n))).all()
    assert [tuple(r) for r in stored] == [("second", 2)]


async def test_an_emitted_event_is_an_outbox_row_due_when_it_occurred(db: Database) -> None:
    t = db.tables.outbox
    async with db.unit_of_work() as uow:
        await uow.session.execute(text("TRUNCATE kerneltest.outbox"))
        event_id = await uow.emit(ItemCounted(item="x", n=7))
    async with db.read() as s:
        row = (await s.execute(select(t).where(t.c.id == event_id))).mappings().one()
    assert (row["key"], row["payload"], row["state"]) == ("x", {"item": "x", "n": 7}, "pending")
    assert row["available_at"] == row["occurred_at"]


async def test_an_insert_of_a_new_row_a_locked_row_and_a_counter(db: Database) -> None:
    cols = ("event_id", "item", "n")
    async with db.unit_of_work() as uow:
        await uow.session.execute(text("TRUNCATE kerneltest.applied"))
        new = statements.insert_new(applied, cols, returning="event_id")
        assert new is statements.insert_new(applied, cols, returning="event_id")
        row = {"event_id": "C-1", "item": "first", "n": 1}
        assert (await uow.session.execute(new, row)).scalar_one() == "C-1"
        assert (await uow.session.execute(new, {**row, "item": "second"})).first() is None  # kept
        locked = statements.locked_row(applied, ("event_id",), cols)
        got = (await uow.session.execute(locked, {**row, "item": "ignored", "n": 9})).mappings().one()
        assert dict(got) == row  # the stored row, unchanged, returned whole
        made = (await uow.session.execute(locked, {"event_id": "C-2", "item": "made", "n": 0})).mappings().one()
        assert dict(made) == {"event_id": "C-2", "item": "made", "n": 0}
    counted = Table(
        "counted",
        MetaData(schema="kerneltest"),
        Column("k", String(20), primary_key=True),
        Column("n", Integer, nullable=False),
    )
    count = statements.counter(counted, ("k",), "n")
    async with db.unit_of_work() as uow:
        await uow.session.execute(text("DROP TABLE IF EXISTS kerneltest.counted"))
        await uow.session.execute(text("CREATE TABLE kerneltest.counted (k varchar(20) PRIMARY KEY, n int NOT NULL)"))
        values = [(await uow.session.execute(count, {"k": "C", "n": 1})).scalar_one() for _ in range(3)]
        await uow.session.execute(text("DROP TABLE kerneltest.counted"))
    assert values == [1, 2, 3]


async def test_an_upsert_newer_by_a_time_keeps_the_newer_row(db: Database) -> None:
    versioned = Table(
        "versioned",
        MetaData(schema="kerneltest"),
        Column("id", String(20), primary_key=True),
        Column("v", String(20)),
        Column("source_time", DateTime(timezone=True)),
    )
    stmt = statements.upsert(versioned, "id", ["id", "v", "source_time"], newer_by="source_time", returning="id")
    async with db.unit_of_work() as uow:
        await uow.session.execute(text("DROP TABLE IF EXISTS kerneltest.versioned"))
        await uow.session.execute(
            text(
                "CREATE TABLE kerneltest.versioned (id varchar(20) PRIMARY KEY, v varchar(20), source_time timestamptz)"
            )
        )

        async def put(v: str, at: datetime | None) -> bool:
            return (await uow.session.execute(stmt, {"id": "V", "v": v, "source_time": at})).first() is not None

        assert await put("new", AT)
        assert not await put("older", AT - timedelta(hours=1))  # an older event never overwrites
        assert await put("same time", AT)
        assert await put("untimed", None)
        stored = (await uow.session.execute(text("SELECT v FROM kerneltest.versioned"))).scalar_one()
        await uow.session.execute(text("DROP TABLE kerneltest.versioned"))
    assert stored == "untimed"
