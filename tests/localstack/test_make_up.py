"""``make up`` behaves like a service manager: the real ``medaid up`` as a subprocess (on the
test session's PostgreSQL and broker, its ports shifted so it never meets another stack),
stopped by SIGTERM and SIGHUP, killed outright, started on a taken port and with a service
that cannot start. Every wait is bounded; no assertion is about time."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from sqlalchemy.engine import make_url

from medaid_shared.localstack import DEPLOYABLES, stop_all
from medaid_shared.services import SERVICES
from medaid_shared.testing import Infrastructure

MEDAID = Path(sys.executable).with_name("medaid")


def free_offset() -> int:
    """A port offset under which every service port is free now, below the kernel's ephemeral
    range (32768 and up): a port in that range can be taken at any moment by an outgoing
    connection of another test, and the service would then fail to bind."""
    for _ in range(200):
        offset = 10000 + 10 * int.from_bytes(os.urandom(2), "big") % 14000
        ports = [info.port + offset for info in DEPLOYABLES]
        if all(_free(p) for p in ports):
            return offset
    raise RuntimeError("no free port range")


def _free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


class Up:
    """One ``medaid up`` in a directory of its own (its .medaid/ state and logs there)."""

    def __init__(self, tmp_path: Path, infra: Infrastructure, **extra: str) -> None:
        self.dir = tmp_path
        self.offset = free_offset()
        self.out = tmp_path / "up.out"
        database = f"medaid_up_{uuid.uuid4().hex[:8]}"
        env = {
            **os.environ,
            "DATABASE_URL": make_url(infra.database_url).set(database=database).render_as_string(hide_password=False),
            "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
            "MEDAID_TOPIC_PREFIX": f"up{uuid.uuid4().hex[:6]}",
            "MEDAID_PORT_OFFSET": str(self.offset),
            "MEDAID_EXAMPLE_DATA": "false",
            "COLUMNS": "200",
            **extra,
        }
        self.proc = subprocess.Popen(
            [str(MEDAID), "up"], cwd=tmp_path, env=env, stdout=self.out.open("wb"), stderr=subprocess.STDOUT
        )
        self.ps = psutil.Process(self.proc.pid)

    def output(self) -> str:
        return self.out.read_text(errors="replace")

    def exit_code(self, timeout: float) -> int:
        """Its exit status; if it has not ended within ``timeout``, fail with what it printed
        and what each of its processes was doing."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            alive = [_describe(p) for p in self.ps.children(recursive=True)]
            pytest.fail(f"still running after {timeout}s; its processes: {alive}\n{self.output()}")

    def ports(self) -> list[int]:
        return [info.port + self.offset for info in DEPLOYABLES]

    def wait_for(self, text: str, timeout: float = 600) -> None:
        # Generous: five services and the console start at once, and on a shared 2-core
        # machine under a full test run that alone has taken minutes.
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert self.proc.poll() is None, f"medaid up exited ({self.proc.returncode}):\n{self.output()}"
            assert time.monotonic() < deadline, f"no {text!r} after {timeout}s:\n{self.output()}\n{self.log_tails()}"
            time.sleep(0.5)

    def log_tails(self, lines: int = 15) -> str:
        """The last lines of each service's log, to say which one was not ready."""
        logs = sorted((self.dir / ".medaid" / "logs").glob("*.log"))
        return "\n".join(
            f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) for log in logs
        )

    def services(self) -> list[psutil.Process]:
        """The service processes it started (uvicorn children: the five services and the console)."""
        return [p for p in self.ps.children(recursive=True) if _is_uvicorn(p)]

    def wait_services_spawned(self, timeout: float = 300) -> list[psutil.Process]:
        deadline = time.monotonic() + timeout
        while len(found := self.services()) < len(DEPLOYABLES):
            assert self.proc.poll() is None, f"medaid up exited ({self.proc.returncode}):\n{self.output()}"
            assert time.monotonic() < deadline, f"services not started after {timeout}s:\n{self.output()}"
            time.sleep(0.3)
        return found

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)
        for p in psutil.Process().children(recursive=True):
            if p.pid != self.proc.pid and _is_uvicorn(p):
                p.kill()


