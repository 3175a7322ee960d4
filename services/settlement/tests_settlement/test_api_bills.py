"""Itemised bills: per admission, interim and final, idempotent by bill number, corrected by
replacement; a hospital submits and reads only its own bills."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from medaid_shared import ids
from medaid_shared.testing import ServiceHarness
from settlement.adapters import tables as t
from tests_settlement.world import admit, bill, discharge, hospital, insurance, line


async def _bill_rows(svc: ServiceHarness) -> tuple[int, int]:
    async with svc.runtime.db.read() as s:
        bills = (await s.execute(select(func.count()).select_from(t.bill))).scalar_one()
        lines = (await s.execute(select(func.count()).select_from(t.bill_line))).scalar_one()
    return int(bills), int(lines)


async def test_hospital_submits_interim_and_final_bills_with_their_lines(svc: ServiceHarness) -> None:
    await admit(svc)
    interim = bill("B1", [line("120.50", quantity="2"), line("99.00", in_catalogue=False, item="SP1")], kind="interim")
    r = await svc.client.post("/bills", json=interim, headers=hospital(svc))
    assert r.status_code == 201, r.text
    b = r.json()
    assert (b["kind"], b["total"], b["line_count"], b["facility_id"]) == ("interim", "219.50", 2, "H001")
    assert b["lines"][0]["unit_price"] == "60.25"
    r = await svc.client.post("/bills", json=bill("B2", [line("10.00")]), headers=hospital(svc))
    assert r.status_code == 201
    got = await svc.client.get(f"/bills/{b['bill_id']}", headers=hospital(svc))
    assert got.status_code == 200
    assert [ln["amount"] for ln in got.json()["lines"]] == ["120.50", "99.00"]
    listed = await svc.client.get("/bills?admission_id=A1", headers=hospital(svc))
    assert {x["bill_number"] for x in listed.json()["items"]} == {"B1", "B2"}
    audit = await svc.client.get("/bills", headers=svc.token("civil_affairs"))
    assert len(audit.json()["items"]) == 2


async def test_the_same_bill_number_twice_is_idempotent_and_other_content_conflicts(svc: ServiceHarness) -> None:
    await admit(svc)
    body = bill("B1", [line("100.00")], kind="interim")
    first = await svc.client.post("/bills", json=body, headers=hospital(svc))
    again = await svc.client.post("/bills", json=body, headers=hospital(svc))
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["bill_id"] == first.json()["bill_id"]
    other = await svc.client.post("/bills", json=bill("B1", [line("200.00")], kind="interim"), headers=hospital(svc))
    assert other.status_code == 409
    assert other.json()["field"] == "/bill_number"
    assert await _bill_rows(svc) == (1, 1)


async def test_a_bill_after_the_final_one_is_refused_and_nothing_changes(svc: ServiceHarness) -> None:
    await admit(svc)
    assert (
        await svc.client.post("/bills", json=bill("B1", [line("100.00")]), headers=hospital(svc))
    ).status_code == 201
    for kind in ("interim", "final"):
        r = await svc.client.post("/bills", json=bill(f"B2{kind}", [line("5.00")], kind=kind), headers=hospital(svc))
        assert r.status_code == 409, r.text
        assert r.headers["content-type"] == "application/problem+json"
    assert await _bill_rows(svc) == (1, 1)


async def test_corrections_are_replacements_never_edits(svc: ServiceHarness) -> None:
    await admit(svc)
    first = (await svc.client.post("/bills", json=bill("B1", [line("100.00")]), headers=hospital(svc))).json()
    no_reason = bill("B1-c", [line("90.00")], replaces="B1")
    assert (await svc.client.post("/bills", json=no_reason, headers=hospital(svc))).status_code == 422
    fix = bill("B1-c", [line("90.00")], replaces="B1", reason="duplicate drug line")
    r = await svc.client.post("/bills", json=fix, headers=hospital(svc))
    assert r.status_code == 201, r.text
    assert r.json()["replaces_bill_id"] == first["bill_id"]
    old = (await svc.client.get(f"/bills/{first['bill_id']}", headers=hospital(svc))).json()
    assert old["replaced_by_bill_id"] == r.json()["bill_id"]
    assert old["total"] == "100.00"  # the old bill is kept as it was
    again = bill("B1-d", [line("80.00")], replaces="B1", reason="second try on the replaced bill")
    assert (await svc.client.post("/bills", json=again, headers=hospital(svc))).status_code == 409
    unknown = bill("B1-e", [line("80.00")], replaces="NOPE", reason="no such bill")
    assert (await svc.client.post("/bills", json=unknown, headers=hospital(svc))).status_code == 409
    assert await _bill_rows(svc) == (2, 2)


async def test_bad_amounts_and_unknown_admission_are_problem_details_and_nothing_changes(svc: ServiceHarness) -> None:
    await admit(svc)
    cases: list[tuple[dict[str, Any], int]] = [
        ({**line("100.00"), "amount": "-100.00", "unit_price": "-100.00"}, 422),
        ({**line("100.00"), "amount": "abc"}, 422),
        ({**line("100.00"), "amount": "100.001", "unit_price": "100.001"}, 422),
        ({**line("100.00"), "amount": 0}, 422),
        ({**line("100.00"), "amount": "99.00"}, 422),  # not quantity × unit price
        ({**line("100.00"), "quantity": "-1"}, 422),
        ({**line("100.00"), "service_date": "2026-02-01"}, 422),  # before admission
        ({**line("100.00"), "self_pay_item_id": "SP1"}, 422),  # an in-catalogue item is no self-pay item
        ({**line("100.00"), "in_catalogue": False}, 422),  # membership is looked up, never sent (SPEC 0.5)
        ({**line("100.00"), "item_code": "NOT-IN-DATA"}, 422),
    ]
    for bad_line, status in cases:
        r = await svc.client.post("/bills", json=bill("B1", [bad_line]), headers=hospital(svc))
        assert r.status_code == status, (bad_line, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json().get("field"), r.text
    huge = [line("999999999999.99"), line("1.00")]  # the total would overflow numeric(14,2)
    assert (await svc.client.post("/bills", json=bill("B1", huge), headers=hospital(svc))).status_code == 422
    r = await svc.client.post("/bills", json=bill("B1", [line("1.00")], admission_id="NOPE"), headers=hospital(svc))
    assert r.status_code == 404
    assert await _bill_rows(svc) == (0, 0)


async def test_service_dates_must_fall_within_the_stay(svc: ServiceHarness) -> None:
    await admit(svc)
    await discharge(svc)
    late = line("10.00", day=date(2026, 3, 11))
    r = await svc.client.post("/bills", json=bill("B1", [late]), headers=hospital(svc))
    assert r.status_code == 422
    assert r.json()["field"] == "/lines/0/service_date"


async def test_a_hospital_submits_and_reads_only_its_own_bills(svc: ServiceHarness) -> None:
    await admit(svc)
    await admit(svc, "A2", facility_id="H002")
    own = await svc.client.post("/bills", json=bill("B1", [line("10.00")]), headers=hospital(svc))
    other = await svc.client.post(
        "/bills", json=bill("B9", [line("10.00")], admission_id="A2"), headers=hospital(svc, "H002")
    )
    assert own.status_code == other.status_code == 201
    # submitting for another hospital's admission
    r = await svc.client.post("/bills", json=bill("B2", [line("10.00")], admission_id="A2"), headers=hospital(svc))
    assert r.status_code == 403
    # reading another hospital's bill
    r = await svc.client.get(f"/bills/{other.json()['bill_id']}", headers=hospital(svc))
    assert r.status_code == 403
    listed = await svc.client.get("/bills", headers=hospital(svc))
    assert [b["bill_number"] for b in listed.json()["items"]] == ["B1"]
    # medical insurance and civil affairs read all, but do not submit
    assert len((await svc.client.get("/bills", headers=insurance(svc))).json()["items"]) == 2
    for role in ("medical_insurance", "civil_affairs"):
        r = await svc.client.post("/bills", json=bill("B3", [line("1.00")]), headers=svc.token(role))
        assert r.status_code == 403
    r = await svc.client.get("/bills", headers=svc.token("institution", "institution:I01"))
    assert r.status_code == 403
    assert (await svc.client.get("/bills")).status_code == 401
    assert (await svc.client.get("/bills/nope", headers=insurance(svc))).status_code == 404


async def test_an_admission_referral_has_just_filed_is_not_yet_known_and_a_stale_one_is_not_found(
    svc: ServiceHarness,
) -> None:
    """An admission id minted moments ago at referral, not yet consumed here: 409 with
    Retry-After and its own problem type (ask again shortly); any other unknown id: 404."""
    fresh = ids.new_id()
    r = await svc.client.post("/bills", json=bill("B1", [line("1.00")], admission_id=fresh), headers=hospital(svc))
    assert r.status_code == 409, r.text
    assert r.headers["retry-after"] == "1" and r.json()["type"] == "/problems/not-yet-known"
    assert r.json()["field"] == "/admission_id"
    r = await svc.client.post(f"/admissions/{fresh}/settlement", headers=hospital(svc))
    assert r.status_code == 409 and r.json()["type"] == "/problems/not-yet-known", r.text
    stale = str(uuid.uuid4())
    r = await svc.client.post("/bills", json=bill("B1", [line("1.00")], admission_id=stale), headers=hospital(svc))
    assert r.status_code == 404 and "retry-after" not in r.headers
    assert await _bill_rows(svc) == (0, 0)


async def _day_sums(svc: ServiceHarness) -> list[tuple[Any, ...]]:
    async with svc.runtime.db.read() as s:
        d = t.service_day_cost
        rows = await s.execute(
            select(d.c.admission_id, d.c.service_date, d.c.total, d.c.self_pay, d.c.categories).order_by(
                d.c.admission_id, d.c.service_date
            )
        )
        return [tuple(r) for r in rows]


async def test_lj_15_4_the_day_sums_the_analysis_reads_follow_every_bill_and_replacement(svc: ServiceHarness) -> None:
    """LJ-8, LJ-9, LJ-15.4: the per-day sums are kept on write, and a replaced bill's lines
    leave them (a day billed only on the replaced bill disappears)."""
    await admit(svc)
    first = [
        line("100.00", day=date(2026, 3, 2)),
        line("40.00", in_catalogue=False, category="test", day=date(2026, 3, 3)),
    ]
    assert (
        await svc.client.post("/bills", json=bill("B1", first, kind="interim"), headers=hospital(svc))
    ).status_code == 201
    second = [line("80.00", category="bed", day=date(2026, 3, 3))]
    assert (
        await svc.client.post("/bills", json=bill("B2", second, kind="interim"), headers=hospital(svc))
    ).status_code == 201
    assert await _day_sums(svc) == [
        ("A1", date(2026, 3, 2), Decimal("100.00"), Decimal("0.00"), ["drug"]),
        ("A1", date(2026, 3, 3), Decimal("120.00"), Decimal("40.00"), ["bed", "test"]),
    ]
    fix = bill("B1-c", [line("90.00", day=date(2026, 3, 4))], kind="interim", replaces="B1", reason="wrong days")
    assert (await svc.client.post("/bills", json=fix, headers=hospital(svc))).status_code == 201
    assert await _day_sums(svc) == [
        ("A1", date(2026, 3, 3), Decimal("80.00"), Decimal("0.00"), ["bed"]),
        ("A1", date(2026, 3, 4), Decimal("90.00"), Decimal("0.00"), ["drug"]),
    ]
