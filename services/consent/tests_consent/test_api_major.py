"""LJ-11.2 through the API: expert pool, fair-rotation assignment, the evaluation record
before any consent, MajorTreatmentEvaluated; denials."""

from __future__ import annotations

from typing import Any

from medaid_shared.testing import ServiceHarness

from .helpers import admission_event, capacity, feed, setup_person

HOSPITAL = ("hospital", "facility:H001")
BUREAU = ("health_bureau",)


async def add_expert(svc: ServiceHarness, expert_id: str, hospital: str, specialty: str = "surgery") -> Any:
    r = await svc.client.post(
        "/experts",
        json={"expert_id": expert_id, "name": f"专家{expert_id}", "hospital_id": hospital, "specialty": specialty},
        headers=svc.token(*BUREAU, subject="hb-1"),
    )
    assert r.status_code == 201, r.text
    return r.json()


async def major_treatment(svc: ServiceHarness, admission: str = "A1", hospital: tuple[str, ...] = HOSPITAL) -> str:
    r = await svc.client.post(
        f"/admissions/{admission}/treatments",
        json={
            "kind": "major",
            "category": "surgery",
            "procedure_code": "51.2300",
            "description": "胆囊切除术",
            "attending_doctor": "doc-1",
        },
        headers=svc.token(*hospital),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["treatment_id"])


async def assign(svc: ServiceHarness, tid: str, **body: Any) -> Any:
    return await svc.client.post(
        f"/treatments/{tid}/expert-assignment", json=body, headers=svc.token(*BUREAU, subject="hb-1")
    )


async def attending(svc: ServiceHarness, tid: str, recommendation: str = "proceed") -> Any:
    return await svc.client.post(
        f"/treatments/{tid}/evaluation/attending",
        json={"attending_doctor": "doc-1", "opinion": "保守治疗无效", "recommendation": recommendation},
        headers=svc.token(*HOSPITAL),
    )


async def expert(svc: ServiceHarness, tid: str, expert_id: str, recommendation: str = "proceed") -> Any:
    return await svc.client.post(
        f"/treatments/{tid}/evaluation/expert",
        json={"opinion": "手术指征明确", "recommendation": recommendation},
        headers=svc.token("health_bureau", subject=expert_id),
    )


async def test_lj_11_2_evaluation_record_before_any_consent(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True))
    await add_expert(svc, "E1", "H001")  # the treating hospital: never chosen
    await add_expert(svc, "E2", "H002")
    tid = await major_treatment(svc)
    # No consent before the evaluation record is complete.
    early = await svc.client.post(f"/treatments/{tid}/consent", json={}, headers=svc.token("patient", subject="P1"))
    assert early.status_code == 422 and early.json()["rule"] == "LJ-11.2"
    a = await assign(svc, tid)
    assert a.status_code == 201, a.text
    assert a.json()["expert"]["expert_id"] == "E2"
    assert {"expert_id": "E1", "reason": "from_treating_hospital"} in a.json()["rotation"]["excluded"]
    assert (await attending(svc, tid)).json()["conclusion"] is None  # half a record
    still_early = await svc.client.post(
        f"/treatments/{tid}/consent", json={}, headers=svc.token("patient", subject="P1")
    )
    assert still_early.status_code == 422
    done = await expert(svc, tid, "E2")
    assert done.status_code == 200, done.text
    assert done.json()["conclusion"] == "proceed" and done.json()["treatment_status"] == "awaiting_consent"
    [event] = [r["payload"] for r in await svc.published("MajorTreatmentEvaluated")]
    assert (event["expert_id"], event["expert_hospital_id"], event["conclusion"]) == ("E2", "H002", "proceed")
    assert event["treatment_id"] == tid and event["rotation"] == "least_recently_assigned"
    signed = await svc.client.post(f"/treatments/{tid}/consent", json={}, headers=svc.token("patient", subject="P1"))
    assert signed.status_code == 201 and signed.json()["decision"] == "major"
    record = (await svc.client.get(f"/treatments/{tid}/evaluation", headers=svc.token(*HOSPITAL))).json()
    assert record["attending"]["opinion"] == "保守治疗无效" and record["expert"]["opinion"] == "手术指征明确"


