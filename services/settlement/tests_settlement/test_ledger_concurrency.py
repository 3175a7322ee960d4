"""LJ-6.2: concurrent settlements of the same person never exceed the 60,000 ceiling
together — run at the same moment against the real PostgreSQL."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from medaid_shared.testing import ServiceHarness
from settlement.adapters import tables as t
from settlement.adapters.repository import SqlRepository
from tests_settlement.world import admit, bill, discharge, hospital, insurance, line, load_parameters

D = Decimal


async def _prepare(svc: ServiceHarness, admission_id: str, person_id: str, facility: str, amount: str) -> None:
    await admit(svc, admission_id, person_id, facility)
    await discharge(svc, admission_id, person_id=person_id, facility_id=facility)
    r = await svc.client.post(
        "/bills",
        json=bill(f"B-{admission_id}", [line(amount)], admission_id=admission_id),
        headers=hospital(svc, facility),
    )
    assert r.status_code == 201, r.text


async def test_lj_6_2_two_concurrent_settlements_of_one_person_never_exceed_60000(svc: ServiceHarness) -> None:
    """Two hospitals settle the same person at the same moment; each admission alone would
    take 40,000 of aid (basic insurance ratio 0 for this test), 1,000 is already used.
    Together they take exactly the 59,000 left."""
    zero_basic = {
        "kind": "basic_insurance",
        "region": "any",
        "facility_level": "any",
        "effective_from": "2026-01-01",
        "values": {"deductible": "0.00", "ratio": "0", "annual_ceiling": "1.00"},
        "example": True,
    }
    aid = {"kind": "medical_aid", "effective_from": "2026-01-01", "values": {}, "source": "LJ-6.2"}
    no_ci = {
        "kind": "critical_illness",
        "effective_from": "2026-01-01",
        "values": {"threshold": "0.00", "tiers": [{"from_amount": "0", "ratio": "0"}], "annual_ceiling": "1.00"},
        "example": True,
    }
    r = await svc.client.post(
        "/admin/parameters", json={"versions": [zero_basic, aid, no_ci]}, headers=svc.token("admin")
    )
    assert r.status_code == 201, r.text
    persons = [f"P{i}" for i in range(4)]
    for i, person in enumerate(persons):
        # an earlier settlement this year: the person's ledger row already exists, so nothing
        # but the row lock keeps the two concurrent settlements apart
        await _prepare(svc, f"A{i}0", person, "H003", "1000.00")
        assert (
            await svc.client.post(f"/admissions/A{i}0/settlement", headers=hospital(svc, "H003"))
        ).status_code == 201
        await _prepare(svc, f"A{i}a", person, "H001", "40000.00")
        await _prepare(svc, f"A{i}b", person, "H002", "40000.00")

    calls = []
    for i in range(len(persons)):
        calls.append(svc.client.post(f"/admissions/A{i}a/settlement", headers=hospital(svc, "H001")))
        calls.append(svc.client.post(f"/admissions/A{i}b/settlement", headers=hospital(svc, "H002")))
    results = await asyncio.gather(*calls)
    assert [r.status_code for r in results] == [201] * len(calls), [r.text for r in results]

    for i, person in enumerate(persons):
        a, b = results[2 * i].json(), results[2 * i + 1].json()
        aid_total = D(a["amounts"]["medical_aid"]) + D(b["amounts"]["medical_aid"])
        assert aid_total == D("59000.00")
        assert sorted([a["amounts"]["medical_aid"], b["amounts"]["medical_aid"]]) == ["19000.00", "40000.00"]
        # what aid could not pay, the support fund did (LJ-6.1 step 4)
        assert D(a["amounts"]["support_fund"]) + D(b["amounts"]["support_fund"]) == D("21000.00")
        ledger = (await svc.client.get(f"/ledger/{person}/2026", headers=insurance(svc))).json()
        assert ledger["aid_used"] == "60000.00"
        assert ledger["aid_remaining"] == "0.00"
    async with svc.runtime.db.read() as s:
        entries = (await s.execute(select(t.aid_ledger_entry.c.aid_used))).scalars().all()
    assert sum(entries, D(0)) == D("60000.00") * len(persons)


async def test_lj_6_2_the_database_refuses_aid_beyond_the_ceiling(svc: ServiceHarness) -> None:
    """A belt under the braces: even a faulty writer cannot push a year's aid past the ceiling."""
    await load_parameters(svc)
    async with svc.runtime.db.unit_of_work() as uow:
        repo = SqlRepository(uow.session)
        await repo.lock_ledger("PX", 2026, D("60000.00"))
        await repo.apply_ledger(
            "PX",
            2026,
            "S1",
            {"basic_paid": 0, "critical_base": 0, "critical_paid": 0, "aid_used": D("59999.99")},
            D("60000.00"),
        )
    with pytest.raises(IntegrityError, match="aid_within_ceiling"):
        async with svc.runtime.db.unit_of_work() as uow:
            repo = SqlRepository(uow.session)
            await repo.lock_ledger("PX", 2026, D("60000.00"))
            await repo.apply_ledger(
                "PX",
                2026,
                "S2",
                {"basic_paid": 0, "critical_base": 0, "critical_paid": 0, "aid_used": D("0.02")},
                D("60000.00"),
            )
    ledger = (await svc.client.get("/ledger/PX/2026", headers=insurance(svc))).json()
    assert ledger["aid_used"] == "59999.99"
