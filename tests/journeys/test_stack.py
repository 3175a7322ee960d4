"""The journey stack itself: five processes, one clock moved from the test."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from .conftest import Stack


async def test_five_services_run_as_processes_and_share_the_moved_clock(stack: Stack) -> None:
    when = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    await stack.set_clock(when)
    for service in stack.ports:
        async with httpx.AsyncClient(base_url=stack.url(service)) as c:
            ready = (await c.get("/readyz")).json()
            assert ready["status"] == "ready", (service, ready)
            now = datetime.fromisoformat((await c.get("/_test/clock")).json()["now"])
            assert abs((now - when).total_seconds()) < 60
    async with httpx.AsyncClient() as c:
        r = await c.get(f"{stack.url('referral')}/openapi.json")
        assert r.json()["info"]["title"] == "medaid referral"