async def test_lj_11_2_do_not_proceed_blocks_the_consent(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True))
    await add_expert(svc, "E2", "H002")
    tid = await major_treatment(svc)
    await assign(svc, tid)
    await expert(svc, tid, "E2", "do_not_proceed")
    r = await attending(svc, tid)
    assert r.json()["conclusion"] == "do_not_proceed" and r.json()["treatment_status"] == "not_to_proceed"
    signed = await svc.client.post(f"/treatments/{tid}/consent", json={}, headers=svc.token("patient", subject="P1"))
    assert signed.status_code == 422 and signed.json()["rule"] == "LJ-11.2"
    # The record is complete: no part may be recorded again.
    assert (await attending(svc, tid)).status_code == 409


async def test_lj_11_2_fair_rotation_across_treatments_is_recorded(svc: ServiceHarness, frozen_clock: Any) -> None:
    await setup_person(svc, capacity=capacity(True))
    for e, h in (("E3", "H003"), ("E4", "H004")):
        await add_expert(svc, e, h)
    chosen = []
    for i in range(5):
        if i == 2:  # an expert joining the pool goes first (never assigned)
            await add_expert(svc, "E2", "H002")
        tid = await major_treatment(svc)
        chosen.append((await assign(svc, tid)).json()["expert"]["expert_id"])
        frozen_clock.shift(60)
    assert chosen == ["E3", "E4", "E2", "E3", "E4"]
    pool = (await svc.client.get("/experts", headers=svc.token("civil_affairs"))).json()["items"]
    assert {e["expert_id"]: e["assignments"] for e in pool} == {"E2": 1, "E3": 2, "E4": 2}


async def test_lj_11_2_specialty_and_no_eligible_expert(svc: ServiceHarness) -> None:
    await setup_person(svc)
    await add_expert(svc, "E1", "H001", "cardiology")
    await add_expert(svc, "E2", "H002", "surgery")
    tid = await major_treatment(svc)
    r = await assign(svc, tid, specialty="cardiology")
    assert r.status_code == 422 and r.json()["rule"] == "LJ-11.2"
    ok = await assign(svc, tid, specialty="surgery")
    assert ok.json()["expert"]["expert_id"] == "E2"
    assert (await assign(svc, tid)).status_code == 409  # one assignment per treatment


async def test_lj_11_2_deactivated_expert_is_skipped(svc: ServiceHarness) -> None:
    await setup_person(svc)
    await add_expert(svc, "E2", "H002")
    await add_expert(svc, "E3", "H003")
    r = await svc.client.patch("/experts/E2", json={"active": False}, headers=svc.token(*BUREAU))
    assert r.status_code == 200 and r.json()["active"] is False
    tid = await major_treatment(svc)
    assert (await assign(svc, tid)).json()["expert"]["expert_id"] == "E3"


async def test_expert_pool_denials_and_bad_input(svc: ServiceHarness) -> None:
    body = {"expert_id": "E1", "name": "甲", "hospital_id": "H002", "specialty": "surgery"}
    for headers in (svc.token(*HOSPITAL), svc.token("civil_affairs"), svc.token("admin")):
        assert (await svc.client.post("/experts", json=body, headers=headers)).status_code == 403
        assert (await svc.client.patch("/experts/E1", json={"active": False}, headers=headers)).status_code == 403
    for headers in (svc.token(*HOSPITAL), svc.token("patient", subject="P1")):
        assert (await svc.client.get("/experts", headers=headers)).status_code == 403
    bureau = svc.token(*BUREAU)
    r = await svc.client.post("/experts", json={**body, "specialty": ""}, headers=bureau)
    assert r.status_code == 422 and r.json()["field"] == "/specialty"
    assert (await svc.client.post("/experts", json=body, headers=bureau)).status_code == 201
    assert (await svc.client.post("/experts", json=body, headers=bureau)).status_code == 409
    assert (await svc.client.patch("/experts/NOPE", json={"active": False}, headers=bureau)).status_code == 404
    assert (await svc.client.get("/experts", headers=svc.token("auditor"))).status_code == 200


