"""The official working-day calendar and deadline arithmetic (SPEC 0.1).

Working days are Monday–Friday minus public holidays plus the make-up working days
(调休上班日) of the State Council's yearly notice. The ``chinese-calendar`` library knows
the years it ships; an administrator can load or override any year from data. A deadline
that crosses a year nobody has data for is computed on weekends only and flagged
``calendar_provisional`` — never silently wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import chinese_calendar
from chinese_calendar import constants as _cc

from medaid_shared.clock import SHANGHAI, ensure_utc

LIBRARY_YEARS: frozenset[int] = frozenset(d.year for d in _cc.holidays) | frozenset(d.year for d in _cc.workdays)


@dataclass(frozen=True)
class Due:
    """A computed deadline: the instant (UTC) and whether it rests on unofficial data."""

    at: datetime
    calendar_provisional: bool = False


@dataclass(frozen=True)
class CalendarDay:
    day: date
    is_working_day: bool
    note: str = ""


@dataclass
class WorkingCalendar:
    """Library data plus administrator overrides. ``official_years`` are the years an
    administrator loaded in full (the yearly notice); single overrides correct a day."""

    overrides: dict[date, bool] = field(default_factory=dict)
    official_years: set[int] = field(default_factory=set)

    @classmethod
    def from_days(cls, days: Iterable[CalendarDay], official_years: Iterable[int] = ()) -> WorkingCalendar:
        return cls({d.day: d.is_working_day for d in days}, set(official_years))

    def knows_year(self, year: int) -> bool:
        return year in LIBRARY_YEARS or year in self.official_years

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in LIBRARY_YEARS:
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5

    def add_working_days(self, start: datetime, n: int) -> Due:
        """SPEC 0.1 (interpretation): day 1 is the first working day after the day the clock
        starts (in Asia/Shanghai); the deadline is 23:59:59 of the n-th working day."""
        if n < 1:
            raise ValueError("a working-day deadline needs at least one day")
        day = ensure_utc(start).astimezone(SHANGHAI).date()
        provisional = False
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            provisional = provisional or not self.knows_year(day.year)
            if self.is_working_day(day):
                counted += 1
        end = datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)
        return Due(end.astimezone(UTC), provisional)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days strictly after ``start``'s local day up to and including ``end``'s."""
        first = ensure_utc(start).astimezone(SHANGHAI).date()
        last = ensure_utc(end).astimezone(SHANGHAI).date()
        count, day = 0, first
        while day < last:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def clock_deadline(start: datetime, hours: int) -> Due:
    """SPEC 0.1: clock deadlines count hours from the instant that starts them."""
    return Due(ensure_utc(start) + timedelta(hours=hours))


def parse_year_notice(year: int, data: Mapping[str, object]) -> list[CalendarDay]:
    """Turn a yearly notice ``{"holidays": [...], "workdays": [...]}`` (ISO dates, the
    make-up working days under ``workdays``) into calendar days, checking the year."""
    days: list[CalendarDay] = []
    for key, working in (("holidays", False), ("workdays", True)):
        raw = data.get(key, [])
        if not isinstance(raw, list):
            raise ValueError(f"{key} must be a list of ISO dates")
        for item in raw:
            day = date.fromisoformat(str(item))
            if day.year != year:
                raise ValueError(f"{day} is not in {year}")
            days.append(CalendarDay(day, working, key[:-1]))
    return days
