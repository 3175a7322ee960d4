"""SPEC 0.1: working-day deadlines on the official calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from medaid_shared.calendar import (
    LIBRARY_YEARS,
    CalendarDay,
    WorkingCalendar,
    clock_deadline,
    parse_year_notice,
    statutory_holidays,
)
from medaid_shared.clock import SHANGHAI


def local(y: int, m: int, d: int, hh: int = 10) -> datetime:
    return datetime(y, m, d, hh, tzinfo=SHANGHAI)


def test_three_working_days_span_the_2026_national_day_holiday_and_its_make_up_day() -> None:
    """Started Wed 2026-09-30: Oct 1–7 are holidays, Sat Oct 10 is a make-up working day.
    Day 1 = Thu Oct 8, day 2 = Fri Oct 9, day 3 = Sat Oct 10 (make-up)."""
    due = WorkingCalendar().add_working_days(local(2026, 9, 30), 3)
    assert due.at == datetime(2026, 10, 10, 23, 59, 59, tzinfo=SHANGHAI).astimezone(UTC)
    assert due.calendar_provisional is False


def test_make_up_sunday_counts_as_a_working_day() -> None:
    """Sun 2026-09-20 is a make-up working day before National Day."""
    cal = WorkingCalendar()
    assert cal.is_working_day(date(2026, 9, 20))
    assert not cal.is_working_day(date(2026, 10, 1))
    due = cal.add_working_days(local(2026, 9, 19), 1)  # Saturday start → day 1 is Sunday 20th
    assert due.at.astimezone(SHANGHAI).date() == date(2026, 9, 20)


def test_day_one_is_the_first_working_day_after_the_start_day() -> None:
    due = WorkingCalendar().add_working_days(local(2026, 11, 23, 23), 1)  # Monday late evening
    assert due.at.astimezone(SHANGHAI) == datetime(2026, 11, 24, 23, 59, 59, tzinfo=SHANGHAI)


def test_a_year_without_official_data_is_provisional_until_loaded() -> None:
    cal = WorkingCalendar()
    due = cal.add_working_days(local(2026, 12, 30), 3)
    assert due.calendar_provisional is True  # runs into 2027, unknown to the library
    days = parse_year_notice(2027, {"holidays": ["2027-01-01"], "workdays": []})
    loaded = WorkingCalendar.from_days(days, [2027])
    again = loaded.add_working_days(local(2026, 12, 30), 3)
    assert again.calendar_provisional is False
    assert again.at.astimezone(SHANGHAI).date() == date(2027, 1, 5)  # Dec 31, (Jan 1 holiday), Jan 4, Jan 5


def test_administrator_override_corrects_a_single_day() -> None:
    cal = WorkingCalendar.from_days([CalendarDay(date(2026, 11, 24), False, "local holiday")])
    assert not cal.is_working_day(date(2026, 11, 24))


def test_clock_deadline_counts_hours_from_the_instant() -> None:
    start = datetime(2026, 10, 1, 8, tzinfo=UTC)
    assert clock_deadline(start, 24).at == datetime(2026, 10, 2, 8, tzinfo=UTC)


def test_year_notice_rejects_dates_of_another_year_and_naive_starts() -> None:
    with pytest.raises(ValueError):
        parse_year_notice(2027, {"holidays": ["2026-01-01"]})
    with pytest.raises(ValueError):
        WorkingCalendar().add_working_days(datetime(2026, 1, 1), 1)


# ---------------------------------------------------------------- provisional years (SPEC 0.1)


def test_a_provisional_year_counts_new_years_day_friday_2027_as_a_holiday() -> None:
    """SPEC 0.1: 2027 has no notice loaded, yet New Year's Day (a Friday) is a statutory
    holiday every year: a letter received Wed 2026-12-30 is due at the end of Tue 2027-01-05
    (Dec 31, Jan 4, Jan 5), flagged provisional."""
    cal = WorkingCalendar()
    assert not cal.knows_year(2027)
    assert not cal.is_working_day(date(2027, 1, 1))
    due = cal.add_working_days(local(2026, 12, 30), 3)
    assert due.at.astimezone(SHANGHAI) == datetime(2027, 1, 5, 23, 59, 59, tzinfo=SHANGHAI)
    assert due.calendar_provisional is True


@pytest.mark.parametrize("year", sorted(y for y in LIBRARY_YEARS if y >= 2025))
def test_the_statutory_holidays_computed_from_the_lunar_calendar_are_days_off_in_every_known_year(year: int) -> None:
    """The national holiday regulation (as revised, in force from 2025) computed with the
    lunar calendar: every day it fixes is a day off in the State Council's notice of each
    year the library ships — the eve and first three days of the Spring Festival, Qingming,
    Labour Day, Dragon Boat, Mid-Autumn, National Day and New Year's Day."""
    import chinese_calendar

    for day, name in statutory_holidays(year).items():
        assert chinese_calendar.is_holiday(day), f"{day} ({name}) is a working day in {year}'s notice"
    names = set(statutory_holidays(year).values())
    assert {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"} <= names


def test_a_provisional_year_has_the_lunar_festivals_and_weekends_but_no_make_up_working_days() -> None:
    holidays = statutory_holidays(2027)
    spring = [d for d, n in holidays.items() if n == "春节"]
    assert spring == [date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)]  # eve + 1st–3rd
    assert holidays[date(2027, 4, 5)] == "清明节"
    assert holidays[date(2027, 6, 9)] == "端午节" and holidays[date(2027, 9, 15)] == "中秋节"
    cal = WorkingCalendar()
    assert not any(
        cal.is_working_day(date(2027, 1, 1) + timedelta(days=i))
        for i in range(365)
        if (date(2027, 1, 1) + timedelta(days=i)).weekday() >= 5
    )
    with pytest.raises(ValueError):
        statutory_holidays(2101)
