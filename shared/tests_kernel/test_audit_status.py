"""The auditors' read API of the decision log: ``GET /v1/audit/status`` answers each
service's chain verification and the head digest to record, for the auditor role only, and
catches tampering the way ``medaid audit verify [--head]`` does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import time_machine
from sqlalchemy import delete, select, update

from medaid_shared import clock
from medaid_shared.app import create_service_app
from medaid_shared.auth import issue_token
from medaid_shared.runtime import Runtime

from .test_audit_chain import append, seqs


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(lambda: runtime, title="medaid kerneltest", description="kernel test", routers=[])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test/v1") as c:
        yield c


def as_role(rt: Runtime, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(rt.settings, subject=f'{role}-1', role=role, scopes=[])}"}


async def status(c: httpx.AsyncClient, rt: Runtime, **params: Any) -> dict[str, Any]:
    r = await c.get("/audit/status", params=params, headers=as_role(rt, "auditor"))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_the_auditor_sees_each_chain_verified_and_the_head_to_record(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    await append(runtime, "item-1", 3)
    await append(runtime, "item-2", 2)
    with time_machine.travel(clock.now() + timedelta(minutes=5)):
        body = await status(client, runtime)
    assert body["service"] == "kerneltest" and body["verified"] is True
    assert body["entries"] == 5 and body["chains"] == 2 and body["broken_entry"] is None
    head = body["head"]
    assert head["entries"] == 5 and head["recorded_as"] == f"{head['seq']}:{head['digest']}"
    assert body["last_entry_at"] is not None


async def test_only_the_auditor_reads_the_audit_status(runtime: Runtime, client: httpx.AsyncClient) -> None:
    for role in ("civil_affairs", "admin", "fund_agency"):
        r = await client.get("/audit/status", headers=as_role(runtime, role))
        assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json", role
    assert (await client.get("/audit/status")).status_code == 401


async def test_an_edited_entry_answers_not_verified_with_where(runtime: Runtime, client: httpx.AsyncClient) -> None:
    await append(runtime, "item-1", 3)
    t = runtime.db.tables.audit_log
    second = (await seqs(runtime, "item-1"))[1]
    async with runtime.db.unit_of_work() as uow:
        await uow.session.execute(update(t).where(t.c.seq == second).values(reason="changed afterwards"))
    body = await status(client, runtime)
    assert body["verified"] is False and body["broken_entry"] == second and "content" in body["reason"]


async def test_a_recorded_head_catches_a_rewritten_head(runtime: Runtime, client: httpx.AsyncClient) -> None:
    """The head table rewritten to hide a deleted entry: the chains alone look whole, the
    digest the auditor recorded earlier is no longer reproduced."""
    await append(runtime, "item-1", 3)
    with time_machine.travel(clock.now() + timedelta(minutes=5)):
        recorded = (await status(client, runtime))["head"]["recorded_as"]
        assert (await status(client, runtime, head=recorded))["verified"] is True
    t, heads = runtime.db.tables.audit_log, runtime.db.tables.audit_head
    _, second, third = await seqs(runtime, "item-1")
    async with runtime.db.unit_of_work() as uow:
        prev = (await uow.session.execute(select(t.c.hash).where(t.c.seq == second))).scalar_one()
        await uow.session.execute(delete(t).where(t.c.seq == third))
        await uow.session.execute(
            update(heads).where(heads.c.subject == "item-1").values(hash=prev, entries=2, last_seq=second)
        )
    assert (await status(client, runtime))["verified"] is True
    body = await status(client, runtime, head=recorded)
    assert body["verified"] is False and "digest" in body["reason"] and body["published"] == recorded


async def test_a_malformed_recorded_head_is_refused_naming_the_field(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    r = await client.get("/audit/status", params={"head": "12:not-a-digest"}, headers=as_role(runtime, "auditor"))
    assert r.status_code == 422 and r.json()["field"] == "head"
