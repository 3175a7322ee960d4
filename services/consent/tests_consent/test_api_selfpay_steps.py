"""LJ-7.2 / LJ-7.3: each office's work list of the self-pay items awaiting its review step,
across admissions and in its scope — the institution head's and the village committee's
(with the guardian or agent) initial reviews, the town government's filings, civil affairs'
reviews — each item with its step's due instant on the official calendar (a versioned
parameter, SPEC 0.1), flagged overdue by a deadline when the clock passes it, the overdue
first; paged in SQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import time_machine

from medaid_shared.clock import SHANGHAI
from medaid_shared.testing import ServiceHarness

from .helpers import capacity, guardian, setup_person
from .test_api_selfpay import propose, review, sign_form
from .test_paging import _walk

HEAD = ("institution", "institution:I01")
CIVIL = ("civil_affairs",)
TOWN = ("town_government", "town:T01")
VILLAGE = ("village_committee", "village:V01")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI).astimezone(UTC)


def end_of(year: int, month: int, day: int) -> str:
    """The end (23:59:59 Asia/Shanghai) of a working day, as the API answers it (UTC, Z)."""
    return local(year, month, day, 23, 59, 59).isoformat().replace("+00:00", "Z")


async def awaiting(svc: ServiceHarness, *token: str, subject: str | None = None) -> list[dict[str, Any]]:
    r = await svc.client.get("/self-pay-reviews", headers=svc.token(*token, subject=subject))
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def signed(svc: ServiceHarness, price: str, admission: str = "A1", subject: str = "P1") -> str:
    item_id = str((await propose(svc, price, admission=admission))["item_id"])
    assert (await sign_form(svc, item_id, subject=subject)).status_code == 201
    return item_id


async def test_lj_7_2_lj_7_3_each_office_sees_the_items_awaiting_its_step_with_the_due_instant(
    svc: ServiceHarness,
) -> None:
    """Monday 15 June 2026, 10:00: the form is signed, the institution head has 2 working days
    (16, 17 June); once it approves an item over 1,000, civil affairs has 3 (16, 17, 18)."""
    await setup_person(svc, capacity=capacity(True))
    item_id = await signed(svc, "1500.00")
    [initial] = await awaiting(svc, *HEAD)
    assert initial["item_id"] == item_id and initial["status"] == "awaiting_initial_review"
    assert initial["due_at"] == end_of(2026, 6, 17) and initial["overdue"] is False
    assert initial["parameters_version"] == "self_pay_steps:any:any:default" and initial["rule"] == "LJ-7.2"
    assert (
        initial["amount"] == "1500.00" and initial["item_code"] == "X-01" and initial["calendar_provisional"] is False
    )
    assert await awaiting(svc, "institution", "institution:I02") == []  # another institution's person
    assert await awaiting(svc, *CIVIL) == []  # not its step yet

    assert (await review(svc, item_id, "initial-review", *HEAD)).status_code == 200
    assert await awaiting(svc, *HEAD) == []
    [filed] = await awaiting(svc, *CIVIL)
    assert filed["status"] == "awaiting_civil_affairs_review" and filed["due_at"] == end_of(2026, 6, 18)
    assert filed["rule"] == "LJ-7.3"

    assert (await review(svc, item_id, "civil-affairs-review", *CIVIL)).status_code == 200
    assert await awaiting(svc, *CIVIL) == []
    with time_machine.travel(local(2026, 6, 30, 10), tick=False):
        await svc.runtime.scheduler.fire_due()  # both steps were met: nothing is flagged
    got = await svc.client.get(f"/self-pay-items/{item_id}", headers=svc.token(*CIVIL))
    assert got.json()["status"] == "approved"


async def test_lj_7_3_the_town_files_a_decentralized_persons_item_within_its_working_days(
    svc: ServiceHarness,
) -> None:
    await setup_person(svc, centralized=False, capacity=capacity(False), guardian=guardian("g-1"))
    item_id = str((await propose(svc, "1200.00"))["item_id"])
    assert (await sign_form(svc, item_id, "guardian", subject="g-1")).status_code == 201
    assert [i["item_id"] for i in await awaiting(svc, *VILLAGE)] == [item_id]
    assert [i["item_id"] for i in await awaiting(svc, "guardian", subject="g-1")] == [item_id]
    assert await awaiting(svc, "village_committee", "village:V02") == []
    assert (await review(svc, item_id, "initial-review", *VILLAGE, subject="vh-1")).status_code == 200
    assert len(await awaiting(svc, *VILLAGE)) == 1  # the guardian's part of the step is still to come
    assert (await review(svc, item_id, "initial-review", "guardian", subject="g-1")).status_code == 200
    [to_file] = await awaiting(svc, *TOWN)
    assert to_file["status"] == "awaiting_civil_affairs_filing" and to_file["due_at"] == end_of(2026, 6, 17)
    assert await awaiting(svc, "town_government", "town:T02") == []


async def test_lj_7_3_the_overdue_come_first_and_are_flagged_by_the_deadline(svc: ServiceHarness) -> None:
    """X is proposed first but reaches civil affairs two days after Y: Y is due first (18
    June), X on the 23rd (19 June is the Dragon Boat Festival). At 00:00:30 on the 19th the
    deadline flags Y overdue; Y leads the list; decided late, it leaves it."""
    await setup_person(svc, capacity=capacity(True))
    x = await signed(svc, "1500.00")
    y = await signed(svc, "1600.00")
    assert (await review(svc, y, "initial-review", *HEAD)).status_code == 200
    with time_machine.travel(local(2026, 6, 17, 10), tick=False):
        assert (await review(svc, x, "initial-review", *HEAD)).status_code == 200
        listed = await awaiting(svc, *CIVIL)
    assert [(i["item_id"], i["due_at"]) for i in listed] == [(y, end_of(2026, 6, 18)), (x, end_of(2026, 6, 23))]

    with time_machine.travel(local(2026, 6, 18, 23, 59), tick=False):
        await svc.runtime.scheduler.fire_due()
        assert not any(i["overdue"] for i in await awaiting(svc, *CIVIL))  # still the last day
    with time_machine.travel(local(2026, 6, 19, 0, 0, 30), tick=False):
        await svc.runtime.scheduler.fire_due()
        first, second = await awaiting(svc, *CIVIL)
        assert (first["item_id"], first["overdue"], second["item_id"], second["overdue"]) == (y, True, x, False)
        assert first["overdue_at"] is not None
        assert (await review(svc, y, "civil-affairs-review", *CIVIL)).status_code == 200
        assert [i["item_id"] for i in await awaiting(svc, *CIVIL)] == [x]


async def test_lj_7_3_spec_0_1_a_loaded_notice_moves_the_steps_due_instant(svc: ServiceHarness) -> None:
    import chinese_calendar

    from medaid_shared.calendar import CalendarDay

    await setup_person(svc, capacity=capacity(True))
    item_id = await signed(svc, "1500.00")
    days = [CalendarDay(d, False, "holiday") for d in sorted(chinese_calendar.constants.holidays) if d.year == 2026]
    days += [CalendarDay(d, True, "workday") for d in sorted(chinese_calendar.constants.workdays) if d.year == 2026]
    days.append(CalendarDay(local(2026, 6, 16, 12).astimezone(SHANGHAI).date(), False, "holiday"))
    moved = await svc.runtime.load_calendar_year(2026, days, "corrected notice", loaded_by="admin-1")
    assert [m.subject for m in moved if m.kind == "consent.self_pay.initial_review"] == [item_id]
    [listed] = await awaiting(svc, *HEAD)
    assert listed["due_at"] == end_of(2026, 6, 18)  # 17 and 18 June, the 16th now a holiday


async def test_lj_7_3_the_step_due_is_a_versioned_parameter(svc: ServiceHarness) -> None:
    version = {
        "kind": "self_pay_steps",
        "region": "any",
        "effective_from": "2026-06-01",
        "values": {"initial_review_working_days": 1},
        "source": "区民政局通知",
    }
    r = await svc.client.post("/admin/parameters", json={"versions": [version]}, headers=svc.token("admin"))
    assert r.status_code == 201, r.text
    await setup_person(svc, capacity=capacity(True))
    await signed(svc, "1500.00")
    [listed] = await awaiting(svc, *HEAD)
    assert listed["due_at"] == end_of(2026, 6, 16)
    assert listed["parameters_version"] == "self_pay_steps:any:any:2026-06-01"
    zero = {**version, "effective_from": "2027-01-01", "values": {"initial_review_working_days": 0}}
    refused = await svc.client.post("/admin/parameters", json={"versions": [zero]}, headers=svc.token("admin"))
    assert refused.status_code == 422


async def test_lj_7_3_a_role_without_a_review_step_is_refused(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True))
    await signed(svc, "1500.00")
    for token in (("hospital", "facility:H001"), ("auditor",), ("medical_insurance",)):
        r = await svc.client.get("/self-pay-reviews", headers=svc.token(*token))
        assert r.status_code == 403, (token, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["rule"] == "LJ-7.3"
    assert (await svc.client.get("/self-pay-reviews")).status_code == 401


async def test_lj_7_3_the_work_list_pages_in_sql(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True))
    await setup_person(svc, "P2", admission_id="A2", institution_id="I02", capacity=capacity(True))
    mine = []
    for n in range(5):
        mine.append(await signed(svc, f"{300 + n}.00"))
        await signed(svc, f"{300 + n}.00", admission="A2", subject="P2")  # I02's, between mine
    pages = await _walk(svc, "/self-pay-reviews", svc.token(*HEAD), "item_id", 2)
    assert [len(p) for p in pages] == [2, 2, 1] and [i for p in pages for i in p] == sorted(mine)
