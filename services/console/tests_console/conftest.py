"""The console in-process (httpx over ASGI) with the five services stood in for by a mock
transport that records what the console sends them."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from console.app import create_app
from console.settings import Settings

SERVICE_HOSTS = {
    "referral": "http://referral.test",
    "consent": "http://consent.test",
    "settlement": "http://settlement.test",
    "emergency-fund": "http://fund.test",
    "identity-check": "http://ic.test",
}


@dataclass
class FakeServices:
    """Answers by (method, path); records every request the console makes."""

    answers: dict[tuple[str, str], Callable[[httpx.Request], httpx.Response]] = field(default_factory=dict)
    seen: list[httpx.Request] = field(default_factory=list)

    def on(self, method: str, path: str, status: int = 200, body: Any = None) -> None:
        self.answers[(method, path)] = lambda _r: httpx.Response(status, json=body if body is not None else {})

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        answer = self.answers.get((request.method, request.url.path))
        if answer is None:
            if request.method == "GET":
                return httpx.Response(200, json=[])
            return httpx.Response(404, json={"title": "Not found", "status": 404, "detail": "unknown"})
        return answer(request)


def settings(**overrides: Any) -> Settings:
    urls = {f"{name.replace('-', '_')}_url": url for name, url in SERVICE_HOSTS.items()}
    return Settings(**{**urls, **overrides})


@pytest.fixture
def fake() -> FakeServices:
    return FakeServices()


def build(fake: FakeServices, **overrides: Any) -> FastAPI:
    return create_app(settings(**overrides), transport=httpx.MockTransport(fake.handle))


@pytest.fixture
async def app(fake: FakeServices) -> AsyncIterator[FastAPI]:
    yield build(fake)


def client(app: FastAPI, base_url: str = "http://console.test") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, html
    return match.group(1)


async def sign_in(c: httpx.AsyncClient, role: str, scopes: str = "", subject: str = "") -> str:
    """Development sign-in through the page; returns the session's CSRF token."""
    page = await c.get("/sign-in")
    r = await c.post(
        "/sign-in/dev",
        data={"role": role, "scopes": scopes, "subject": subject or f"{role}-t", "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 303, r.text
    home = await c.get("/")
    assert home.status_code == 200, home.text
    return csrf_of(home.text)


def problem(status: int, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": "/problems/x", "title": "x", "status": status, "detail": detail, **extra}


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
