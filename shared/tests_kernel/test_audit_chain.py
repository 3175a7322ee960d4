"""The decision log's per-subject hash chains: appends about different subjects do not wait
for each other, and ``medaid audit verify`` catches an edited, inserted or deleted entry, a
deleted last entry, and a rewritten head table against a digest auditors kept."""

from __future__ import annotations

from datetime import timedelta

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
