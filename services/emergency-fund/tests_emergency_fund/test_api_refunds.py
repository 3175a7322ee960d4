"""Late identification and refunds (GD-16.4)."""

from __future__ import annotations

import time_machine

from medaid_shared.testing import ServiceHarness

from .helpers import (
    AGENCY,
    CITY,
    H1,
    PAY,
    SUBMIT,
    VALID_ID,
    call,
    deliver,
    local,
    ok,
    paid,
    prepare_city,
    submitted,
    verified_event,
)

LATER = local(2026, 10, 20, 10)


async def test_gd_16_4_late_identification_demands_the_money_back(svc: ServiceHarness) -> None:
    app_id, [case_id] = await paid(svc)
    with time_machine.travel(LATER, tick=False):
        event = verified_event("identified", late=True, patient_ref=f"P-{H1}-0")
        assert await deliver(svc, event, event_id="evt-late") == "applied"
        assert await deliver(svc, event, event_id="evt-late") == "duplicate"
        [demand] = await svc.published("FundRefundDemanded")
        assert demand["payload"]["case_id"] == case_id and demand["payload"]["amount"] == "15090.00"
        case = await ok(svc, "GET", f"/cases/{case_id}", "hospital")
        assert (case["state"], case["identity_status"], case["identified_late"]) == (
            "refund_demanded",
            "identified",
            True,
        )
        [refund] = (await ok(svc, "GET", "/refunds", "hospital"))["items"]
        assert (await ok(svc, "GET", "/refunds", "hospital2"))["items"] == []
        assert (await ok(svc, "GET", "/refunds", "other_agency"))["items"] == []
        assert (await call(svc, "GET", "/refunds", "patient")).status_code == 403
        path = f"/refunds/{refund['refund_id']}"
        assert (await call(svc, "GET", path, "hospital2")).status_code == 403
        assert (await call(svc, "GET", path, "other_agency")).status_code == 403
        assert (await call(svc, "GET", "/refunds/RF-none", "agency")).status_code == 404
        cash_before = (await ok(svc, "GET", f"/funds/{CITY}", "agency"))["cash"]
        too_much = await call(
            svc, "POST", f"{path}/payments", "hospital", {"amount": "15090.01", "reference": "BANK-1"}
        )
        assert too_much.status_code == 422 and too_much.json()["rule"] == "GD-16.4"
        for role in ("hospital2", "agency", "finance"):
            r = await call(svc, "POST", f"{path}/payments", role, {"amount": "1.00", "reference": "BANK-X"})
            assert r.status_code == 403
        assert (
            await call(svc, "POST", f"{path}/payments", "hospital", {"amount": "0", "reference": "B"})
        ).status_code == 422
        part = await ok(svc, "POST", f"{path}/payments", "hospital", {"amount": "5000.00", "reference": "BANK-1"})
        assert part["outstanding"] == "10090.00" and part["state"] == "open"
        r = await call(svc, "POST", f"{path}/payments", "hospital", {"amount": "10090.01", "reference": "BANK-2"})
        assert r.status_code == 422 and r.json()["rule"] == "GD-16.4"
        await ok(svc, "POST", f"{path}/pursuit", "hospital", {"action": "letter", "note": "已函告患者家属"})
        assert (
            await call(svc, "POST", f"{path}/pursuit", "agency", {"action": "letter", "note": "x"})
        ).status_code == 403
        assert (
            await call(svc, "POST", f"{path}/pursuit", "hospital", {"action": "threaten", "note": "x"})
        ).status_code == 422
        done = await ok(svc, "POST", f"{path}/payments", "hospital", {"amount": "10090.00", "reference": "BANK-2"})
        assert done["state"] == "refunded" and done["outstanding"] == "0.00"
        assert sorted(p["amount"] for p in done["payments"]) == ["10090.00", "5000.00"]
        assert [p["action"] for p in done["pursuit"]] == ["letter"]
        assert (
            await call(svc, "POST", f"{path}/payments", "hospital", {"amount": "1.00", "reference": "B3"})
        ).status_code == 409
        assert (await ok(svc, "GET", f"/cases/{case_id}", "hospital"))["state"] == "refunded"
        fund = await ok(svc, "GET", f"/funds/{CITY}", "auditor")
        assert float(fund["cash"]) == float(cash_before) + 15090.00
        assert fund["balances"]["refunds_recovered"] == "-15090.00" and fund["trial_balance"] == "0.00"
        assert [e["payload"]["outstanding"] for e in await svc.published("FundRefundRecorded")] == ["10090.00", "0.00"]
        assert (await ok(svc, "GET", f"/applications/{app_id}", "auditor"))["state"] == "disbursed"


