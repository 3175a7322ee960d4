"""LJ-11.3 / SPEC 0.5, the issue's self-declared emergency turned into tests: an emergency is
a recorded determination — the condition from the national list of urgent and critical
illnesses (reference data), the arrival channel, the onset — recorded by the hospital within
the window; civil affairs and medical insurance see and may contest it; a basis-less or
contested emergency loses its exemptions (LJ-3.2a, LJ-4.2a; events for settlement's LJ-3.2b
and consent's LJ-7.4)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import time_machine

from medaid_shared.clock import SHANGHAI
from medaid_shared.testing import ServiceHarness

from .helpers import admit, assert_problem, audit_actions, ca, fire, hospital, mi, payloads, village, world

EXAMPLE = Path(__file__).parents[1] / "src" / "referral" / "data" / "urgent_conditions.example.json"


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


BASIS = {"condition_code": "JW-01", "arrival_channel": "ambulance", "onset_at": "2026-09-29T05:40:00+08:00"}


async def emergency_world(svc: ServiceHarness) -> tuple[dict[str, str], dict[str, object]]:
    r = await svc.client.post(
        "/admin/urgent-conditions", json=json.loads(EXAMPLE.read_text()), headers=svc.token("admin")
    )
    assert r.status_code == 201 and r.json() == {"loaded": 8, "example": True}, r.text
    w = await world(svc)
    adm = await admit(
        svc,
        w["decentral"],
        "2026-09-29T06:00:00+08:00",
        emergency=True,
        sent_to_hospital_at="2026-09-29T05:45:00+08:00",
    )
    return w, adm


async def compliance(svc: ServiceHarness) -> list[bool]:
    return [p["referral_compliance"]["compliant"] for p in payloads(await svc.published("AdmissionComplianceChanged"))]


async def test_lj_11_3_the_hospital_records_the_basis_within_the_window(svc: ServiceHarness) -> None:
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w, adm = await emergency_world(svc)
        aid = adm["admission_id"]
        assert adm["emergency_status"] == "claimed" and adm["referral_compliance"]["compliant"] is True
        listed = (await svc.client.get("/urgent-conditions", headers=hospital(svc))).json()["items"]
        assert len(listed) == 8 and all(c["example"] for c in listed) and "EXAMPLE" in listed[0]["source"]
        assert_problem(
            await svc.client.post("/admin/urgent-conditions", json=json.loads(EXAMPLE.read_text()), headers=ca(svc)),
            403,
        )
        url = f"/admissions/{aid}/emergency"
        assert_problem(
            await svc.client.post(url, json={**BASIS, "condition_code": "COLD"}, headers=hospital(svc)),
            422,
            field="/condition_code",
            rule="LJ-11.3",
        )
        assert_problem(await svc.client.post(url, json=BASIS, headers=hospital(svc, "C001")), 403)
        assert_problem(await svc.client.post(url, json=BASIS, headers=ca(svc)), 403)
        assert await svc.published("EmergencyDetermined") == []
        r = await svc.client.post(url, json=BASIS, headers=hospital(svc))
        assert r.status_code == 200, r.text
        assert r.json()["emergency_status"] == "determined" and r.json()["emergency_arrival_channel"] == "ambulance"
        (det,) = payloads(await svc.published("EmergencyDetermined"))
        assert det["admission_id"] == aid and "condition_code" not in det  # a diagnosis stays here (SPEC 0.4)
        assert_problem(await svc.client.post(url, json=BASIS, headers=hospital(svc)), 409)
        # visible to civil affairs and medical insurance (who may contest it); not to the village
        assert (await svc.client.get(f"/admissions/{aid}", headers=mi(svc))).json()["emergency_condition"] == "JW-01"
        assert (await svc.client.get(f"/admissions/{aid}", headers=ca(svc))).json()["emergency_status"] == "determined"
        assert "emergency_condition" not in (await svc.client.get(f"/admissions/{aid}", headers=village(svc))).json()
        routine = await admit(svc, w["central"], "2026-09-29T09:00:00+08:00")
        assert_problem(
            await svc.client.post(
                f"/admissions/{routine['admission_id']}/emergency", json=BASIS, headers=hospital(svc)
            ),
            422,
            rule="LJ-11.3",
            field="admission_id",
        )
    with time_machine.travel(sh(2026, 9, 30, 7), tick=False):  # past the window: nothing lapses
        await fire(svc)
        assert await svc.published("EmergencyExemptionWithdrawn") == []


async def test_lj_11_3_a_basis_less_emergency_loses_its_exemptions(svc: ServiceHarness) -> None:
    """The issue: emergency: true with no basis made a district admission without referral
    compliant. Past the window (24 h, interpretation) with no basis it lapses: referral
    compliance is decided again and EmergencyExemptionWithdrawn(no_basis) is published."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        _, adm = await emergency_world(svc)
        aid = adm["admission_id"]
    with time_machine.travel(sh(2026, 9, 30, 5, 59), tick=False):
        await fire(svc)
        assert await svc.published("EmergencyExemptionWithdrawn") == []
    with time_machine.travel(sh(2026, 9, 30, 6, 1), tick=False):
        await fire(svc)
        (gone,) = payloads(await svc.published("EmergencyExemptionWithdrawn"))
        assert gone["admission_id"] == aid and gone["reason"] == "no_basis"
        assert await compliance(svc) == [False]
        got = (await svc.client.get(f"/admissions/{aid}", headers=ca(svc))).json()
        assert got["emergency_status"] == "lapsed" and got["referral_compliance"]["primary_first_visit"] is False
        late = await svc.client.post(f"/admissions/{aid}/emergency", json=BASIS, headers=hospital(svc))
        assert_problem(late, 422, rule="LJ-11.3", field="admission_id")
        assert ("emergency.lapsed", aid, "LJ-11.3") in await audit_actions(svc)


