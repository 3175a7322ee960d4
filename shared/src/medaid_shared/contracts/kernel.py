"""Events every service publishes and consumes through the kernel: the one official
calendar of the whole system (SPEC 0.1) and the deadlines it moves."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel

from medaid_shared.events import Event


class CalendarDayEntry(BaseModel):
    day: date
    is_working_day: bool
    note: str = ""


class CalendarYearLoaded(Event):
    """SPEC 0.1: a year's State Council notice was loaded (once, in any service); every
    service stores it and counts its open deadlines again."""

    event_type: ClassVar[str] = "medaid.kernel.CalendarYearLoaded"
    topic: ClassVar[str] = "kernel.calendar"
    key_field: ClassVar[str] = "year"

    year: int
    days: list[CalendarDayEntry]
    source: str
    loaded_at: datetime
    loaded_by: str


class DeadlineMoved(Event):
    """SPEC 0.1: a loaded notice moved a working-day deadline; both instants are shown, and
    ``reopened`` says it had fired before its corrected instant."""

    event_type: ClassVar[str] = "medaid.kernel.DeadlineMoved"
    topic: ClassVar[str] = "kernel.deadline"
    key_field: ClassVar[str] = "subject"

    service: str
    kind: str
    subject: str
    previous_due_at: datetime
    due_at: datetime
    calendar_provisional: bool
    reopened: bool
    year: int
