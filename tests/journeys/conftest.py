"""End-to-end journeys: the five services as separate processes on the real PostgreSQL and
broker, driven only over HTTP. Time moves through each service's test clock
(``MEDAID_TEST_CLOCK=true`` → ``PUT /_test/clock``), never by sleeping through days; the
test waits on events by reading the topics like any other consumer."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError

from medaid_shared import clock
from medaid_shared.app import API_PREFIX
from medaid_shared.auth import issue_token
from medaid_shared.events import from_kafka
from medaid_shared.localstack import all_topics, free_port
from medaid_shared.migrations import upgrade
from medaid_shared.services import SERVICES
from medaid_shared.settings import ServiceSettings
from medaid_shared.testing import Infrastructure

LOGS = Path(__file__).resolve().parents[2] / ".medaid" / "logs"
# The five services of a session share the broker's topics and consumer groups: a second
# stack (a conftest elsewhere re-exporting ``stack`` makes pytest build one) would split
# every group's partitions with the first and starve one of its events.
_STACKS_STARTED: list[str] = []


@dataclass(frozen=True)
class Answer:
    """One answer a journey received: which operation, for which role, and its body."""

    service: str
    method: str
    path: str  # under /v1
    role: str
    status: int
    body: str

    @classmethod
    def of(cls, service: str, response: httpx.Response) -> Answer:
        request = response.request
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        role = jwt.decode(token, options={"verify_signature": False}).get("role", "") if token else ""
        return cls(
            service,
            request.method,
            request.url.path.removeprefix(API_PREFIX),
            role,
            response.status_code,
            response.text,
        )


@dataclass
class Stack:
    infra: Infrastructure
    ports: dict[str, int]
    events: list[dict[str, Any]] = field(default_factory=list)
    settings: ServiceSettings = field(default_factory=ServiceSettings)
    # Other processes whose test clock moves with the services' (the web console).
    clocks: list[str] = field(default_factory=list)
    # SPEC 0.4: the names and ID numbers the journeys sent, and where each service's log
    # stood when the stack started (the logs are scanned for them afterwards).
    personal: set[str] = field(default_factory=set)
    log_offsets: dict[str, int] = field(default_factory=dict)
    # SPEC 0.4: every answer the journeys received (scanned afterwards for full names and
    # ID numbers outside the operations the minimisation table allows them in).
    answers: list[Answer] = field(default_factory=list)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def client(self, service: str) -> httpx.AsyncClient:
        """A client of the service's versioned API (paths relative to ``/v1``)."""

        async def record(response: httpx.Response) -> None:
            await response.aread()
            self.answers.append(Answer.of(service, response))

        return httpx.AsyncClient(
            base_url=self.url(service) + API_PREFIX,
            timeout=30,
            event_hooks={"request": [self._harvest], "response": [record]},
        )

    async def _harvest(self, request: httpx.Request) -> None:
        if request.headers.get("content-type", "").startswith("application/json") and request.content:
            _personal_values(json.loads(request.content), self.personal)

    def auth(self, role: str, *scopes: str, subject: str | None = None) -> dict[str, str]:
        token = issue_token(self.settings, subject=subject or f"{role}-1", role=role, scopes=scopes)
        return {"Authorization": f"Bearer {token}"}

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        role: str,
        scopes: tuple[str, ...] = (),
        subject: str | None = None,
        expect: int | tuple[int, ...] = (200, 201),
        **kwargs: Any,
    ) -> Any:
        headers = {**self.auth(role, *scopes, subject=subject), **kwargs.pop("headers", {})}
        async with self.client(service) as c:
            r = await c.request(method, path, headers=headers, **kwargs)
        wanted = (expect,) if isinstance(expect, int) else expect
        assert r.status_code in wanted, f"{method} {service}{path} → {r.status_code}: {r.text}"
        return r.json() if r.headers.get("content-type", "").endswith("json") else r.text

    async def set_clock(self, when: datetime) -> None:
        """Move every service's clock (and this test's, for tokens) to ``when``."""
        clock.set_offset(clock.ensure_utc(when) - (clock.now() - clock.get_offset()))
        for base in [self.url(service) for service in self.ports] + self.clocks:
            async with httpx.AsyncClient(base_url=base, timeout=30) as c:
                r = await c.put("/_test/clock", json={"now": when.isoformat()})
                assert r.status_code == 200, r.text

    async def wait_event(self, event_type: str, timeout: float = 60, **match: Any) -> dict[str, Any]:
        """The first event of ``event_type`` whose data has the given field values."""
        async with asyncio.timeout(timeout):
            while True:
                for e in self.events:
                    if e["type"].endswith(f".{event_type}") and all(e["data"].get(k) == v for k, v in match.items()):
                        return e
                await asyncio.sleep(0.1)

    async def wait_until(self, check: Callable[[], Awaitable[Any]], timeout: float = 60) -> Any:
        async with asyncio.timeout(timeout):
            while True:
                result = await check()
                if result:
                    return result
                await asyncio.sleep(0.2)


