"""§1 facility and person registries over HTTP: writers, scope, masking, encryption at
rest, audited ID reads, bad input and idempotency."""

from __future__ import annotations

import json

from sqlalchemy import select

from medaid_shared.crypto import Unsealer
from medaid_shared.settings import DEV_PERSON_MATCHING_PRIVATE_KEY, PERSON_MATCHING_PURPOSE
from medaid_shared.testing import ServiceHarness
from referral.adapters.tables import person as person_table

from .helpers import (
    add_facility,
    add_person,
    assert_problem,
    audit_actions,
    ca,
    centralized,
    count,
    decentralized,
    health,
    hospital,
    id_number,
    institution,
    mi,
    town,
    village,
)

# ---- facilities -------------------------------------------------------------------------


async def test_facility_writers_are_civil_affairs_health_insurance_and_admin(svc: ServiceHarness) -> None:
    for n, headers in enumerate([ca(svc), health(svc), mi(svc), svc.token("admin", subject="root")]):
        body = {
            "facility_id": f"F{n}",
            "name": "Township HC",
            "level": "township_health_centre",
            "designated": True,
            "region": "liujiang",
        }
        r = await svc.client.post("/facilities", json=body, headers=headers)
        assert r.status_code == 201, r.text
    events = await svc.published("FacilityRegistered")
    assert [e["payload"]["facility_id"] for e in events] == ["F0", "F1", "F2", "F3"]
    assert events[0]["payload"]["level"] == "township_health_centre"


async def test_facility_write_denied_to_hospital_and_carers(svc: ServiceHarness) -> None:
    body = {"facility_id": "H9", "name": "x", "level": "district", "designated": True, "region": "liujiang"}
    for headers in (hospital(svc), institution(svc), town(svc), svc.token("auditor")):
        assert_problem(await svc.client.post("/facilities", json=body, headers=headers), 403)
    assert_problem(await svc.client.post("/facilities", json=body), 401)
    assert await count(svc, "facility") == 0


async def test_facility_bad_input_and_duplicate(svc: ServiceHarness) -> None:
    bad = {"facility_id": "H1", "name": "x", "level": "clinic", "designated": True, "region": "liujiang"}
    assert_problem(await svc.client.post("/facilities", json=bad, headers=ca(svc)), 422, field="/level")
    bad_id = {**bad, "level": "district", "facility_id": "H 1!"}
    assert_problem(await svc.client.post("/facilities", json=bad_id, headers=ca(svc)), 422, field="/facility_id")
    await add_facility(svc, "H1")
    dup = {**bad, "level": "district"}
    assert_problem(await svc.client.post("/facilities", json=dup, headers=ca(svc)), 409, field="/facility_id")
    assert len(await svc.published("FacilityRegistered")) == 1


async def test_facility_update_publishes_and_reads(svc: ServiceHarness) -> None:
    await add_facility(svc, "H1", designated=False)
    r = await svc.client.patch("/facilities/H1", json={"designated": True}, headers=mi(svc))
    assert r.status_code == 200 and r.json()["designated"] is True and r.json()["version"] == 2
    (event,) = await svc.published("FacilityUpdated")
    assert event["payload"]["designated"] is True
    assert_problem(await svc.client.patch("/facilities/H1", json={"designated": None}, headers=mi(svc)), 422)
    assert_problem(await svc.client.patch("/facilities/NOPE", json={"name": "y"}, headers=mi(svc)), 404)
    assert_problem(await svc.client.patch("/facilities/H1", json={"name": "y"}, headers=hospital(svc)), 403)
    got = await svc.client.get("/facilities/H1", headers=hospital(svc, "H1"))
    assert got.status_code == 200 and got.json()["police_jurisdiction"] == "PSB01"
    listed = await svc.client.get("/facilities?designated=true", headers=town(svc))
    assert [f["facility_id"] for f in listed.json()["items"]] == ["H1"]
    assert_problem(await svc.client.get("/facilities", headers=svc.token("patient")), 403)
    assert_problem(await svc.client.get("/facilities/NOPE", headers=ca(svc)), 404)
    assert_problem(await svc.client.get("/facilities/H1", headers=svc.token("guardian")), 403)


# ---- persons ----------------------------------------------------------------------------


