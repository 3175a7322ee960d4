"""LJ-18: the information-sharing feed — per department, masked, cursor-paginated in commit
order, and live over server-sent events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import httpx
import pytest

from medaid_shared.app import create_service_app
from medaid_shared.auth import issue_token
from medaid_shared.authz import Role
from medaid_shared.events import Event
from medaid_shared.feed import DEPARTMENTS, Entitlement, read_feed, redact
from medaid_shared.runtime import Runtime

from .conftest import emit_items


@pytest.fixture
async def feed_client(runtime: Runtime) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    app = create_service_app(lambda: runtime, title="medaid kerneltest", description="feed test", routers=[])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test/v1") as client:
        yield runtime, client


def as_role(rt: Runtime, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(rt.settings, subject=f'{role}-sys', role=role)}"}


async def test_lj_18_poller_sees_every_event_once_in_commit_order(feed_client: Any) -> None:
    """A department system polling with the cursor while events keep being published
    neither misses nor repeats one."""
    rt, client = feed_client
    seen: list[int] = []
    cursor = 0

    async def poll() -> None:
        nonlocal cursor
        while True:
            r = await client.get("/feed/auditor", params={"after": cursor, "limit": 7}, headers=as_role(rt, "auditor"))
            assert r.status_code == 200, r.text
            page = r.json()
            seen.extend(e["data"]["n"] for e in page["events"])
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return

    for batch in range(5):
        await emit_items(rt, *[(f"k{i % 3}", batch * 10 + i) for i in range(10)])
        await asyncio.gather(rt.relay.publish_batch(), poll())
    await poll()
    assert sorted(seen) == [b * 10 + i for b in range(5) for i in range(10)]
    assert len(seen) == len(set(seen)) == 50


async def test_lj_18_feed_is_per_department_and_role(feed_client: Any) -> None:
    rt, client = feed_client
    assert (await client.get("/feed/auditor", headers=as_role(rt, "police"))).status_code == 403
    r = await client.get("/feed/tax-office", headers=as_role(rt, "auditor"))
    assert r.status_code == 404 and r.json()["field"] == "department"
    # One name for the health bureau: its role. The former department name is no feed.
    assert (await client.get("/feed/health_bureau", headers=as_role(rt, "health_bureau"))).status_code == 200
    assert (await client.get("/feed/health", headers=as_role(rt, "health_bureau"))).status_code == 404
    assert (await client.get("/feed/auditor")).status_code == 401
    assert {d.role for d in DEPARTMENTS.values()} >= {
        Role.CIVIL_AFFAIRS,
        Role.MEDICAL_INSURANCE,
        Role.HEALTH_BUREAU,
        Role.POLICE,
        Role.FINANCE,
        Role.AUDITOR,
    }


async def test_lj_18_entitlement_filters_types_and_masks_fields(runtime: Runtime) -> None:
    await emit_items(runtime, ("a", 1), ("b", 2))
    await runtime.relay.publish_batch()
    limited = Entitlement(Role.POLICE, frozenset({"ItemCounted"}), frozenset({"n"}))
    page = await read_feed(runtime, limited, "police", 0, 10)
    assert [e.data for e in page.events] == [{"item": "a"}, {"item": "b"}]
    nothing = Entitlement(Role.FINANCE, frozenset({"FundDisbursed"}))
    assert (await read_feed(runtime, nothing, "finance", 0, 10)).events == []
    assert redact(
        {"guardian": {"x": 1}, "person_id": "p", "agents": [{"a": 1}]}, frozenset({"guardian", "agents"})
    ) == {"person_id": "p"}


async def test_lj_18_live_stream_pushes_server_sent_events(runtime: Runtime) -> None:
    """Over a real HTTP server (streaming responses need one)."""
    import uvicorn

    from medaid_shared.localstack import free_port

    app = create_service_app(lambda: runtime, title="medaid kerneltest", description="feed test", routers=[])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    serving = asyncio.create_task(server.serve())
    await emit_items(runtime, ("live", 1))
    await runtime.relay.publish_batch()
    received: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(10):
            while not server.started:  # noqa: ASYNC110 - uvicorn exposes no start event
                await asyncio.sleep(0.05)
        async with (
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/v1", timeout=10) as client,
            client.stream("GET", "/feed/auditor/stream", headers=as_role(runtime, "auditor")) as response,
        ):
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    received.append(json.loads(line[5:]))
                    if len(received) == 1:  # a later event arrives live on the open stream
                        await emit_items(runtime, ("live", 2))
                        await runtime.relay.publish_batch()
                if len(received) == 2:
                    break
    finally:
        server.should_exit = True
        await serving
    assert [e["data"]["n"] for e in received] == [1, 2]
    assert received[0]["position"] < received[1]["position"]


class IdentityVerified(Event):
    """A stand-in for identity-check's reply, with the fields the police feed scopes by."""

    event_type: ClassVar[str] = "medaid.kerneltest.IdentityVerified"
    topic: ClassVar[str] = "kerneltest.item"
    key_field: ClassVar[str] = "request_id"

    request_id: str
    bureau_id: str
    name_masked: str | None = None


