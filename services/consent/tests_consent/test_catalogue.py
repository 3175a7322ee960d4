"""SPEC 0.5 / LJ-7.0: a self-pay proposal names an item code; whether the item is outside
the insurance catalogue is looked up in the catalogue settlement publishes, never sent."""

from __future__ import annotations

from datetime import date
from typing import Any

from medaid_shared.testing import ServiceHarness

from .helpers import catalogue_event, feed, setup_person

HOSPITAL = ("hospital", "facility:H001")


def proposal(code: str, **extra: Any) -> dict[str, Any]:
    return {
        "item_code": code,
        "item_name": "人血白蛋白",
        "category": "drug",
        "unit_price": "5000.00",
        "quantity": 1,
        "necessity": "低蛋白血症",
        "attending_doctor": "doc-1",
        **extra,
    }


async def _nothing_proposed(svc: ServiceHarness) -> None:
    r = await svc.client.get("/admissions/A1/records", headers=svc.token(*HOSPITAL))
    assert r.json()["self_pay_items"] == []
    assert await svc.published("SelfPayProposed") == []


async def test_a_self_pay_proposal_for_an_in_catalogue_item_is_refused(svc: ServiceHarness) -> None:
    await setup_person(svc)
    r = await svc.client.post("/admissions/A1/self-pay-items", json=proposal("IN-01"), headers=svc.token(*HOSPITAL))
    assert r.status_code == 422, r.text
    assert (r.json()["field"], r.json()["rule"]) == ("/item_code", "LJ-7.0")
    assert "in the insurance catalogue" in r.json()["detail"]
    await _nothing_proposed(svc)


async def test_an_unknown_item_code_is_a_problem_naming_the_field(svc: ServiceHarness) -> None:
    await setup_person(svc)
    r = await svc.client.post("/admissions/A1/self-pay-items", json=proposal("NOPE"), headers=svc.token(*HOSPITAL))
    assert r.status_code == 422, r.text
    assert (r.json()["field"], r.json()["rule"]) == ("/item_code", "LJ-7.0")
    await _nothing_proposed(svc)


async def test_the_hospital_cannot_say_the_item_is_out_of_catalogue(svc: ServiceHarness) -> None:
    await setup_person(svc)
    body = proposal("IN-01", in_catalogue=False)
    r = await svc.client.post("/admissions/A1/self-pay-items", json=body, headers=svc.token(*HOSPITAL))
    assert r.status_code == 422 and r.json()["field"] == "/in_catalogue"
    await _nothing_proposed(svc)


async def test_the_published_catalogue_decides_by_region_and_date(svc: ServiceHarness) -> None:
    """The facility's region has its own entry (Liujiang lists the item in the catalogue
    from March): it wins over the entry for any region from its effective date."""
    await setup_person(svc)
    await feed(
        svc,
        catalogue_event(
            "X-01", True, version_id="X-01:liujiang:2026-03-01", region="liujiang", effective_from=date(2026, 3, 1)
        ),
    )
    r = await svc.client.post("/admissions/A1/self-pay-items", json=proposal("X-01"), headers=svc.token(*HOSPITAL))
    assert r.status_code == 422 and r.json()["rule"] == "LJ-7.0", r.text
    r = await svc.client.post("/admissions/A1/self-pay-items", json=proposal("X-02"), headers=svc.token(*HOSPITAL))
    assert r.status_code == 201, r.text
