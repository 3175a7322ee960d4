"""The deadline scheduler: turns each due deadline row into its event exactly once.

A command starts a deadline with :meth:`UnitOfWork.schedule` in its own transaction. The
scheduler claims due ``open`` rows with ``FOR UPDATE SKIP LOCKED``, runs the handler
registered for the row's kind (which emits the ``…Overdue`` event through the outbox) and
marks the row ``fired`` in the same transaction — so a crash fires it again, and two
schedulers never fire it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from sqlalchemy import func, select, update

from medaid_shared import clock
from medaid_shared.calendar import CalendarDay, WorkingCalendar
from medaid_shared.db import Database, UnitOfWork
from medaid_shared.observability import DEADLINES_OPEN_OVERDUE, DEADLINES_OVERDUE

log = structlog.get_logger("medaid.deadlines")

DeadlineHandler = Callable[[UnitOfWork, Any], Awaitable[None]]


class DeadlineScheduler:
    def __init__(self, db: Database, handlers: Mapping[str, DeadlineHandler], batch_size: int = 100) -> None:
        self.db = db
        self.handlers = dict(handlers)
        self.batch_size = batch_size

    async def fire_due(self) -> int:
        """Fire every deadline due now; returns how many fired."""
        t = self.db.tables.deadline
        fired = 0
        async with self.db.unit_of_work() as uow:
            rows = (
                (
                    await uow.session.execute(
                        select(t)
                        .where(t.c.state == "open", t.c.due_at <= clock.now(), t.c.kind.in_(self.handlers))
                        .order_by(t.c.due_at)
                        .limit(self.batch_size)
                        .with_for_update(skip_locked=True)
                    )
                )
                .mappings()
                .all()
            )
            for row in rows:
                await self.handlers[row["kind"]](uow, row)
                await uow.session.execute(
                    update(t).where(t.c.id == row["id"]).values(state="fired", closed_at=clock.now())
                )
                DEADLINES_OVERDUE.labels(self.db.settings.service_name, row["kind"]).inc()
                fired += 1
        return fired

    async def overdue_count(self) -> int:
        t = self.db.tables.deadline
        async with self.db.read() as s:
            return int(
                (
                    await s.execute(select(func.count()).where(t.c.state == "open", t.c.due_at <= clock.now()))
                ).scalar_one()
            )

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                while await self.fire_due() >= self.batch_size:
                    pass
                DEADLINES_OPEN_OVERDUE.labels(self.db.settings.service_name).set(await self.overdue_count())
            except Exception as exc:  # one bad handler must not stop the scheduler
                log.error("deadline_scheduler_error", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.db.settings.scheduler_interval_s)


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
