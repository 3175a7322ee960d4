"""The auditor's page of each service's decision-log verification: one row per service,
a broken chain shown as such with where and why (in Chinese), a recorded head digest sent
to the service it came from, and no other role admitted."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from .conftest import SERVICE_HOSTS, FakeServices, client, problem, sign_in

DIGEST = "ab" * 32


def _status(service: str, **overrides: Any) -> dict[str, Any]:
    return {
        "service": service,
        "checked_at": "2026-12-08T02:00:00+00:00",
        "verified": True,
        "entries": 12,
        "chains": 4,
        "broken_entry": None,
        "reason": None,
        "published": None,
        "head": {"seq": 11, "entries": 11, "digest": DIGEST, "recorded_as": f"11:{DIGEST}"},
        "last_entry_at": "2026-12-08T01:30:00+00:00",
        **overrides,
    }


def _answer_per_service(fake: FakeServices) -> None:
    by_host = {httpx.URL(url).host: name for name, url in SERVICE_HOSTS.items()}

    def answer(request: httpx.Request) -> httpx.Response:
        service = by_host[request.url.host]
        if service == "consent":
            return httpx.Response(
                200,
                json=_status(service, verified=False, broken_entry=7, reason="entry content does not match its hash"),
            )
        if service == "settlement":
            return httpx.Response(503, json=problem(503, "settlement: connection refused"))
        published = request.url.params.get("head")
        return httpx.Response(200, json=_status(service, published=published))

    fake.answers[("GET", "/v1/audit/status")] = answer


async def test_the_auditor_sees_every_services_chain_status(app: FastAPI, fake: FakeServices) -> None:
    _answer_per_service(fake)
    async with client(app) as c:
        await sign_in(c, "auditor", "city:441800")
        home = await c.get("/")
        page = await c.get("/audit")
    assert 'href="/audit"' in home.text
    assert page.status_code == 200
    text = page.text
    for name in SERVICE_HOSTS:
        assert f'data-service="{name}"' in text, name
    assert text.count("完整") >= 3
    assert "校验未通过" in text and "记录被修改" in text and "第 7 条" in text
    assert f"11:{DIGEST}" in text
    assert "服务暂不可用" in text, "an unreachable service shows its problem, not a verified chain"
    asked = [r for r in fake.seen if r.url.path == "/v1/audit/status"]
    assert len(asked) == 5 and all(r.headers["authorization"].startswith("Bearer ") for r in asked)


async def test_a_recorded_head_is_checked_by_its_own_service(app: FastAPI, fake: FakeServices) -> None:
    _answer_per_service(fake)
    recorded = f"9:{DIGEST}"
    async with client(app) as c:
        await sign_in(c, "auditor", "city:441800")
        page = await c.get("/audit", params={"service": "referral", "head": recorded})
    sent = {r.url.host: r.url.params.get("head") for r in fake.seen if r.url.path == "/v1/audit/status"}
    assert sent == {
        "referral.test": recorded,
        "consent.test": None,
        "settlement.test": None,
        "fund.test": None,
        "ic.test": None,
    }
    assert "已复现记录的摘要 9" in page.text


async def test_no_other_role_sees_the_audit_status(app: FastAPI, fake: FakeServices) -> None:
    _answer_per_service(fake)
    async with client(app) as c:
        await sign_in(c, "civil_affairs")
        home = await c.get("/")
        page = await c.get("/audit")
    assert 'href="/audit"' not in home.text
    assert page.status_code == 403
    assert not [r for r in fake.seen if r.url.path == "/v1/audit/status"]
