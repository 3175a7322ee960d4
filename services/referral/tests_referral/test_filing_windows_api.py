"""Filing windows per the seed (LJ-4.2b, LJ-4.2c, LJ-4.2d) on the official calendar: a
decentralized person has no 24-hour deadline; a call never followed by the form and a chain
the town never passes on become final by a versioned interpretation (SPEC 0.5: settlement
decides on them), and a calendar notice that moves a deadline decides the state again."""

from __future__ import annotations

from datetime import datetime

import time_machine

from medaid_shared.calendar import parse_year_notice
from medaid_shared.clock import SHANGHAI
from medaid_shared.testing import ServiceHarness

from .helpers import admit, fire, institution, payloads, town, village, world


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def iso(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def load_version(svc: ServiceHarness, **values: object) -> None:
    version = {"kind": "filing_windows", "effective_from": "2026-01-01", "values": values, "source": "区民政局通知"}
    r = await svc.client.post("/admin/parameters", json={"versions": [version]}, headers=svc.token("admin"))
    assert r.status_code == 201, r.text


async def states(svc: ServiceHarness) -> list[str]:
    return [p["filing_state"] for p in payloads(await svc.published("AdmissionComplianceChanged"))]


async def test_lj_4_2c_a_decentralized_person_has_no_24_hour_deadline(svc: ServiceHarness) -> None:
    """The issue: a decentralized person was given the institution's 24 hours. LJ-4.2c sets
    none: admitted Mon 2026-09-21, the village committee's step (interpretation, 3 working
    days) is due at the end of Thu 09-24 and only flagged; an unstarted chain is unfiled
    after 10 working days (end of Mon 10-12 across National Day and the make-up days); the
    chain started after that is filed_late once civil affairs has it."""
    with time_machine.travel(sh(2026, 9, 21, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["decentral"], "2026-09-21T09:00:00+08:00")
        assert adm["filing_rule"] == "LJ-4.2c" and adm["filing_state"] == "pending"
        assert iso(adm["filing_due_at"]) == sh(2026, 9, 24, 23, 59, 59)
        assert iso(adm["unfiled_due_at"]) == sh(2026, 10, 12, 23, 59, 59)
    with time_machine.travel(sh(2026, 9, 22, 10), tick=False):  # past the 24 hours: nothing happens
        assert await fire(svc) == 0
        got = await svc.client.get(f"/admissions/{adm['admission_id']}", headers=village(svc))
        assert got.json()["filing_state"] == "pending"
    with time_machine.travel(sh(2026, 9, 25, 0, 0, 1), tick=False):
        assert await fire(svc) == 1
        (over,) = payloads(await svc.published("FilingOverdue"))
        assert over["stage"] == "village_report" and over["filing_state"] == "pending"
        assert await states(svc) == []
    with time_machine.travel(sh(2026, 10, 12, 23, 59), tick=False):
        assert await fire(svc) == 0
    with time_machine.travel(sh(2026, 10, 13, 0, 0, 1), tick=False):
        assert await fire(svc) == 1
        over = payloads(await svc.published("FilingOverdue"))[-1]
        assert over["stage"] == "filing" and over["filing_state"] == "unfiled"
        assert await states(svc) == ["unfiled"]
        body = {"person_id": w["decentral"], "facility_id": "H001", "reason": "fracture"}
        r = await svc.client.post("/filings", json=body, headers=village(svc))
        assert r.json()["filing_state"] == "unfiled"  # started too late: still unfiled until complete
        done = await svc.client.post(f"/filings/{r.json()['filing_id']}/forward", json={}, headers=town(svc))
        assert done.json()["filing_state"] == "filed_late"
        assert await states(svc) == ["unfiled", "filed_late"]


async def test_lj_4_2c_a_village_step_in_time_and_the_town_in_time_is_filed_in_time(svc: ServiceHarness) -> None:
    """LJ-4.2c: the village committee reports on the third working day, the town passes it on
    in its working days → filed_in_time, though far beyond 24 hours of the admission."""
    with time_machine.travel(sh(2026, 9, 21, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["decentral"], "2026-09-21T09:00:00+08:00")
    with time_machine.travel(sh(2026, 9, 24, 17), tick=False):
        body = {"person_id": w["decentral"], "facility_id": "H001", "reason": "fracture"}
        r = await svc.client.post("/filings", json=body, headers=village(svc))
        assert r.json()["admission_id"] == adm["admission_id"] and r.json()["filing_state"] == "pending"
    with time_machine.travel(sh(2026, 9, 28, 9), tick=False):
        assert await fire(svc) == 0
        done = await svc.client.post(f"/filings/{r.json()['filing_id']}/forward", json={}, headers=town(svc))
        assert done.json()["filing_state"] == "filed_in_time"
    with time_machine.travel(sh(2026, 11, 1, 9), tick=False):
        assert await fire(svc) == 0
        assert await svc.published("FilingOverdue") == []


async def test_lj_4_2c_a_chain_the_town_never_passes_on_becomes_final(svc: ServiceHarness) -> None:
    """The issue: a village filing the town never forwards stayed pending forever. At the
    town's deadline it takes the interpretation's state: filed_late by default."""
    with time_machine.travel(sh(2026, 9, 21, 10), tick=False):
        w = await world(svc)
        await admit(svc, w["decentral"], "2026-09-21T09:00:00+08:00")
        body = {"person_id": w["decentral"], "facility_id": "H001", "reason": "fracture"}
        r = await svc.client.post("/filings", json=body, headers=village(svc))
        assert iso(r.json()["forward_due_at"]) == sh(2026, 9, 24, 23, 59, 59)
    with time_machine.travel(sh(2026, 9, 25, 9), tick=False):
        assert await fire(svc) == 1
        (over,) = payloads(await svc.published("FilingOverdue"))
        assert over["stage"] == "town_forward" and over["filing_state"] == "filed_late"
        assert await states(svc) == ["filed_late"]


async def test_lj_4_2c_a_version_makes_a_stalled_chain_unfiled(svc: ServiceHarness) -> None:
    """LJ-4.2c (interpretation as a version): stalled_chain_state=unfiled; shorter village
    and unstarted windows decide the deadlines of admissions from the version's date."""
    await load_version(
        svc, stalled_chain_state="unfiled", village_report_working_days=1, unstarted_unfiled_working_days=2
    )
    with time_machine.travel(sh(2026, 9, 21, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["decentral"], "2026-09-21T09:00:00+08:00")
        assert iso(adm["filing_due_at"]) == sh(2026, 9, 22, 23, 59, 59)
        assert iso(adm["unfiled_due_at"]) == sh(2026, 9, 23, 23, 59, 59)
        body = {"person_id": w["decentral"], "facility_id": "H001", "reason": "fracture"}
        await svc.client.post("/filings", json=body, headers=village(svc))
    with time_machine.travel(sh(2026, 9, 25, 9), tick=False):
        assert await fire(svc) == 1
        assert await states(svc) == ["unfiled"]


async def test_lj_4_2d_a_call_never_followed_by_the_form_is_form_late(svc: ServiceHarness) -> None:
    """The issue: a phone pre-report never followed by the form stayed phone_reported. When
    the 3 working days pass it is form_late (the default interpretation)."""
    with time_machine.travel(sh(2026, 9, 21, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["central"], "2026-09-21T09:00:00+08:00")
        url = f"/admissions/{adm['admission_id']}/phone-report"
        r = await svc.client.post(url, json={"reported_to": "civil affairs desk"}, headers=institution(svc))
        assert r.json()["filing_state"] == "phone_reported"
    with time_machine.travel(sh(2026, 9, 25, 0, 0, 1), tick=False):
        assert await fire(svc) == 1
        (over,) = payloads(await svc.published("FilingOverdue"))
        assert over["stage"] == "phone_form" and over["filing_state"] == "form_late"
        assert (await states(svc))[-1:] == ["form_late"]


async def test_lj_4_2d_a_version_makes_a_call_without_the_form_unfiled(svc: ServiceHarness) -> None:
    """LJ-4.2d (interpretation as a version): phone_lapse_state=unfiled; the late form then
    makes it form_late."""
    await load_version(svc, phone_lapse_state="unfiled")
    with time_machine.travel(sh(2026, 9, 21, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["central"], "2026-09-21T09:00:00+08:00")
        url = f"/admissions/{adm['admission_id']}/phone-report"
        await svc.client.post(url, json={"reported_to": "civil affairs desk"}, headers=institution(svc))
    with time_machine.travel(sh(2026, 9, 25, 9), tick=False):
        assert await fire(svc) == 1
        assert (await states(svc))[-1] == "unfiled"
        body = {"person_id": w["central"], "facility_id": "H001", "reason": "x"}
        r = await svc.client.post("/filings", json=body, headers=institution(svc))
        assert r.json()["filing_state"] == "form_late"


async def test_spec_0_1_a_moved_form_deadline_reopens_a_lapsed_call(svc: ServiceHarness) -> None:
    """SPEC 0.1 / LJ-4.2d: a call on Thu 2027-09-30 on the provisional 2027 calendar has its
    form due at the end of Fri 10-08 and lapses to form_late on 10-09; the 2027 notice, loaded
    then, moves the third working day to Mon 10-11 — the admission is phone_reported again and
    shows the real due date."""
    notice = {"holidays": [f"2027-10-0{d}" for d in range(1, 8)], "workdays": ["2027-09-26", "2027-10-09"]}
    with time_machine.travel(sh(2027, 9, 30, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["central"], "2027-09-30T09:00:00+08:00")
        url = f"/admissions/{adm['admission_id']}/phone-report"
        r = await svc.client.post(url, json={"reported_to": "civil affairs desk"}, headers=institution(svc))
        assert r.json()["phone_form_due_at"] == "2027-10-08T15:59:59Z"
        assert r.json()["calendar_provisional"] is True
    with time_machine.travel(sh(2027, 10, 9, 0, 0, 1), tick=False):
        assert await fire(svc) == 1
        assert (await states(svc))[-1] == "form_late"
    with time_machine.travel(sh(2027, 10, 9, 10), tick=False):
        await svc.runtime.load_calendar_year(2027, parse_year_notice(2027, notice), "国办发明电", loaded_by="a")
        got = (await svc.client.get(f"/admissions/{adm['admission_id']}", headers=institution(svc))).json()
        assert got["filing_state"] == "phone_reported"
        assert iso(got["phone_form_due_at"]) == sh(2027, 10, 11, 23, 59, 59)
    with time_machine.travel(sh(2027, 10, 11, 9), tick=False):
        assert await fire(svc) == 0
        body = {"person_id": w["central"], "facility_id": "H001", "reason": "x"}
        form = await svc.client.post("/filings", json=body, headers=institution(svc))
        assert form.json()["filing_state"] == "form_in_time"
