"""LJ-15.1 health plans and LJ-16 town follow-up visits over HTTP."""

from __future__ import annotations

from datetime import date, datetime

import time_machine

from medaid_shared.clock import SHANGHAI
from medaid_shared.contracts.common import DisabilityLevel
from medaid_shared.testing import ServiceHarness
from referral.domain.followup import add_months, next_visit_due
from referral.settings import ReferralSettings

from .helpers import (
    add_person,
    admit,
    assert_problem,
    ca,
    centralized,
    count,
    decentralized,
    fire,
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
    aid = (await admit(svc, person_id, "2026-03-02T08:00:00+08:00"))["admission_id"]
    r = await svc.client.post(
        f"/admissions/{aid}/discharge", json={"discharged_at": "2026-03-02T09:00:00+08:00"}, headers=hospital(svc)
    )
    assert r.status_code == 200
    if summary:
        r = await svc.client.post(
            f"/admissions/{aid}/documents",
            json={"kind": "discharge_summary", "document_ref": "S-1"},
            headers=hospital(svc),
        )
        assert r.status_code == 201
    return aid


async def test_lj_15_1_health_plan_by_institution_and_by_village_with_guardian(svc: ServiceHarness) -> None:
    """LJ-15.1: the institution (centralized) or the village committee with the guardian
    (decentralized) makes the plan from the discharge summary."""
    with time_machine.travel(sh(2026, 3, 2, 12), tick=False):
        w = await world(svc)
        a = await discharged(svc, w["central"])
        plan = {
            "admission_id": a,
            "plan": "康复训练 rehab twice a week",
            "guardian_participated": False,
            "review_on": "2026-06-01",
        }
        url = f"/persons/{w['central']}/health-plans"
        r = await svc.client.post(url, json=plan, headers=institution(svc, "I01"))
        assert r.status_code == 201 and r.json()["plan"] == plan["plan"]
        assert_problem(await svc.client.post(url, json=plan, headers=village(svc, "V01")), 422, rule="LJ-15.1")
        assert_problem(await svc.client.post(url, json=plan, headers=institution(svc, "I02")), 403)
        assert_problem(await svc.client.post(url, json=plan, headers=hospital(svc)), 403)
        got = await svc.client.get(url, headers=ca(svc))
        assert [p["plan_id"] for p in got.json()["items"]] == [r.json()["plan_id"]]
        assert_problem(await svc.client.get(url, headers=institution(svc, "I02")), 403)
        assert_problem(await svc.client.get(url, headers=hospital(svc)), 403)
        assert_problem(await svc.client.get("/persons/nope/health-plans", headers=ca(svc)), 404)

        b = await discharged(svc, w["decentral"])
        durl = f"/persons/{w['decentral']}/health-plans"
        without = {"admission_id": b, "plan": "diet", "guardian_participated": False}
        assert_problem(
            await svc.client.post(durl, json=without, headers=village(svc, "V01")),
            422,
            rule="LJ-15.1",
            field="/guardian_participated",
        )
        ok = await svc.client.post(durl, json={**without, "guardian_participated": True}, headers=village(svc, "V01"))
        assert ok.status_code == 201
        assert (await svc.client.get(durl, headers=town(svc, "T01"))).status_code == 200


async def test_lj_15_1_plan_needs_a_discharge_and_its_summary(svc: ServiceHarness) -> None:
    """LJ-15.1: no plan before discharge, nor before the discharge summary exists."""
    with time_machine.travel(sh(2026, 3, 2, 12), tick=False):
        w = await world(svc)
        url = f"/persons/{w['central']}/health-plans"
        no_summary = await discharged(svc, w["central"], summary=False)
        body = {"admission_id": no_summary, "plan": "x", "guardian_participated": False}
        assert_problem(await svc.client.post(url, json=body, headers=institution(svc)), 422, rule="LJ-15.1")
        open_adm = await admit(svc, w["central"], "2026-03-02T10:00:00+08:00")
        body["admission_id"] = open_adm["admission_id"]
        assert_problem(await svc.client.post(url, json=body, headers=institution(svc)), 422, rule="LJ-15.1")
        body["admission_id"] = "nope"
        assert_problem(await svc.client.post(url, json=body, headers=institution(svc)), 422, field="/admission_id")
        assert await count(svc, "health_plan") == 0


def test_lj_16_intervals_monthly_quarterly_yearly() -> None:
    """LJ-16: full → monthly, semi → quarterly, self-care → yearly, to the end of the local day."""
    months = ReferralSettings().followup_interval_months
    last = sh(2026, 1, 31, 10)
    assert next_visit_due(last, DisabilityLevel.FULL, months) == sh(2026, 2, 28, 23, 59, 59)
    assert next_visit_due(last, DisabilityLevel.SEMI, months) == sh(2026, 4, 30, 23, 59, 59)
    assert next_visit_due(last, DisabilityLevel.SELF_CARE, months) == sh(2027, 1, 31, 23, 59, 59)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29) and add_months(date(2026, 11, 5), 3) == date(
        2027, 2, 5
    )


