"""LJ-11.1 routine consents, LJ-11.3 emergency rescue, LJ-5 special trusteeship."""

from __future__ import annotations

from datetime import date
from typing import Any

from medaid_shared.testing import ServiceHarness

from .helpers import agent, capacity, guardian, no_guardian_verified, setup_person, trusteeship

HOSPITAL = ("hospital", "facility:H001")


async def record(svc: ServiceHarness, kind: str = "routine", admission: str = "A1", **extra: Any) -> dict[str, Any]:
    codes = {"routine": "89.5200", "major": "47.0100"}  # ECG; appendectomy (ICD-9-CM-3 47: surgery)
    body = {"kind": kind, "description": "阑尾切除术前检查", "attending_doctor": "doc-1", **extra}
    if kind in codes:
        body.setdefault("procedure_code", codes[kind])
    r = await svc.client.post(f"/admissions/{admission}/treatments", json=body, headers=svc.token(*HOSPITAL))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def sign(svc: ServiceHarness, treatment_id: str, role: str, *scopes: str, subject: str, **body: Any) -> Any:
    return await svc.client.post(
        f"/treatments/{treatment_id}/consent", json=body, headers=svc.token(role, *scopes, subject=subject)
    )


async def test_lj_11_1_routine_consent_signed_by_the_eligible_signer(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True), guardian=guardian("g-1"))
    t = await record(svc)
    assert t["status"] == "awaiting_consent" and t["consent_required"] and "LJ-11.1" in t["rules"]
    r = await sign(svc, t["treatment_id"], "patient", subject="P1", signature_ref="SIG-1")
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["decision"] == "routine" and c["signer"] == {
        "signer_id": "P1",
        "role": "patient",
        "rank": 1,
        "holder": "person",
    }
    assert c["skipped_ranks"] == [] and not c["filed_with_civil_affairs"]
    [event] = await svc.published("ConsentSigned")
    assert event["key"] == "A1"
    assert event["payload"]["signer_rank"] == 1 and event["payload"]["treatment_id"] == t["treatment_id"]
    view = (await svc.client.get(f"/treatments/{t['treatment_id']}", headers=svc.token(*HOSPITAL))).json()
    assert view["status"] == "consented" and view["consent"]["consent_id"] == c["consent_id"]
    assert view["description"] == "阑尾切除术前检查"
    # Immutable: a second signature is refused and changes nothing.
    again = await sign(svc, t["treatment_id"], "patient", subject="P1")
    assert again.status_code == 409
    assert len(await svc.published("ConsentSigned")) == 1


async def test_lj_10_consent_records_skipped_ranks_and_reasons(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(False), guardian=no_guardian_verified("EV-9"), agents=[agent("a-1")])
    t = await record(svc)
    r = await sign(svc, t["treatment_id"], "agent", subject="a-1")
    assert r.status_code == 201, r.text
    assert [(s["rank"], s["reasons"]) for s in r.json()["skipped_ranks"]] == [
        (1, ["not_fully_capable_or_lucid"]),
        (2, ["guardian_verified_none"]),
    ]
    [event] = await svc.published("ConsentSigned")
    skipped = event["payload"]["skipped_ranks"]
    assert [s["rank"] for s in skipped] == [1, 2]
    assert skipped[1]["reasons"] == ["guardian_verified_none"] and "EV-9" in skipped[1]["reason"]


async def test_lj_10_rank_4_signature_is_filed_with_civil_affairs(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(False), guardian=no_guardian_verified())
    t = await record(svc)
    r = await sign(svc, t["treatment_id"], "institution", "institution:I01", subject="head-I01")
    assert r.status_code == 201, r.text
    assert r.json()["filed_with_civil_affairs"] and r.json()["signer"]["rank"] == 4
    [event] = await svc.published("ConsentSigned")
    assert event["payload"]["filed_with_civil_affairs"] is True


