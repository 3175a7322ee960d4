"""LJ-11.3 / LJ-7.4 / SPEC 0.5: "emergency" self-pay outcomes only for items of an emergency
admission within its (versioned) emergency period; when referral withdraws the emergency's
exemptions (EmergencyExemptionWithdrawn: no basis, or a contest upheld), what they skipped is
reopened — items decided "emergency" need the consent form and the double review again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine

from medaid_shared import clock
from medaid_shared.contracts.referral import EmergencyExemptionWithdrawn
from medaid_shared.testing import ServiceHarness

from .helpers import admission_event, capacity, feed, setup_person
from .test_api_consents import record, sign
from .test_api_selfpay import HOSPITAL, item, propose

WITHDRAWN = EmergencyExemptionWithdrawn(
    admission_id="A1", person_id="P1", facility_id="H001", reason="contest_upheld", withdrawn_at=clock.now()
)


async def get_item(svc: ServiceHarness, item_id: str) -> dict[str, Any]:
    r = await svc.client.get(f"/self-pay-items/{item_id}", headers=svc.token("civil_affairs"))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_lj_11_3_emergency_items_only_within_the_emergency_period(svc: ServiceHarness) -> None:
    await setup_person(svc, emergency=True)  # admitted now, 2026-06-15 10:00 local
    within = await propose(svc, "3000.00", emergency=True)
    assert within["outcome"] == "emergency"
    start = clock.now()
    with time_machine.travel(start + timedelta(hours=72, seconds=1), tick=False):
        late = await svc.client.post(
            "/admissions/A1/self-pay-items", json=item("3000.00", emergency=True), headers=svc.token(*HOSPITAL)
        )
        assert late.status_code == 422, late.text
        body = late.json()
        assert (body["field"], body["rule"]) == ("/emergency", "LJ-11.3")
        assert body["parameters_version"] == "emergency_self_pay:any:any:default"
        assert len(await svc.published("SelfPayProposed")) == 1  # nothing stored
        # the same item, proposed for review, goes through the form and the double review
        assert (await propose(svc, "3000.00"))["status"] == "awaiting_consent_form"


async def test_lj_11_3_the_emergency_period_is_a_versioned_parameter(svc: ServiceHarness) -> None:
    version = {
        "kind": "emergency_self_pay",
        "region": "any",
        "effective_from": "2026-06-01",
        "values": {"emergency_period_hours": 24},
        "source": "区医保局通知",
    }
    assert (
        await svc.client.post("/admin/parameters", json={"versions": [version]}, headers=svc.token("admin"))
    ).status_code == 201
    await setup_person(svc, emergency=True)
    with time_machine.travel(clock.now() + timedelta(hours=25), tick=False):
        late = await svc.client.post(
            "/admissions/A1/self-pay-items", json=item("300.00", emergency=True), headers=svc.token(*HOSPITAL)
        )
        assert late.status_code == 422 and late.json()["parameters_version"] == "emergency_self_pay:any:any:2026-06-01"


async def test_spec_0_5_a_withdrawn_emergency_reopens_the_items_it_decided(svc: ServiceHarness) -> None:
    """Issue scenario: a self-declared emergency decided self-pay items "emergency" with no
    form or review. Once referral withdraws the exemptions, each such item is undecided again
    and needs the form and the double review; one below the review threshold is decided
    again as such; no new emergency item is accepted; the event is consumed once."""
    await setup_person(svc, emergency=True, capacity=capacity(True))
    small = await propose(svc, "150.00", emergency=True, item_code="Y")  # below 200, cumulative 150
    big = await propose(svc, "3000.00", emergency=True)
    routine = await propose(svc, "500.00", item_code="Y-7")
    assert big["outcome"] == small["outcome"] == "emergency" and routine["status"] == "awaiting_consent_form"

    await feed(svc, WITHDRAWN)
    reopened = await get_item(svc, big["item_id"])
    assert reopened["status"] == "awaiting_consent_form" and reopened["outcome"] is None
    events = await svc.published("SelfPayReopened")
    assert {e["payload"]["item_id"]: e["payload"]["status"] for e in events} == {
        big["item_id"]: "awaiting_consent_form",
        small["item_id"]: "recorded_below_threshold",
    }
    assert all(e["payload"]["reason"] == "contest_upheld" and "LJ-11.3" in e["payload"]["rules"] for e in events)
    again = [e for e in await svc.published("SelfPayDecided") if e["payload"]["item_id"] == small["item_id"]]
    assert [e["payload"]["outcome"] for e in again] == ["emergency", "below_threshold"]
    assert (await get_item(svc, routine["item_id"]))["status"] == "awaiting_consent_form"  # untouched

    # the reopened item goes through LJ-7.1 now
    form = await svc.client.post(
        f"/self-pay-items/{big['item_id']}/consent-form", json={}, headers=svc.token("patient", subject="P1")
    )
    assert form.status_code == 201, form.text
    assert (await get_item(svc, big["item_id"]))["status"] == "awaiting_initial_review"

    refused = await svc.client.post(
        "/admissions/A1/self-pay-items", json=item("800.00", emergency=True), headers=svc.token(*HOSPITAL)
    )
    assert refused.status_code == 422 and refused.json()["field"] == "/emergency", refused.text

    # a repeated event or a replayed AdmissionFiled changes nothing
    await feed(svc, WITHDRAWN)
    await feed(svc, admission_event("A1", "P1", emergency=True))
    assert len(await svc.published("SelfPayReopened")) == 2
    still = await svc.client.post(
        "/admissions/A1/self-pay-items", json=item("800.00", emergency=True), headers=svc.token(*HOSPITAL)
    )
    assert still.status_code == 422


async def test_lj_11_2_a_reopened_high_self_pay_item_waits_for_its_evaluation(svc: ServiceHarness) -> None:
    """An emergency item skipped the LJ-11.2 evaluation too: reopened after the withdrawal, a
    high self-pay item (≥ 5,000 by the versioned threshold) is a major treatment again, and
    its form waits for the evaluation."""
    await setup_person(svc, emergency=True, capacity=capacity(True))
    big = await propose(svc, "6000.00", emergency=True)
    records = (await svc.client.get("/admissions/A1/records", headers=svc.token("civil_affairs"))).json()
    assert records["treatments"] == []  # decided "emergency": no evaluation asked
    await feed(svc, WITHDRAWN)
    records = (await svc.client.get("/admissions/A1/records", headers=svc.token("civil_affairs"))).json()
    [t] = records["treatments"]
    assert (t["kind"], t["category"], t["item_id"]) == ("major", "high_self_pay_item", big["item_id"])
    form = await svc.client.post(
        f"/self-pay-items/{big['item_id']}/consent-form", json={}, headers=svc.token("patient", subject="P1")
    )
    assert form.status_code == 422 and form.json()["rule"] == "LJ-11.2", form.text
    await feed(svc, WITHDRAWN)  # consumed once: no second treatment
    assert (
        len((await svc.client.get("/admissions/A1/records", headers=svc.token("civil_affairs"))).json()["treatments"])
        == 1
    )


async def test_lj_11_3_a_withdrawn_emergency_reopens_its_rescues_for_consent(svc: ServiceHarness) -> None:
    """SPEC 0.5 / LJ-11.3: rescues treated without prior signature rested on the emergency.
    Once referral withdraws its exemptions (consumed as EmergencyExemptionWithdrawn), each
    rescue not yet signed is judged without the emergency — routine (LJ-11.1) or, by its
    procedure code, major (LJ-11.2) — and needs its consent again (TreatmentReopened). A
    rescue already signed keeps its consent; the event is consumed once."""
    await setup_person(svc, emergency=True, capacity=capacity(True))
    plain = await record(svc, "emergency", emergency_reason="cardiac arrest on arrival")
    surgery = await record(svc, "emergency", emergency_reason="perforation", procedure_code="47.0100")
    signed = await record(svc, "emergency", emergency_reason="haemorrhage")
    assert (await sign(svc, signed["treatment_id"], "patient", subject="P1")).json()["decision"] == (
        "emergency_followup"
    )
    assert plain["status"] == surgery["status"] == "emergency_treated" and not plain["consent_required"]

    await feed(svc, WITHDRAWN)
    events = {e["payload"]["treatment_id"]: e["payload"] for e in await svc.published("TreatmentReopened")}
    assert set(events) == {plain["treatment_id"], surgery["treatment_id"]}
    p, s = events[plain["treatment_id"]], events[surgery["treatment_id"]]
    assert (p["previous_kind"], p["kind"], p["status"], p["consent_required"]) == (
        "emergency",
        "routine",
        "awaiting_consent",
        True,
    )
    assert (s["kind"], s["category"], s["status"]) == ("major", "surgery", "awaiting_evaluation")
    assert p["reason"] == "contest_upheld" and p["rules"][0] == "LJ-11.3" and "LJ-11.1" in p["rules"]
    assert "LJ-11.2" in s["rules"]

    view = (await svc.client.get(f"/treatments/{plain['treatment_id']}", headers=svc.token(*HOSPITAL))).json()
    assert (view["kind"], view["labelled_kind"], view["status"]) == ("routine", "emergency", "awaiting_consent")
    assert view["consent_required"] is True and view["consent"] is None
    # the reopened rescue is consented as a routine treatment now (LJ-11.1), the surgery waits for LJ-11.2
    r = await sign(svc, plain["treatment_id"], "patient", subject="P1")
    assert r.status_code == 201 and r.json()["decision"] == "routine", r.text
    blocked = await sign(svc, surgery["treatment_id"], "patient", subject="P1")
    assert blocked.status_code == 422 and blocked.json()["rule"] == "LJ-11.2", blocked.text
    kept = (await svc.client.get(f"/treatments/{signed['treatment_id']}", headers=svc.token(*HOSPITAL))).json()
    assert kept["status"] == "consented" and kept["consent"]["decision"] == "emergency_followup"

    await feed(svc, WITHDRAWN)  # consumed once: nothing reopened again
    assert len(await svc.published("TreatmentReopened")) == 2


async def test_lj_18_lj_11_3_civil_affairs_of_the_district_sees_a_reopened_rescue_on_its_feed(
    svc: ServiceHarness,
) -> None:
    """LJ-18 / LJ-11.3: a rescue reopened for consent (TreatmentReopened) is on civil affairs'
    information-sharing feed for the district this service serves, with what the treatment is
    now judged as (the minimisation table keeps ``category`` for civil affairs); civil affairs
    of another district does not see it, medical insurance is not entitled to it, and the
    auditor sees it without the medical fields."""
    await setup_person(svc, emergency=True, capacity=capacity(True))
    surgery = await record(svc, "emergency", emergency_reason="perforation", procedure_code="47.0100")
    await feed(svc, WITHDRAWN)
    await svc.runtime.relay.publish_batch()

    async def reopened(department: str, role: str, *scopes: str) -> list[dict[str, Any]]:
        r = await svc.client.get(f"/feed/{department}", params={"limit": 500}, headers=svc.token(role, *scopes))
        assert r.status_code == 200, r.text
        return [e["data"] for e in r.json()["events"] if e["type"] == "medaid.consent.TreatmentReopened"]

    (seen,) = await reopened("civil_affairs", "civil_affairs", "district:liujiang")
    assert (seen["treatment_id"], seen["kind"], seen["category"], seen["status"]) == (
        surgery["treatment_id"],
        "major",
        "surgery",
        "awaiting_evaluation",
    )
    assert await reopened("civil_affairs", "civil_affairs", "district:yufeng") == []
    assert await reopened("medical_insurance", "medical_insurance") == []
    (audited,) = await reopened("auditor", "auditor")
    assert audited["treatment_id"] == surgery["treatment_id"]
    assert "category" not in audited and "trusteeship_covered" not in audited