async def test_lj_16_visit_schedule_overdue_flag_and_town_list(svc: ServiceHarness) -> None:
    """LJ-16: registration starts the schedule; a missed visit → FollowUpOverdue and an
    overdue flag in the town's list; a recorded visit starts the next interval."""
    with time_machine.travel(sh(2026, 1, 15, 9), tick=False):
        full = await add_person(svc, decentralized(11, village_id="V01", town_id="T01", disability_level="full"))
        semi = await add_person(svc, decentralized(12, village_id="V02", town_id="T01", disability_level="semi"))
        other = await add_person(svc, decentralized(13, village_id="V09", town_id="T02", disability_level="self_care"))
        await add_person(svc, centralized(14, disability_level="full"))  # centralized: no town visits
        listed = (await svc.client.get("/follow-ups", headers=town(svc, "T01"))).json()["items"]
        assert {p["person_id"]: datetime.fromisoformat(p["due_at"]) for p in listed} == {
            full["person_id"]: sh(2026, 2, 15, 23, 59, 59),
            semi["person_id"]: sh(2026, 4, 15, 23, 59, 59),
        }
        assert all("*" in p["name_masked"] for p in listed)
        assert len((await svc.client.get("/follow-ups", headers=ca(svc))).json()["items"]) == 3
        assert (await svc.client.get("/follow-ups?town_id=T02", headers=town(svc, "T01"))).json()["items"] == []
        assert_problem(await svc.client.get("/follow-ups", headers=village(svc)), 403)
        assert_problem(await svc.client.get("/follow-ups/summary", headers=hospital(svc)), 403)
    with time_machine.travel(sh(2026, 2, 16, 0, 0, 1), tick=False):
        assert await fire(svc) == 1
        (over,) = payloads(await svc.published("FollowUpOverdue"))
        assert over["person_id"] == full["person_id"] and over["disability_level"] == "full"
        assert over["town_id"] == "T01"
        flagged = (await svc.client.get("/follow-ups?overdue=true", headers=town(svc, "T01"))).json()["items"]
        assert [p["person_id"] for p in flagged] == [full["person_id"]]
        summary = (await svc.client.get("/follow-ups/summary", headers=ca(svc))).json()["items"]
        assert summary == [
            {"town_id": "T01", "persons": 2, "overdue": 1, "unassessed": 0},
            {"town_id": "T02", "persons": 1, "overdue": 0, "unassessed": 0},
        ]
        url = f"/persons/{full['person_id']}/visits"
        visit = {"visited_at": "2026-02-16T00:00:00+08:00", "visitor": "town officer Huang", "notes": "needs walker"}
        assert_problem(await svc.client.post(url, json=visit, headers=town(svc, "T02")), 403)
        assert_problem(await svc.client.post(url, json=visit, headers=village(svc, "V01")), 403)
        assert_problem(
            await svc.client.post(
                url, json={**visit, "visited_at": "2026-02-17T00:00:00+08:00"}, headers=town(svc, "T01")
            ),
            422,
            field="/visited_at",
        )
        assert_problem(await svc.client.post("/persons/nope/visits", json=visit, headers=town(svc, "T01")), 404)
        r = await svc.client.post(url, json=visit, headers=town(svc, "T01"))
        assert r.status_code == 201 and r.json()["was_overdue"] is True
        assert datetime.fromisoformat(r.json()["next_due_at"]) == sh(2026, 3, 16, 23, 59, 59)
        assert (await svc.client.get("/follow-ups?overdue=true", headers=town(svc, "T01"))).json()["items"] == []
        assert other["person_id"] not in {
            p["person_id"] for p in (await svc.client.get("/follow-ups", headers=town(svc, "T01"))).json()["items"]
        }
    with time_machine.travel(sh(2026, 3, 10, 9), tick=False):
        assert await fire(svc) == 0  # the new interval has not run out


async def test_lj_16_level_change_reschedules_and_centralized_has_no_visits(svc: ServiceHarness) -> None:
    """LJ-16: a reassessed disability level restarts the count; visits are for decentralized persons."""
    with time_machine.travel(sh(2026, 1, 15, 9), tick=False):
        p = await add_person(svc, decentralized(21, disability_level="self_care"))
        c = await add_person(svc, centralized(22, disability_level="full"))
        r = await svc.client.patch(
            f"/persons/{p['person_id']}", json={"disability_level": "full", "reason": "stroke"}, headers=ca(svc)
        )
        assert r.status_code == 200
        (plan,) = (await svc.client.get("/follow-ups", headers=town(svc, "T01"))).json()["items"]
        assert datetime.fromisoformat(plan["due_at"]) == sh(2026, 2, 15, 23, 59, 59)
        visit = {"visited_at": "2026-01-15T08:00:00+08:00", "visitor": "officer"}
        assert_problem(
            await svc.client.post(f"/persons/{c['person_id']}/visits", json=visit, headers=town(svc, "T01")),
            422,
            rule="LJ-16",
        )
        # moved into an institution: the town schedule stops
        await svc.client.patch(
            f"/persons/{p['person_id']}",
            json={
                "support_type": "centralized",
                "institution_id": "I01",
                "village_id": None,
                "town_id": None,
                "reason": "moved",
            },
            headers=ca(svc),
        )
        assert (await svc.client.get("/follow-ups", headers=town(svc, "T01"))).json()["items"] == []
    with time_machine.travel(sh(2027, 2, 1, 9), tick=False):
        assert await fire(svc) == 0  # cancelled schedules never fire
