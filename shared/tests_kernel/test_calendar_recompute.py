"""SPEC 0.1: one official calendar, loaded once; open deadlines follow the loaded notice."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import httpx
from sqlalchemy import select, text

from medaid_shared import clock
from medaid_shared.auth import issue_token
from medaid_shared.calendar import WorkingCalendar, parse_year_notice
from medaid_shared.clock import SHANGHAI
from medaid_shared.contracts.kernel import CalendarYearLoaded
from medaid_shared.deadlines import MovedDeadline
from medaid_shared.events import EventMeta
from medaid_shared.runtime import Runtime

# The 2027 National Day notice as the State Council would publish it: 1–7 October off,
# Sun 26 September and Sat 9 October make-up working days.
NOTICE_2027 = {
    "holidays": [f"2027-10-0{d}" for d in range(1, 8)],
    "workdays": ["2027-09-26", "2027-10-09"],
}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


async def _clean(rt: Runtime) -> None:
    async with rt.db.engine.begin() as conn:
        await conn.execute(text("TRUNCATE kerneltest.calendar_day, kerneltest.calendar_year"))
    rt.calendar = WorkingCalendar()


async def _deadline(rt: Runtime, subject: str) -> dict[str, Any]:
    t = rt.db.tables.deadline
    async with rt.db.read() as s:
        return dict((await s.execute(select(t).where(t.c.subject == subject))).mappings().one())


async def test_a_loaded_notice_moves_open_deadlines_and_reopens_one_that_fired_early(runtime: Runtime) -> None:
    """A letter received Thu 2027-09-30 on the provisional 2027 (National Day 1–3 October and
    its 补假 on 4–5 October) is due at the end of Fri 10-08 and fires at 10-09 00:00. The
    notice loaded on 10-09 makes 1–7 October days off and Sat 10-09 a working day: the real
    third working day is Mon 10-11. The fired deadline is reopened, the event shows both
    instants, and the kind's hook is told; an open deadline moves without reopening."""
    await _clean(runtime)
    seen: list[MovedDeadline] = []

    async def hook(uow: Any, row: Any, moved: MovedDeadline) -> None:
        seen.append(moved)

    runtime.deadline_moved = {"reply": hook}
    cal = runtime.calendar
    early = cal.add_working_days(local(2027, 9, 30, 10), 3)
    assert early.calendar_provisional and early.at == local(2027, 10, 8, 23, 59, 59)
    later = cal.add_working_days(local(2027, 10, 5, 10), 4)  # provisional: 6, 7, 8, 11 October
    async with runtime.db.unit_of_work() as uow:
        await uow.schedule("reply", "fired-early", early, basis="working_days")
        await uow.schedule("other", "still-open", later, basis="working_days")
    before = clock.get_offset()
    clock.set_offset(before + (local(2027, 10, 9, 0, 0, 1) - clock.now()))
    try:
        t = runtime.db.tables.deadline
        async with runtime.db.unit_of_work() as uow:  # the scheduler fired it at its provisional instant
            await uow.session.execute(
                t.update().where(t.c.subject == "fired-early").values(state="fired", closed_at=clock.now())
            )
        moved = await runtime.load_calendar_year(
            2027, parse_year_notice(2027, NOTICE_2027), "国办发明电〔2026〕", loaded_by="admin-1"
        )
    finally:
        clock.set_offset(before)
    by_subject = {m.subject: m for m in moved}
    assert by_subject["fired-early"].reopened and by_subject["fired-early"].due_at == local(2027, 10, 11, 23, 59, 59)
    assert by_subject["fired-early"].previous_due_at == early.at
    assert not by_subject["still-open"].reopened and by_subject["still-open"].due_at == local(2027, 10, 12, 23, 59, 59)
    row = await _deadline(runtime, "fired-early")
    assert row["state"] == "open" and row["due_at"] == local(2027, 10, 11, 23, 59, 59)
    assert row["calendar_provisional"] is False
    assert [m.subject for m in seen] == ["fired-early"]
    outbox = runtime.db.tables.outbox
    async with runtime.db.read() as s:
        events = (await s.execute(select(outbox.c.event_type, outbox.c.payload).order_by(outbox.c.seq))).all()
    moved_events = [p for et, p in events if et.endswith("DeadlineMoved")]
    assert {(p["subject"], p["reopened"]) for p in moved_events} == {("fired-early", True), ("still-open", False)}
    first = next(p for p in moved_events if p["subject"] == "fired-early")
    assert first["previous_due_at"].startswith("2027-10-08T15:59:59") and first["due_at"].startswith(
        "2027-10-11T15:59:59"
    )
    loaded = [p for et, p in events if et.endswith("CalendarYearLoaded")]
    assert len(loaded) == 1 and loaded[0]["year"] == 2027 and len(loaded[0]["days"]) == 9


async def test_a_service_stores_the_year_another_service_announced(runtime: Runtime) -> None:
    """SPEC 0.1: the kernel consumer of CalendarYearLoaded gives this service the same days
    and counts its own deadlines again, without announcing the year a second time."""
    await _clean(runtime)
    days = parse_year_notice(2027, NOTICE_2027)
    event = CalendarYearLoaded(
        year=2027,
        days=[{"day": d.day, "is_working_day": d.is_working_day, "note": d.note} for d in days],  # type: ignore[misc]
        source="国办发明电〔2026〕",
        loaded_at=clock.now(),
        loaded_by="admin-1",
    )
    consumer = next(c for c in runtime.consumers if c.name == "calendar")
    meta = EventMeta("e-1", "referral", event.event_type, None, None, None, "t", 0, 0)
    assert await consumer._apply(event, meta) == "applied"
    assert await consumer._apply(event, meta) == "duplicate"
    assert runtime.calendar.knows_year(2027) and runtime.calendar.is_working_day(date(2027, 10, 9))
    async with runtime.db.read() as s:
        n = (
            await s.execute(text("SELECT count(*) FROM kerneltest.outbox WHERE event_type LIKE '%CalendarYear%'"))
        ).scalar()
    assert n == 0


async def test_calendar_years_are_bounded_on_the_admin_api(runtime: Runtime) -> None:
    from medaid_shared.app import API_PREFIX, create_service_app

    await _clean(runtime)
    app = create_service_app(lambda: runtime, title="medaid kerneltest", description="kernel test", routers=[])
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test" + API_PREFIX)
    rt = runtime
    token = issue_token(rt.settings, subject="admin-1", role="admin", scopes=[])
    r = await client.put("/admin/calendar/99999", json=NOTICE_2027, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422 and r.json()["field"] == "year"
    r = await client.get("/calendar/2027")
    assert r.json()["calendar_provisional"] is True and "2027-01-01" in r.json()["holidays_on_weekdays"]

    await client.aclose()
