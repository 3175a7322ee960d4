"""Manual reimbursement as a workflow (LJ-13.2, LJ-3.2b, LJ-6.2): the application within the
versioned window, the aid reserved on the yearly ceiling at application and released on
rejection, medical insurance's review with amounts or reasons, the payment."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import time_machine

from medaid_shared.contracts.common import SupportType
from medaid_shared.contracts.referral import Guardian, PersonRegistered
from medaid_shared.testing import ServiceHarness
from tests_settlement.world import admin, deliver, insurance, line, load_parameters, settled

INSTITUTION = ("institution", "institution:I01")
IN_WINDOW = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)


async def ledger(svc: ServiceHarness) -> str:
    r = await svc.client.get("/ledger/P1/2026", headers=insurance(svc))
    return str(r.json()["aid_used"])


async def apply(svc: ServiceHarness, sid: str, headers: dict[str, str], at: datetime = IN_WINDOW) -> Any:
    with time_machine.travel(at, tick=False):
        return await svc.client.post(f"/reimbursements/{sid}/application", headers=headers)


async def review(svc: ServiceHarness, sid: str, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {**insurance(svc), **({"Idempotency-Key": key} if key else {})}
    return await svc.client.post(f"/reimbursements/{sid}/review", json=body, headers=headers)


async def test_lj_13_2_lj_6_2_aid_is_reserved_at_application_and_released_on_rejection(svc: ServiceHarness) -> None:
    """Issue scenario: the aid was charged to the 60,000 ceiling at settlement, so a person
    who never applied lost that part of the ceiling. Now it is reserved only on application."""
    await load_parameters(svc)
    st = await settled(svc, [line("20000.00")], designated=False)
    sid = st["statement_id"]
    assert st["mode"] == "manual" and st["amounts"]["medical_aid"] == "4400.00"
    assert await ledger(svc) == "0.00"  # nothing charged until someone applies
    assert (await apply(svc, sid, svc.token("hospital", "facility:H001"))).status_code == 403
    applied = await apply(svc, sid, svc.token(*INSTITUTION))
    assert applied.status_code == 200, applied.text
    assert (applied.json()["state"], applied.json()["aid_reserved"]) == ("applied", "4400.00")
    assert await ledger(svc) == "4400.00"
    assert (await apply(svc, sid, svc.token(*INSTITUTION))).status_code == 409
    # a rejection gives its reasons, and no amounts
    bad = await review(svc, sid, {"outcome": "rejected"})
    assert bad.status_code == 422 and bad.json()["field"] == "/reasons"
    assert await ledger(svc) == "4400.00"  # a refused command changes nothing
    forbidden = await svc.client.post(
        f"/reimbursements/{sid}/review",
        json={"outcome": "rejected", "reasons": ["不符"]},
        headers=svc.token(*INSTITUTION),
    )
    assert forbidden.status_code == 403
    rejected = await review(svc, sid, {"outcome": "rejected", "reasons": ["发票与费用清单不符"]})
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["state"] == "rejected" and rejected.json()["review_reasons"] == ["发票与费用清单不符"]
    assert await ledger(svc) == "0.00"  # released
    events = await svc.published("ManualReimbursementProgressed")
    assert [(e["payload"]["state"], e["payload"]["aid_held"]) for e in events] == [
        ("applied", "4400.00"),
        ("rejected", "0.00"),
    ]
    assert "发票" not in str(events)  # medical insurance's reasons stay in the service
    paid = await svc.client.post(
        f"/reimbursements/{sid}/payment", json={"amount": "0.00", "payment_ref": "P-1"}, headers=insurance(svc)
    )
    assert paid.status_code == 409  # a rejected application is never paid


async def test_lj_13_2_approval_with_amounts_keeps_the_approved_aid_then_the_payment(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    st = await settled(svc, [line("20000.00")], designated=False)
    sid = st["statement_id"]
    assert (await apply(svc, sid, svc.token(*INSTITUTION))).status_code == 200
    amounts = {
        "basic_insurance": st["amounts"]["basic_insurance"],
        "critical_illness": st["amounts"]["critical_illness"],
    }
    too_much = await review(svc, sid, {"outcome": "approved", **amounts, "medical_aid": "4400.01"})
    assert too_much.status_code == 422 and (too_much.json()["field"], too_much.json()["rule"]) == (
        "/medical_aid",
        "LJ-6.2",
    )
    body = {"outcome": "approved", **amounts, "medical_aid": "4000.00"}
    approved = await review(svc, sid, body, key="review-1")
    assert approved.status_code == 200, approved.text
    assert (await review(svc, sid, body, key="review-1")).json() == approved.json()  # Idempotency-Key
    assert approved.json()["state"] == "approved" and approved.json()["aid_held"] == "4000.00"
    assert await ledger(svc) == "4000.00"  # 400 released on review
    total = sum(float(v) for v in (*amounts.values(), "4000.00"))
    wrong = await svc.client.post(
        f"/reimbursements/{sid}/payment", json={"amount": "1.00", "payment_ref": "MI-2026-1"}, headers=insurance(svc)
    )
    assert wrong.status_code == 422 and (wrong.json()["field"], wrong.json()["rule"]) == ("/amount", "LJ-13.2")
    paid = await svc.client.post(
        f"/reimbursements/{sid}/payment",
        json={"amount": f"{total:.2f}", "payment_ref": "MI-2026-1"},
        headers=insurance(svc),
    )
    assert paid.status_code == 200, paid.text
    assert (paid.json()["state"], paid.json()["payment_ref"]) == ("paid", "MI-2026-1")
    events = [e["payload"] for e in await svc.published("ManualReimbursementProgressed")]
    assert [(e["state"], e["by_role"]) for e in events] == [
        ("applied", "institution"),
        ("approved", "medical_insurance"),
        ("paid", "medical_insurance"),
    ]
    assert events[1]["approved_total"] == events[2]["paid_amount"] == f"{total:.2f}"
    # a reversal of the statement releases what the application holds (the approved aid)
    rev = await svc.client.post(
        f"/statements/{sid}/reversal", json={"reason": "wrong bill"}, headers=svc.token("hospital", "facility:H001")
    )
    assert rev.status_code == 201, rev.text
    assert await ledger(svc) == "0.00"


async def test_lj_13_2_the_window_is_a_versioned_parameter_and_late_applications_are_refused(
    svc: ServiceHarness,
) -> None:
    """15 working days after discharge for centralized persons (2026-03-10 → 2026-03-31);
    a version loaded by the administrator moves it; an application after it is refused
    naming the field and the rule, and changes nothing."""
    window = {
        "kind": "manual_reimbursement_window",
        "effective_from": "2026-01-01",
        "values": {"centralized_working_days": 5, "decentralized_working_days": 10},
        "source": "区医保局通知（示例）",
    }
    assert (
        await svc.client.post("/admin/parameters", json={"versions": [window]}, headers=admin(svc))
    ).status_code == 201
    await load_parameters(svc)
    st = await settled(svc, [line("20000.00")], designated=False)
    (req,) = await svc.published("ManualReimbursementRequested")
    assert req["payload"]["application_due_at"].startswith("2026-03-17T15:59:59")  # 5 working days
    late = await apply(svc, st["statement_id"], svc.token(*INSTITUTION), at=datetime(2026, 3, 18, 1, tzinfo=UTC))
    assert late.status_code == 422, late.text
    assert (late.json()["field"], late.json()["rule"]) == ("statement_id", "LJ-13.2")
    assert await ledger(svc) == "0.00"
    pending = await svc.client.get("/reimbursements?pending=true", headers=insurance(svc))
    assert pending.json()["items"][0]["window_version"] == "manual_reimbursement_window:any:any:2026-01-01"


async def test_lj_13_2_a_decentralized_persons_guardian_applies_within_the_window(svc: ServiceHarness) -> None:
    """Issue scenario: a guardian could not file, and decentralized persons had no window."""
    await deliver(
        svc,
        PersonRegistered(
            person_id="P1",
            name_masked="张*三",
            id_number_masked="4502**********1234",
            support_type=SupportType.DECENTRALIZED,
            village_id="V01",
            guardian=Guardian(guardian_id="g-1", name_masked="李*", relation="son"),
        ),
    )
    await load_parameters(svc)
    st = await settled(svc, [line("20000.00")], designated=False, support=SupportType.DECENTRALIZED)
    (req,) = await svc.published("ManualReimbursementRequested")
    assert req["payload"]["application_due_at"].startswith("2026-03-31T15:59:59")  # the interpretation: 15
    sid = st["statement_id"]
    assert (await apply(svc, sid, svc.token("guardian", subject="g-2"))).status_code == 403
    assert (await apply(svc, sid, svc.token("village_committee", "village:V02"))).status_code == 403
    applied = await apply(svc, sid, svc.token("guardian", subject="g-1"))
    assert applied.status_code == 200, applied.text
    assert (applied.json()["applied_role"], applied.json()["applied_by"]) == ("guardian", "g-1")