async def test_gd_16_4_identified_before_payment_leaves_the_application(svc: ServiceHarness) -> None:
    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc)
        app_id, case_ids = await submitted(svc, cases=2)
    with time_machine.travel(AGENCY, tick=False):
        first = sorted(case_ids)[0]
        patient_ref = (await ok(svc, "GET", f"/cases/{first}", "hospital"))["patient_ref"]
        await deliver(svc, verified_event("identified", late=True, patient_ref=patient_ref))
        app = await ok(svc, "GET", f"/applications/{app_id}", "agency")
        assert app["state"] == "submitted" and app["requested_amount"] == "15090.00"
        withdrawn = next(c for c in app["cases"] if c["case_id"] == first)
        assert withdrawn["withdrawn_reason"].startswith("GD-16.4")
        case = await ok(svc, "GET", f"/cases/{first}", "hospital")
        assert (case["state"], case["identity_status"]) == ("open", "identified")
        assert await svc.published("FundRefundDemanded") == []
        other = next(c for c in case_ids if c != first)
        other_ref = (await ok(svc, "GET", f"/cases/{other}", "hospital"))["patient_ref"]
        await deliver(svc, verified_event("identified", late=True, patient_ref=other_ref))
        assert (await ok(svc, "GET", f"/applications/{app_id}", "agency"))["state"] == "withdrawn"


async def test_gd_16_4_agency_demands_a_refund_by_hand(svc: ServiceHarness) -> None:
    _, case_ids = await paid(svc, cases=2)
    with time_machine.travel(PAY, tick=False):
        path = f"/cases/{case_ids[0]}/refund-demand"
        body = {"reason": "经查实冒名顶替"}
        assert (await call(svc, "POST", path, "hospital", body)).status_code == 403
        assert (await call(svc, "POST", path, "other_agency", body)).status_code == 403
        assert (await call(svc, "POST", path, "agency", {"reason": ""})).status_code == 422
        refund = await ok(svc, "POST", path, "agency", body)
        assert refund["amount"] == "15090.00" and refund["reason"] == "经查实冒名顶替"
        assert (await call(svc, "POST", path, "agency", body)).status_code == 409
        assert len(await svc.published("FundRefundDemanded")) == 1


async def test_gd_16_4_a_refund_falls_due_by_the_versioned_term_and_is_flagged_overdue(svc: ServiceHarness) -> None:
    _, [case_id] = await paid(svc)
    with time_machine.travel(LATER, tick=False):  # Tuesday 20 October
        await deliver(svc, verified_event("identified", late=True, patient_ref=f"P-{H1}-0"))
        [demand] = await svc.published("FundRefundDemanded")
        # refund_due: 20 working days — 21 October … 17 November
        assert demand["payload"]["due_at"].startswith("2026-11-17T15:59:59")
        [refund] = (await ok(svc, "GET", "/refunds", "hospital"))["items"]
        assert refund["due_parameters_version"] == "refund_due:any:any:default"
        assert refund["overdue_at"] is None and refund["calendar_provisional"] is False
    with time_machine.travel(local(2026, 11, 17, 23, 59), tick=False):
        await svc.runtime.scheduler.fire_due()
        assert await svc.published("FundRefundOverdue") == []  # still the due day
    with time_machine.travel(local(2026, 11, 18, 0, 0, 30), tick=False):
        await svc.runtime.scheduler.fire_due()
        [overdue] = await svc.published("FundRefundOverdue")
        assert overdue["payload"]["refund_id"] == refund["refund_id"] and overdue["payload"]["case_id"] == case_id
        assert overdue["payload"]["outstanding"] == "15090.00"
        flagged = await ok(svc, "GET", f"/refunds/{refund['refund_id']}", "agency")
        assert flagged["overdue_at"] is not None
        # the hospital still returns the money; nothing fires twice
        await ok(
            svc,
            "POST",
            f"/refunds/{refund['refund_id']}/payments",
            "hospital",
            {"amount": "15090.00", "reference": "BK-1"},
        )
        await svc.runtime.scheduler.fire_due()
        assert len(await svc.published("FundRefundOverdue")) == 1


