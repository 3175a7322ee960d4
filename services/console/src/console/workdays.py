"""Due instants as officers read them (SPEC 0.1): Asia/Shanghai wall time and the count of
working days left on the one official calendar, which the console reads from a service
(``GET /v1/calendar/{year}``) rather than keeping a copy of its own."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime

from console.api import ApiProblem, Services
from medaid_shared import clock
from medaid_shared.calendar import WorkingCalendar


@dataclass(frozen=True)
class DueView:
    at: datetime | None  # UTC
    local: str  # "2026-11-10 23:59"
    overdue: bool
    working_days_left: int | None
    label: str  # 已逾期 / 今日到期 / 剩余 N 个工作日

    @property
    def sort_key(self) -> tuple[int, float]:
        """Overdue first, then the nearest due instant, undated last."""
        if self.at is None:
            return (2, 0.0)
        return (0 if self.overdue else 1, self.at.timestamp())


NO_DUE = DueView(None, "—", False, None, "无期限")


class Calendars:
    """The official calendar of the years in view, read again after ``refresh_s`` so a year's
    notice loaded meanwhile (the one calendar of the system) reaches the console too."""

    def __init__(self, services: Services, refresh_s: float = 600.0) -> None:
        self._services = services
        self._refresh_s = refresh_s
        self._years: dict[int, tuple[float, dict[date, bool]]] = {}

    async def calendar_for(self, *years: int) -> WorkingCalendar:
        overrides: dict[date, bool] = {}
        for year in sorted(set(years)):
            cached = self._years.get(year)
            if cached is None or time.monotonic() - cached[0] > self._refresh_s:
                cached = (time.monotonic(), await self._load(year))
                self._years[year] = cached
            overrides.update(cached[1])
        return WorkingCalendar(overrides, set())

    async def _load(self, year: int) -> dict[date, bool]:
        try:
            body = await self._services.request("referral", "GET", f"/calendar/{year}", token=None)
        except ApiProblem:
            return {}  # the library's data for known years, weekends otherwise
        if not isinstance(body, dict):
            return {}
        days = {date.fromisoformat(d): False for d in body.get("holidays_on_weekdays", [])}
        days.update({date.fromisoformat(d): True for d in body.get("make_up_working_days", [])})
        return days

    async def due(self, value: str | datetime | None, overdue: bool | None = None) -> DueView:
        if not value:
            return NO_DUE
        at = datetime.fromisoformat(value) if isinstance(value, str) else value
        at = clock.ensure_utc(at)
        now = clock.now()
        cal = await self.calendar_for(clock.to_local(now).year, clock.to_local(at).year)
        late = at < now if overdue is None else overdue or at < now
        local = clock.to_local(at).strftime("%Y-%m-%d %H:%M")
        if late:
            return DueView(at, local, True, 0, "已逾期")
        left = cal.working_days_between(now, at)
        today = clock.to_local(now).date() == clock.to_local(at).date()
        label = f"剩余 {left} 个工作日" if left or not today else "今日到期"
        return DueView(at, local, False, left, label)


def local_text(value: str | None) -> str:
    """An ISO instant from a service, shown in Asia/Shanghai."""
    if not value:
        return "—"
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return value
    if at.tzinfo is None:
        return value
    return clock.to_local(at).strftime("%Y-%m-%d %H:%M")
