"""The decision log's per-subject hash chains: appends about different subjects do not wait
for each other, and ``medaid audit verify`` catches an edited, inserted or deleted entry, a
deleted last entry, and a rewritten head table against a digest auditors kept."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import delete, insert, select, text, update

from medaid_shared import clock
from medaid_shared.audit import HeadDigest, head_digest, verify_chain
from medaid_shared.auth import Principal, Role
from medaid_shared.runtime import Runtime

WHO = Principal("ca-1", Role.CIVIL_AFFAIRS)


async def append(rt: Runtime, subject: str, n: int = 1) -> None:
    for i in range(n):
        async with rt.db.unit_of_work() as uow:
            await uow.audit(WHO, "selfpay.approve", subject, reason="necessary", details={"amount": f"{i}.00"})


async def seqs(rt: Runtime, subject: str) -> list[int]:
    t = rt.db.tables.audit_log
    async with rt.db.read() as s:
        return list((await s.execute(select(t.c.seq).where(t.c.subject == subject).order_by(t.c.seq))).scalars())


async def test_appends_about_other_subjects_do_not_wait(runtime: Runtime) -> None:
    """No lock per service: while one decision about item-a is uncommitted, a decision about
    item-b appends and commits (a lock wait would fail on the lock timeout instead)."""
    async with runtime.db.unit_of_work() as first:
        await first.audit(WHO, "selfpay.approve", "item-a")
        async with runtime.db.unit_of_work() as second:
            await second.session.execute(text("SET LOCAL lock_timeout = '2s'"))
            await second.audit(WHO, "selfpay.approve", "item-b")
    await append(runtime, "item-a")
    report = await verify_chain(runtime.db)
    assert report.ok and report.entries == 3


async def test_verify_catches_an_edited_entry(runtime: Runtime) -> None:
    await append(runtime, "item-1", 3)
    assert (await verify_chain(runtime.db)).ok
    t = runtime.db.tables.audit_log
    second = (await seqs(runtime, "item-1"))[1]
    async with runtime.db.unit_of_work() as uow:
        await uow.session.execute(update(t).where(t.c.seq == second).values(reason="changed afterwards"))
    report = await verify_chain(runtime.db)
    assert not report.ok and report.broken_at == second and "content" in report.reason


async def test_verify_catches_a_deleted_entry(runtime: Runtime) -> None:
    await append(runtime, "item-1", 3)
    await append(runtime, "item-2", 2)
    t = runtime.db.tables.audit_log
    _, second, third = await seqs(runtime, "item-1")
    async with runtime.db.unit_of_work() as uow:
        await uow.session.execute(delete(t).where(t.c.seq == second))
    report = await verify_chain(runtime.db)
    assert not report.ok and report.broken_at == third and "inserted or deleted" in report.reason


async def test_verify_catches_a_deleted_last_entry(runtime: Runtime) -> None:
    await append(runtime, "item-1", 3)
    t = runtime.db.tables.audit_log
    last = (await seqs(runtime, "item-1"))[-1]
    async with runtime.db.unit_of_work() as uow:
        await uow.session.execute(delete(t).where(t.c.seq == last))
    report = await verify_chain(runtime.db)
    assert not report.ok and "head" in report.reason


async def test_verify_catches_an_inserted_entry(runtime: Runtime) -> None:
    await append(runtime, "item-1", 2)
    t = runtime.db.tables.audit_log
    async with runtime.db.read() as s:
        row = dict((await s.execute(select(t).order_by(t.c.seq).limit(1))).mappings().one())
    forged = {**row, "reason": "backdated", "hash": "f" * 64}
    del forged["seq"]
    async with runtime.db.unit_of_work() as uow:
        await uow.session.execute(insert(t).values(**forged))
    report = await verify_chain(runtime.db)
    assert not report.ok


async def test_a_published_head_digest_catches_a_rewritten_head(runtime: Runtime) -> None:
    """Delete the last entry and move the head back to match: the chain looks whole, but
    the digest auditors recorded earlier is no longer reproduced."""
    await append(runtime, "item-1", 3)
    await append(runtime, "item-2", 1)
    with time_machine.travel(clock.now() + timedelta(minutes=5)):
        published = await head_digest(runtime.db)
    assert published.entries == 4
    assert (await verify_chain(runtime.db, published)).ok
    t, heads = runtime.db.tables.audit_log, runtime.db.tables.audit_head
    _, second, third = await seqs(runtime, "item-1")
    async with runtime.db.unit_of_work() as uow:
        prev = (await uow.session.execute(select(t.c.hash).where(t.c.seq == second))).scalar_one()
        await uow.session.execute(delete(t).where(t.c.seq == third))
        await uow.session.execute(
            update(heads).where(heads.c.subject == "item-1").values(hash=prev, entries=2, last_seq=second)
        )
    assert (await verify_chain(runtime.db)).ok  # heads rewritten: the chains alone look whole
    report = await verify_chain(runtime.db, published)
    assert not report.ok and "digest" in report.reason
    assert not (await verify_chain(runtime.db, HeadDigest(published.seq, 0, "0" * 64))).ok


async def test_two_decisions_about_one_subject_at_once_chain_one_after_the_other(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry is appended in one statement when nobody else moved the subject's head; the
    second of two concurrent decisions about one subject waits for the first to commit,
    finds the head moved, and appends after it (no fork, nothing lost), for a subject's
    first entry and for a later one alike."""
    import asyncio
    import itertools

    from medaid_shared import db as db_module

    locked_reads = 0
    locked_head = db_module._audit_head

    def counted(schema: str) -> Any:
        nonlocal locked_reads
        locked_reads += 1
        return locked_head(schema)

    monkeypatch.setattr(db_module, "_audit_head", counted)
    for subject, earlier in (("item-new", 0), ("item-old", 2)):
        await append(runtime, subject, earlier)
        first_in = asyncio.Event()

        async def first(subject: str = subject, first_in: asyncio.Event = first_in) -> None:
            async with runtime.db.unit_of_work() as uow:
                await uow.audit(WHO, "selfpay.approve", subject, details={"n": "first"})
                first_in.set()
                await asyncio.sleep(0.3)  # the second decision is waiting on the head meanwhile

        async def second(subject: str = subject, first_in: asyncio.Event = first_in) -> None:
            await first_in.wait()
            async with runtime.db.unit_of_work() as uow:
                await uow.audit(WHO, "selfpay.approve", subject, details={"n": "second"})

        await asyncio.gather(first(), second())
        t = runtime.db.tables.audit_log
        async with runtime.db.read() as s:
            rows = (await s.execute(select(t).where(t.c.subject == subject).order_by(t.c.seq))).mappings().all()
        assert [r["details"].get("n") for r in rows[earlier:]] == ["first", "second"]
        assert all(later["prev_hash"] == before["hash"] for before, later in itertools.pairwise(rows))
    assert locked_reads == 2  # only the second decision of each pair took the two-statement path
    report = await verify_chain(runtime.db)
    assert report.ok and report.entries == 6


async def test_an_entry_hashed_by_the_database_is_the_hash_verify_recomputes(runtime: Runtime) -> None:
    from medaid_shared.db import GENESIS_HASH, audit_hash

    async with runtime.db.unit_of_work() as uow:
        digest = await uow.audit(WHO, "selfpay.approve", "item-中文", reason="必要", details={"名": "张三", "n": 1})
    t = runtime.db.tables.audit_log
    async with runtime.db.read() as s:
        row = (await s.execute(select(t).where(t.c.subject == "item-中文"))).mappings().one()
    entry = {k: row[k] for k in ("actor", "role", "action", "subject", "reason", "details")}
    assert row["prev_hash"] == GENESIS_HASH
    assert row["hash"] == digest == audit_hash(GENESIS_HASH, {"at": row["at"].isoformat(), **entry})
    assert (await verify_chain(runtime.db)).ok