async def test_lj_2_1_register_person_masks_encrypts_and_publishes(svc: ServiceHarness) -> None:
    """LJ-2.1: civil affairs registers a destitute person; SPEC 0.4 masking and encryption."""
    number = id_number(7)
    body = centralized(
        7,
        capacity={"full_capacity_and_lucid": True, "assessed_at": "2026-01-05T09:00:00+08:00", "assessed_by": "Dr Wei"},
        agents=[
            {
                "name": "王五六",
                "delegated_by": "person",
                "document_ref": "WT-1",
                "valid_from": "2026-01-01",
                "valid_until": "2026-12-31",
            }
        ],
    )
    created = await add_person(svc, body)
    assert created["id_number_masked"] == number[:4] + "*" * 10 + number[-4:]
    assert created["name_masked"] == "张*三" and created["name"] == "张大三"
    assert created["agents"][0]["name_masked"] == "王*六"
    assert number not in json.dumps(created)
    (event,) = await svc.published("PersonRegistered")
    payload = event["payload"]
    assert number not in json.dumps(payload) and "张大三" not in json.dumps(payload)
    # SPEC 0.4: sealed for the emergency fund, whose key alone opens it; no digest
    assert "id_number_digest" not in payload
    assert (
        Unsealer(DEV_PERSON_MATCHING_PRIVATE_KEY).open(payload["id_number_sealed"], PERSON_MATCHING_PURPOSE) == number
    )
    assert payload["capacity"]["full_capacity_and_lucid"] is True
    async with svc.runtime.db.read() as s:
        row = (await s.execute(select(person_table))).mappings().one()
    assert number.encode() not in row["id_enc"] and "张大三".encode() not in row["name_enc"]
    assert row["id_index"] == svc.runtime.cipher.blind_index(number)
    assert ("person.register", created["person_id"], "LJ-2.1 registration") in await audit_actions(svc)


async def test_invalid_id_number_is_rejected_and_nothing_changes(svc: ServiceHarness) -> None:
    good = id_number(3)
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    for bad in (wrong_check, good[:17], "45020619501301" + "0011", "abc"):
        body = centralized(3, id_number=bad)
        assert_problem(await svc.client.post("/persons", json=body, headers=ca(svc)), 422, field="/id_number")
    assert await count(svc, "person") == 0
    assert await svc.published() == []


async def test_duplicate_person_and_wrong_role(svc: ServiceHarness) -> None:
    await add_person(svc, centralized(1))
    assert_problem(await svc.client.post("/persons", json=centralized(1), headers=ca(svc)), 409, field="/id_number")
    for headers in (institution(svc), village(svc), hospital(svc), mi(svc)):
        assert_problem(await svc.client.post("/persons", json=centralized(2), headers=headers), 403)
    assert await count(svc, "person") == 1


async def test_lj_2_1_placement_and_lj_10_guardian_rules(svc: ServiceHarness) -> None:
    """LJ-2.1 placement by support type; LJ-10 guardian (or verified none) and written agents."""
    no_inst = {**centralized(1), "institution_id": None}
    assert_problem(
        await svc.client.post("/persons", json=no_inst, headers=ca(svc)), 422, field="/institution_id", rule="LJ-2.1"
    )
    no_town = decentralized(2, town_id=None)
    assert_problem(
        await svc.client.post("/persons", json=no_town, headers=ca(svc)), 422, field="/town_id", rule="LJ-2.1"
    )
    both = decentralized(3, guardian={"name": "某某", "verified_none": True, "evidence_ref": "x"})
    assert_problem(await svc.client.post("/persons", json=both, headers=ca(svc)), 422, rule="LJ-10")
    no_evidence = centralized(4, guardian={"verified_none": True})
    assert_problem(
        await svc.client.post("/persons", json=no_evidence, headers=ca(svc)),
        422,
        field="/guardian/evidence_ref",
        rule="LJ-10",
    )
    bad_agent = centralized(
        5,
        agents=[
            {
                "name": "王五",
                "delegated_by": "neighbour",
                "document_ref": "d",
                "valid_from": "2026-01-01",
                "valid_until": "2026-12-31",
            }
        ],
    )
    assert_problem(
        await svc.client.post("/persons", json=bad_agent, headers=ca(svc)),
        422,
        field="/agents/0/delegated_by",
        rule="LJ-10",
    )
    unknown_hospital = centralized(
        6,
        trusteeship={
            "agreement_hospital_id": "NOPE",
            "disease_category": "mental",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
        },
    )
    assert_problem(
        await svc.client.post("/persons", json=unknown_hospital, headers=ca(svc)),
        422,
        field="/trusteeship/agreement_hospital_id",
    )
    assert await count(svc, "person") == 0


