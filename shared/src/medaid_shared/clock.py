"""The one source of "now" for every rule and deadline.

Rules read time only through :func:`now`, so tests move time with time-machine and the
end-to-end journeys move a running service's clock through the test-only clock endpoint
(``MEDAID_TEST_CLOCK=true``), never by sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_offset = timedelta(0)


def now() -> datetime:
    """The current instant, in UTC."""
    return datetime.now(UTC) + _offset


def set_offset(offset: timedelta) -> None:
    """Shift this process's clock (test-only clock endpoint)."""
    global _offset
    _offset = offset


def get_offset() -> timedelta:
    return _offset


def to_local(instant: datetime) -> datetime:
    """Show an instant in Asia/Shanghai (SPEC 0.1)."""
    return instant.astimezone(SHANGHAI)


def ensure_utc(instant: datetime) -> datetime:
    """Reject naive datetimes: every instant the system stores is timezone-aware."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: an instant must carry its timezone")
    return instant.astimezone(UTC)