def _personal_values(body: Any, found: set[str], within_person: bool = False) -> None:
    """ID numbers, and the names of persons, guardians and agents, in a request body."""
    if isinstance(body, list):
        for item in body:
            _personal_values(item, found, within_person)
    elif isinstance(body, dict):
        person = within_person or "id_number" in body or "relation" in body
        for key, value in body.items():
            if (key == "id_number" and isinstance(value, str) and value) or (
                key == "name" and person and isinstance(value, str) and len(value) >= 2
            ):
                found.add(value)
            else:
                _personal_values(value, found, key in ("guardian", "agents", "guardians"))


def _start(service: str, port: int, infra: Infrastructure) -> subprocess.Popen[bytes]:
    info = SERVICES[service]
    env = {
        **os.environ,
        **infra.env(
            MEDAID_TEST_CLOCK="true",
            MEDAID_RELAY_INTERVAL_S="0.1",
            MEDAID_SCHEDULER_INTERVAL_S="0.2",
            MEDAID_PORT=str(port),
        ),
    }
    LOGS.mkdir(parents=True, exist_ok=True)
    log = journey_log(service).open("ab")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            f"{info.package}.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def journey_log(service: str) -> Path:
    return LOGS / f"journey-{service}.log"


def _log_size(service: str) -> int:
    path = journey_log(service)
    return path.stat().st_size if path.exists() else 0


@pytest.fixture(scope="session")
def journey_infra(infrastructure: Infrastructure) -> Iterator[Infrastructure]:
    """A database of the journeys' own (fresh schemas, migrated like production)."""
    from sqlalchemy.engine import make_url

    from medaid_shared.testing import _create_database

    base = make_url(infrastructure.database_url).set(database="postgres").render_as_string(hide_password=False)
    url = _create_database(base, f"medaid_journey_{uuid.uuid4().hex[:8]}")
    for info in SERVICES.values():
        upgrade(info.migrations_dir(), url)
    yield Infrastructure(url, infrastructure.kafka_bootstrap, infrastructure.topic_prefix)


@pytest.fixture(scope="session")
async def stack(journey_infra: Infrastructure) -> AsyncIterator[Stack]:
    assert not _STACKS_STARTED, (
        "the journeys' stack started twice in one session; tests that need it belong under tests/journeys"
    )
    _STACKS_STARTED.append(journey_infra.database_url)
    ports = {name: free_port() for name in SERVICES}
    offsets = {name: _log_size(name) for name in SERVICES}
    procs = [_start(name, port, journey_infra) for name, port in ports.items()]
    s = Stack(journey_infra, ports, log_offsets=offsets)
    consumer = AIOKafkaConsumer(
        *[t for t in all_topics(journey_infra.topic_prefix) if "dead-letter" not in t],
        bootstrap_servers=journey_infra.kafka_bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()

    async def record() -> None:
        async for msg in consumer:
            meta, data = from_kafka(
                key=msg.key,
                value=msg.value,
                headers=msg.headers,
                topic=msg.topic,
                partition=msg.partition,
                offset=msg.offset,
            )
            s.events.append(
                {"type": meta.type, "data": data, "id": meta.id, "topic": msg.topic, "traceparent": meta.traceparent}
            )

    recorder = asyncio.create_task(record())
    try:
        async with asyncio.timeout(90):
            for name in SERVICES:
                while True:
                    try:
                        async with httpx.AsyncClient(base_url=s.url(name), timeout=30) as c:
                            if (await c.get("/readyz")).status_code == 200:
                                break
                    except httpx.HTTPError:
                        pass
                    for p in procs:
                        assert p.poll() is None, f"a service exited; see {LOGS}/journey-*.log"
                    await asyncio.sleep(0.3)
        yield s
    finally:
        recorder.cancel()
        # The recorder may be mid-fetch: its cancellation (or a fetch timing out on the way
        # down) is the end of the recording, not a failure of the last test.
        with contextlib.suppress(asyncio.CancelledError, KafkaError):
            await recorder
        with contextlib.suppress(asyncio.CancelledError, KafkaError):
            await consumer.stop()
        clock.set_offset(clock.get_offset() * 0)
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            p.wait(20)


def _start_console(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    LOGS.mkdir(parents=True, exist_ok=True)
    log = (LOGS / "journey-console.log").open("ab")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "console.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.fixture(scope="session")
async def console(stack: Stack) -> AsyncIterator[str]:
    """The web console (services/console) as a process of its own, talking to the running
    services over HTTP like a deployed one; its clock moves with theirs."""
    port = free_port()
    env = {
        **os.environ,
        "MEDAID_ENVIRONMENT": "development",
        "MEDAID_TEST_CLOCK": "true",
        "MEDAID_PORT": str(port),
        **{f"MEDAID_{name.upper().replace('-', '_')}_URL": stack.url(name) for name in stack.ports},
    }
    proc = _start_console(port, env)
    url = f"http://127.0.0.1:{port}"
    try:
        async with asyncio.timeout(60):
            while True:
                assert proc.poll() is None, f"the console exited; see {LOGS}/journey-console.log"
                try:
                    async with httpx.AsyncClient(base_url=url, timeout=5) as c:
                        if (await c.get("/readyz")).status_code == 200:
                            break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        async with httpx.AsyncClient(base_url=url, timeout=5) as c:
            r = await c.put("/_test/clock", json={"now": clock.now().isoformat()})
            assert r.status_code == 200, r.text
        stack.clocks.append(url)
        yield url
    finally:
        if url in stack.clocks:
            stack.clocks.remove(url)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
