"""SPEC 0.1: working-day deadlines on the official calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from medaid_shared.calendar import CalendarDay, WorkingCalendar, clock_deadline, parse_year_notice
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
