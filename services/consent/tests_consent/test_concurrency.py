"""Concurrent commands: the LJ-7.3 cumulative and the LJ-11.2 rotation stay correct."""

from __future__ import annotations

import asyncio

from medaid_shared.testing import ServiceHarness

from .helpers import capacity, setup_person

HOSPITAL = ("hospital", "facility:H001")


async def test_lj_7_3_concurrent_proposals_see_each_other_in_the_cumulative(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True))
    body = {
        "item_code": "X",
        "item_name": "n",
        "category": "drug",
        "unit_price": "800.00",
        "quantity": 1,
        "necessity": "x",
        "attending_doctor": "d",
    }
    # three different items (one item's proposals within the window are one single cost)
    results = await asyncio.gather(
        *(
            svc.client.post(
                "/admissions/A1/self-pay-items", json={**body, "item_code": code}, headers=svc.token(*HOSPITAL)
            )
            for code in ("X", "X-01", "X-02")
        )
    )
    items = [r.json() for r in results]
    assert sorted(i["cumulative_after"] for i in items) == ["1600.00", "2400.00", "800.00"]
    assert sum(i["needs_civil_affairs"] for i in items) == 1


async def test_lj_7_0_concurrent_proposals_of_one_item_are_one_single_cost(svc: ServiceHarness) -> None:
    """LJ-7.0: six concurrent 199.99 proposals of one item — each sees the ones before it,
    so exactly one is recorded without review and the sixth (1,199.94) is filed (LJ-7.3)."""
    await setup_person(svc, capacity=capacity(True))
    body = {
        "item_code": "X",
        "item_name": "n",
        "category": "drug",
        "unit_price": "199.99",
        "quantity": 1,
        "necessity": "x",
        "attending_doctor": "d",
    }
    results = await asyncio.gather(
        *(svc.client.post("/admissions/A1/self-pay-items", json=body, headers=svc.token(*HOSPITAL)) for _ in range(6))
    )
    items = [r.json() for r in results]
    assert sum(not i["needs_review"] for i in items) == 1
    assert sum(i["needs_civil_affairs"] for i in items) == 1


async def test_lj_11_2_concurrent_assignments_rotate(svc: ServiceHarness) -> None:
    await setup_person(svc)
    for e, h in (("E2", "H002"), ("E3", "H003")):
        await svc.client.post(
            "/experts",
            json={"expert_id": e, "name": e, "hospital_id": h, "specialty": "surgery"},
            headers=svc.token("health_bureau"),
        )
    tids = []
    for _ in range(2):
        r = await svc.client.post(
            "/admissions/A1/treatments",
            json={
                "kind": "major",
                "category": "surgery",
                "procedure_code": "51.2300",
                "description": "x",
                "attending_doctor": "d",
            },
            headers=svc.token(*HOSPITAL),
        )
        tids.append(r.json()["treatment_id"])
    results = await asyncio.gather(
        *(
            svc.client.post(f"/treatments/{t}/expert-assignment", json={}, headers=svc.token("health_bureau"))
            for t in tids
        )
    )
    assert sorted(r.json()["expert"]["expert_id"] for r in results) == ["E2", "E3"]