async def test_gd_16_4_a_refund_returned_in_time_is_never_overdue(svc: ServiceHarness) -> None:
    await paid(svc)
    with time_machine.travel(LATER, tick=False):
        await deliver(svc, verified_event("identified", late=True, patient_ref=f"P-{H1}-0"))
        [refund] = (await ok(svc, "GET", "/refunds", "hospital"))["items"]
        await ok(
            svc,
            "POST",
            f"/refunds/{refund['refund_id']}/payments",
            "hospital",
            {"amount": "15090.00", "reference": "BK-2"},
        )
    with time_machine.travel(local(2026, 12, 1, 10), tick=False):
        await svc.runtime.scheduler.fire_due()
        assert await svc.published("FundRefundOverdue") == []
        assert (await ok(svc, "GET", f"/refunds/{refund['refund_id']}", "agency"))["overdue_at"] is None


HOSPITAL_FOUND = {"name": "王五", "id_number": VALID_ID, "how": "患者清醒后自述，核验身份证"}


async def test_gd_16_4_the_hospital_reports_its_own_late_identification_after_payment(svc: ServiceHarness) -> None:
    """The hospital found the identity itself after the fund paid: the case is identified late
    and the money demanded back with the same versioned due date and overdue flag."""
    _, [case_id] = await paid(svc)
    with time_machine.travel(LATER, tick=False):  # Tuesday 20 October
        path = f"/cases/{case_id}/identity"
        assert (await call(svc, "POST", path, "hospital2", HOSPITAL_FOUND)).status_code == 403
        bad = await call(svc, "POST", path, "hospital", {**HOSPITAL_FOUND, "id_number": "110105194912310021"})
        assert bad.status_code == 422 and bad.json()["field"] == "/id_number"
        assert (await ok(svc, "GET", f"/cases/{case_id}", "hospital"))["state"] == "paid"  # nothing changed
        case = await ok(svc, "POST", path, "hospital", HOSPITAL_FOUND)
        assert (case["state"], case["identity_status"], case["identified_late"], case["name_masked"]) == (
            "refund_demanded",
            "identified",
            True,
            "王*",
        )
        [demand] = await svc.published("FundRefundDemanded")
        assert demand["payload"]["case_id"] == case_id and demand["payload"]["amount"] == "15090.00"
        assert demand["payload"]["due_at"].startswith("2026-11-17T15:59:59")  # 20 working days
        assert "the hospital identified" in demand["payload"]["reason"]
        again = await call(svc, "POST", path, "hospital", HOSPITAL_FOUND)
        assert again.status_code == 409
        assert len(await svc.published("FundRefundDemanded")) == 1
        [refund] = (await ok(svc, "GET", "/refunds", "hospital"))["items"]
        assert refund["identity_request_id"] is None
    with time_machine.travel(local(2026, 11, 18, 0, 0, 30), tick=False):
        await svc.runtime.scheduler.fire_due()
        [overdue] = await svc.published("FundRefundOverdue")
        assert overdue["payload"]["refund_id"] == refund["refund_id"]


async def test_gd_16_4_the_hospital_identifies_a_patient_whose_application_is_pending(svc: ServiceHarness) -> None:
    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc)
        app_id, case_ids = await submitted(svc, cases=2)
    with time_machine.travel(AGENCY, tick=False):
        first = sorted(case_ids)[0]
        case = await ok(svc, "POST", f"/cases/{first}/identity", "hospital", HOSPITAL_FOUND)
        assert (case["state"], case["identity_status"], case["identified_late"]) == ("open", "identified", True)
        app = await ok(svc, "GET", f"/applications/{app_id}", "agency")
        withdrawn = next(c for c in app["cases"] if c["case_id"] == first)
        assert withdrawn["withdrawn_reason"].startswith("GD-16.4")
        assert app["requested_amount"] == "15090.00"
        assert await svc.published("FundRefundDemanded") == []