async def test_lj_10_out_of_order_signature_is_rejected_naming_who_outranks(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(False), guardian=guardian("g-1"), agents=[agent("a-1")])
    t = await record(svc)
    r = await sign(svc, t["treatment_id"], "agent", subject="a-1")
    assert r.status_code == 422
    body = r.json()
    assert r.headers["content-type"] == "application/problem+json"
    assert body["rule"] == "LJ-10" and body["outranked_by"][0]["signer_ids"] == ["g-1"]
    assert "outranked by rank 2 guardian g-1" in body["detail"]
    assert await svc.published("ConsentSigned") == []
    view = (await svc.client.get(f"/treatments/{t['treatment_id']}", headers=svc.token(*HOSPITAL))).json()
    assert view["status"] == "awaiting_consent" and view["consent"] is None


async def test_lj_10_expired_delegation_is_problem_details(svc: ServiceHarness) -> None:
    expired = agent("a-1", valid_from=date(2025, 1, 1), valid_until=date(2026, 6, 14))
    await setup_person(svc, capacity=capacity(False), guardian=no_guardian_verified(), agents=[expired])
    t = await record(svc)
    r = await sign(svc, t["treatment_id"], "agent", subject="a-1")
    assert r.status_code == 422 and "expired on 2026-06-14" in r.json()["detail"]
    assert r.json()["reasons"] == ["delegation_expired"]
    assert await svc.published("ConsentSigned") == []


async def test_lj_11_3_emergency_rescue_without_prior_signature_then_later_signature(svc: ServiceHarness) -> None:
    await setup_person(svc, emergency=True, capacity=capacity(False), guardian=guardian("g-1"))
    t = await record(svc, "emergency", emergency_reason="cardiac arrest on arrival")
    assert t["status"] == "emergency_treated" and not t["consent_required"] and t["rules"] == ["LJ-11.3"]
    [recorded] = await svc.published("TreatmentRecorded")
    assert recorded["payload"]["kind"] == "emergency" and recorded["payload"]["consent_required"] is False
    r = await sign(svc, t["treatment_id"], "guardian", subject="g-1")
    assert r.status_code == 201, r.text
    assert r.json()["decision"] == "emergency_followup"
    [event] = await svc.published("ConsentSigned")
    assert event["payload"]["decision"] == "emergency_followup"


async def test_lj_5_routine_treatment_under_trusteeship_needs_no_consent(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True), trusteeship=trusteeship("H001"))
    t = await record(svc)
    assert t["status"] == "covered_by_trusteeship" and t["trusteeship_covered"] and not t["consent_required"]
    assert t["rules"] == ["LJ-5"]
    r = await sign(svc, t["treatment_id"], "patient", subject="P1")
    assert r.status_code == 409 and "LJ-5" in r.json()["detail"]
    # LJ-5: a major treatment of the same person still needs the evaluation and a consent.
    major = await record(svc, "major", category="surgery")
    assert major["status"] == "awaiting_evaluation" and major["consent_required"]
    r = await sign(svc, major["treatment_id"], "patient", subject="P1")
    assert r.status_code == 422 and r.json()["rule"] == "LJ-11.2"


async def test_lj_5_trusteeship_at_another_hospital_does_not_cover(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True), trusteeship=trusteeship("H777"))
    t = await record(svc)
    assert t["status"] == "awaiting_consent"


async def test_record_treatment_denials_and_bad_input(svc: ServiceHarness) -> None:
    await setup_person(svc)
    body = {"kind": "routine", "procedure_code": "89.5200", "description": "x", "attending_doctor": "doc-1"}
    for headers in (
        svc.token("hospital", "facility:H002"),
        svc.token("institution", "institution:I01"),
        svc.token("patient", subject="P1"),
        svc.token("civil_affairs"),
    ):
        r = await svc.client.post("/admissions/A1/treatments", json=body, headers=headers)
        assert r.status_code == 403, r.text
    h = svc.token(*HOSPITAL)
    r = await svc.client.post("/admissions/NOPE/treatments", json=body, headers=h)
    assert r.status_code == 404
    for bad, field in (
        ({**body, "kind": "major"}, "category"),
        ({**body, "kind": "emergency"}, "emergency_reason"),
        ({**body, "category": "surgery"}, "category"),
        ({**body, "kind": "cosmetic"}, "kind"),
        ({**body, "description": ""}, "description"),
    ):
        r = await svc.client.post("/admissions/A1/treatments", json=bad, headers=h)
        assert r.status_code == 422 and r.json()["field"] == f"/{field}", r.text
    assert await svc.published("TreatmentRecorded") == []


