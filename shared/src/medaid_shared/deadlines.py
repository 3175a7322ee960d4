"""The deadline scheduler: turns each due deadline row into its event exactly once.

A command starts a deadline with :meth:`UnitOfWork.schedule` in its own transaction. The
scheduler claims due ``open`` rows with ``FOR UPDATE SKIP LOCKED``, runs the handler
registered for the row's kind (which emits the ``…Overdue`` event through the outbox) and
marks the row ``fired`` in the same transaction — so a crash fires it again, and two
schedulers never fire it twice. A row whose handler fails records its attempts and last
error and is retried after a back-off, without holding up the rows behind it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import structlog
from prometheus_client import Counter
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medaid_shared import clock
from medaid_shared.backoff import Backoff, wait_or_stop
from medaid_shared.calendar import COUNT_KEY, CalendarDay, WorkingCalendar
from medaid_shared.clock import SHANGHAI
from medaid_shared.contracts.kernel import CalendarDayEntry, CalendarYearLoaded, DeadlineMoved
from medaid_shared.db import Database, UnitOfWork
from medaid_shared.observability import DEADLINES_OPEN_OVERDUE, DEADLINES_OVERDUE
from medaid_shared.tables import KernelTables
from medaid_shared.transient import is_transient

log = structlog.get_logger("medaid.deadlines")

DeadlineHandler = Callable[[UnitOfWork, Any], Awaitable[None]]

DEADLINE_FAILURES = Counter(
    "medaid_deadline_handler_failures_total",
    "Deadline handler failures (the row is retried later)",
    ["service", "kind"],
)


class DeadlineScheduler:
    """Fires due deadlines. Each row is isolated: a handler that fails rolls back only its
    own row's work (a savepoint), records the attempt and the error on the row, and the
    row is tried again after a back-off while the rows behind it still fire. A database
    outage is not a row's failure: the whole batch is retried once the database answers."""

    def __init__(self, db: Database, handlers: Mapping[str, DeadlineHandler], batch_size: int = 100) -> None:
        self.db = db
        self.handlers = dict(handlers)
        self.batch_size = batch_size
        s = db.settings
        self.row_backoff = Backoff(s.deadline_retry_initial_s, s.deadline_retry_max_s, 0)
        self.outage_backoff = Backoff(s.transient_retry_initial_s, s.transient_retry_max_s, 0.5)
        self.outage_retries = 0  # batches retried because the database was unavailable

    async def fire_due(self) -> int:
        """Fire every deadline due now (one batch); returns how many fired."""
        fired, _ = await self._fire_batch()
        return fired

    async def _fire_batch(self) -> tuple[int, int]:
        """One batch: (fired, claimed)."""
        t = self.db.tables.deadline
        now = clock.now()
        fired = 0
        async with self.db.unit_of_work() as uow:
            rows = (
                (
                    await uow.session.execute(
                        select(t)
                        .where(
                            t.c.state == "open",
                            t.c.due_at <= now,
                            t.c.kind.in_(self.handlers),
                            or_(t.c.next_attempt_at.is_(None), t.c.next_attempt_at <= now),
                        )
                        .order_by(t.c.due_at)
                        .limit(self.batch_size)
                        .with_for_update(skip_locked=True)
                    )
                )
                .mappings()
                .all()
            )
            for row in rows:
                try:
                    async with uow.session.begin_nested():
                        await self.handlers[row["kind"]](uow, row)
                        await uow.session.execute(
                            update(t).where(t.c.id == row["id"]).values(state="fired", closed_at=clock.now())
                        )
                except Exception as exc:
                    if is_transient(exc):
                        raise  # the database, not the row: the batch is retried whole
                    await self._mark_failed(uow, row, exc)
                    continue
                DEADLINES_OVERDUE.labels(self.db.settings.service_name, row["kind"]).inc()
                fired += 1
        return fired, len(rows)

    async def _mark_failed(self, uow: UnitOfWork, row: Any, exc: Exception) -> None:
        t = self.db.tables.deadline
        attempts = int(row["attempts"] or 0) + 1
        error = f"{type(exc).__name__}: {exc}"
        retry_at = clock.now() + timedelta(seconds=self.row_backoff.delay(attempts))
        await uow.session.execute(
            update(t)
            .where(t.c.id == row["id"])
            .values(attempts=attempts, last_error=error[:2000], next_attempt_at=retry_at)
        )
        DEADLINE_FAILURES.labels(self.db.settings.service_name, row["kind"]).inc()
        log.error(
            "deadline_handler_failed", kind=row["kind"], deadline=str(row["id"]), attempt=attempts, error=error[:300]
        )

    async def overdue_count(self) -> int:
        t = self.db.tables.deadline
        async with self.db.read() as s:
            return int(
                (
                    await s.execute(select(func.count()).where(t.c.state == "open", t.c.due_at <= clock.now()))
                ).scalar_one()
            )

    async def run(self, stop: asyncio.Event) -> None:
        outages = 0
        while not stop.is_set():
            wait = self.db.settings.scheduler_interval_s
            try:
                while (await self._fire_batch())[1] >= self.batch_size and not stop.is_set():
                    pass
                DEADLINES_OPEN_OVERDUE.labels(self.db.settings.service_name).set(await self.overdue_count())
                outages = 0
            except Exception as exc:
                if not is_transient(exc):
                    raise  # a fault of the scheduler itself: the supervisor restarts it
                outages += 1
                self.outage_retries += 1
                wait = self.outage_backoff.delay(outages)
                log.warning("deadline_scheduler_waiting_for_database", attempt=outages, error=str(exc)[:300])
            await wait_or_stop(stop, wait)