async def test_spec_0_5_a_contest_upheld_withdraws_the_exemptions_and_a_dismissed_one_confirms(
    svc: ServiceHarness,
) -> None:
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        _, adm = await emergency_world(svc)
        aid = adm["admission_id"]
        await svc.client.post(f"/admissions/{aid}/emergency", json=BASIS, headers=hospital(svc))
        url = f"/admissions/{aid}/emergency/review"
        contest = {"upheld": True, "reason": "stable on arrival; a scheduled admission"}
        assert_problem(await svc.client.post(url, json=contest, headers=hospital(svc)), 403)
        assert_problem(await svc.client.post(url, json=contest, headers=village(svc)), 403)
        assert_problem(await svc.client.post(url, json={"upheld": True}, headers=mi(svc)), 422, field="/reason")
        r = await svc.client.post(url, json=contest, headers=mi(svc))
        assert r.status_code == 200 and r.json()["emergency_status"] == "contested"
        assert r.json()["emergency_review"]["role"] == "medical_insurance"
        (gone,) = payloads(await svc.published("EmergencyExemptionWithdrawn"))
        assert gone["reason"] == "contest_upheld" and gone["decided_by_role"] == "medical_insurance"
        assert await compliance(svc) == [False]
        assert_problem(await svc.client.post(url, json=contest, headers=ca(svc)), 409)


async def test_spec_0_5_a_dismissed_contest_confirms_the_emergency(svc: ServiceHarness) -> None:
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        _, adm = await emergency_world(svc)
        aid = adm["admission_id"]
        await svc.client.post(f"/admissions/{aid}/emergency", json=BASIS, headers=hospital(svc))
        r = await svc.client.post(
            f"/admissions/{aid}/emergency/review",
            json={"upheld": False, "reason": "STEMI on the ambulance ECG"},
            headers=ca(svc),
        )
        assert r.json()["emergency_status"] == "confirmed" and r.json()["referral_compliance"]["compliant"] is True
        assert await svc.published("EmergencyExemptionWithdrawn") == [] and await compliance(svc) == []


async def test_lj_11_3_a_lapsed_emergency_then_contest_upheld_withdraws_its_exemptions_once(
    svc: ServiceHarness,
) -> None:
    """LJ-11.3 / SPEC 0.5: the window passes with no basis (withdrawn: no_basis), then civil
    affairs upholds a contest. The contest is recorded, but the exemptions are already gone:
    EmergencyExemptionWithdrawn and the compliance decision are published exactly once."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        _, adm = await emergency_world(svc)
        aid = adm["admission_id"]
    with time_machine.travel(sh(2026, 9, 30, 6, 1), tick=False):
        await fire(svc)
        r = await svc.client.post(
            f"/admissions/{aid}/emergency/review",
            json={"upheld": True, "reason": "no basis on record and stable on arrival"},
            headers=ca(svc),
        )
        assert r.status_code == 200, r.text
        assert r.json()["emergency_status"] == "contested" and r.json()["referral_compliance"]["compliant"] is False
        assert r.json()["emergency_review"]["upheld"] is True
        (gone,) = payloads(await svc.published("EmergencyExemptionWithdrawn"))
        assert gone["admission_id"] == aid and gone["reason"] == "no_basis"
        assert await compliance(svc) == [False]
    with time_machine.travel(sh(2026, 10, 2, 6), tick=False):  # nothing left to fire
        await fire(svc)
        assert len(await svc.published("EmergencyExemptionWithdrawn")) == 1


async def test_lj_11_3_a_contest_upheld_then_the_window_passing_withdraws_its_exemptions_once(
    svc: ServiceHarness,
) -> None:
    """LJ-11.3 / SPEC 0.5, the other order: a contest upheld while the basis is still due
    (withdrawn: contest_upheld); the window then passes — the emergency does not lapse again
    and nothing is withdrawn a second time."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        _, adm = await emergency_world(svc)
        aid = adm["admission_id"]
        r = await svc.client.post(
            f"/admissions/{aid}/emergency/review",
            json={"upheld": True, "reason": "a scheduled admission"},
            headers=mi(svc),
        )
        assert r.status_code == 200 and r.json()["emergency_status"] == "contested", r.text
    with time_machine.travel(sh(2026, 9, 30, 6, 1), tick=False):
        await fire(svc)
        (gone,) = payloads(await svc.published("EmergencyExemptionWithdrawn"))
        assert gone["admission_id"] == aid and gone["reason"] == "contest_upheld"
        assert gone["decided_by_role"] == "medical_insurance"
        assert await compliance(svc) == [False]
        got = (await svc.client.get(f"/admissions/{aid}", headers=ca(svc))).json()
        assert got["emergency_status"] == "contested"
        assert ("emergency.lapsed", aid, "LJ-11.3") not in await audit_actions(svc)
