"""A service's running parts, wired once in its composition root (``bootstrap.py``):
settings, database, producer, calendar, cipher, policy, outbox relay, deadline scheduler
and event consumers, plus the background loops that drive them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import structlog
from sqlalchemy import MetaData

from medaid_shared.auth import Policy
from medaid_shared.calendar import WorkingCalendar
from medaid_shared.consumer import EventConsumer, Handler
from medaid_shared.crypto import FieldCipher
from medaid_shared.db import Database
from medaid_shared.deadlines import DeadlineHandler, DeadlineScheduler, load_calendar
from medaid_shared.events import Event
from medaid_shared.idempotency import purge_expired
from medaid_shared.kafka import EventProducer
from medaid_shared.observability import configure_tracing
from medaid_shared.outbox import OutboxRelay
from medaid_shared.settings import ServiceSettings

log = structlog.get_logger("medaid.runtime")

# A periodic retention job (SPEC 0.4): deletes what is past its retention, returns how many.
RetentionJob = Callable[[], Awaitable[int]]


@dataclass
class ConsumerSpec:
    """One consumer group of a service: a name and its handlers by event model."""

    name: str
    handlers: Mapping[type[Event], Handler]


@dataclass
class Runtime:
    settings: ServiceSettings
    db: Database
    policy: Policy
    producer: EventProducer
    cipher: FieldCipher
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    relay: OutboxRelay | None = None
    scheduler: DeadlineScheduler | None = None
    consumers: list[EventConsumer] = field(default_factory=list)
    retention_jobs: dict[str, RetentionJob] = field(default_factory=dict)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        settings: ServiceSettings,
        metadata: MetaData,
        policy: Policy,
        *,
        deadline_handlers: Mapping[str, DeadlineHandler]
        | Callable[[Runtime], Mapping[str, DeadlineHandler]]
        | None = None,
        consumers: list[ConsumerSpec] | Callable[[Runtime], list[ConsumerSpec]] | None = None,
        retention_jobs: Callable[[Runtime], Mapping[str, RetentionJob]] | None = None,
    ) -> Runtime:
        """Wire a service. Handlers that need the runtime itself (its cipher, calendar,
        settings) are given as a function of the runtime, called once it exists."""
        configure_tracing(settings.service_name, settings.otlp_endpoint)
        db = Database(settings, metadata)
        producer = EventProducer(settings.kafka_bootstrap_servers)
        rt = cls(
            settings=settings,
            db=db,
            policy=policy,
            producer=producer,
            cipher=FieldCipher(settings.encryption_key.get_secret_value()),
        )
        rt.relay = OutboxRelay(db, producer)
        handlers = deadline_handlers(rt) if callable(deadline_handlers) else deadline_handlers
        specs = consumers(rt) if callable(consumers) else consumers
        rt.scheduler = DeadlineScheduler(db, handlers or {})
        rt.consumers = [EventConsumer(db, producer, c.name, c.handlers) for c in specs or []]
        # SPEC 0.4: stored command answers expire in every service.
        rt.retention_jobs = {"idempotency": lambda: purge_expired(db), **(retention_jobs(rt) if retention_jobs else {})}
        return rt

    async def start(self) -> None:
        await self.producer.start()
        self.calendar = await load_calendar(self.db)
        if self.settings.run_background:
            self._stop.clear()
            assert self.relay and self.scheduler
            loops = [
                self.relay.run(self._stop),
                self.scheduler.run(self._stop),
                self._refresh_calendar(),
                self._run_retention(),
            ]
            loops += [c.run(self._stop) for c in self.consumers]
            self._tasks = [asyncio.create_task(self._guard(loop)) for loop in loops]

    async def _guard(self, loop: object) -> None:
        try:
            await loop  # type: ignore[misc]
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a dead loop is logged; readiness reports it
            log.error("background_loop_died", error=str(exc))

    async def _refresh_calendar(self) -> None:
        """Other replicas may load calendar data: pick it up within a minute."""
        while not self._stop.is_set():
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=60)
            except TimeoutError:
                self.calendar = await load_calendar(self.db)

    async def run_retention_jobs(self) -> dict[str, int]:
        """Run every retention job once; one failing job does not stop the others."""
        done: dict[str, int] = {}
        for name, job in self.retention_jobs.items():
            try:
                done[name] = await job()
            except Exception as exc:  # logged and retried on the next round
                log.error("retention_job_failed", job=name, error=type(exc).__name__)
        return done

    async def _run_retention(self) -> None:
        while not self._stop.is_set():
            await self.run_retention_jobs()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self.settings.retention_interval_s)

    async def stop(self) -> None:
        self._stop.set()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=10)
            for task in pending:
                task.cancel()
        self._tasks = []
        await self.producer.stop()
        await self.db.dispose()

    async def readiness(self) -> dict[str, bool]:
        checks = {"database": True, "broker": await self.producer.reachable()}
        try:
            await self.db.ping()
        except Exception:  # any failure means "not ready"
            checks["database"] = False
        checks["background"] = all(not t.done() for t in self._tasks)
        return checks
