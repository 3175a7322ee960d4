"""The official working-day calendar and deadline arithmetic (SPEC 0.1).

Working days are Monday–Friday minus public holidays plus the make-up working days
(调休上班日) of the State Council's yearly notice. The ``chinese-calendar`` library knows
the years it ships; an administrator can load or override any year from data (once, for
the whole system: the loading service publishes ``CalendarYearLoaded`` and every service
stores it). A year nobody has data for is *provisional*: it still counts the statutory
public holidays of the national holiday regulation (全国年节及纪念日放假办法), computed
from the lunar calendar and the solar terms, and the weekends; it cannot know the year's
bridging days or make-up working days, so a deadline counted over it is flagged
``calendar_provisional`` — never silently wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

import chinese_calendar
from chinese_calendar import constants as _cc
from lunar_python import Lunar, Solar

from medaid_shared.clock import SHANGHAI, ensure_utc

LIBRARY_YEARS: frozenset[int] = frozenset(d.year for d in _cc.holidays) | frozenset(d.year for d in _cc.workdays)

# The years a calendar can hold: the bounds of the admin API and the CLI, and of what the
# lunar computation is asked for.
FIRST_YEAR, LAST_YEAR = 2000, 2100

COUNT_KEY = "_count"  # deadline payload key: what a working-day deadline was counted from


@dataclass(frozen=True)
class Due:
    """A computed deadline: the instant (UTC) and whether it rests on unofficial data.
    A working-day deadline also keeps what it was counted from (``start`` and
    ``working_days``), so it can be counted again when a year's notice is loaded."""

    at: datetime
    calendar_provisional: bool = False
    start: datetime | None = None
    working_days: int | None = None
    offset_seconds: int = 0  # a deadline that fires this long after the counted end

    def after(self, seconds: int) -> Due:
        """The same count, firing ``seconds`` after its end (e.g. the first instant after it)."""
        return Due(
            self.at + timedelta(seconds=seconds),
            self.calendar_provisional,
            self.start,
            self.working_days,
            self.offset_seconds + seconds,
        )

    def recount(self) -> dict[str, object]:
        """What a deadline row keeps in its payload to be counted again."""
        if self.start is None or self.working_days is None:
            return {}
        count: dict[str, object] = {"start": self.start.isoformat(), "working_days": self.working_days}
        if self.offset_seconds:
            count["offset_seconds"] = self.offset_seconds
        return {COUNT_KEY: count}


def _lunar_day(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


@cache
def statutory_holidays(year: int) -> dict[date, str]:
    """SPEC 0.1: the public holidays of every year under the national holiday regulation
    (全国年节及纪念日放假办法, as revised in 2024, in force from 2025): New Year's Day
    (1 day), the Spring Festival (4 days from its eve: the last day of the 12th lunar
    month, then the 1st to 3rd of the 1st), Qingming (the day of the solar term, 1 day),
    Labour Day (1–2 May), the Dragon Boat festival (5th of the 5th lunar month), Mid-Autumn
    (15th of the 8th) and National Day (1–3 October). A whole-population holiday that falls
    on a Saturday or Sunday is made up on the next working weekday (the regulation's
    补假, article 6). Bridging days and make-up working days exist only in the yearly notice."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"calendar years are {FIRST_YEAR}–{LAST_YEAR}")
    first_lunar_day = _lunar_day(year, 1, 1)
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    spring = [first_lunar_day - timedelta(days=1), *(first_lunar_day + timedelta(days=i) for i in range(3))]
    days |= {d: "春节" for d in spring}
    qingming = Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()["清明"]
    days[date(qingming.getYear(), qingming.getMonth(), qingming.getDay())] = "清明节"
    days |= {date(year, 5, 1): "劳动节", date(year, 5, 2): "劳动节"}
    days[_lunar_day(year, 5, 5)] = "端午节"
    days[_lunar_day(year, 8, 15)] = "中秋节"
    days |= {date(year, 10, d): "国庆节" for d in (1, 2, 3)}
    make_up: dict[date, str] = {}
    for day, name in sorted(days.items()):
        if day.weekday() < 5:
            continue
        substitute = day
        while substitute.weekday() >= 5 or substitute in days or substitute in make_up:
            substitute += timedelta(days=1)
        make_up[substitute] = f"{name}（补假）"
    return dict(sorted((days | make_up).items()))


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
        """A day an administrator set; else a loaded notice's year (the notice lists every
        day off and every make-up day); else the library's data; else the provisional year:
        Monday–Friday minus the statutory holidays."""
        if day in self.overrides:
            return self.overrides[day]
        if day.year in self.official_years:
            return day.weekday() < 5
        if day.year in LIBRARY_YEARS:
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5 and day not in statutory_holidays(day.year)

    def note(self, day: date) -> str:
        """Why a day is what it is, where the calendar knows a name for it."""
        if day.year in self.official_years or day.year in LIBRARY_YEARS or day in self.overrides:
            return ""
        return statutory_holidays(day.year).get(day, "")

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
        return Due(end.astimezone(UTC), provisional, ensure_utc(start), n)

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
