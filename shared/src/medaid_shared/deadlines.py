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
from datetime import timedelta
from typing import Any

import structlog
from prometheus_client import Counter
from sqlalchemy import func, or_, select, update

from medaid_shared import clock
from medaid_shared.backoff import Backoff, wait_or_stop
from medaid_shared.calendar import CalendarDay, WorkingCalendar
from medaid_shared.db import Database, UnitOfWork
from medaid_shared.observability import DEADLINES_OPEN_OVERDUE, DEADLINES_OVERDUE
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
    """The working calendar: library data plus this service's administrator overrides."""
    days_t, years_t = db.tables.calendar_day, db.tables.calendar_year
    async with db.read() as s:
        days = [CalendarDay(r.day, r.is_working_day, r.note) for r in (await s.execute(select(days_t))).all()]
        years = [r.year for r in (await s.execute(select(years_t.c.year))).all()]
    return WorkingCalendar.from_days(days, years)


async def store_calendar_year(db: Database, year: int, days: list[CalendarDay], source: str) -> None:
    """Load (or replace) one year's official data: the yearly State Council notice."""
    from datetime import date

    from sqlalchemy import delete
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    days_t, years_t = db.tables.calendar_day, db.tables.calendar_year
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            delete(days_t).where(days_t.c.day >= date(year, 1, 1), days_t.c.day <= date(year, 12, 31))
        )
        if days:
            await uow.session.execute(
                pg_insert(days_t).values(
                    [{"day": d.day, "is_working_day": d.is_working_day, "note": d.note} for d in days]
                )
            )
        await uow.session.execute(
            pg_insert(years_t)
            .values(year=year, source=source)
            .on_conflict_do_update(index_elements=["year"], set_={"source": source, "loaded_at": clock.now()})
        )
        await uow.audit(None, "calendar.load_year", str(year), details={"days": len(days), "source": source})