async def test_lj_5_trusteeship_recorded_and_published(svc: ServiceHarness) -> None:
    """LJ-5: the special-trusteeship agreement names a registered agreement hospital."""
    await add_facility(svc, "MH1", level="city", region="liuzhou")
    body = centralized(
        1,
        trusteeship={
            "agreement_hospital_id": "MH1",
            "disease_category": "mental_disorder",
            "valid_from": "2026-01-01",
            "valid_until": "2027-12-31",
        },
    )
    created = await add_person(svc, body)
    assert created["trusteeship"]["agreement_hospital_id"] == "MH1"
    (event,) = await svc.published("PersonRegistered")
    assert event["payload"]["trusteeship"]["disease_category"] == "mental_disorder"


async def test_register_person_is_idempotent(svc: ServiceHarness) -> None:
    headers = {**ca(svc), "Idempotency-Key": "reg-1"}
    first = await svc.client.post("/persons", json=centralized(1), headers=headers)
    again = await svc.client.post("/persons", json=centralized(1), headers=headers)
    assert first.status_code == 201 and again.status_code == 201 and again.json() == first.json()
    clash = await svc.client.post("/persons", json=centralized(2), headers=headers)
    assert_problem(clash, 409, field="Idempotency-Key")
    assert await count(svc, "person") == 1
    assert len(await svc.published("PersonRegistered")) == 1


async def test_update_person_publishes_full_state(svc: ServiceHarness) -> None:
    created = await add_person(svc, decentralized(1))
    pid = created["person_id"]
    r = await svc.client.patch(
        f"/persons/{pid}", json={"disability_level": "full", "reason": "reassessed"}, headers=ca(svc)
    )
    assert r.status_code == 200, r.text
    assert r.json()["disability_level"] == "full" and r.json()["version"] == 2 and r.json()["name"] == "李小四"
    (event,) = await svc.published("PersonUpdated")
    assert event["payload"]["disability_level"] == "full" and event["payload"]["town_id"] == "T01"
    assert event["payload"]["guardian"]["name_masked"] == "李*哥"
    # moving to an institution without naming one breaks LJ-2.1 and changes nothing
    move = {"support_type": "centralized", "reason": "moved"}
    assert_problem(await svc.client.patch(f"/persons/{pid}", json=move, headers=ca(svc)), 422, rule="LJ-2.1")
    assert_problem(await svc.client.patch(f"/persons/{pid}", json={"reason": "x"}, headers=ca(svc)), 422)
    assert_problem(
        await svc.client.patch(f"/persons/{pid}", json={"id_number": id_number(9), "reason": "x"}, headers=ca(svc)),
        422,
        field="/id_number",
    )
    assert_problem(await svc.client.patch("/persons/nope", json={"town_id": "T2", "reason": "x"}, headers=ca(svc)), 404)
    assert_problem(
        await svc.client.patch(f"/persons/{pid}", json={"town_id": "T2", "reason": "x"}, headers=town(svc)), 403
    )
    assert len(await svc.published("PersonUpdated")) == 1


async def test_scope_institution_village_town_see_only_their_people(svc: ServiceHarness) -> None:
    a = await add_person(svc, centralized(1, inst="I01"))
    b = await add_person(svc, centralized(2, inst="I02"))
    c = await add_person(svc, decentralized(3, village_id="V01", town_id="T01"))
    d = await add_person(svc, decentralized(4, village_id="V02", town_id="T01"))
    e = await add_person(svc, decentralized(5, village_id="V03", town_id="T02"))

    async def ids(headers: dict[str, str]) -> set[str]:
        r = await svc.client.get("/persons", headers=headers)
        assert r.status_code == 200, r.text
        assert all("*" in p["id_number_masked"] for p in r.json()["items"])
        return {p["person_id"] for p in r.json()["items"]}

    assert await ids(institution(svc, "I01")) == {a["person_id"]}
    assert await ids(village(svc, "V01")) == {c["person_id"]}
    assert await ids(town(svc, "T01")) == {c["person_id"], d["person_id"]}
    assert await ids(ca(svc)) == {x["person_id"] for x in (a, b, c, d, e)}
    assert (await svc.client.get(f"/persons/{a['person_id']}", headers=institution(svc, "I01"))).status_code == 200
    assert_problem(await svc.client.get(f"/persons/{b['person_id']}", headers=institution(svc, "I01")), 403)
    assert_problem(await svc.client.get(f"/persons/{e['person_id']}", headers=town(svc, "T01")), 403)
    assert_problem(await svc.client.get(f"/persons/{d['person_id']}", headers=village(svc, "V01")), 403)
    # a hospital has no list and sees no person it never admitted or referred
    assert_problem(await svc.client.get("/persons", headers=hospital(svc)), 403)
    assert_problem(await svc.client.get(f"/persons/{a['person_id']}", headers=hospital(svc)), 403)
    assert_problem(await svc.client.get("/persons", headers=svc.token("police", "jurisdiction:PSB01")), 403)
    assert_problem(await svc.client.get("/persons/nope", headers=ca(svc)), 404)
    detail = (await svc.client.get(f"/persons/{a['person_id']}", headers=mi(svc))).json()
    assert "name" not in detail and detail["name_masked"] == "张*三"


