"""What every part of the benchmark shares: the embedded stack, timing and spread."""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from medaid_shared.kafka import ensure_topics
from medaid_shared.localstack import all_topics, free_port, start_embedded_postgres, start_tansu
from medaid_shared.testing import Infrastructure

ROOT = Path(__file__).resolve().parents[1]

# The services' own test builders prepare the state a write endpoint needs.
for _service in ("referral", "consent", "emergency-fund", "identity-check", "settlement"):
    sys.path.insert(0, str(ROOT / "services" / _service))


@dataclass
class Spread:
    """Repetitions of one figure: the median is the figure, min and max its spread."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def as_json(self) -> dict[str, float | int]:
        return {"min": min(self.values), "median": self.median, "max": max(self.values), "n": len(self.values)}


@contextmanager
def stack() -> Iterator[Infrastructure]:
    """A fresh database on the embedded PostgreSQL (or ``DATABASE_URL``'s server) and a
    Tansu broker of its own (or ``KAFKA_BOOTSTRAP_SERVERS``)."""
    base = os.environ.get("DATABASE_URL")
    server = None
    if not base:
        base, server = start_embedded_postgres(ROOT / ".medaid" / "bench-pgdata", database="postgres")
    name = f"medaid_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(base, f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    procs = []
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if not bootstrap:
        port = free_port()
        logs = ROOT / ".medaid" / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        procs.append(start_tansu(port, logs / "tansu-bench.log"))
        bootstrap = f"127.0.0.1:{port}"
    infra = Infrastructure(url, bootstrap, f"b{uuid.uuid4().hex[:8]}")
    asyncio.run(ensure_topics(bootstrap, all_topics(infra.topic_prefix)))
    try:
        yield infra
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)
        if not os.environ.get("MEDAID_BENCH_KEEP_DATABASE"):
            asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        del server


async def _admin(base: str, statement: str) -> None:
    engine = create_async_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(statement))
    await engine.dispose()


def asyncpg_dsn(url: str) -> dict[str, Any]:
    u = make_url(url)
    query = dict(u.query)
    return {
        "user": u.username,
        "password": u.password,
        "database": u.database,
        "host": query.get("host", u.host),
        "port": int(str(query.get("port", u.port or 5432))),
    }


Request = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


async def drive(client: httpx.AsyncClient, requests: list[Request], concurrency: int) -> float:
    """Send the requests ``concurrency`` at a time; returns requests per second."""
    queue = list(reversed(requests))

    async def worker() -> None:
        while queue:
            send = queue.pop()
            r = await send(client)
            if r.status_code >= 300:
                raise RuntimeError(f"{r.request.url}: {r.status_code} {r.text[:300]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(requests) / (time.perf_counter() - started)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]
