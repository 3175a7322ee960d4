"""LJ-10 rank 4 and civil affairs: every rank-4 signature reaches civil affairs' work list
with a versioned acknowledgement deadline and an overdue flag (time moved by the clock); a
rank-4 signature on a major public interest counts only with civil affairs' confirmation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import time_machine

from medaid_shared.clock import SHANGHAI
from medaid_shared.testing import ServiceHarness

from .helpers import capacity, guardian, no_guardian_verified, setup_person
from .test_api_consents import record, sign

HEAD = ("institution", "institution:I01")
CIVIL = ("civil_affairs",)


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI).astimezone(UTC)


async def work_list(svc: ServiceHarness, state: str = "open") -> list[dict[str, Any]]:
    r = await svc.client.get(f"/rank4-signatures?state={state}", headers=svc.token(*CIVIL))
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def rank4_signature(svc: ServiceHarness) -> dict[str, Any]:
    await setup_person(svc, capacity=capacity(False), guardian=no_guardian_verified())
    t = await record(svc)
    r = await sign(svc, t["treatment_id"], *HEAD, subject="head-I01")
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_lj_10_every_rank_4_signature_reaches_civil_affairs_and_is_flagged_overdue(svc: ServiceHarness) -> None:
    consent = await rank4_signature(svc)  # Monday 15 June 2026, 10:00
    filing = consent["civil_affairs_filing"]
    # rank4_filing (interpretation): 3 working days — 16, 17, 18 June, to 23:59:59 local
    assert filing["acknowledgement_due_at"] == "2026-06-18T15:59:59Z"
    assert filing["parameters_version"] == "rank4_filing:any:any:default" and not filing["overdue"]
    [listed] = await work_list(svc)
    assert listed["consent_id"] == consent["consent_id"] and listed["signer"] == {
        "signer_id": "head-I01",
        "role": "institution",
    }
    assert await work_list(svc, "overdue") == []

    with time_machine.travel(local(2026, 6, 18, 23, 59), tick=False):
        await svc.runtime.scheduler.fire_due()
        assert await svc.published("Rank4AcknowledgementOverdue") == []  # still the last day
    with time_machine.travel(local(2026, 6, 19, 0, 0, 30), tick=False):
        await svc.runtime.scheduler.fire_due()
        [overdue] = await svc.published("Rank4AcknowledgementOverdue")
        assert overdue["key"] == "A1" and overdue["payload"]["consent_id"] == consent["consent_id"]
        assert overdue["payload"]["parameters_version"] == "rank4_filing:any:any:default"
        [flagged] = await work_list(svc, "overdue")
        assert flagged["overdue"] and flagged["acknowledged_at"] is None

        ack = await svc.client.post(
            f"/rank4-signatures/{consent['consent_id']}/acknowledgement",
            json={"note": "电话核实"},
            headers=svc.token(*CIVIL, subject="ca-3"),
        )
        assert ack.status_code == 200, ack.text
        assert ack.json()["acknowledged_by"] == "ca-3" and ack.json()["overdue"]  # late, and says so
        assert await work_list(svc) == [] and len(await work_list(svc, "acknowledged")) == 1
        await svc.runtime.scheduler.fire_due()
        assert len(await svc.published("Rank4AcknowledgementOverdue")) == 1  # never twice


async def test_lj_10_a_rank_4_signature_acknowledged_in_time_is_never_overdue(svc: ServiceHarness) -> None:
    consent = await rank4_signature(svc)
    path = f"/rank4-signatures/{consent['consent_id']}/acknowledgement"
    assert (await svc.client.post(path, json={}, headers=svc.token(*CIVIL))).status_code == 200
    again = await svc.client.post(path, json={}, headers=svc.token(*CIVIL))
    assert again.status_code == 409 and again.json()["rule"] == "LJ-10"
    with time_machine.travel(local(2026, 7, 1, 10), tick=False):
        await svc.runtime.scheduler.fire_due()
        assert await svc.published("Rank4AcknowledgementOverdue") == []
        assert (await work_list(svc, "acknowledged"))[0]["overdue"] is False


async def test_lj_10_the_acknowledgement_deadline_is_a_versioned_parameter(svc: ServiceHarness) -> None:
    version = {
        "kind": "rank4_filing",
        "region": "any",
        "effective_from": "2026-06-01",
        "values": {"acknowledgement_working_days": 1},
        "source": "区民政局通知",
    }
    r = await svc.client.post("/admin/parameters", json={"versions": [version]}, headers=svc.token("admin"))
    assert r.status_code == 201, r.text
    filing = (await rank4_signature(svc))["civil_affairs_filing"]
    assert filing["acknowledgement_due_at"] == "2026-06-16T15:59:59Z"
    assert filing["parameters_version"] == "rank4_filing:any:any:2026-06-01"
    zero = {**version, "effective_from": "2027-01-01", "values": {"acknowledgement_working_days": 0}}
    refused = await svc.client.post("/admin/parameters", json={"versions": [zero]}, headers=svc.token("admin"))
    assert refused.status_code == 422


async def test_lj_10_work_list_and_acknowledgement_are_civil_affairs_only(svc: ServiceHarness) -> None:
    consent = await rank4_signature(svc)
    path = f"/rank4-signatures/{consent['consent_id']}/acknowledgement"
    for role in (HEAD, ("hospital", "facility:H001"), ("town_government", "town:T01")):
        assert (await svc.client.get("/rank4-signatures", headers=svc.token(*role))).status_code == 403
        assert (await svc.client.post(path, json={}, headers=svc.token(*role))).status_code == 403
    assert (await svc.client.get("/rank4-signatures", headers=svc.token("auditor"))).status_code == 200
    unknown = await svc.client.post("/rank4-signatures/con-nope/acknowledgement", json={}, headers=svc.token(*CIVIL))
    assert unknown.status_code == 404
    assert (await work_list(svc))[0]["acknowledged_at"] is None  # nothing changed


async def test_lj_10_major_public_interest_needs_civil_affairs_confirmation(svc: ServiceHarness) -> None:
    """Issue scenario: "major public interest" at rank 4 accepted any text, over a person
    assessed capable and lucid. Civil affairs may confirm the interest first, then the head's
    signature counts at once; the pending path is shown in the next test."""
    await setup_person(svc, capacity=capacity(True), guardian=guardian("g-1"))
    t = await record(svc)
    body = {"major_public_interest_reason": "传染病防控需要"}
    confirm = f"/treatments/{t['treatment_id']}/public-interest-confirmation"
    reason = {"reason": "区疾控中心确认的传染病防控需要"}
    for role in (HEAD, ("hospital", "facility:H001")):
        assert (await svc.client.post(confirm, json=reason, headers=svc.token(*role))).status_code == 403
    assert (await svc.client.post(confirm, json={"reason": ""}, headers=svc.token(*CIVIL))).json()["field"] == "/reason"
    ok = await svc.client.post(confirm, json=reason, headers=svc.token(*CIVIL, subject="ca-1"))
    assert ok.status_code == 201, ok.text
    twice = await svc.client.post(confirm, json=reason, headers=svc.token(*CIVIL))
    assert twice.status_code == 409 and twice.json()["rule"] == "LJ-10"

    signed = await sign(svc, t["treatment_id"], *HEAD, subject="head-I01", **body)
    assert signed.status_code == 201, signed.text
    c = signed.json()
    assert c["signer"]["rank"] == 4 and c["public_interest_confirmation_id"] == ok.json()["confirmation_id"]
    assert c["skipped_ranks"][0]["reasons"] == ["major_public_interest"]
    assert c["civil_affairs_filing"]["public_interest_state"] is None  # confirmed beforehand: it counts
    [listed] = await work_list(svc)
    assert listed["consent_id"] == c["consent_id"] and listed["major_public_interest"] is True
    assert len(await svc.published("ConsentSigned")) == 1


async def test_lj_10_an_unconfirmed_major_public_interest_signature_is_pending_until_civil_affairs_confirms(
    svc: ServiceHarness,
) -> None:
    """LJ-10 / SPEC 0.5: the head signs at rank 4 on a major public interest civil affairs has
    not confirmed: the signature is filed on civil affairs' work list as pending and does not
    count — no ConsentSigned, the treatment still awaits its consent. Civil affairs confirms:
    it counts from then (ConsentSigned, treatment consented); a second decision is refused."""
    await setup_person(svc, capacity=capacity(True), guardian=guardian("g-1"))
    t = await record(svc)
    signed = await sign(
        svc, t["treatment_id"], *HEAD, subject="head-I01", major_public_interest_reason="传染病防控需要"
    )
    assert signed.status_code == 201, signed.text
    c = signed.json()
    assert c["public_interest_confirmation_id"] is None
    assert c["civil_affairs_filing"]["public_interest_state"] == "pending"
    assert await svc.published("ConsentSigned") == []
    view = (await svc.client.get(f"/treatments/{t['treatment_id']}", headers=svc.token(*CIVIL))).json()
    assert view["status"] == "awaiting_consent"
    [listed] = await work_list(svc)
    assert (listed["consent_id"], listed["public_interest_state"]) == (c["consent_id"], "pending")

    path = f"/rank4-signatures/{c['consent_id']}/public-interest"
    reason = {"reason": "区疾控中心确认的传染病防控需要"}
    for role in (HEAD, ("hospital", "facility:H001")):
        assert (await svc.client.post(f"{path}/confirmation", json=reason, headers=svc.token(*role))).status_code == 403
    ok = await svc.client.post(f"{path}/confirmation", json=reason, headers=svc.token(*CIVIL, subject="ca-1"))
    assert ok.status_code == 200, ok.text
    assert (ok.json()["public_interest_state"], ok.json()["public_interest_decided_by"]) == ("confirmed", "ca-1")
    (announced,) = await svc.published("ConsentSigned")
    assert announced["payload"]["consent_id"] == c["consent_id"] and announced["payload"]["major_public_interest"]
    view = (await svc.client.get(f"/treatments/{t['treatment_id']}", headers=svc.token(*CIVIL))).json()
    assert view["status"] == "consented"
    again = await svc.client.post(f"{path}/rejection", json=reason, headers=svc.token(*CIVIL))
    assert again.status_code == 409 and again.json()["rule"] == "LJ-10"
    unknown = await svc.client.post(
        "/rank4-signatures/con-nope/public-interest/confirmation", json=reason, headers=svc.token(*CIVIL)
    )
    assert unknown.status_code == 404


async def test_lj_10_a_rejected_major_public_interest_on_a_self_pay_form_never_counts(svc: ServiceHarness) -> None:
    """LJ-10 / LJ-7.2: the head signs a self-pay form on an unconfirmed major public interest:
    pending, the item stays awaiting its form (no review, approval or payment follows); civil
    affairs rejects the interest: the signature never counts and the form awaits a signer."""
    from .test_api_selfpay import propose

    await setup_person(svc, capacity=capacity(True))
    item = await propose(svc, "300.00")
    path = f"/self-pay-items/{item['item_id']}/consent-form"
    body = {"major_public_interest_reason": "公共卫生事件"}
    signed = await svc.client.post(path, json=body, headers=svc.token(*HEAD, subject="head-I01"))
    assert signed.status_code == 201, signed.text
    assert signed.json()["civil_affairs_filing"]["public_interest_state"] == "pending"

    async def status() -> str:
        got = await svc.client.get(f"/self-pay-items/{item['item_id']}", headers=svc.token(*CIVIL))
        return str(got.json()["status"])

    assert await status() == "awaiting_consent_form"
    consent_id = signed.json()["consent_id"]
    rejected = await svc.client.post(
        f"/rank4-signatures/{consent_id}/public-interest/rejection",
        json={"reason": "本人神志清楚且具备完全民事行为能力，应由本人签字"},
        headers=svc.token(*CIVIL),
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["public_interest_state"] == "rejected"
    assert await status() == "awaiting_consent_form"
    assert await svc.published("ConsentSigned") == []
    item_path = f"/self-pay-items/{item['item_id']}"
    assert (await svc.client.get(item_path, headers=svc.token(*CIVIL))).json()["consent_form"] is None
    patient = await svc.client.post(path, json={}, headers=svc.token("patient", subject="P1"))
    assert patient.status_code == 201, patient.text
    assert await status() == "awaiting_initial_review"
    # LJ-10: the item shows the signature that counts, not the rejected one first on record
    shown = (await svc.client.get(item_path, headers=svc.token(*CIVIL))).json()
    assert shown["consent_form"]["consent_id"] == patient.json()["consent_id"]
    assert [s["actor"] for s in shown["trail"] if s["step"] == "consent_form"] == ["P1"]


async def test_lj_10_spec_0_1_a_loaded_notice_moves_the_acknowledgement_deadline_and_withdraws_an_early_flag(
    svc: ServiceHarness,
) -> None:
    import chinese_calendar

    from medaid_shared.calendar import CalendarDay

    consent = await rank4_signature(svc)
    with time_machine.travel(local(2026, 6, 19, 0, 0, 30), tick=False):
        await svc.runtime.scheduler.fire_due()
        assert len(await svc.published("Rank4AcknowledgementOverdue")) == 1
        days = [
            CalendarDay(d, False, "holiday") for d in sorted(chinese_calendar.constants.holidays) if d.year == 2026
        ] + [CalendarDay(d, True, "workday") for d in sorted(chinese_calendar.constants.workdays) if d.year == 2026]
        days.append(CalendarDay(local(2026, 6, 17, 12).astimezone(SHANGHAI).date(), False, "holiday"))
        moved = await svc.runtime.load_calendar_year(2026, days, "corrected notice", loaded_by="admin-1")
    [m] = [m for m in moved if m.kind == "consent.rank4.acknowledgement"]
    real_end = svc.runtime.calendar.add_working_days(local(2026, 6, 15, 10), 3).at
    assert m.reopened and real_end == local(2026, 6, 22, 23, 59, 59)  # the 19th is the Dragon Boat Festival
    [listed] = await work_list(svc)
    assert listed["consent_id"] == consent["consent_id"]
    assert datetime.fromisoformat(listed["acknowledgement_due_at"]) == real_end and not listed["overdue"]
    with time_machine.travel(real_end, tick=False):
        await svc.runtime.scheduler.fire_due()
        assert len(await svc.published("Rank4AcknowledgementOverdue")) == 1  # not before the real end


async def test_lj_10_a_treatment_shows_the_consent_that_counts_and_a_pending_rank_4_signature_as_pending(
    svc: ServiceHarness,
) -> None:
    """LJ-10: a treatment's view shows the consent that counts, never the first on record: a
    rank-4 signature on an unconfirmed major public interest is shown as pending (and civil
    affairs learns of it by Rank4PublicInterestPending), a rejected one not at all (announced by
    Rank4PublicInterestRejected), and the patient's own signature after it is the consent."""
    await setup_person(svc, capacity=capacity(True), guardian=guardian("g-1"))
    t = await record(svc)
    treatment = f"/treatments/{t['treatment_id']}"
    signed = await sign(
        svc, t["treatment_id"], *HEAD, subject="head-I01", major_public_interest_reason="传染病防控需要"
    )
    assert signed.status_code == 201, signed.text
    consent_id = signed.json()["consent_id"]
    (pending_event,) = await svc.published("Rank4PublicInterestPending")
    assert pending_event["payload"]["consent_id"] == consent_id
    assert pending_event["payload"]["treatment_id"] == t["treatment_id"]
    assert pending_event["payload"]["acknowledgement_due_at"] is not None
    view = (await svc.client.get(treatment, headers=svc.token(*CIVIL))).json()
    assert view["consent"] is None and view["status"] == "awaiting_consent"
    assert view["pending_consent"]["consent_id"] == consent_id
    assert view["pending_consent"]["civil_affairs_filing"]["public_interest_state"] == "pending"

    rejected = await svc.client.post(
        f"/rank4-signatures/{consent_id}/public-interest/rejection",
        json={"reason": "本人神志清楚，应由本人签字"},
        headers=svc.token(*CIVIL, subject="ca-1"),
    )
    assert rejected.status_code == 200, rejected.text
    (rejection,) = await svc.published("Rank4PublicInterestRejected")
    assert (rejection["payload"]["consent_id"], rejection["payload"]["rejected_by"]) == (consent_id, "ca-1")
    view = (await svc.client.get(treatment, headers=svc.token(*CIVIL))).json()
    assert (view["consent"], view["pending_consent"]) == (None, None)

    own = await sign(svc, t["treatment_id"], "patient", subject="P1")
    assert own.status_code == 201, own.text
    view = (await svc.client.get(treatment, headers=svc.token(*CIVIL))).json()
    assert view["consent"]["consent_id"] == own.json()["consent_id"] and view["pending_consent"] is None
    assert view["status"] == "consented"
