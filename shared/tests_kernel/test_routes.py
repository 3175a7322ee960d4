"""The kernel's route plumbing in a declared service: a command authorizes role × action,
runs its use case once per Idempotency-Key (fingerprint = method + path + body), answers
money exactly (a zero reached by subtraction is "0.00", never "-0.00"); a query runs on a
read session; a refused command changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from medaid_shared.auth import issue_token
from medaid_shared.authz import Policy
from medaid_shared.routes import CommandRun, QueryRun
from medaid_shared.runtime import Runtime
from medaid_shared.service import ServiceDefinition
from medaid_shared.usecase import UseCaseContext

from .conftest import KernelTestSettings, metadata

POLICY = Policy.from_mapping({"item.count": ["hospital"], "item.read": ["hospital", "auditor"]})


class Items:
    """A repository over the kernel test table."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def count(self) -> int:
        return int((await self.session.execute(text("SELECT count(*) FROM kerneltest.applied"))).scalar_one())

    async def add(self, item: str, n: int) -> None:
        await self.session.execute(
            text("INSERT INTO kerneltest.applied (event_id, item, n) VALUES (gen_random_uuid()::text, :i, :n)"),
            {"i": item, "n": n},
        )


class ItemIn(BaseModel):
    item: str
    n: int


async def add_item(ctx: UseCaseContext[Any, Items], body: ItemIn) -> dict[str, Any]:
    await ctx.repo.add(body.item, body.n)
    await ctx.uow.audit(ctx.principal, "item.count", body.item)
    return {"item": body.item, "balance": Decimal("1.10") - Decimal("1.10"), "count": await ctx.repo.count()}


def item_router() -> APIRouter:
    router = APIRouter()

    @router.post("/items", status_code=201)
    async def post_item(body: ItemIn, run: CommandRun) -> JSONResponse:
        return await run("item.count", lambda ctx: add_item(ctx, body), status=201)

    @router.post("/items/{name}/copies", status_code=201)
    async def post_copy(name: str, body: ItemIn, run: CommandRun) -> JSONResponse:
        return await run("item.count", lambda ctx: add_item(ctx, body), status=201)

    @router.get("/items/count")
    async def count(run: QueryRun) -> JSONResponse:
        return await run("item.read", lambda ctx: _count(ctx))

    return router


async def _count(ctx: UseCaseContext[Any, Items]) -> dict[str, Any]:
    assert not ctx.is_command
    return {"count": await ctx.repo.count()}


SERVICE = ServiceDefinition(
    title="medaid kerneltest",
    description="kernel test",
    settings=KernelTestSettings,
    metadata=metadata,
    policy=POLICY,
    routers=lambda: [item_router()],
    repository=Items,
)


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    async with runtime.db.unit_of_work() as uow:
        await uow.session.execute(text("DELETE FROM kerneltest.applied"))
    app = SERVICE.create_app(runtime.settings)
    runtime = app.state.runtime
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test/v1") as c:
        yield runtime, c
    await runtime.db.dispose()


def auth(rt: Runtime, role: str = "hospital", key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {issue_token(rt.settings, subject=f'{role}-1', role=role)}"}
    return {**headers, "Idempotency-Key": key} if key else headers


async def test_a_command_runs_once_per_key_and_answers_money_exactly(client: Any) -> None:
    rt, c = client
    first = await c.post("/items", json={"item": "a", "n": 1}, headers=auth(rt, key="k1"))
    assert first.status_code == 201 and first.json() == {"item": "a", "balance": "0.00", "count": 1}
    again = await c.post("/items", json={"n": 1, "item": "a"}, headers=auth(rt, key="k1"))
    assert again.status_code == 201 and again.json() == first.json()
    count = await c.get("/items/count", headers=auth(rt, "auditor"))
    assert count.json() == {"count": 1}
    # the same key for another body, or the same body on another path, is another request
    other_body = await c.post("/items", json={"item": "b", "n": 1}, headers=auth(rt, key="k1"))
    assert other_body.status_code == 409 and other_body.json()["field"] == "Idempotency-Key"
    other_path = await c.post("/items/a/copies", json={"item": "a", "n": 1}, headers=auth(rt, key="k1"))
    assert other_path.status_code == 409
    assert (await c.get("/items/count", headers=auth(rt))).json() == {"count": 1}


async def test_a_refused_command_changes_nothing_and_a_query_is_authorized(client: Any) -> None:
    rt, c = client
    refused = await c.post("/items", json={"item": "a", "n": 1}, headers=auth(rt, "auditor", key="k2"))
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    assert (await c.get("/items/count", headers=auth(rt, "police"))).status_code == 403
    assert (await c.get("/items/count", headers=auth(rt))).json() == {"count": 0}
    plain = await c.post("/items", json={"item": "a", "n": 1}, headers=auth(rt))
    assert plain.status_code == 201 and plain.json()["count"] == 1


async def test_the_calendar_load_takes_an_idempotency_key(client: Any) -> None:
    rt, c = client
    body = {"holidays": ["2031-01-01"], "workdays": [], "source": "notice"}
    first = await c.put("/admin/calendar/2031", json=body, headers=auth(rt, "admin", key="cal-2031"))
    again = await c.put("/admin/calendar/2031", json=body, headers=auth(rt, "admin", key="cal-2031"))
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    other = await c.put(
        "/admin/calendar/2031", json={**body, "holidays": []}, headers=auth(rt, "admin", key="cal-2031")
    )
    assert other.status_code == 409


class SealedItems(Items):
    """A repository that also takes the service's field cipher (SPEC 0.4)."""

    def __init__(self, session: Any, cipher: Any) -> None:
        super().__init__(session)
        self.cipher = cipher


async def test_a_command_context_holds_the_one_repository_of_its_unit_of_work(runtime: Runtime) -> None:
    sealed = replace(SERVICE, repository=SealedItems, repository_sealed=True)
    async with runtime.db.unit_of_work() as uow:
        for service in (SERVICE, sealed):
            first, second = service.command(runtime, uow), service.command(runtime, uow)
            assert first.repo is second.repo and first.uow is uow and first.settings is runtime.settings
        assert sealed.command(runtime, uow).repo.cipher is runtime.cipher
    async with runtime.db.read() as session:
        query = sealed.query(runtime, session)
        assert not query.is_command and query.repo.cipher is runtime.cipher
        assert query.repo is not sealed.query(runtime, session).repo