async def test_sign_denials_and_unknown_treatment(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(False), guardian=no_guardian_verified())
    t = await record(svc)
    tid = t["treatment_id"]
    for role, scopes, subject in (
        ("hospital", ("facility:H001",), "doc-1"),
        ("civil_affairs", (), "ca-1"),
        ("institution", ("institution:I02",), "head-I02"),
        ("village_committee", ("village:V01",), "vh-1"),
        ("guardian", (), "g-x"),
        ("patient", (), "P9"),
    ):
        r = await sign(svc, tid, role, *scopes, subject=subject)
        assert r.status_code == 403, (role, r.text)
    r = await sign(svc, "trt-nope", "patient", subject="P1")
    assert r.status_code == 404
    assert await svc.published("ConsentSigned") == []


async def test_read_treatment_consent_and_records_with_denials(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True))
    t = await record(svc)
    c = (await sign(svc, t["treatment_id"], "patient", subject="P1")).json()
    allowed = [svc.token(*HOSPITAL), svc.token("institution", "institution:I01"), svc.token("patient", subject="P1")]
    denied = [
        svc.token("hospital", "facility:H002"),
        svc.token("institution", "institution:I02"),
        svc.token("patient", subject="P2"),
        svc.token("police", "jurisdiction:PSB01"),
    ]
    for path in (f"/treatments/{t['treatment_id']}", f"/consents/{c['consent_id']}", "/admissions/A1/records"):
        for headers in allowed:
            assert (await svc.client.get(path, headers=headers)).status_code == 200, path
        for headers in denied:
            assert (await svc.client.get(path, headers=headers)).status_code == 403, path
    await svc.client.post(
        "/admissions/A1/self-pay-items",
        json={
            "item_code": "Y",
            "item_name": "n",
            "category": "test",
            "unit_price": "99.90",
            "quantity": 1,
            "necessity": "x",
            "attending_doctor": "d",
        },
        headers=svc.token(*HOSPITAL),
    )
    records = (await svc.client.get("/admissions/A1/records", headers=svc.token("civil_affairs"))).json()
    assert [(x["amount"], x["outcome"]) for x in records["self_pay_items"]] == [("99.90", "below_threshold")]
    assert [x["treatment_id"] for x in records["treatments"]] == [t["treatment_id"]]
    assert [x["consent_id"] for x in records["consents"]] == [c["consent_id"]]
    for path in ("/treatments/nope", "/consents/nope", "/admissions/nope/records"):
        assert (await svc.client.get(path, headers=svc.token("civil_affairs"))).status_code == 404


async def test_admission_of_an_unknown_person_is_problem_details(svc: ServiceHarness) -> None:
    """Referral's AdmissionFiled arrived before PersonRegistered: nothing is recorded."""
    from .helpers import admission_event, feed

    await feed(svc, admission_event("A9", "P-UNKNOWN"))
    r = await svc.client.post(
        "/admissions/A9/treatments",
        json={"kind": "routine", "procedure_code": "89.5200", "description": "x", "attending_doctor": "doc-1"},
        headers=svc.token(*HOSPITAL),
    )
    assert r.status_code == 404 and "unknown person" in r.json()["detail"]
    r = await svc.client.post(
        "/admissions/A9/self-pay-items",
        json={
            "item_code": "Y",
            "item_name": "n",
            "category": "drug",
            "unit_price": "300.00",
            "quantity": 1,
            "necessity": "x",
            "attending_doctor": "d",
        },
        headers=svc.token(*HOSPITAL),
    )
    assert r.status_code == 404
    assert await svc.published() == []
