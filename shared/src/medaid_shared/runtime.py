"""A service's running parts, wired once in its composition root (``bootstrap.py``):
settings, database, producer, calendar, cipher, policy, outbox relay, deadline scheduler
and event consumers, plus the background loops that drive them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import structlog
from prometheus_client import Counter
from prometheus_client import Enum as StateMetric
from sqlalchemy import MetaData

from medaid_shared.authz import Policy
from medaid_shared.backoff import Backoff, wait_or_stop
from medaid_shared.broker_recovery import BrokerWatch
from medaid_shared.calendar import CalendarDay, WorkingCalendar
from medaid_shared.consumer import EventConsumer, Handler
from medaid_shared.contracts.kernel import CalendarYearLoaded
from medaid_shared.crypto import FieldCipher
from medaid_shared.db import Database, UnitOfWork
from medaid_shared.deadlines import (
    DeadlineHandler,
    DeadlineMovedHook,
    DeadlineScheduler,
    MovedDeadline,
    load_calendar,
    store_calendar_year,
)
from medaid_shared.events import Event, EventMeta
from medaid_shared.idempotency import purge_expired
from medaid_shared.kafka import EventProducer
from medaid_shared.observability import configure_tracing
from medaid_shared.outbox import OutboxRelay
from medaid_shared.settings import ServiceSettings
from medaid_shared.transient import retry_transient

log = structlog.get_logger("medaid.runtime")

# A periodic retention job (SPEC 0.4): deletes what is past its retention, returns how many.
RetentionJob = Callable[[], Awaitable[int]]

LOOP_STATES = ("running", "backing_off", "stopped")
LOOP_RESTARTS = Counter(
    "medaid_background_loop_restarts_total", "Background loop restarts after a failure", ["service", "loop"]
)
LOOP_STATE = StateMetric(
    "medaid_background_loop_state", "State of a background loop", ["service", "loop"], states=list(LOOP_STATES)
)

LoopFunction = Callable[[asyncio.Event], Awaitable[None]]
"""A background loop: runs until the event is set; raising (or returning early) is a failure."""


@dataclass
class LoopStatus:
    """What the supervisor knows of one loop (``/readyz`` shows it)."""

    name: str
    state: Literal["running", "backing_off", "stopped"] = "stopped"
    restarts: int = 0
    failures: int = 0  # consecutive, reset once the loop has run for the settle time
    last_error: str | None = None
    running_since: float | None = None
    down_since: float | None = None


class Supervisor:
    """Runs every background loop of a service and restarts the ones that fail.

    A loop that raises (or returns while the service runs) is restarted after a capped,
    jittered exponential back-off. It counts as *down* from its first failure until it has
    run for ``settle_s`` without failing again; a loop down longer than ``down_limit_s``
    makes :meth:`alive` false, which fails ``/healthz`` so the orchestrator restarts the
    process. ``now`` is the monotonic clock (tests replace it)."""

    def __init__(
        self,
        service: str,
        *,
        backoff: Backoff,
        settle_s: float,
        down_limit_s: float,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = service
        self.backoff = backoff
        self.settle_s = settle_s
        self.down_limit_s = down_limit_s
        self.now = now
        self._loops: dict[str, LoopFunction] = {}
        self._status: dict[str, LoopStatus] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stop = asyncio.Event()
        self._running = False

    def register(self, name: str, loop: LoopFunction) -> None:
        """Add a loop; when the supervisor already runs, it starts at once."""
        if name in self._loops:
            raise ValueError(f"a background loop named {name!r} is already registered")
        self._loops[name] = loop
        self._status[name] = LoopStatus(name)
        LOOP_STATE.labels(self.service, name).state("stopped")
        if self._running:
            self._tasks[name] = asyncio.create_task(self._supervise(name), name=f"loop:{name}")

    def start(self) -> None:
        self._stop.clear()
        self._running = True
        for name in self._loops:
            if name not in self._tasks or self._tasks[name].done():
                self._tasks[name] = asyncio.create_task(self._supervise(name), name=f"loop:{name}")

    async def stop(self, grace_s: float = 10) -> None:
        self._running = False
        self._stop.set()
        tasks = list(self._tasks.values())
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self._tasks = {}

    def _set_state(self, status: LoopStatus, state: Literal["running", "backing_off", "stopped"]) -> None:
        status.state = state
        LOOP_STATE.labels(self.service, status.name).state(state)

    async def _supervise(self, name: str) -> None:
        status, loop = self._status[name], self._loops[name]
        while not self._stop.is_set():
            self._set_state(status, "running")
            status.running_since = self.now()
            try:
                await loop(self._stop)
            except asyncio.CancelledError:
                self._set_state(status, "stopped")
                raise
            except Exception as exc:  # any failure of a loop is restarted, never fatal
                error = f"{type(exc).__name__}: {exc}"
            else:
                if self._stop.is_set():
                    break
                error = "the loop returned while the service was running"
            self._settled(status)
            now = self.now()
            status.failures += 1
            status.last_error = error[:500]
            if status.down_since is None:
                status.down_since = now
            status.running_since = None
            delay = self.backoff.delay(status.failures)
            log.error("background_loop_failed", loop=name, error=status.last_error, retry_in_s=round(delay, 2))
            self._set_state(status, "backing_off")
            await wait_or_stop(self._stop, delay)
            if not self._stop.is_set():
                status.restarts += 1
                LOOP_RESTARTS.labels(self.service, name).inc()
        self._set_state(status, "stopped")
        status.running_since = None

    def _settled(self, status: LoopStatus) -> None:
        """A loop that has run for the settle time is up again: back-off starts afresh."""
        if status.running_since is not None and self.now() - status.running_since >= self.settle_s:
            status.failures = 0
            status.down_since = None

    def down_for(self, name: str) -> float:
        """Seconds the loop has been down (0 when up)."""
        status = self._status[name]
        self._settled(status)
        return 0.0 if status.down_since is None else self.now() - status.down_since

    def alive(self) -> bool:
        """False once a loop has stayed down past the limit (or died for good)."""
        if not self._running:
            return True
        return not any(task.done() or self.down_for(name) > self.down_limit_s for name, task in self._tasks.items())

    def report(self) -> dict[str, dict[str, Any]]:
        """Each loop's state, for ``/readyz`` and operators."""
        out: dict[str, dict[str, Any]] = {}
        for name, status in self._status.items():
            down = self.down_for(name)
            out[name] = {
                "state": status.state,
                "up": status.state == "running",
                "restarts": status.restarts,
                "down_for_s": round(down, 3),
                "last_error": status.last_error,
            }
        return out


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
    supervisor: Supervisor | None = None
    broker_watch: BrokerWatch | None = None
    deadline_moved: Mapping[str, DeadlineMovedHook] = field(default_factory=dict)

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
        deadline_moved: Mapping[str, DeadlineMovedHook]
        | Callable[[Runtime], Mapping[str, DeadlineMovedHook]]
        | None = None,
    ) -> Runtime:
        """Wire a service. Handlers that need the runtime itself (its cipher, calendar,
        settings) are given as a function of the runtime, called once it exists. Every
        service also consumes the one official calendar (``CalendarYearLoaded``, SPEC 0.1);
        ``deadline_moved`` says what a moved deadline of a kind changes in the service."""
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
        rt.deadline_moved = dict((deadline_moved(rt) if callable(deadline_moved) else deadline_moved) or {})
        specs = [*(specs or []), ConsumerSpec("calendar", {CalendarYearLoaded: rt._on_calendar_year})]
        rt.consumers = [EventConsumer(db, producer, c.name, c.handlers) for c in specs]
        # SPEC 0.4: stored command answers expire in every service.
        rt.retention_jobs = {"idempotency": lambda: purge_expired(db), **(retention_jobs(rt) if retention_jobs else {})}
        rt.supervisor = Supervisor(
            settings.service_name,
            backoff=Backoff(
                settings.loop_restart_initial_s, settings.loop_restart_max_s, settings.loop_restart_jitter_s
            ),
            settle_s=settings.loop_settle_s,
            down_limit_s=settings.loop_down_limit_s,
        )
        rt.supervisor.register("relay", rt.relay.run)
        rt.supervisor.register("scheduler", rt.scheduler.run)
        rt.supervisor.register("calendar-refresh", rt._refresh_calendar)
        rt.supervisor.register("retention", rt._run_retention)
        for consumer in rt.consumers:
            rt.supervisor.register(f"consumer:{consumer.name}", consumer.run)
        rt.broker_watch = BrokerWatch(db, producer, rt.relay, rt.consumers)
        rt.supervisor.register("broker-watch", rt.broker_watch.run)
        if settings.run_background:
            # With the watch running, the relay asks it before each batch, so no new event
            # overtakes the replay of a broker that came back empty.
            rt.relay.guard = rt.broker_watch
            for consumer in rt.consumers:
                consumer.lifetime = rt.broker_watch  # its groups are per broker lifetime
        return rt

    def add_loop(self, name: str, loop: LoopFunction) -> None:
        """Run another background loop under the supervisor (restarted when it fails,
        reported in ``/readyz``, counted by ``/healthz``). ``loop(stop)`` must return
        once ``stop`` is set. Register before :meth:`start`, or after: it starts at once."""
        assert self.supervisor is not None
        self.supervisor.register(name, loop)

    async def load_calendar_year(
        self, year: int, days: list[CalendarDay], source: str, *, loaded_by: str
    ) -> list[MovedDeadline]:
        """SPEC 0.1: load a year's notice here and announce it to every service."""
        async with self.db.unit_of_work() as uow:
            calendar, moved = await store_calendar_year(
                uow, year, days, source, loaded_by=loaded_by, hooks=self.deadline_moved
            )
        self.calendar = calendar
        return moved

    async def _on_calendar_year(self, uow: UnitOfWork, event: CalendarYearLoaded, meta: EventMeta) -> None:
        """Another service (or this one) loaded a year's notice: the same days here."""
        days = [CalendarDay(d.day, d.is_working_day, d.note) for d in event.days]
        self.calendar, _ = await store_calendar_year(
            uow, event.year, days, event.source, loaded_by=event.loaded_by, hooks=self.deadline_moved, announce=False
        )

    async def start(self) -> None:
        # A database or broker that is away while the service starts is waited for, as
        # everywhere else: the service starts once they answer (a restarted replica must
        # not die because PostgreSQL is restarting too).
        backoff = Backoff(self.settings.transient_retry_initial_s, self.settings.transient_retry_max_s, 0.5)
        await retry_transient(self.producer.start, stop=None, backoff=backoff, what="connect to the broker")
        self.calendar = await retry_transient(
            lambda: load_calendar(self.db), stop=None, backoff=backoff, what="load the working-day calendar"
        )
        if self.settings.run_background:
            assert self.supervisor is not None
            self.supervisor.start()

    async def _refresh_calendar(self, stop: asyncio.Event) -> None:
        """Other replicas may load calendar data: pick it up within a minute."""
        while not stop.is_set():
            await wait_or_stop(stop, 60)
            if not stop.is_set():
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

    async def _run_retention(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.run_retention_jobs()
            await wait_or_stop(stop, self.settings.retention_interval_s)

    async def stop(self) -> None:
        if self.supervisor is not None:
            await self.supervisor.stop()
        if self.broker_watch is not None:
            await self.broker_watch.close()
        await self.producer.stop()
        await self.db.dispose()

    def alive(self) -> bool:
        """Liveness: no background loop has stayed down past its limit."""
        return self.supervisor is None or self.supervisor.alive()

    def loops(self) -> dict[str, dict[str, Any]]:
        return {} if self.supervisor is None else self.supervisor.report()

    async def readiness(self) -> dict[str, bool]:
        checks = {"database": True, "broker": await self.producer.reachable()}
        try:
            await self.db.ping()
        except Exception:  # any failure means "not ready"
            checks["database"] = False
        # Without background loops (a test harness, a one-off command) there is none to wait for.
        checks["background"] = not self.settings.run_background or all(loop["up"] for loop in self.loops().values())
        return checks