async def test_lookup_by_id_number_through_the_blind_index(svc: ServiceHarness) -> None:
    created = await add_person(svc, decentralized(1, village_id="V01"))
    number = id_number(1)
    r = await svc.client.post("/persons/lookup", json={"id_number": number.lower()}, headers=hospital(svc))
    assert r.status_code == 200 and r.json()["person_id"] == created["person_id"]
    assert number not in r.text
    assert_problem(
        await svc.client.post("/persons/lookup", json={"id_number": number}, headers=village(svc, "V09")), 404
    )
    assert_problem(await svc.client.post("/persons/lookup", json={"id_number": id_number(2)}, headers=ca(svc)), 404)
    assert_problem(
        await svc.client.post("/persons/lookup", json={"id_number": "123"}, headers=ca(svc)), 422, field="/id_number"
    )
    assert_problem(
        await svc.client.post("/persons/lookup", json={"id_number": number}, headers=svc.token("patient")), 403
    )


async def test_full_id_number_read_is_audit_logged(svc: ServiceHarness) -> None:
    created = await add_person(svc, centralized(1, inst="I01"))
    pid = created["person_id"]
    r = await svc.client.get(f"/persons/{pid}/id-number?purpose=filing form check", headers=ca(svc))
    assert r.status_code == 200 and r.json()["id_number"] == id_number(1)
    assert ("person.read_id_number", pid, "filing form check") in await audit_actions(svc)
    ok = await svc.client.get(f"/persons/{pid}/id-number?purpose=hospital paperwork", headers=institution(svc, "I01"))
    assert ok.status_code == 200
    assert_problem(
        await svc.client.get(f"/persons/{pid}/id-number?purpose=curious", headers=institution(svc, "I02")), 403
    )
    assert_problem(await svc.client.get(f"/persons/{pid}/id-number?purpose=curious", headers=mi(svc)), 403)
    assert_problem(await svc.client.get(f"/persons/{pid}/id-number", headers=ca(svc)), 422, field="purpose")
    reads = [a for a in await audit_actions(svc) if a[0] == "person.read_id_number"]
    assert len(reads) == 2


async def test_lj_7_1_lj_10_signers_full_names_travel_sealed_for_consent_alone(svc: ServiceHarness) -> None:
    """Issue 16 point 8: the forms the patient side signs name the guardian or written agent
    who signed. PersonRegistered keeps them masked and carries each one's full name sealed
    for consent (only its key opens it); no department's feed shows the sealed name."""
    from medaid_shared.settings import CONSENT_FORMS_PURPOSE, DEV_CONSENT_FORMS_PRIVATE_KEY

    agent = {
        "agent_id": "a-1",
        "name": "王五六",
        "delegated_by": "guardian",
        "document_ref": "WT-1",
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
    }
    guardian = {"guardian_id": "g-1", "name": "李大哥", "relation": "brother"}
    await add_person(svc, decentralized(1, guardian=guardian, agents=[agent]))
    (event,) = await svc.published("PersonRegistered")
    payload = event["payload"]
    assert "李大哥" not in json.dumps(payload) and "王五六" not in json.dumps(payload)
    forms = Unsealer(DEV_CONSENT_FORMS_PRIVATE_KEY)
    assert payload["guardian"]["name_masked"] == "李*哥"
    assert forms.open(payload["guardian"]["name_sealed"], CONSENT_FORMS_PURPOSE) == "李大哥"
    assert forms.open(payload["agents"][0]["name_sealed"], CONSENT_FORMS_PURPOSE) == "王五六"
    await svc.runtime.relay.publish_batch()
    for role, department, scopes in (
        ("civil_affairs", "civil_affairs", ["district:liujiang"]),
        ("auditor", "auditor", []),
    ):
        r = await svc.client.get(f"/feed/{department}", params={"limit": 500}, headers=svc.token(role, *scopes))
        assert r.status_code == 200, r.text
        persons = [e["data"] for e in r.json()["events"] if e["type"].endswith("PersonRegistered")]
        assert persons and all(p["guardian"]["name_masked"] == "李*哥" for p in persons), department
        assert "name_sealed" not in r.text, department
