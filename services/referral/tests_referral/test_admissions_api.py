"""§2 over HTTP: referrals, admissions, outside-care filings, their compliance states and
deadlines on the official working-day calendar (National Day 2026, make-up Saturday)."""

from __future__ import annotations

from datetime import datetime

import time_machine

from medaid_shared.clock import SHANGHAI
from medaid_shared.testing import ServiceHarness

from .helpers import (
    admit,
    assert_problem,
    audit_actions,
    ca,
    count,
    fire,
    health,
    hospital,
    institution,
    mi,
    payloads,
    town,
    village,
    world,
)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def iso(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def referral(svc: ServiceHarness, person_id: str, to: str, *, slip: bool = True, frm: str = "TH01") -> dict:
    body = {
        "person_id": person_id,
        "from_facility_id": frm,
        "to_facility_id": to,
        "first_visit_at": "2026-09-28T09:00:00+08:00",
        "slip_ref": "ZZ-1" if slip else None,
        "slip_doctor": "Dr Lu",
    }
    r = await svc.client.post("/referrals", json=body, headers=hospital(svc, frm))
    assert r.status_code == 201, r.text
    return r.json()


async def test_lj_3_2a_lj_4_2a_referral_compliance_on_admission(svc: ServiceHarness) -> None:
    """LJ-3.2a first visit at a primary facility, LJ-4.2a referral slip; AdmissionFiled carries both states."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        ref = await referral(svc, w["central"], "H001")
        adm = await admit(svc, w["central"], "2026-09-29T09:00:00+08:00")
        assert adm["referral_id"] == ref["referral_id"]
        assert adm["referral_compliance"] == {
            "primary_first_visit": True,
            "referral_slip": True,
            "out_of_region_approved": None,
            "compliant": True,
            "parameters_version": "referral_exemption:any:any:default",
        }
        (filed,) = payloads(await svc.published("AdmissionFiled"))
        assert filed["filing_state"] == "pending" and filed["facility_level"] == "district"
        assert filed["referral_compliance"]["compliant"] is True and filed["institution_id"] == "I01"
        # SPEC 0.3 / LJ-4.2a: no referral to this facility, no emergency → refused, nothing filed
        body = {"person_id": w["decentral"], "facility_id": "H001", "admitted_at": "2026-09-29T09:30:00+08:00"}
        unreferred = await svc.client.post("/admissions", json=body, headers=hospital(svc, "H001"))
        assert_problem(unreferred, 422, field="/referral_id", rule="LJ-4.2a")
        assert await count(svc, "admission") == 1
        # a referral from a district hospital without its slip: filed, not compliant (LJ-3.2a, LJ-4.2a)
        await referral(svc, w["decentral"], "C001", slip=False, frm="H001")
        direct = await admit(svc, w["decentral"], "2026-09-29T09:30:00+08:00", facility_id="C001")
        assert direct["referral_compliance"]["primary_first_visit"] is False
        assert direct["referral_compliance"]["referral_slip"] is False
        # the referring hospital now sees the person; an unrelated one does not
        assert (await svc.client.get(f"/persons/{w['central']}", headers=hospital(svc, "TH01"))).status_code == 200
        assert_problem(await svc.client.get(f"/persons/{w['central']}", headers=hospital(svc, "C001")), 403)


async def test_lj_4_3a_out_of_region_approval_changes_compliance(svc: ServiceHarness) -> None:
    """LJ-4.3a: a transfer to Liuzhou city waits for medical insurance; approval → AdmissionComplianceChanged."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        ref = await referral(svc, w["central"], "C001")
        assert ref["approval_state"] == "pending"
        adm = await admit(svc, w["central"], "2026-09-29T09:00:00+08:00", facility_id="C001")
        assert adm["referral_compliance"]["out_of_region_approved"] is False
        assert adm["referral_compliance"]["compliant"] is False
        body = {"approved": True, "reference": "MI-2026-7", "reason": "specialist care not in district"}
        url = f"/referrals/{ref['referral_id']}/approval"
        assert_problem(await svc.client.post(url, json=body, headers=hospital(svc, "C001")), 403)
        assert_problem(await svc.client.post(url, json=body, headers=ca(svc)), 403)
        r = await svc.client.post(url, json=body, headers=mi(svc))
        assert r.status_code == 200 and r.json()["approval_state"] == "approved"
        (changed,) = payloads(await svc.published("AdmissionComplianceChanged"))
        assert changed["admission_id"] == adm["admission_id"]
        assert changed["referral_compliance"]["out_of_region_approved"] is True
        assert changed["referral_compliance"]["compliant"] is True
        assert ("referral.approve", ref["referral_id"], body["reason"]) in await audit_actions(svc)
        assert_problem(await svc.client.post(url, json=body, headers=mi(svc)), 409)
        assert_problem(await svc.client.post("/referrals/nope/approval", json=body, headers=mi(svc)), 404)
        local = await referral(svc, w["decentral"], "H001")
        assert_problem(
            await svc.client.post(f"/referrals/{local['referral_id']}/approval", json=body, headers=mi(svc)),
            422,
            rule="LJ-4.3a",
        )
        assert len(await svc.published("AdmissionComplianceChanged")) == 1


async def test_referral_bad_input_scope_and_reads(svc: ServiceHarness) -> None:
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        base = {
            "person_id": w["central"],
            "from_facility_id": "TH01",
            "to_facility_id": "H001",
            "first_visit_at": "2026-09-28T09:00:00+08:00",
        }
        assert_problem(await svc.client.post("/referrals", json=base, headers=hospital(svc, "H001")), 403)
        assert_problem(await svc.client.post("/referrals", json=base, headers=institution(svc)), 403)
        assert_problem(
            await svc.client.post("/referrals", json={**base, "person_id": "nope"}, headers=hospital(svc, "TH01")),
            422,
            field="/person_id",
        )
        assert_problem(
            await svc.client.post("/referrals", json={**base, "to_facility_id": "NOPE"}, headers=hospital(svc, "TH01")),
            422,
            field="/to_facility_id",
        )
        assert_problem(
            await svc.client.post(
                "/referrals", json={**base, "first_visit_at": "2026-09-28T09:00:00"}, headers=hospital(svc, "TH01")
            ),
            422,
            field="/first_visit_at",
        )
        assert await count(svc, "referral") == 0
        ref = await referral(svc, w["central"], "H001")
        rid = ref["referral_id"]
        assert (await svc.client.get(f"/referrals/{rid}", headers=institution(svc, "I01"))).status_code == 200
        assert (await svc.client.get(f"/referrals/{rid}", headers=hospital(svc, "H001"))).status_code == 200
        assert_problem(await svc.client.get(f"/referrals/{rid}", headers=institution(svc, "I02")), 403)
        assert_problem(await svc.client.get(f"/referrals/{rid}", headers=hospital(svc, "C001")), 403)
        assert_problem(await svc.client.get("/referrals/nope", headers=ca(svc)), 404)
        listed = await svc.client.get(f"/referrals?person_id={w['central']}", headers=village(svc))
        assert listed.status_code == 200 and listed.json()["items"] == []
        assert len((await svc.client.get("/referrals?pending=false", headers=mi(svc))).json()["items"]) == 1
        assert_problem(await svc.client.get("/referrals", headers=svc.token("police")), 403)


async def test_admission_bad_input_changes_nothing(svc: ServiceHarness) -> None:
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        base = {"person_id": w["central"], "facility_id": "H001", "admitted_at": "2026-09-29T09:00:00+08:00"}
        h = hospital(svc, "H001")
        assert_problem(
            await svc.client.post("/admissions", json={**base, "person_id": "ghost"}, headers=h),
            422,
            field="/person_id",
        )
        assert_problem(
            await svc.client.post("/admissions", json={**base, "facility_id": "NOPE"}, headers=hospital(svc, "NOPE")),
            422,
            field="/facility_id",
        )
        assert_problem(await svc.client.post("/admissions", json={**base, "facility_id": "C001"}, headers=h), 403)
        assert_problem(await svc.client.post("/admissions", json=base, headers=institution(svc)), 403)
        assert_problem(
            await svc.client.post("/admissions", json={**base, "admitted_at": "2026-09-30T09:00:00+08:00"}, headers=h),
            422,
            field="/admitted_at",
        )
        assert_problem(
            await svc.client.post("/admissions", json={**base, "sent_to_hospital_at": base["admitted_at"]}, headers=h),
            422,
            field="/sent_to_hospital_at",
        )
        assert_problem(
            await svc.client.post("/admissions", json={**base, "referral_id": "nope"}, headers=h),
            422,
            field="/referral_id",
        )
        assert_problem(await svc.client.post("/admissions", json=base, headers=h), 422, rule="LJ-4.2a")
        assert await count(svc, "admission") == 0 and await svc.published("AdmissionFiled") == []
        await referral(svc, w["central"], "H001")
        keyed = {**h, "Idempotency-Key": "adm-1"}
        first = await svc.client.post("/admissions", json=base, headers=keyed)
        again = await svc.client.post("/admissions", json=base, headers=keyed)
        assert first.status_code == 201 and again.json() == first.json()
        assert_problem(
            await svc.client.post("/admissions", json={**base, "emergency": True}, headers=keyed),
            409,
            field="Idempotency-Key",
        )
        assert_problem(await svc.client.post("/admissions", json=base, headers=h), 409, field="/person_id")
        assert await count(svc, "admission") == 1 and len(await svc.published("AdmissionFiled")) == 1


async def test_admission_scope_hospital_institution_village_town(svc: ServiceHarness) -> None:
    """A hospital sees only its admissions, an institution its residents, a village its villagers, a town its villages."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        a = await admit(svc, w["central"], "2026-09-29T09:00:00+08:00", facility_id="H001")
        b = await admit(svc, w["decentral"], "2026-09-29T09:00:00+08:00", facility_id="C001")

        async def ids(headers: dict[str, str]) -> set[str]:
            r = await svc.client.get("/admissions", headers=headers)
            assert r.status_code == 200, r.text
            return {x["admission_id"] for x in r.json()["items"]}

        assert await ids(hospital(svc, "H001")) == {a["admission_id"]}
        assert await ids(institution(svc, "I01")) == {a["admission_id"]}
        assert await ids(village(svc, "V01")) == {b["admission_id"]}
        assert await ids(town(svc, "T01")) == {b["admission_id"]}
        assert await ids(town(svc, "T02")) == set()
        assert await ids(mi(svc)) == {a["admission_id"], b["admission_id"]}
        assert (
            await svc.client.get(f"/admissions/{a['admission_id']}", headers=hospital(svc, "H001"))
        ).status_code == 200
        assert_problem(await svc.client.get(f"/admissions/{a['admission_id']}", headers=hospital(svc, "C001")), 403)
        assert_problem(await svc.client.get(f"/admissions/{b['admission_id']}", headers=institution(svc, "I01")), 403)
        assert_problem(await svc.client.get("/admissions/nope", headers=ca(svc)), 404)
        assert_problem(await svc.client.get("/admissions", headers=svc.token("police")), 403)
        assert_problem(await svc.client.get("/admissions"), 401)
        pending = await svc.client.get("/admissions?filing_state=pending&open=true", headers=ca(svc))
        assert len(pending.json()["items"]) == 2


async def test_lj_4_2b_centralized_filed_in_time_completes_at_once(svc: ServiceHarness) -> None:
    """LJ-4.2b: the institution files within 24 hours → filed_in_time, FilingCompleted, deadline met."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["central"], "2026-09-29T09:00:00+08:00")
    with time_machine.travel(sh(2026, 9, 30, 8), tick=False):
        body = {"person_id": w["central"], "facility_id": "H001", "reason": "肺炎 pneumonia", "escort": "staff Li"}
        r = await svc.client.post("/filings", json=body, headers=institution(svc, "I01"))
        assert r.status_code == 201, r.text
        assert r.json()["admission_id"] == adm["admission_id"] and r.json()["filing_state"] == "filed_in_time"
        (done,) = payloads(await svc.published("FilingCompleted"))
        assert done["filing_state"] == "filed_in_time" and done["admission_id"] == adm["admission_id"]
    with time_machine.travel(sh(2026, 10, 9, 8), tick=False):
        assert await fire(svc) == 0
        assert await svc.published("FilingOverdue") == []
        got = await svc.client.get(f"/filings/{r.json()['filing_id']}", headers=ca(svc))
        assert got.json()["reason"] == "肺炎 pneumonia" and got.json()["complete"] is True
        assert_problem(await svc.client.get(f"/filings/{r.json()['filing_id']}", headers=institution(svc, "I02")), 403)
        assert_problem(await svc.client.get(f"/filings/{r.json()['filing_id']}", headers=hospital(svc)), 403)
        assert_problem(await svc.client.get("/filings/nope", headers=ca(svc)), 404)
        assert_problem(await svc.client.get("/filings", headers=hospital(svc)), 403)
        assert_problem(await svc.client.get("/filings", headers=health(svc)), 403)
        assert (await svc.client.get("/filings", headers=institution(svc, "I02"))).json()["items"] == []
        listed = await svc.client.get("/filings", headers=institution(svc, "I01"))
        assert [f["filing_id"] for f in listed.json()["items"]] == [r.json()["filing_id"]]
        assert "reason" not in listed.json()["items"][0]


async def test_lj_4_2b_pre_filed_before_leaving(svc: ServiceHarness) -> None:
    """LJ-4.2b: filed before the person leaves → the admission arrives pre_filed and complete."""
    with time_machine.travel(sh(2026, 9, 29, 8), tick=False):
        w = await world(svc)
        body = {
            "person_id": w["central"],
            "facility_id": "H001",
            "reason": "cataract surgery",
            "planned_departure_at": "2026-09-29T09:00:00+08:00",
        }
        r = await svc.client.post("/filings", json=body, headers=institution(svc, "I01"))
        assert r.status_code == 201 and r.json()["admission_id"] is None
        assert_problem(await svc.client.post("/filings", json=body, headers=institution(svc, "I01")), 409)
    with time_machine.travel(sh(2026, 9, 29, 11), tick=False):
        adm = await admit(svc, w["central"], "2026-09-29T10:30:00+08:00")
        assert adm["filing_state"] == "pre_filed" and adm["filing_id"] == r.json()["filing_id"]
        (done,) = payloads(await svc.published("FilingCompleted"))
        assert done["filing_state"] == "pre_filed"
    with time_machine.travel(sh(2026, 10, 1, 11), tick=False):
        assert await fire(svc) == 0


async def test_lj_4_2b_unfiled_after_24_hours_then_filed_late(svc: ServiceHarness) -> None:
    """LJ-4.2b: nothing within 24 hours → unfiled + FilingOverdue; the late form → filed_late."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["central"], "2026-09-29T09:00:00+08:00")
    with time_machine.travel(sh(2026, 9, 30, 8, 59), tick=False):
        assert await fire(svc) == 0
    with time_machine.travel(sh(2026, 9, 30, 9, 1), tick=False):
        assert await fire(svc) == 1
        (over,) = payloads(await svc.published("FilingOverdue"))
        assert over["stage"] == "filing" and over["filing_state"] == "unfiled"
        assert iso(over["due_at"]) == sh(2026, 9, 30, 9)
        got = await svc.client.get(f"/admissions/{adm['admission_id']}", headers=institution(svc, "I01"))
        assert got.json()["filing_state"] == "unfiled"
        # too late for a phone pre-report (LJ-4.2d)
        late_call = await svc.client.post(
            f"/admissions/{adm['admission_id']}/phone-report",
            json={"reported_to": "civil affairs desk"},
            headers=institution(svc, "I01"),
        )
        assert_problem(late_call, 422, rule="LJ-4.2d")
    with time_machine.travel(sh(2026, 9, 30, 15), tick=False):
        body = {"person_id": w["central"], "facility_id": "H001", "admission_id": adm["admission_id"], "reason": "x"}
        r = await svc.client.post("/filings", json=body, headers=institution(svc, "I01"))
        assert r.json()["filing_state"] == "filed_late"
        assert [p["filing_state"] for p in payloads(await svc.published("AdmissionComplianceChanged"))] == [
            "unfiled",
            "filed_late",
        ]
        assert payloads(await svc.published("FilingCompleted"))[0]["filing_state"] == "filed_late"
        assert_problem(
            await svc.client.post("/filings", json=body, headers=institution(svc, "I01")), 409, field="/admission_id"
        )


async def test_lj_4_2c_decentralized_chain_village_town_civil_affairs(svc: ServiceHarness) -> None:
    """LJ-4.2c: village committee → town government → civil affairs; complete only when forwarded."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["decentral"], "2026-09-29T09:00:00+08:00")
        body = {"person_id": w["decentral"], "facility_id": "H001", "reason": "fracture"}
        # the wrong actor: an institution files for a decentralized person
        assert_problem(
            await svc.client.post("/filings", json=body, headers=institution(svc, "I01")), 422, rule="LJ-4.2c"
        )
        assert_problem(await svc.client.post("/filings", json=body, headers=town(svc)), 403)
        assert_problem(await svc.client.post("/filings", json=body, headers=village(svc, "V02")), 403)
        assert await count(svc, "filing") == 0
        r = await svc.client.post("/filings", json=body, headers=village(svc, "V01"))
        assert r.status_code == 201 and r.json()["filing_state"] == "pending" and r.json()["complete"] is False
        fid = r.json()["filing_id"]
        inbox = await svc.client.get("/filings?awaiting_forward=true", headers=town(svc, "T01"))
        assert [f["filing_id"] for f in inbox.json()["items"]] == [fid]
        assert await svc.published("FilingCompleted") == []
    with time_machine.travel(sh(2026, 9, 30, 10), tick=False):
        assert await fire(svc) == 0  # the 24 hours were met at the village step
        assert_problem(await svc.client.post(f"/filings/{fid}/forward", json={}, headers=town(svc, "T02")), 403)
        assert_problem(await svc.client.post(f"/filings/{fid}/forward", json={}, headers=village(svc, "V01")), 403)
        ok = await svc.client.post(f"/filings/{fid}/forward", json={"opinion": "同意"}, headers=town(svc, "T01"))
        assert ok.status_code == 200 and ok.json()["filing_state"] == "filed_in_time" and ok.json()["complete"]
        (done,) = payloads(await svc.published("FilingCompleted"))
        assert done["admission_id"] == adm["admission_id"] and done["filing_state"] == "filed_in_time"
        assert_problem(await svc.client.post(f"/filings/{fid}/forward", json={}, headers=town(svc, "T01")), 409)
        assert_problem(await svc.client.post("/filings/nope/forward", json={}, headers=town(svc, "T01")), 404)
        # a centralized person's filing is never forwarded by a town (LJ-4.2b)
        cent = await admit(svc, w["central"], "2026-09-30T09:00:00+08:00")
        c = await svc.client.post(
            "/filings",
            json={
                "person_id": w["central"],
                "facility_id": "H001",
                "admission_id": cent["admission_id"],
                "reason": "x",
            },
            headers=institution(svc, "I01"),
        )
        wrong = await svc.client.post(f"/filings/{c.json()['filing_id']}/forward", json={}, headers=town(svc, "T01"))
        assert_problem(wrong, 422, rule="LJ-4.2b")


async def test_lj_4_2c_town_forward_deadline_crosses_national_day(svc: ServiceHarness) -> None:
    """LJ-4.2c (interpretation, 3 working days): filed at the town on Wed 2026-09-30, the town's
    step is due at the end of the make-up Saturday 2026-10-10; FilingOverdue(town_forward) after."""
    with time_machine.travel(sh(2026, 9, 30, 10), tick=False):
        w = await world(svc)
        await admit(svc, w["decentral"], "2026-09-30T09:00:00+08:00")
        r = await svc.client.post(
            "/filings",
            json={"person_id": w["decentral"], "facility_id": "H001", "reason": "x"},
            headers=village(svc, "V01"),
        )
        assert iso(r.json()["forward_due_at"]) == sh(2026, 10, 10, 23, 59, 59)
    with time_machine.travel(sh(2026, 10, 10, 23, 59), tick=False):
        assert await fire(svc) == 0
    with time_machine.travel(sh(2026, 10, 11, 0, 0, 1), tick=False):
        assert await fire(svc) == 1
        (over,) = payloads(await svc.published("FilingOverdue"))
        assert over["stage"] == "town_forward" and over["calendar_provisional"] is False
        late = await svc.client.post(f"/filings/{r.json()['filing_id']}/forward", json={}, headers=town(svc, "T01"))
        assert late.json()["filing_state"] == "filed_late"


async def test_lj_4_2d_phone_report_then_form_across_national_day(svc: ServiceHarness) -> None:
    """LJ-4.2d: a call on Wed 2026-09-30; Oct 1–7 are holidays, so the form is due at the end
    of the make-up working Saturday 2026-10-10 — in time on that day, overdue the next."""
    with time_machine.travel(sh(2026, 9, 30, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["central"], "2026-09-30T09:00:00+08:00")
        url = f"/admissions/{adm['admission_id']}/phone-report"
        assert_problem(
            await svc.client.post(url, json={"reported_to": "desk"}, headers=village(svc, "V01")), 422, rule="LJ-4.2b"
        )
        assert_problem(await svc.client.post(url, json={"reported_to": "desk"}, headers=institution(svc, "I02")), 403)
        assert_problem(await svc.client.post(url, json={"reported_to": "desk"}, headers=hospital(svc)), 403)
        r = await svc.client.post(url, json={"reported_to": "civil affairs desk"}, headers=institution(svc, "I01"))
        assert r.status_code == 200, r.text
        assert r.json()["filing_state"] == "phone_reported"
        assert r.json()["phone_form_due_at"] == "2026-10-10T15:59:59Z"
        assert_problem(await svc.client.post(url, json={"reported_to": "desk"}, headers=institution(svc, "I01")), 409)
        assert_problem(
            await svc.client.post(
                "/admissions/nope/phone-report", json={"reported_to": "d"}, headers=institution(svc, "I01")
            ),
            404,
        )
        other = await admit(svc, w["decentral"], "2026-09-30T09:00:00+08:00")
        r2 = await svc.client.post(
            f"/admissions/{other['admission_id']}/phone-report",
            json={"reported_to": "town desk"},
            headers=village(svc, "V01"),
        )
        assert iso(r2.json()["phone_form_due_at"]) == sh(2026, 10, 10, 23, 59, 59)
    with time_machine.travel(sh(2026, 10, 8, 9), tick=False):
        assert await fire(svc) == 0  # the 24-hour deadline was met by the call; holidays do not count
    with time_machine.travel(sh(2026, 10, 10, 16), tick=False):  # the make-up Saturday is a working day
        assert await fire(svc) == 0
        form = await svc.client.post(
            "/filings",
            json={"person_id": w["central"], "facility_id": "H001", "reason": "x"},
            headers=institution(svc, "I01"),
        )
        assert form.json()["filing_state"] == "form_in_time"
    with time_machine.travel(sh(2026, 10, 11, 9), tick=False):
        assert await fire(svc) == 1
        (over,) = payloads(await svc.published("FilingOverdue"))
        assert over["stage"] == "phone_form" and over["admission_id"] == other["admission_id"]
        assert over["filing_state"] == "form_late"  # LJ-4.2d interpretation: the call, the form late
        late = await svc.client.post(
            "/filings",
            json={"person_id": w["decentral"], "facility_id": "H001", "reason": "x"},
            headers=village(svc, "V01"),
        )
        fid = late.json()["filing_id"]
        done = await svc.client.post(f"/filings/{fid}/forward", json={}, headers=town(svc, "T01"))
        assert done.json()["filing_state"] == "form_late"


async def test_lj_11_3_emergency_counts_from_sending_and_lj_11_4_referral_to_fund(svc: ServiceHarness) -> None:
    """LJ-11.3: the 24 hours run from being sent to hospital; LJ-11.4: unable to pay → EmergencyAssistanceReferred."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        adm = await admit(
            svc,
            w["decentral"],
            "2026-09-29T09:00:00+08:00",
            emergency=True,
            able_to_pay=False,
            sent_to_hospital_at="2026-09-29T06:00:00+08:00",
        )
        assert adm["filing_rule"] == "LJ-11.3"
        assert iso(adm["filing_due_at"]) == sh(2026, 9, 30, 6)  # sent at 06:00 local + 24 h
        assert adm["referral_compliance"]["compliant"] is True  # treat first: no referral asked
        (ref,) = payloads(await svc.published("EmergencyAssistanceReferred"))
        person = (await svc.client.get(f"/persons/{w['decentral']}", headers=ca(svc))).json()
        assert ref["admission_id"] == adm["admission_id"] and ref["name_masked"] == person["name_masked"]
        assert "id_number_digest" not in ref and ref["id_number_sealed"]  # SPEC 0.4
        await admit(svc, w["central"], "2026-09-29T09:00:00+08:00", emergency=True, able_to_pay=True)
        assert len(await svc.published("EmergencyAssistanceReferred")) == 1
    with time_machine.travel(sh(2026, 9, 30, 6, 30), tick=False):
        assert await fire(svc) == 1  # only the decentralized one is past its 24 hours
        (over,) = payloads(await svc.published("FilingOverdue"))
        assert over["admission_id"] == adm["admission_id"]


async def test_concurrent_admissions_of_one_person_at_one_facility_one_wins(svc: ServiceHarness) -> None:
    """The same hospital files the same person twice at once: one admission, the other a 409
    (never a 500). Another facility's admission never blocks it (SPEC 0.3)."""
    import asyncio

    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        await referral(svc, w["central"], "H001")
        body = {"person_id": w["central"], "facility_id": "H001", "admitted_at": "2026-09-29T09:00:00+08:00"}
        results = await asyncio.gather(
            *(svc.client.post("/admissions", json=body, headers=hospital(svc, "H001")) for _ in range(2))
        )
        assert sorted(r.status_code for r in results) == [201, 409]
        assert await count(svc, "admission") == 1 and len(await svc.published("AdmissionFiled")) == 1
