"""LJ-16: town follow-up visits to decentralized persons. Pure functions."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import UTC, date, datetime, time

from medaid_shared.clock import SHANGHAI, ensure_utc
from medaid_shared.contracts.common import DisabilityLevel, SupportType


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def needs_followup(support_type: SupportType, level: DisabilityLevel | None) -> bool:
    """LJ-16 covers decentralized persons with a recorded disability level."""
    return support_type == SupportType.DECENTRALIZED and level is not None


def next_visit_due(last: datetime, level: DisabilityLevel, interval_months: Mapping[DisabilityLevel, int]) -> datetime:
    """LJ-16: fully disabled monthly, semi-disabled quarterly, self-care yearly. The next
    visit is due by the end (23:59:59 Asia/Shanghai) of the same day ``interval`` months
    after the last visit (or after registration, when there was none) — interpretation."""
    local = ensure_utc(last).astimezone(SHANGHAI).date()
    due_day = add_months(local, interval_months[level])
    return datetime.combine(due_day, time(23, 59, 59), tzinfo=SHANGHAI).astimezone(UTC)
