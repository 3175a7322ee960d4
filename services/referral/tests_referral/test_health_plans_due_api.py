"""LJ-15.1: the carers' list of the health plans to make after a discharge — the institution's
for centralized persons, the village committee's for decentralized persons, the town's and
civil affairs' view of both — each with its due instant on the official calendar (a
versioned parameter, SPEC 0.1), flagged overdue by a deadline when the clock passes it, the
overdue first; scoped to the caller and paged in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import time_machine

from medaid_shared.clock import SHANGHAI
from medaid_shared.testing import ServiceHarness

from .helpers import (
    add_person,
    admit,
    assert_problem,
    ca,
    centralized,
    hospital,
    institution,
    town,
    village,
    world,
)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def at(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


async def discharged(svc: ServiceHarness, person_id: str, when: datetime, *, summary: bool = True) -> str:
    adm = await admit(svc, person_id, "2026-06-10T09:00:00+08:00")
    aid = str(adm["admission_id"])
    body = {"discharged_at": when.isoformat()}
    assert (await svc.client.post(f"/admissions/{aid}/discharge", json=body, headers=hospital(svc))).status_code == 200
    if summary:
        doc = {"kind": "discharge_summary", "document_ref": f"CY-{aid}"}
        assert (
            await svc.client.post(f"/admissions/{aid}/documents", json=doc, headers=hospital(svc))
        ).status_code == 201
    return aid


async def due(svc: ServiceHarness, headers: dict[str, str]) -> list[dict[str, Any]]:
    r = await svc.client.get("/health-plans/due", headers=headers)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def make_plan(svc: ServiceHarness, person_id: str, admission_id: str) -> None:
    plan = {"admission_id": admission_id, "plan": "康复训练，每周随访", "guardian_participated": False}
    r = await svc.client.post(f"/persons/{person_id}/health-plans", json=plan, headers=institution(svc, "I01"))
    assert r.status_code == 201, r.text


async def test_lj_15_1_each_carer_sees_the_plans_to_make_in_its_scope_with_the_due_instant(
    svc: ServiceHarness,
) -> None:
    """Discharged Monday 15 June 2026: 10 working days (health_plan_window, interpretation) —
    16, 17, 18, then 22 to 26 and 29, 30 June (19 June is the Dragon Boat Festival)."""
    with time_machine.travel(sh(2026, 6, 15, 10), tick=False):
        w = await world(svc)
        central = await discharged(svc, w["central"], sh(2026, 6, 15, 9))
        decentral = await discharged(svc, w["decentral"], sh(2026, 6, 15, 9), summary=False)
        [home] = await due(svc, institution(svc, "I01"))
        assert (home["admission_id"], home["who"], home["summary_issued"]) == (central, "institution", True)
        assert at(home["due_at"]) == sh(2026, 6, 30, 23, 59, 59) and home["overdue"] is False
        assert home["parameters_version"] == "health_plan_window:any:any:default" and home["rule"] == "LJ-15.1"
        assert home["name_masked"] and "张大三" not in str(home)  # SPEC 0.4: masked on a list
        [vc] = await due(svc, village(svc, "V01"))
        assert (vc["admission_id"], vc["who"], vc["summary_issued"]) == (decentral, "village_committee", False)
        assert [i["admission_id"] for i in await due(svc, town(svc, "T01"))] == [decentral]
        assert {i["admission_id"] for i in await due(svc, ca(svc))} == {central, decentral}
        assert await due(svc, institution(svc, "I02")) == [] and await due(svc, village(svc, "V02")) == []
        assert await due(svc, town(svc, "T02")) == []
        assert_problem(await svc.client.get("/health-plans/due", headers=hospital(svc)), 403)
        assert (await svc.client.get("/health-plans/due")).status_code == 401
        # the work queue carries the same due instant
        work = (await svc.client.get("/work-queue", headers=institution(svc, "I01"))).json()["items"]
        assert [(i["kind"], at(i["due_at"])) for i in work] == [("health_plan", sh(2026, 6, 30, 23, 59, 59))]

        await make_plan(svc, w["central"], central)
        assert await due(svc, institution(svc, "I01")) == []
    with time_machine.travel(sh(2026, 7, 2, 10), tick=False):
        await svc.runtime.scheduler.fire_due()
        [late] = await due(svc, village(svc, "V01"))
        assert late["overdue"] is True  # the village committee's plan was not made in time
        assert (await svc.client.get("/work-queue", headers=village(svc, "V01"))).json()["items"][0]["overdue"]


async def test_lj_15_1_the_overdue_come_first_and_are_flagged_by_the_deadline(svc: ServiceHarness) -> None:
    """A is discharged first with 10 working days (30 June); from 16 June a version gives 1,
    so B, discharged a day later, is due first (17 June). At 00:00:30 on the 18th the
    deadline flags B overdue; B leads the list; its plan made late, it leaves it."""
    with time_machine.travel(sh(2026, 6, 15, 10), tick=False):
        await world(svc)
        a_person = (await add_person(svc, centralized(11, inst="I01")))["person_id"]
        b_person = (await add_person(svc, centralized(12, inst="I01")))["person_id"]
        a = await discharged(svc, a_person, sh(2026, 6, 15, 9))
        version = {
            "kind": "health_plan_window",
            "region": "any",
            "effective_from": "2026-06-16",
            "values": {"working_days": 1},
            "source": "区民政局通知",
        }
        r = await svc.client.post("/admin/parameters", json={"versions": [version]}, headers=svc.token("admin"))
        assert r.status_code == 201, r.text
        zero = {**version, "effective_from": "2027-01-01", "values": {"working_days": 0}}
        refused = await svc.client.post("/admin/parameters", json={"versions": [zero]}, headers=svc.token("admin"))
        assert refused.status_code == 422
    with time_machine.travel(sh(2026, 6, 16, 10), tick=False):
        b = await discharged(svc, b_person, sh(2026, 6, 16, 9))
        listed = await due(svc, institution(svc, "I01"))
        assert [(i["admission_id"], at(i["due_at"])) for i in listed] == [
            (b, sh(2026, 6, 17, 23, 59, 59)),
            (a, sh(2026, 6, 30, 23, 59, 59)),
        ]
        assert listed[0]["parameters_version"] == "health_plan_window:any:any:2026-06-16"
    with time_machine.travel(sh(2026, 6, 17, 23, 59), tick=False):
        await svc.runtime.scheduler.fire_due()
        assert not any(i["overdue"] for i in await due(svc, institution(svc, "I01")))  # still the last day
    with time_machine.travel(sh(2026, 6, 18, 0, 0, 30), tick=False):
        await svc.runtime.scheduler.fire_due()
        first, second = await due(svc, institution(svc, "I01"))
        assert (first["admission_id"], first["overdue"], second["admission_id"], second["overdue"]) == (
            b,
            True,
            a,
            False,
        )
        await make_plan(svc, b_person, b)
        assert [i["admission_id"] for i in await due(svc, institution(svc, "I01"))] == [a]


async def test_lj_15_1_spec_0_1_a_loaded_notice_moves_the_plans_due_instant(svc: ServiceHarness) -> None:
    import chinese_calendar

    from medaid_shared.calendar import CalendarDay

    with time_machine.travel(sh(2026, 6, 15, 10), tick=False):
        w = await world(svc)
        aid = await discharged(svc, w["central"], sh(2026, 6, 15, 9))
        days = [CalendarDay(d, False, "holiday") for d in sorted(chinese_calendar.constants.holidays) if d.year == 2026]
        days += [CalendarDay(d, True, "workday") for d in sorted(chinese_calendar.constants.workdays) if d.year == 2026]
        days.append(CalendarDay(sh(2026, 6, 16, 12).date(), False, "holiday"))
        moved = await svc.runtime.load_calendar_year(2026, days, "corrected notice", loaded_by="admin-1")
        assert [m.subject for m in moved if m.kind == "health_plan.due"] == [aid]
        [listed] = await due(svc, institution(svc, "I01"))
        assert at(listed["due_at"]) == sh(2026, 7, 1, 23, 59, 59)  # the 16th now a holiday


async def test_lj_15_1_the_list_pages_in_sql(svc: ServiceHarness) -> None:
    with time_machine.travel(sh(2026, 6, 15, 10), tick=False):
        await world(svc)
        mine = []
        for n in range(5):
            person = (await add_person(svc, centralized(20 + n, inst="I01")))["person_id"]
            other = (await add_person(svc, centralized(40 + n, inst="I02")))["person_id"]
            mine.append(await discharged(svc, person, sh(2026, 6, 15, 9)))
            await discharged(svc, other, sh(2026, 6, 15, 9))  # I02's, between mine
        pages: list[list[str]] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            body = (await svc.client.get("/health-plans/due", params=params, headers=institution(svc, "I01"))).json()
            pages.append([i["admission_id"] for i in body["items"]])
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert [len(p) for p in pages] == [2, 2, 1] and [i for p in pages for i in p] == sorted(mine)
        r = await svc.client.get("/health-plans/due", params={"cursor": "%%%"}, headers=institution(svc, "I01"))
        assert_problem(r, 422, field="cursor")