class PersonRegistered(Event):
    event_type: ClassVar[str] = "medaid.kerneltest.PersonRegistered"
    topic: ClassVar[str] = "kerneltest.item"
    key_field: ClassVar[str] = "person_id"

    person_id: str
    district: str | None = None
    guardian: dict[str, str] | None = None


class FundDisbursed(Event):
    event_type: ClassVar[str] = "medaid.kerneltest.FundDisbursed"
    topic: ClassVar[str] = "kerneltest.item"
    key_field: ClassVar[str] = "disbursement_id"

    disbursement_id: str
    city: str | None = None


class FacilityRegistered(Event):
    event_type: ClassVar[str] = "medaid.kerneltest.FacilityRegistered"
    topic: ClassVar[str] = "kerneltest.item"
    key_field: ClassVar[str] = "facility_id"

    facility_id: str


async def _publish(rt: Runtime, *events: Event) -> None:
    async with rt.db.unit_of_work() as uow:
        for event in events:
            await uow.emit(event)
    await rt.relay.publish_batch()


def scoped(rt: Runtime, role: str, *scopes: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(rt.settings, subject=f'{role}-1', role=role, scopes=scopes)}"}


async def _seen(client: httpx.AsyncClient, department: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    r = await client.get(f"/feed/{department}", headers=headers)
    assert r.status_code == 200, r.text
    return [e["data"] for e in r.json()["events"]]


async def test_lj_18_police_bureau_sees_its_jurisdiction_only(feed_client: Any) -> None:
    """Issue scenario: an officer of bureau PSB02 no longer reads every bureau's results."""
    rt, client = feed_client
    await _publish(
        rt,
        IdentityVerified(request_id="R1", bureau_id="PSB01", name_masked="张*三"),
        IdentityVerified(request_id="R2", bureau_id="PSB02"),
    )
    assert [e["request_id"] for e in await _seen(client, "police", scoped(rt, "police", "jurisdiction:PSB02"))] == [
        "R2"
    ]
    both = scoped(rt, "police", "jurisdiction:PSB01", "jurisdiction:PSB02")
    assert [e["request_id"] for e in await _seen(client, "police", both)] == ["R1", "R2"]
    unscoped = await client.get("/feed/police", headers=scoped(rt, "police"))
    assert unscoped.status_code == 403 and unscoped.headers["content-type"] == "application/problem+json"


async def test_lj_18_civil_affairs_sees_its_district_only(feed_client: Any) -> None:
    """Issue scenario: one district's civil affairs no longer reads all districts'. An event
    naming no district belongs to the district the service serves."""
    rt, client = feed_client
    rt.settings.district = "liujiang"
    await _publish(
        rt,
        PersonRegistered(person_id="P1"),
        PersonRegistered(person_id="P2", district="liubei"),
        FacilityRegistered(facility_id="H1"),
    )
    liujiang = await _seen(client, "civil_affairs", scoped(rt, "civil_affairs", "district:liujiang"))
    assert [e.get("person_id", e.get("facility_id")) for e in liujiang] == ["P1", "H1"]
    liubei = await _seen(client, "civil_affairs", scoped(rt, "civil_affairs", "district:liubei"))
    assert [e.get("person_id", e.get("facility_id")) for e in liubei] == ["P2", "H1"]
    rt.settings.district = None
    assert [e.get("facility_id") for e in await _seen(client, "civil_affairs", scoped(rt, "civil_affairs", "district:liujiang"))] == ["H1"]  # fmt: skip


async def test_lj_18_city_fund_agency_and_finance_see_their_city_only(feed_client: Any) -> None:
    rt, client = feed_client
    await _publish(
        rt, FundDisbursed(disbursement_id="D1", city="liuzhou"), FundDisbursed(disbursement_id="D2", city="guangzhou")
    )
    for role, department in (("fund_agency", "fund_agency"), ("finance", "finance")):
        seen = await _seen(client, department, scoped(rt, role, "city:guangzhou"))
        assert [e["disbursement_id"] for e in seen] == ["D2"]


async def test_spec_0_4_feed_removes_what_the_minimisation_table_does_not_keep(feed_client: Any) -> None:
    """The feed's removals are the table's: police keep the masked name, civil affairs the
    guardian; health and finance neither."""
    from medaid_shared.minimisation import EVENT_FIELDS, feed_redactions

    for department, ent in DEPARTMENTS.items():
        kept = {f.field for f in EVENT_FIELDS if department in f.feeds or "*" in f.feeds}
        assert ent.redact == {f.field for f in EVENT_FIELDS} - kept == feed_redactions(department)
    assert "name_masked" not in DEPARTMENTS["police"].redact and "guardian" in DEPARTMENTS["police"].redact
    health = DEPARTMENTS["health_bureau"]
    assert {"name_masked", "id_number_masked", "guardian", "diagnosis_group_sealed"} <= health.redact
    for department in DEPARTMENTS:
        assert "diagnosis_group_sealed" in DEPARTMENTS[department].redact
    rt, client = feed_client
    rt.settings.district = "liujiang"
    await _publish(rt, PersonRegistered(person_id="P1", guardian={"name_masked": "李*"}))
    [data] = await _seen(client, "civil_affairs", scoped(rt, "civil_affairs", "district:liujiang"))
    assert data["guardian"] == {"name_masked": "李*"}
