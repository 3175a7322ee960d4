"""LJ-4.3c: outside care with no filing at all — the cost falls on the adviser (建议方) or the
person. Civil affairs records the adviser with its evidence; the care file and the
UnfiledCareAdviserRecorded event (for the statement) name it."""

from __future__ import annotations

import time_machine

from medaid_shared.testing import ServiceHarness

from .helpers import admit, assert_problem, ca, fire, hospital, institution, payloads, world
from .test_admissions_api import sh


async def unfiled_admission(svc: ServiceHarness) -> tuple[dict[str, str], str]:
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["central"], "2026-09-29T09:00:00+08:00")
    with time_machine.travel(sh(2026, 9, 30, 9, 1), tick=False):
        assert await fire(svc) == 1  # LJ-4.2b: nothing within 24 hours → unfiled
    return w, adm["admission_id"]


async def test_lj_4_3c_civil_affairs_names_the_adviser_of_unfiled_outside_care(svc: ServiceHarness) -> None:
    w, aid = await unfiled_admission(svc)
    body = {"adviser_kind": "facility", "adviser_id": "TH01", "evidence_ref": "MZ-2026-0931"}
    with time_machine.travel(sh(2026, 10, 8, 10), tick=False):
        r = await svc.client.post(f"/admissions/{aid}/adviser", json=body, headers=ca(svc))
        assert r.status_code == 200, r.text
        adviser = r.json()["unfiled_care_adviser"]
        assert (adviser["kind"], adviser["unit_id"], adviser["evidence_ref"], adviser["rule"]) == (
            "facility",
            "TH01",
            "MZ-2026-0931",
            "LJ-4.3c",
        )
        assert adviser["name"]  # the registry's name, not the caller's
        (event,) = payloads(await svc.published("UnfiledCareAdviserRecorded"))
        assert event["admission_id"] == aid and event["person_id"] == w["central"]
        assert (event["adviser_kind"], event["adviser_id"], event["adviser_name"]) == (
            "facility",
            "TH01",
            adviser["name"],
        )
        twice = await svc.client.post(f"/admissions/{aid}/adviser", json=body, headers=ca(svc))
        assert_problem(twice, 409, rule="LJ-4.3c")
        care = (await svc.client.get(f"/persons/{w['central']}/care-file", headers=ca(svc))).json()
        entries = [e for e in care["entries"] if e["kind"] == "unfiled_care_adviser"]
        assert len(entries) == 1 and entries[0]["summary"]["adviser_id"] == "TH01"


async def test_lj_4_3c_an_adviser_only_for_unfiled_care_and_only_by_civil_affairs(svc: ServiceHarness) -> None:
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["central"], "2026-09-29T09:00:00+08:00")
        body = {"adviser_kind": "institution", "adviser_name": "柳江区某养老院", "evidence_ref": "EV-1"}
        pending = await svc.client.post(f"/admissions/{adm['admission_id']}/adviser", json=body, headers=ca(svc))
        assert_problem(pending, 422, field="admission_id", rule="LJ-4.3c")
    with time_machine.travel(sh(2026, 9, 30, 9, 1), tick=False):
        await fire(svc)
        aid = adm["admission_id"]
        for headers in (hospital(svc, "H001"), institution(svc, "I01")):
            assert_problem(await svc.client.post(f"/admissions/{aid}/adviser", json=body, headers=headers), 403)
        no_name = {"adviser_kind": "institution", "evidence_ref": "EV-1"}
        assert_problem(
            await svc.client.post(f"/admissions/{aid}/adviser", json=no_name, headers=ca(svc)),
            422,
            field="/adviser_name",
        )
        unknown = {"adviser_kind": "facility", "adviser_id": "NOPE", "evidence_ref": "EV-1"}
        assert_problem(
            await svc.client.post(f"/admissions/{aid}/adviser", json=unknown, headers=ca(svc)), 422, field="/adviser_id"
        )
        assert await svc.published("UnfiledCareAdviserRecorded") == []  # nothing changed
        got = await svc.client.get(f"/admissions/{aid}", headers=ca(svc))
        assert got.json()["unfiled_care_adviser"] is None
        ok = await svc.client.post(f"/admissions/{aid}/adviser", json=body, headers=ca(svc))
        assert ok.status_code == 200 and ok.json()["unfiled_care_adviser"]["name"] == "柳江区某养老院"
