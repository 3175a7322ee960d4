"""A request that meets an unavailable or contended database is answered 503 with
Retry-After — a retryable answer, not an internal error (500)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import text

from medaid_shared.app import RuntimeDep, create_service_app
from medaid_shared.db import Database
from medaid_shared.runtime import Runtime

from .conftest import KernelTestSettings, metadata, unreachable


def probe_router() -> APIRouter:
    router = APIRouter()

    @router.post("/probe/{sqlstate}")
    async def probe(sqlstate: str, runtime: RuntimeDep) -> dict[str, str]:
        async with runtime.db.unit_of_work() as uow:
            await uow.session.execute(text("SELECT 1"))
            if sqlstate != "none":
                await uow.session.execute(
                    text(f"DO $$ BEGIN RAISE EXCEPTION 'probe' USING ERRCODE = '{sqlstate}'; END $$")
                )
        return {"ok": "yes"}

    return router


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(lambda: runtime, title="medaid kerneltest", description="kernel", routers=[probe_router()])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test/v1") as c:
        yield c


def assert_unavailable(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["retry-after"] == "1"
    assert r.json()["type"] == "/problems/unavailable"


@pytest.mark.parametrize("sqlstate", ["40001", "40P01", "57P01", "08006", "53300"])
async def test_a_contended_or_restarting_database_is_a_503(client: httpx.AsyncClient, sqlstate: str) -> None:
    assert_unavailable(await client.post(f"/probe/{sqlstate}"))


async def test_an_unreachable_database_is_a_503_and_the_retry_succeeds(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    real = runtime.db
    url = unreachable(real.settings.database_url)
    runtime.db = Database(KernelTestSettings(database_url=url), metadata)
    try:
        assert_unavailable(await client.post("/probe/none"))
    finally:
        await runtime.db.dispose()
        runtime.db = real
    assert (await client.post("/probe/none")).status_code == 200


async def test_a_fault_of_the_service_itself_is_still_a_500(client: httpx.AsyncClient) -> None:
    r = await client.post("/probe/42601")  # a syntax error: the code's fault
    assert r.status_code == 500
    assert r.json()["type"] == "/problems/internal-error"