async def test_evaluation_denials(svc: ServiceHarness) -> None:
    await setup_person(svc)
    await feed(svc, admission_event("A2", "P1", facility_id="H002"))
    await add_expert(svc, "E2", "H002")
    await add_expert(svc, "E3", "H003")
    tid = await major_treatment(svc)
    # Assignment only by the health bureau, only for a major treatment.
    for headers in (svc.token(*HOSPITAL), svc.token("civil_affairs")):
        r = await svc.client.post(f"/treatments/{tid}/expert-assignment", json={}, headers=headers)
        assert r.status_code == 403
    routine = await svc.client.post(
        "/admissions/A1/treatments",
        json={"kind": "routine", "procedure_code": "89.5200", "description": "x", "attending_doctor": "doc-1"},
        headers=svc.token(*HOSPITAL),
    )
    r = await assign(svc, routine.json()["treatment_id"])
    assert r.status_code == 422 and r.json()["rule"] == "LJ-11.2"
    assert (await assign(svc, "trt-nope")).status_code == 404
    await assign(svc, tid)  # E2
    # The attending part: the treating hospital only.
    for headers in (svc.token("hospital", "facility:H002"), svc.token(*BUREAU)):
        r = await svc.client.post(
            f"/treatments/{tid}/evaluation/attending",
            json={"attending_doctor": "d", "opinion": "o", "recommendation": "proceed"},
            headers=headers,
        )
        assert r.status_code == 403
    # The expert part: the assigned expert only.
    assert (await expert(svc, tid, "E3")).status_code == 403
    r = await svc.client.post(
        f"/treatments/{tid}/evaluation/expert",
        json={"opinion": "o", "recommendation": "proceed"},
        headers=svc.token(*HOSPITAL),
    )
    assert r.status_code == 403
    bad = await svc.client.post(
        f"/treatments/{tid}/evaluation/expert",
        json={"opinion": "o", "recommendation": "maybe"},
        headers=svc.token("health_bureau", subject="E2"),
    )
    assert bad.status_code == 422 and bad.json()["field"] == "/recommendation"
    assert (await expert(svc, tid, "E2")).status_code == 200
    assert (await expert(svc, tid, "E2")).status_code == 409
    # Reading the record.
    for headers in (svc.token("hospital", "facility:H002"), svc.token("patient", subject="P2")):
        assert (await svc.client.get(f"/treatments/{tid}/evaluation", headers=headers)).status_code == 403
    assert (await svc.client.get(f"/treatments/{tid}/evaluation", headers=svc.token(*BUREAU))).status_code == 200
    assert await svc.published("MajorTreatmentEvaluated") == []  # the attending part is still missing


async def test_expert_part_before_assignment_is_a_conflict(svc: ServiceHarness) -> None:
    await setup_person(svc)
    tid = await major_treatment(svc)
    assert (await expert(svc, tid, "E2")).status_code == 409
    r = await svc.client.get(f"/treatments/{tid}/evaluation", headers=svc.token(*HOSPITAL))
    assert r.status_code == 404


async def _refuse(svc: ServiceHarness, tid: str, expert_id: str = "E2") -> None:
    """The evaluation of ``tid`` concludes "do not proceed"."""
    assert (await assign(svc, tid)).status_code == 201
    await attending(svc, tid)
    done = (await expert(svc, tid, expert_id, "do_not_proceed")).json()
    assert done["conclusion"] == "do_not_proceed", done


