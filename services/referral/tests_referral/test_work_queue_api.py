"""The console's work queue (LJ-15.1, LJ-16), LJ-16's flag for persons with no disability level,
and LJ-11.4 "unable to pay" recorded after admission."""

from __future__ import annotations

from datetime import datetime

import time_machine

from medaid_shared.clock import SHANGHAI
from medaid_shared.testing import ServiceHarness

from .helpers import (
    add_person,
    admit,
    assert_problem,
    ca,
    decentralized,
    hospital,
    institution,
    payloads,
    town,
    village,
    world,
)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


async def discharged(svc: ServiceHarness, person_id: str, *, summary: bool = True) -> str:
    adm = await admit(svc, person_id, "2026-09-29T09:00:00+08:00")
    aid = adm["admission_id"]
    r = await svc.client.post(
        f"/admissions/{aid}/discharge", json={"discharged_at": "2026-09-30T09:00:00+08:00"}, headers=hospital(svc)
    )
    assert r.status_code == 200, r.text
    if summary:
        doc = {"kind": "discharge_summary", "document_ref": "CY-1"}
        assert (
            await svc.client.post(f"/admissions/{aid}/documents", json=doc, headers=hospital(svc))
        ).status_code == 201
    return str(aid)


async def queue(svc: ServiceHarness, headers: dict[str, str], **params: object) -> list[dict[str, object]]:
    r = await svc.client.get("/work-queue", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def test_lj_15_1_lj_16_the_work_queue_is_scoped_to_the_caller(svc: ServiceHarness) -> None:
    with time_machine.travel(sh(2026, 9, 30, 10), tick=False):
        w = await world(svc)
        unassessed = await add_person(svc, decentralized(9, disability_level=None))
        central_aid = await discharged(svc, w["central"])
        decentral_aid = await discharged(svc, w["decentral"], summary=False)
        home = await queue(svc, institution(svc, "I01"))
        assert [(i["kind"], i["admission_id"], i["summary_issued"]) for i in home] == [
            ("health_plan", central_aid, True)
        ]
        assert await queue(svc, institution(svc, "I02")) == []
        (vc,) = await queue(svc, village(svc, "V01"))
        assert vc["admission_id"] == decentral_aid and vc["who"] == "village_committee" and not vc["summary_issued"]
        kinds = {(i["kind"], i["person_id"]) for i in await queue(svc, town(svc, "T01"), within_days=100)}
        assert kinds == {
            ("health_plan", w["decentral"]),
            ("followup_visit", w["decentral"]),  # semi-disabled: quarterly, due within 100 days
            ("disability_assessment", unassessed["person_id"]),
        }
        near = {i["kind"] for i in await queue(svc, town(svc, "T01"), within_days=10)}
        assert near == {"health_plan", "disability_assessment"}
        assert await queue(svc, town(svc, "T02")) == []
        assert_problem(await svc.client.get("/work-queue", headers=hospital(svc)), 403)
        # the plan made → off the institution's queue (LJ-15.1)
        plan = {"admission_id": central_aid, "plan": "康复训练，每周随访", "guardian_participated": False}
        r = await svc.client.post(f"/persons/{w['central']}/health-plans", json=plan, headers=institution(svc, "I01"))
        assert r.status_code == 201, r.text
        assert await queue(svc, institution(svc, "I01")) == []


async def test_lj_16_a_decentralized_person_with_no_disability_level_is_flagged(svc: ServiceHarness) -> None:
    with time_machine.travel(sh(2026, 9, 30, 10), tick=False):
        await world(svc)
        p = await add_person(svc, decentralized(9, disability_level=None))
        r = await svc.client.get("/follow-ups/unassessed", headers=town(svc, "T01"))
        assert [(u["person_id"], u["flag"], u["rule"]) for u in r.json()["items"]] == [
            (p["person_id"], "disability_assessment_needed", "LJ-16")
        ]
        assert (await svc.client.get("/follow-ups/unassessed", headers=town(svc, "T02"))).json()["items"] == []
        summary = (await svc.client.get("/follow-ups/summary", headers=ca(svc))).json()["items"]
        assert summary == [{"town_id": "T01", "persons": 1, "overdue": 0, "unassessed": 1}]


async def test_lj_11_4_unable_to_pay_recorded_after_admission_refers_to_the_fund(svc: ServiceHarness) -> None:
    """The issue: able_to_pay was fixed at admission, so an emergency patient found unable to
    pay later could never be referred. Now the hospital records it and the referral follows."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["decentral"], "2026-09-29T09:00:00+08:00", emergency=True)
        aid = adm["admission_id"]
        assert await svc.published("EmergencyAssistanceReferred") == []
        url = f"/admissions/{aid}/unable-to-pay"
        body = {"reason": "无力支付：特困人员，无存款（GD-17）"}
        assert_problem(await svc.client.post(url, json=body, headers=hospital(svc, "C001")), 403)
        assert_problem(await svc.client.post(url, json=body, headers=ca(svc)), 403)
        assert_problem(await svc.client.post(url, json={}, headers=hospital(svc)), 422, field="/reason")
        r = await svc.client.post(url, json=body, headers=hospital(svc))
        assert r.status_code == 200 and r.json()["able_to_pay"] is False
        (ref,) = payloads(await svc.published("EmergencyAssistanceReferred"))
        assert ref["admission_id"] == aid and ref["id_number_sealed"]
        assert_problem(await svc.client.post(url, json=body, headers=hospital(svc)), 409)
        routine = await admit(svc, w["central"], "2026-09-29T09:00:00+08:00")
        assert_problem(
            await svc.client.post(
                f"/admissions/{routine['admission_id']}/unable-to-pay", json=body, headers=hospital(svc)
            ),
            422,
            rule="LJ-11.4",
            field="admission_id",
        )
        assert len(await svc.published("EmergencyAssistanceReferred")) == 1
