"""Fund, ledger, pre-allocation and organisation over HTTP (GD-3, GD-7, GD-8)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from medaid_shared.testing import ServiceHarness

from .helpers import CITY, H1, H2, OTHER_CITY, call, inflow, local, make_fund, ok, register_facility


async def test_gd_3_one_fund_per_city(svc: ServiceHarness) -> None:
    await make_fund(svc)
    r = await call(svc, "POST", "/funds", "agency", {"city": CITY, "name": "again", "agency_name": "x"})
    assert r.status_code == 409 and r.json()["rule"] == "GD-3"
    assert r.headers["content-type"] == "application/problem+json"


async def test_fund_creation_authorization(svc: ServiceHarness) -> None:
    body = {"city": CITY, "name": "fund", "agency_name": "agency"}
    assert (await svc.client.post("/funds", json=body)).status_code == 401
    assert (await call(svc, "POST", "/funds", "hospital", body)).status_code == 403
    assert (await call(svc, "POST", "/funds", "other_agency", body)).status_code == 403  # wrong city
    r = await call(svc, "POST", "/funds", "agency", {**body, "city": "bad city!"})
    assert r.status_code == 422 and r.json()["field"] == "/city"
    assert (await call(svc, "GET", f"/funds/{CITY}", "agency")).status_code == 404


async def test_gd_3_inflows_and_balances_only_from_the_ledger(svc: ServiceHarness) -> None:
    await make_fund(svc)
    await inflow(svc, "central_transfer", "1000000.00", 2026, "C-2026-1")
    await inflow(svc, "provincial_transfer", "500000.00", 2026, "P-2026-1")
    await inflow(svc, "city_budget", "300000.00", 2026, "B-2026-1")
    await inflow(svc, "donation", "1234.56", 2026, "D-1", as_="agency")
    fund = await ok(svc, "GET", f"/funds/{CITY}", "auditor")
    assert fund["cash"] == "1801234.56"
    assert fund["income"]["central_transfer"] == "1000000.00"
    assert fund["trial_balance"] == "0.00"
    ledger = (await ok(svc, "GET", f"/funds/{CITY}/ledger", "finance"))["items"]
    assert len(ledger) == 4
    for txn in ledger:
        assert sum(Decimal(e["amount"]) for e in txn["entries"]) == 0
    only = (await ok(svc, "GET", f"/funds/{CITY}/ledger", "finance", params={"account": "income:donation"}))["items"]
    assert [t["source_ref"] for t in only] == ["D-1"]


async def test_gd_3_inflow_bad_input_changes_nothing(svc: ServiceHarness) -> None:
    await make_fund(svc)
    path = f"/funds/{CITY}/inflows"
    base = {"source": "donation", "amount": "10.00", "fiscal_year": 2026, "reference": "D-1"}
    for bad, field in [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"source": "lottery"}, "source"),
        ({"fiscal_year": 1999}, "fiscal_year"),
        ({"extra": 1}, "extra"),
    ]:
        r = await call(svc, "POST", path, "finance", {**base, **bad})
        assert r.status_code == 422, r.text
        assert r.json()["field"] == f"/{field}"
    await inflow(svc, "donation", "10.00", 2026, "D-1")
    again = await call(svc, "POST", path, "finance", base)
    assert again.status_code == 409 and again.json()["field"] == "/reference"
    assert (await call(svc, "POST", path, "hospital", base)).status_code == 403
    assert (await call(svc, "POST", path, "auditor", base)).status_code == 403
    assert (await call(svc, "POST", path, "other_finance", base)).status_code == 403
    assert (await call(svc, "POST", f"/funds/{OTHER_CITY}/inflows", "other_finance", base)).status_code == 404
    fund = await ok(svc, "GET", f"/funds/{CITY}", "agency")
    assert fund["cash"] == "10.00"


async def test_gd_3_fund_reads_are_scoped(svc: ServiceHarness) -> None:
    await make_fund(svc)
    for path in (f"/funds/{CITY}", f"/funds/{CITY}/ledger"):
        assert (await call(svc, "GET", path, "hospital")).status_code == 403
        assert (await call(svc, "GET", path, "other_agency")).status_code == 403
        assert (await call(svc, "GET", path, "civil")).status_code == 403


async def test_gd_3_idempotent_inflow_with_key(svc: ServiceHarness) -> None:
    await make_fund(svc)
    body = {"source": "donation", "amount": "50.00", "fiscal_year": 2026, "reference": "D-9"}
    h = {"Idempotency-Key": "k-1"}
    first = await call(svc, "POST", f"/funds/{CITY}/inflows", "finance", body, headers=h)
    second = await call(svc, "POST", f"/funds/{CITY}/inflows", "finance", body, headers=h)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert (await ok(svc, "GET", f"/funds/{CITY}", "agency"))["cash"] == "50.00"


async def test_gd_3_database_refuses_unbalanced_or_edited_ledger(svc: ServiceHarness) -> None:
    await make_fund(svc)
    await inflow(svc, "donation", "10.00", 2026, "D-1")
    schema = svc.runtime.settings.db_schema
    with pytest.raises(DBAPIError, match="does not balance"):
        async with svc.runtime.db.unit_of_work() as uow:
            txn = (await uow.session.execute(text(f"SELECT id FROM {schema}.ledger_txn LIMIT 1"))).scalar_one()
            await uow.session.execute(
                text(f"INSERT INTO {schema}.ledger_entry (txn_id, city, account, amount) VALUES (:t, :c, 'x', 1.00)"),
                {"t": txn, "c": CITY},
            )
    with pytest.raises(DBAPIError, match="append-only"):
        async with svc.runtime.db.unit_of_work() as uow:
            await uow.session.execute(text(f"UPDATE {schema}.ledger_entry SET amount = amount * 2"))
    assert (await ok(svc, "GET", f"/funds/{CITY}", "agency"))["cash"] == "10.00"


async def test_gd_7_preallocation_minimum_and_reconciliation(svc: ServiceHarness) -> None:
    await make_fund(svc)
    await register_facility(svc, H1)
    await register_facility(svc, H2)
    await inflow(svc, "central_transfer", "1000000.00", 2026, "C-1")
    await inflow(svc, "provincial_transfer", "500000.00", 2026, "P-1")
    await inflow(svc, "city_budget", "5000000.00", 2026, "B-1")
    path = f"/funds/{CITY}/preallocations"
    await ok(svc, "POST", path, "agency", {"facility_id": H1, "year": 2026, "amount": "700000.00", "basis": "2025 use"})
    await ok(svc, "POST", path, "agency", {"facility_id": H2, "year": 2026, "amount": "300000.00"})
    check = await ok(svc, "GET", f"{path}/check", "auditor", params={"year": 2026})
    assert check.pop("year_end_check") is None and check.pop("year_end_check_at").startswith("2026-12-31T16:00:00")
    assert check == {
        "year": 2026,
        "upper_level_transfers": "1500000.00",
        "min_share": "0.80",
        "required_minimum": "1200000.00",
        "preallocated": "1000000.00",
        "compliant": False,
        "shortfall": "200000.00",
        "rule": "GD-7",
    }
    await ok(svc, "POST", path, "agency", {"facility_id": H2, "year": 2026, "amount": "250000.00"})
    await ok(svc, "POST", f"{path}/returns", "agency", {"facility_id": H2, "year": 2026, "amount": "50000.00"})
    check = await ok(svc, "GET", f"{path}/check", "finance", params={"year": 2026})
    assert check["compliant"] is True and check["preallocated"] == "1200000.00"
    fund = await ok(svc, "GET", f"/funds/{CITY}", "agency")
    assert fund["preallocated"] == {H1: "700000.00", H2: "500000.00"}
    assert fund["cash"] == str(Decimal("6500000.00") - Decimal("1200000.00"))
    rec = await ok(svc, "GET", f"{path}/reconciliation", "auditor", params={"year": 2026})
    h2 = next(r for r in rec["hospitals"] if r["facility_id"] == H2)
    assert h2["preallocated"] == "550000.00" and h2["returned"] == "50000.00"
    assert h2["advance_outstanding"] == "500000.00"


async def test_gd_7_preallocation_refusals(svc: ServiceHarness) -> None:
    await make_fund(svc)
    await register_facility(svc, H1)
    await inflow(svc, "central_transfer", "100.00", 2026, "C-1")
    path = f"/funds/{CITY}/preallocations"
    body = {"facility_id": H1, "year": 2026, "amount": "100.01"}
    r = await call(svc, "POST", path, "agency", body)
    assert r.status_code == 409 and r.json()["rule"] == "GD-3"
    r = await call(svc, "POST", path, "agency", {**body, "facility_id": "H999", "amount": "1.00"})
    assert r.status_code == 422 and r.json()["field"] == "/facility_id"
    r = await call(svc, "POST", f"{path}/returns", "agency", {"facility_id": H1, "year": 2026, "amount": "1.00"})
    assert r.status_code == 409 and r.json()["rule"] == "GD-7"
    for role in ("hospital", "finance", "auditor", "other_agency"):
        assert (await call(svc, "POST", path, role, {**body, "amount": "1.00"})).status_code == 403
        assert (await call(svc, "POST", f"{path}/returns", role, {**body, "amount": "1.00"})).status_code == 403
    for sub in ("plan", "check", "reconciliation"):
        assert (await call(svc, "GET", f"{path}/{sub}", "hospital", params={"year": 2026})).status_code == 403
        assert (await call(svc, "GET", f"{path}/{sub}", "other_agency", params={"year": 2026})).status_code == 403
        assert (await call(svc, "GET", f"{path}/{sub}", "agency", params={"year": 1})).status_code == 422
    assert (await ok(svc, "GET", f"/funds/{CITY}", "agency"))["cash"] == "100.00"


async def test_gd_8_committee_agency_and_training_reminder(svc: ServiceHarness) -> None:
    with time_machine.travel(local(2026, 3, 2, 10), tick=False):
        await make_fund(svc)
        member = {"name": "王医生", "affiliation": "medical_expert", "appointed_on": "2026-03-01"}
        await ok(svc, "POST", f"/funds/{CITY}/committee-members", "health", member)
        assert (await call(svc, "POST", f"/funds/{CITY}/committee-members", "agency", member)).status_code == 403
        bad = {**member, "affiliation": "friend"}
        assert (await call(svc, "POST", f"/funds/{CITY}/committee-members", "health", bad)).status_code == 422
        org = await ok(svc, "GET", f"/funds/{CITY}/organisation", "hospital")
        assert org["handling_agency"] == f"{CITY} agency"
        assert [m["affiliation"] for m in org["supervisory_committee"]] == ["medical_expert"]
        assert (await call(svc, "GET", f"/funds/{CITY}/organisation", "other_agency")).status_code == 403
        status = await ok(svc, "GET", f"/funds/{CITY}/trainings", "agency", params={"year": 2026})
        assert status["held"] is False and status["reminder_due"] is False
    with time_machine.travel(local(2026, 11, 1, 10), tick=False):
        await svc.runtime.scheduler.fire_due()  # the reminder (and the daily registration delivery, GD-19)
        due = await svc.published("FundTrainingDue")
        assert [(e["payload"]["city"], e["payload"]["year"]) for e in due] == [(CITY, 2026)]
        status = await ok(svc, "GET", f"/funds/{CITY}/trainings", "auditor", params={"year": 2026})
        assert status["reminder_due"] is True
        training = {"held_on": "2026-11-01", "topic": "申请规范", "facility_ids": [H1, H2]}
        assert (await call(svc, "POST", f"/funds/{CITY}/trainings", "hospital", training)).status_code == 403
        future = {**training, "held_on": "2026-12-01"}
        assert (await call(svc, "POST", f"/funds/{CITY}/trainings", "agency", future)).status_code == 422
        await ok(svc, "POST", f"/funds/{CITY}/trainings", "agency", training)
        status = await ok(svc, "GET", f"/funds/{CITY}/trainings", "agency", params={"year": 2026})
        assert status["held"] is True and status["reminder_due"] is False
    # the next year's reminder was scheduled, and a training held in time closes it
    with time_machine.travel(local(2027, 6, 1, 10), tick=False):
        await ok(svc, "POST", f"/funds/{CITY}/trainings", "agency", {**training, "held_on": "2027-05-30"})
    with time_machine.travel(local(2027, 11, 2, 10), tick=False):
        await svc.runtime.scheduler.fire_due()  # only 2026's year-end pre-allocation check (GD-7) is due
        assert len(await svc.published("FundTrainingDue")) == 1


async def test_gd_7_the_preallocation_year_is_the_year_the_money_is_booked(svc: ServiceHarness) -> None:
    """Issue scenario: money booked in January 2027 "for 2026" made 2026 compliant after the
    fact. Now it counts for 2027 unless the agency books an explicit, audited correction."""
    await make_fund(svc)
    await register_facility(svc, H1)
    await inflow(svc, "central_transfer", "1000000.00", 2026, "C-Y1")
    path = f"/funds/{CITY}/preallocations"
    with time_machine.travel(local(2027, 1, 15, 10), tick=False):
        late = {"facility_id": H1, "year": 2026, "amount": "800000.00"}
        r = await call(svc, "POST", path, "agency", late)
        assert r.status_code == 422 and (r.json()["rule"], r.json()["field"]) == ("GD-7", "/year")
        check = await ok(svc, "GET", f"{path}/check", "auditor", params={"year": 2026})
        assert check["preallocated"] == "0.00"  # nothing was booked by the refusal
        fixed = await ok(svc, "POST", path, "agency", {**late, "correction_reason": "2026年12月拨付凭证漏记，补记"})
        assert fixed["year"] == 2026
        assert (await ok(svc, "GET", f"{path}/check", "auditor", params={"year": 2026}))["preallocated"] == "800000.00"
        own_year = await ok(svc, "POST", path, "agency", {"facility_id": H1, "year": 2027, "amount": "1000.00"})
        assert own_year["year"] == 2027
    t = svc.runtime.db.tables.audit_log
    async with svc.runtime.db.read() as s:
        rows = (await s.execute(select(t.c.action, t.c.reason, t.c.subject))).all()
    assert ("fund.preallocation_year_corrected", "2026年12月拨付凭证漏记，补记", fixed["preallocation_id"]) in rows
    assert not any(
        a == "fund.preallocation_year_corrected" and subj == own_year["preallocation_id"] for a, _, subj in rows
    )