async def routine(svc: ServiceHarness, code: str) -> Any:
    r = await svc.client.post(
        "/admissions/A1/treatments",
        json={"kind": "routine", "procedure_code": code, "description": "x", "attending_doctor": "doc-1"},
        headers=svc.token(*HOSPITAL),
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_lj_11_2_a_surgery_recorded_as_routine_is_major_by_its_procedure_code(svc: ServiceHarness) -> None:
    """Issue scenario: major or routine is not the hospital's label — an operation code
    (ICD-9-CM-3 chapters 01–86, the versioned list) makes it major, evaluation first; a
    procedure outside the list stays routine; a version can list high-risk procedures."""
    await setup_person(svc, capacity=capacity(True))
    t = await routine(svc, "51.2300")  # laparoscopic cholecystectomy, labelled routine
    assert t["kind"] == "major" and t["category"] == "surgery" and t["labelled_kind"] == "routine"
    assert t["status"] == "awaiting_evaluation" and "major whatever the label" in t["reclassified"]
    assert t["parameters_version"] == "major_treatment:any:any:default"
    early = await svc.client.post(
        f"/treatments/{t['treatment_id']}/consent", json={}, headers=svc.token("patient", subject="P1")
    )
    assert early.status_code == 422 and early.json()["rule"] == "LJ-11.2" and early.json()["field"] == "treatment_id"
    assert (await routine(svc, "89.5200"))["kind"] == "routine"  # an ECG is no operation
    r = await svc.client.post(
        "/admin/parameters",
        json={
            "versions": [
                {
                    "kind": "major_treatment",
                    "effective_from": "2026-06-01",
                    "values": {"high_risk_code_prefixes": ["99.25"]},
                }
            ]
        },
        headers=svc.token("admin"),
    )
    assert r.status_code == 201, r.text
    risky = await routine(svc, "99.2500")  # chemotherapy injection, on the district's high-risk list
    assert risky["kind"] == "major" and risky["category"] == "high_risk_procedure"
    assert risky["parameters_version"] == "major_treatment:any:any:2026-06-01"
    missing = await svc.client.post(
        "/admissions/A1/treatments",
        json={"kind": "routine", "description": "x", "attending_doctor": "doc-1"},
        headers=svc.token(*HOSPITAL),
    )
    assert missing.status_code == 422 and missing.json()["field"] == "/procedure_code"


async def test_lj_11_2_do_not_proceed_blocks_the_procedure_in_the_admission(svc: ServiceHarness) -> None:
    """Issue scenario: after "do not proceed" the same operation recorded again — even as
    routine, even a record made before the evaluation ended — takes no consent in this
    admission; another admission is not blocked."""
    await setup_person(svc, capacity=capacity(True))
    await add_expert(svc, "E2", "H002")
    tid = await major_treatment(svc)
    parallel = await routine(svc, "51.2300")  # recorded while the evaluation runs
    await _refuse(svc, tid)
    again = await routine(svc, "51.2300")
    assert again["status"] == "not_to_proceed"
    patient = svc.token("patient", subject="P1")
    for t in (again["treatment_id"], parallel["treatment_id"]):
        r = await svc.client.post(f"/treatments/{t}/consent", json={}, headers=patient)
        assert r.status_code == 422 and r.json()["rule"] == "LJ-11.2", r.text
    assert await svc.published("ConsentSigned") == []
    await feed(svc, admission_event("A2", "P1"))
    r = await svc.client.post(
        "/admissions/A2/treatments",
        json={"kind": "routine", "procedure_code": "51.2300", "description": "x", "attending_doctor": "doc-1"},
        headers=svc.token(*HOSPITAL),
    )
    assert r.json()["status"] == "awaiting_evaluation"


async def test_lj_11_2_a_high_self_pay_item_is_a_major_treatment(svc: ServiceHarness) -> None:
    """Issue scenario: the seed's third kind of major treatment — a self-pay item at or above
    the versioned high self-pay threshold (5,000) starts an evaluation; its form waits for
    it, and "do not proceed" rejects the item (LJ-7.4)."""
    await setup_person(svc, capacity=capacity(True))
    await add_expert(svc, "E2", "H002")
    r = await svc.client.post(
        "/admissions/A1/self-pay-items",
        json={
            "item_code": "X-01",
            "item_name": "进口人工关节",
            "category": "consumable",
            "unit_price": "6000.00",
            "quantity": 1,
            "necessity": "x",
            "attending_doctor": "doc-1",
        },
        headers=svc.token(*HOSPITAL),
    )
    item = r.json()
    assert r.status_code == 201 and "LJ-11.2" in item["rules"], r.text
    records = (await svc.client.get("/admissions/A1/records", headers=svc.token("civil_affairs"))).json()
    [t] = records["treatments"]
    assert t["kind"] == "major" and t["category"] == "high_self_pay_item" and t["item_id"] == item["item_id"]
    form = await svc.client.post(
        f"/self-pay-items/{item['item_id']}/consent-form", json={}, headers=svc.token("patient", subject="P1")
    )
    assert form.status_code == 422 and form.json()["rule"] == "LJ-11.2"
    await _refuse(svc, t["treatment_id"])
    decided = (await svc.client.get(f"/self-pay-items/{item['item_id']}", headers=svc.token("civil_affairs"))).json()
    assert decided["status"] == "rejected"
    [event] = [e["payload"] for e in await svc.published("SelfPayDecided")]
    assert event["outcome"] == "rejected" and event["rules"] == ["LJ-11.2", "LJ-7.4"]
