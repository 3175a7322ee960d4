"""SPEC 0.3, the issue's scope holes turned into tests: a hospital's look-up by ID number
answers only the minimum and is audit-logged; a hospital never reads capacity, guardian,
agents or the trusteeship's disease category; a referral comes from the first-visit facility;
an admission from the facility referred to or as an emergency; another hospital's bogus
admission never blocks the real one nor raises filing alerts at the institution."""

from __future__ import annotations

from datetime import datetime

import time_machine

from medaid_shared.clock import SHANGHAI
from medaid_shared.testing import ServiceHarness

from .helpers import (
    add_facility,
    add_person,
    admit,
    assert_problem,
    audit_actions,
    ca,
    centralized,
    count,
    file_centralized,
    fire,
    hospital,
    id_number,
    institution,
    payloads,
    refer,
    village,
    world,
)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


SENSITIVE = {
    "capacity": {"full_capacity_and_lucid": False, "assessed_at": "2026-09-01T10:00:00+08:00", "assessed_by": "dr"},
    "agents": [
        {
            "name": "王五",
            "delegated_by": "town_government",
            "document_ref": "WT-1",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
        }
    ],
    "trusteeship": {
        "agreement_hospital_id": "TH01",
        "disease_category": "精神障碍",
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
    },
}


async def test_spec_0_3_a_hospital_look_up_answers_the_minimum_and_is_audit_logged(svc: ServiceHarness) -> None:
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        r = await svc.client.post("/persons/lookup", json={"id_number": id_number(1)}, headers=hospital(svc, "H001"))
        assert r.status_code == 200, r.text
        assert r.json() == {
            "person_id": w["central"],
            "destitute": True,
            "support_type": "centralized",
            "institution_id": "I01",
            "town_id": None,
        }
        d = await svc.client.post("/persons/lookup", json={"id_number": id_number(2)}, headers=hospital(svc, "H001"))
        assert d.json() == {
            "person_id": w["decentral"],
            "destitute": True,
            "support_type": "decentralized",
            "institution_id": None,
            "town_id": "T01",
        }
        assert ("person.lookup", w["central"], "look-up by ID number") in await audit_actions(svc)
        # civil affairs still gets the masked summary
        full = await svc.client.post("/persons/lookup", json={"id_number": id_number(1)}, headers=ca(svc))
        assert full.json()["id_number_masked"].startswith("4502")


async def test_spec_0_3_a_hospital_never_reads_capacity_guardian_agents_or_disease(svc: ServiceHarness) -> None:
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        await add_facility(svc, "TH01", level="township_health_centre")
        await add_facility(svc, "H001")
        person = await add_person(svc, centralized(5, **SENSITIVE))
        pid = person["person_id"]
        await admit(svc, pid, "2026-09-29T09:00:00+08:00")
        seen = (await svc.client.get(f"/persons/{pid}", headers=hospital(svc, "H001"))).json()
        for hidden in ("capacity", "guardian", "agents", "name"):
            assert hidden not in seen, hidden
        assert seen["trusteeship"] == {
            "agreement_hospital_id": "TH01",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
        }
        referring = (await svc.client.get(f"/persons/{pid}", headers=hospital(svc, "TH01"))).json()
        assert "capacity" not in referring and "disease_category" not in referring["trusteeship"]
        carer = (await svc.client.get(f"/persons/{pid}", headers=institution(svc, "I01"))).json()
        assert carer["capacity"]["full_capacity_and_lucid"] is False
        assert carer["trusteeship"]["disease_category"] == "精神障碍" and carer["agents"]


async def test_spec_0_3_a_referral_comes_from_the_first_visit_facility(svc: ServiceHarness) -> None:
    """The issue: H001 created a referral for a person it looked up. A referral names its
    first-visit facility and only that facility's hospital writes it."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        body = {
            "person_id": w["central"],
            "from_facility_id": "TH01",
            "to_facility_id": "H001",
            "first_visit_at": "2026-09-29T08:00:00+08:00",
        }
        assert_problem(await svc.client.post("/referrals", json=body, headers=hospital(svc, "H001")), 403)
        assert await count(svc, "referral") == 0


async def test_spec_0_3_a_bogus_admission_never_blocks_the_real_one(svc: ServiceHarness) -> None:
    """The issue: H001 filed a bogus admission that made the real admission elsewhere answer
    409 and raised filing-overdue alerts at the person's institution. Now: without a referral
    it is refused; as an emergency it is filed but blocks nothing, the institution disputes it
    and it raises no alert; the real admission is filed and filed in time."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        await add_facility(svc, "H002")
        bogus = {"person_id": w["central"], "facility_id": "H001", "admitted_at": "2026-09-29T09:00:00+08:00"}
        assert_problem(
            await svc.client.post("/admissions", json=bogus, headers=hospital(svc, "H001")),
            422,
            field="/referral_id",
            rule="LJ-4.2a",
        )
        assert await count(svc, "admission") == 0 and await svc.published("AdmissionFiled") == []
        fake = await svc.client.post("/admissions", json={**bogus, "emergency": True}, headers=hospital(svc, "H001"))
        assert fake.status_code == 201, fake.text
        ref = await refer(svc, w["central"], "H002", "2026-09-29T08:30:00+08:00")
        real = await admit(svc, w["central"], "2026-09-29T09:30:00+08:00", facility_id="H002")
        assert real["referral_id"] == ref["referral_id"]  # no 409 for the real one
        fake_id = fake.json()["admission_id"]
        url = f"/admissions/{fake_id}/dispute"
        reason = {"reason": "the resident is at H002, referred by the township health centre"}
        assert_problem(await svc.client.post(url, json=reason, headers=hospital(svc, "H001")), 403)
        assert_problem(await svc.client.post(url, json=reason, headers=institution(svc, "I02")), 403)
        assert_problem(await svc.client.post(url, json=reason, headers=village(svc, "V01")), 403)
        assert_problem(await svc.client.post(url, json={}, headers=institution(svc, "I01")), 422, field="/reason")
        ok = await svc.client.post(url, json=reason, headers=institution(svc, "I01"))
        assert ok.status_code == 200 and ok.json()["disputed_by"] == "inst-I01"
        assert_problem(await svc.client.post(url, json=reason, headers=institution(svc, "I01")), 409)
        assert ("admission.dispute", fake_id, reason["reason"]) in await audit_actions(svc)
        await file_centralized(svc, w["central"], real)
    with time_machine.travel(sh(2026, 9, 30, 12), tick=False):
        assert await fire(svc) == 0
        assert await svc.published("FilingOverdue") == []
        states = {p["admission_id"]: p["filing_state"] for p in payloads(await svc.published("FilingCompleted"))}
        assert states == {real["admission_id"]: "filed_in_time"}
