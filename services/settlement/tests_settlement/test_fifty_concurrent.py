"""LJ-6.2 under load: fifty settlements of one person at the same moment hold the 60,000
yearly aid ceiling exactly — against the real PostgreSQL."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from medaid_shared.testing import ServiceHarness
from tests_settlement.world import admit, bill, discharge, hospital, insurance, line

D = Decimal
FIFTY = 50


async def _prepare(svc: ServiceHarness, admission_id: str, person_id: str, facility: str, amount: str) -> None:
    await admit(svc, admission_id, person_id, facility)
    await discharge(svc, admission_id, person_id=person_id, facility_id=facility)
    r = await svc.client.post(
        "/bills",
        json=bill(f"B-{admission_id}", [line(amount)], admission_id=admission_id),
        headers=hospital(svc, facility),
    )
    assert r.status_code == 201, r.text


async def test_lj_6_2_fifty_concurrent_settlements_of_one_person_hold_the_60000_ceiling(svc: ServiceHarness) -> None:
    """Each admission alone would take 2,000 of aid (basic insurance ratio 0 here), fifty
    of them 100,000; 1,000 is already used. Together they take exactly the 59,000 left."""
    versions = [
        {
            "kind": "basic_insurance",
            "region": "any",
            "facility_level": "any",
            "effective_from": "2026-01-01",
            "values": {"deductible": "0.00", "ratio": "0", "annual_ceiling": "1.00"},
            "example": True,
        },
        {"kind": "medical_aid", "effective_from": "2026-01-01", "values": {}, "source": "LJ-6.2"},
        {
            "kind": "critical_illness",
            "effective_from": "2026-01-01",
            "values": {"threshold": "0.00", "tiers": [{"from_amount": "0", "ratio": "0"}], "annual_ceiling": "1.00"},
            "example": True,
        },
    ]
    r = await svc.client.post("/admin/parameters", json={"versions": versions}, headers=svc.token("admin"))
    assert r.status_code == 201, r.text
    await _prepare(svc, "F-0", "P50", "H003", "1000.00")
    assert (await svc.client.post("/admissions/F-0/settlement", headers=hospital(svc, "H003"))).status_code == 201
    for i in range(1, FIFTY + 1):
        await _prepare(svc, f"F-{i}", "P50", "H001", "2000.00")

    results = await asyncio.gather(
        *[svc.client.post(f"/admissions/F-{i}/settlement", headers=hospital(svc, "H001")) for i in range(1, FIFTY + 1)]
    )
    assert [r.status_code for r in results] == [201] * FIFTY, [r.text for r in results if r.status_code != 201]
    aid = [D(r.json()["amounts"]["medical_aid"]) for r in results]
    assert sum(aid, D(0)) == D("59000.00")
    assert sum((D(r.json()["amounts"]["support_fund"]) for r in results), D(0)) == D("41000.00")
    ledger = (await svc.client.get("/ledger/P50/2026", headers=insurance(svc))).json()
    assert ledger["aid_used"] == "60000.00"
    assert ledger["aid_remaining"] == "0.00"