async def load_calendar(db: Database) -> WorkingCalendar:
    """The working calendar: library data plus the official years and days loaded."""
    async with db.read() as s:
        return await _calendar_in(s, db.tables)


async def _calendar_in(s: AsyncSession, tables: KernelTables) -> WorkingCalendar:
    days_t, years_t = tables.calendar_day, tables.calendar_year
    days = [CalendarDay(r.day, r.is_working_day, r.note) for r in (await s.execute(select(days_t))).all()]
    years = [r.year for r in (await s.execute(select(years_t.c.year))).all()]
    return WorkingCalendar.from_days(days, years)


# What a service does when a loaded notice moves one of its deadlines (kind → hook): the
# hook corrects what the service derived from the old instant and flags what was decided
# on a deadline that fired too early (SPEC 0.1).
DeadlineMovedHook = Callable[[UnitOfWork, Mapping[str, Any], "MovedDeadline"], Awaitable[None]]


@dataclass(frozen=True)
class MovedDeadline:
    kind: str
    subject: str
    previous_due_at: datetime
    due_at: datetime
    calendar_provisional: bool
    reopened: bool


async def store_calendar_year(
    uow: UnitOfWork,
    year: int,
    days: list[CalendarDay],
    source: str,
    *,
    loaded_by: str,
    hooks: Mapping[str, DeadlineMovedHook] | None = None,
    announce: bool = True,
) -> tuple[WorkingCalendar, list[MovedDeadline]]:
    """SPEC 0.1: load (or replace) one year's official data — the yearly State Council
    notice — in this service, count again every deadline whose count touched that year, and
    (``announce``) publish the notice as ``CalendarYearLoaded`` so every other service loads
    the same days. Returns the new calendar and the deadlines that moved."""
    days_t, years_t = uow.tables.calendar_day, uow.tables.calendar_year
    first, last = date(year, 1, 1), date(year, 12, 31)
    await uow.session.execute(delete(days_t).where(days_t.c.day >= first, days_t.c.day <= last))
    if days:
        await uow.session.execute(
            pg_insert(days_t).values([{"day": d.day, "is_working_day": d.is_working_day, "note": d.note} for d in days])
        )
    await uow.session.execute(
        pg_insert(years_t)
        .values(year=year, source=source)
        .on_conflict_do_update(index_elements=["year"], set_={"source": source, "loaded_at": clock.now()})
    )
    await uow.audit(None, "calendar.load_year", str(year), details={"days": len(days), "source": source})
    calendar = await _calendar_in(uow.session, uow.tables)
    moved = await recompute_deadlines(uow, calendar, year, hooks or {})
    if announce:
        await uow.emit(
            CalendarYearLoaded(
                year=year,
                days=[CalendarDayEntry(day=d.day, is_working_day=d.is_working_day, note=d.note) for d in days],
                source=source,
                loaded_at=clock.now(),
                loaded_by=loaded_by,
            )
        )
    return calendar, moved


async def recompute_deadlines(
    uow: UnitOfWork, calendar: WorkingCalendar, year: int, hooks: Mapping[str, DeadlineMovedHook]
) -> list[MovedDeadline]:
    """SPEC 0.1: every working-day deadline still open — or fired, when its corrected instant
    is later than the moment it fired — whose count touched ``year`` is counted again on the
    new calendar. A moved deadline is announced with both instants (``DeadlineMoved``); one
    that fired too early is reopened and its kind's hook flags what was decided on it."""
    t = uow.tables.deadline
    rows = (
        (
            await uow.session.execute(
                select(t)
                .where(t.c.basis == "working_days", t.c.state.in_(("open", "fired")), t.c.payload.has_key(COUNT_KEY))
                .order_by(t.c.due_at)
                .with_for_update()
            )
        )
        .mappings()
        .all()
    )
    moved: list[MovedDeadline] = []
    for row in rows:
        count = row["payload"][COUNT_KEY]
        start = datetime.fromisoformat(count["start"])
        old_due: datetime = row["due_at"]
        if not start.astimezone(SHANGHAI).year <= year <= old_due.astimezone(SHANGHAI).year:
            continue  # the count never touched the loaded year
        due = calendar.add_working_days(start, int(count["working_days"])).after(int(count.get("offset_seconds", 0)))
        if row["state"] == "fired":
            fired_at: datetime = row["closed_at"] or old_due
            if due.at == old_due or due.at < fired_at:
                continue  # it fired at or after its corrected instant: nothing was early
        if due.at == old_due:
            if due.calendar_provisional != row["calendar_provisional"]:
                await uow.session.execute(
                    update(t).where(t.c.id == row["id"]).values(calendar_provisional=due.calendar_provisional)
                )
            continue
        reopened = row["state"] == "fired"
        await uow.session.execute(
            update(t)
            .where(t.c.id == row["id"])
            .values(
                due_at=due.at,
                calendar_provisional=due.calendar_provisional,
                state="open",
                closed_at=None,
                next_attempt_at=None,
            )
        )
        change = MovedDeadline(row["kind"], row["subject"], old_due, due.at, due.calendar_provisional, reopened)
        moved.append(change)
        await uow.emit(
            DeadlineMoved(
                service=uow.service_name,
                kind=change.kind,
                subject=change.subject,
                previous_due_at=old_due,
                due_at=due.at,
                calendar_provisional=due.calendar_provisional,
                reopened=reopened,
                year=year,
            )
        )
        await uow.audit(
            None,
            "deadline.moved",
            f"{change.kind}:{change.subject}",
            reason=f"calendar notice for {year} loaded",
            details={"previous_due_at": old_due.isoformat(), "due_at": due.at.isoformat(), "reopened": reopened},
        )
        hook = hooks.get(change.kind)
        if hook is not None:
            await hook(uow, dict(row), change)
    return moved
