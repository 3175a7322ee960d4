"""Supervised background loops: a failing loop is restarted with capped, jittered
exponential back-off; one that stays down past the limit fails ``/healthz``; ``/readyz``
and the metrics report every loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from medaid_shared.answers import HealthOut, ReadyOut
from medaid_shared.app import create_service_app
from medaid_shared.runtime import Backoff, Runtime, Supervisor


class FakeMonotonic:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def supervisor(now: Callable[[], float] | None = None, initial: float = 0.001, **kw: Any) -> Supervisor:
    return Supervisor(
        "kerneltest",
        backoff=Backoff(initial, kw.pop("maximum", 0.01), 0),
        settle_s=kw.pop("settle_s", 10),
        down_limit_s=kw.pop("down_limit_s", 60),
        now=now or FakeMonotonic(),
    )


async def until(condition: Callable[[], bool | Awaitable[bool]], timeout: float = 10) -> None:
    """A bounded wait for something another task does."""
    async with asyncio.timeout(timeout):
        while True:
            result = condition()
            if result if isinstance(result, bool) else await result:
                return
            await asyncio.sleep(0.005)


def test_backoff_grows_exponentially_up_to_its_cap_with_bounded_jitter() -> None:
    assert [Backoff(1, 8, 0).delay(n) for n in range(1, 7)] == [1, 2, 4, 8, 8, 8]
    jittered = [Backoff(1, 100, 0.5).delay(3) for _ in range(50)]
    assert all(4 <= d <= 4.5 for d in jittered)
    assert len(set(jittered)) > 1


async def test_a_failing_loop_is_restarted_until_it_runs() -> None:
    attempts = 0

    async def flaky(stop: asyncio.Event) -> None:
        nonlocal attempts
        attempts += 1
        if attempts <= 2:
            raise ConnectionRefusedError("database down")
        await stop.wait()

    sup = supervisor()
    sup.register("flaky", flaky)
    before = REGISTRY.get_sample_value(
        "medaid_background_loop_restarts_total", {"service": "kerneltest", "loop": "flaky"}
    )
    sup.start()
    try:
        await until(lambda: sup.report()["flaky"]["state"] == "running" and attempts == 3)
        report = sup.report()["flaky"]
        assert report["restarts"] == 2
        assert report["last_error"] == "ConnectionRefusedError: database down"
        assert sup.alive()
        after = REGISTRY.get_sample_value(
            "medaid_background_loop_restarts_total", {"service": "kerneltest", "loop": "flaky"}
        )
        assert (after or 0) - (before or 0) == 2
        state = REGISTRY.get_sample_value(
            "medaid_background_loop_state",
            {"service": "kerneltest", "loop": "flaky", "medaid_background_loop_state": "running"},
        )
        assert state == 1
    finally:
        await sup.stop()
    assert sup.report()["flaky"]["state"] == "stopped"


async def test_a_loop_that_returns_while_the_service_runs_is_restarted() -> None:
    runs = 0

    async def returns_early(stop: asyncio.Event) -> None:
        nonlocal runs
        runs += 1
        if runs > 1:
            await stop.wait()

    sup = supervisor()
    sup.register("early", returns_early)
    sup.start()
    try:
        await until(lambda: runs == 2)
        assert sup.report()["early"]["last_error"] == "the loop returned while the service was running"
    finally:
        await sup.stop()


async def test_a_loop_down_past_the_limit_fails_liveness_until_it_has_run_settled() -> None:
    now = FakeMonotonic()
    healthy = False

    async def broken(stop: asyncio.Event) -> None:
        if not healthy:
            raise TimeoutError("broker unreachable")
        await stop.wait()

    sup = supervisor(now, down_limit_s=60, settle_s=10)
    sup.register("broken", broken)
    sup.start()
    try:
        await until(lambda: sup.report()["broken"]["restarts"] >= 3)
        assert sup.alive()  # down, but not yet for long
        now.t += 61
        assert not sup.alive()
        assert sup.report()["broken"]["down_for_s"] >= 61
        healthy = True
        await until(lambda: sup.report()["broken"]["state"] == "running")
        assert not sup.alive()  # running again, but not yet for the settle time
        now.t += 10
        assert sup.alive()
        assert sup.report()["broken"]["down_for_s"] == 0
    finally:
        await sup.stop()


async def test_stopping_does_not_wait_out_a_back_off() -> None:
    async def fails(stop: asyncio.Event) -> None:
        raise RuntimeError("always")

    sup = supervisor(initial=3600, maximum=3600)
    sup.register("fails", fails)
    sup.start()
    await until(lambda: sup.report()["fails"]["state"] == "backing_off")
    async with asyncio.timeout(5):
        await sup.stop(grace_s=5)
    assert sup.report()["fails"]["state"] == "stopped"


async def test_a_loop_registered_after_start_runs_at_once_and_names_are_unique() -> None:
    started = asyncio.Event()

    async def watcher(stop: asyncio.Event) -> None:
        started.set()
        await stop.wait()

    sup = supervisor()
    sup.start()
    try:
        sup.register("broker-watch", watcher)
        async with asyncio.timeout(5):
            await started.wait()
        with pytest.raises(ValueError, match="already registered"):
            sup.register("broker-watch", watcher)
    finally:
        await sup.stop()


async def test_every_loop_of_a_service_runs_under_the_supervisor(runtime: Runtime) -> None:
    assert runtime.supervisor is not None
    assert set(runtime.supervisor.report()) == {
        "relay",
        "scheduler",
        "calendar-refresh",
        "retention",
        "consumer:items",
        "broker-watch",
        "consumer:calendar",  # the one official calendar (SPEC 0.1)
    }


async def test_healthz_fails_and_readyz_reports_a_loop_down_past_its_limit(runtime: Runtime) -> None:
    now = FakeMonotonic()

    async def broken(stop: asyncio.Event) -> None:
        raise ConnectionRefusedError("connection refused")

    async def fine(stop: asyncio.Event) -> None:
        await stop.wait()

    runtime.supervisor = supervisor(now, initial=3600, maximum=3600, down_limit_s=60)
    runtime.add_loop("fine", fine)
    runtime.add_loop("broken", broken)
    runtime.settings.run_background = True
    runtime.supervisor.start()
    app = create_service_app(lambda: runtime, title="medaid kerneltest", description="kernel test", routers=[])
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            await until(lambda: runtime.loops()["broken"]["state"] == "backing_off")
            assert (await client.get("/healthz")).status_code == 200
            ready = await client.get("/readyz")
            assert ready.status_code == 503
            loops = ready.json()["loops"]
            assert loops["fine"]["state"] == "running"
            assert loops["broken"]["state"] == "backing_off"
            assert loops["broken"]["last_error"] == "ConnectionRefusedError: connection refused"
            assert ready.json()["checks"]["background"] is False
            ReadyOut.model_validate(ready.json())  # the 503 body is the documented one
            now.t += 61
            health = await client.get("/healthz")
            assert health.status_code == 503
            assert health.json() == {"status": "failing", "loops_down": ["broken"]}
            HealthOut.model_validate(health.json())
    finally:
        await runtime.supervisor.stop()
        runtime.settings.run_background = False