def _describe(p: psutil.Process) -> str:
    try:
        return f"{p.pid} {p.status()} {' '.join(p.cmdline())[:120]}"
    except psutil.Error:
        return f"{p.pid} gone"


def _is_uvicorn(p: psutil.Process) -> bool:
    """A live uvicorn process (one that already ended, zombie or gone, is none)."""
    try:
        return "uvicorn" in " ".join(p.cmdline())
    except (psutil.ZombieProcess, psutil.NoSuchProcess, psutil.AccessDenied):
        return False


@pytest.fixture
def up_factory(tmp_path: Path, infrastructure: Infrastructure) -> Iterator[list[Up]]:
    made: list[Up] = []
    yield made
    for up in made:
        up.close()


def gone(procs: list[psutil.Process], timeout: float = 60) -> list[psutil.Process]:
    """The processes still alive after waiting for them to end."""
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    return alive


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_stop_everything_like_ctrl_c(
    signum: int, tmp_path: Path, infrastructure: Infrastructure, up_factory: list[Up]
) -> None:
    up = Up(tmp_path, infrastructure)
    up_factory.append(up)
    up.wait_for("medaid is running")
    services = up.services()
    assert len(services) == len(DEPLOYABLES)
    up.proc.send_signal(signum)
    assert up.exit_code(120) == 0, up.output()
    assert gone(services) == []
    assert all(_free(p) for p in up.ports())
    assert "Stopped." in up.output()


def test_killed_outright_its_services_die_with_it(
    tmp_path: Path, infrastructure: Infrastructure, up_factory: list[Up]
) -> None:
    up = Up(tmp_path, infrastructure)
    up_factory.append(up)
    services = up.wait_services_spawned()
    up.proc.send_signal(signal.SIGKILL)
    up.proc.wait(30)
    assert gone(services) == [], [p.cmdline() for p in services if p.is_running()]


def test_a_taken_port_is_reported_at_once_with_what_to_do(tmp_path: Path) -> None:
    offset = free_offset()
    settlement_port = SERVICES["settlement"].port + offset
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", settlement_port))
        squatter.listen()
        env = {**os.environ, "MEDAID_PORT_OFFSET": str(offset), "COLUMNS": "200", "MEDAID_EXAMPLE_DATA": "false"}
        result = subprocess.run([str(MEDAID), "up"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout
    out = " ".join(result.stdout.split())
    assert f"port {settlement_port} (settlement) is already in use by pid {os.getpid()}" in out, out
    assert "MEDAID_PORT_OFFSET" in out
    assert "medaid is running" not in out and "starting the embedded server" not in out  # nothing was started


def test_a_service_that_exits_during_start_is_reported_with_its_log(
    tmp_path: Path, infrastructure: Infrastructure, up_factory: list[Up]
) -> None:
    # Only the service processes (uvicorn) read this: they cannot start.
    up = Up(tmp_path, infrastructure, UVICORN_LOG_CONFIG=str(tmp_path / "missing-log-config.ini"))
    up_factory.append(up)
    assert up.exit_code(300) == 1, up.output()
    out = " ".join(up.output().split())
    assert "exited during start" in out, out
    assert ".medaid/logs/" in out and ".log" in out
    assert "medaid is running" not in out
    assert all(_free(p) for p in up.ports())


def test_the_stop_is_bounded_when_a_process_ignores_sigterm() -> None:
    """One grace period for all, then SIGKILL: a process that ignores SIGTERM cannot keep
    ``make up`` from ending (nor can several, one after another)."""
    stubborn = [
        subprocess.Popen(
            ["bash", "-c", "trap '' TERM; echo ready; while :; do sleep 0.2; done"],
            start_new_session=True,
            stdout=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    for p in stubborn:
        assert p.stdout is not None and p.stdout.readline() == b"ready\n"  # its trap is set
    polite = subprocess.Popen(["sleep", "600"], start_new_session=True)
    stop_all([*stubborn, polite], grace=1.0)
    assert [p.returncode for p in stubborn] == [-signal.SIGKILL] * 3
    assert polite.returncode == -signal.SIGTERM
