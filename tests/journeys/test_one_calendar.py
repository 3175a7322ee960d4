"""SPEC 0.1: one calendar for the whole system — a year's notice loaded once, through one
service's admin API, is known to all five within seconds (the CalendarYearLoaded event)."""

from __future__ import annotations

from typing import Any

from .conftest import Stack

# A year no library ships and no other journey loads: every service counts it provisionally.
YEAR = 2031
NOTICE = {
    "holidays": ["2031-01-01", "2031-01-02", "2031-10-01", "2031-10-02", "2031-10-03", "2031-10-06", "2031-10-07"],
    "workdays": ["2031-09-28", "2031-10-11"],
    "source": "国务院办公厅关于2031年部分节假日安排的通知",
}


async def test_a_year_loaded_once_is_the_same_in_all_five_services_on_every_day(stack: Stack) -> None:
    async def calendars() -> dict[str, Any]:
        views = {}
        for service in stack.ports:
            async with stack.client(service) as c:
                views[service] = (await c.get(f"/calendar/{YEAR}")).json()
        return views

    before = await calendars()
    assert all(v["calendar_provisional"] for v in before.values())
    await stack.call("identity-check", "PUT", f"/admin/calendar/{YEAR}", role="admin", json=NOTICE)

    async def all_official() -> dict[str, Any] | None:
        views = await calendars()
        return views if all(v["official"] for v in views.values()) else None

    views = await stack.wait_until(all_official)
    expected = {
        "year": YEAR,
        "official": True,
        "calendar_provisional": False,
        # every weekday off and every weekend day worked: with these, each of the 365 days
        # of the year is the same in every service
        "holidays_on_weekdays": [
            "2031-01-01",
            "2031-01-02",
            "2031-10-01",
            "2031-10-02",
            "2031-10-03",
            "2031-10-06",
            "2031-10-07",
        ],
        "make_up_working_days": ["2031-09-28", "2031-10-11"],
    }
    assert {service: view for service, view in views.items()} == {service: expected for service in stack.ports}
