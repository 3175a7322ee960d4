"""Development sign-in, session cookies, CSRF on every form, sign-out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import jwt
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from console.session import SESSION_COOKIE
from console.settings import Settings
from medaid_shared.settings import ServiceSettings

from .conftest import FakeServices, build, client, csrf_of, sign_in


async def test_development_sign_in_issues_a_token_the_services_verify(app: FastAPI, fake: FakeServices) -> None:
    async with client(app) as c:
        await sign_in(c, "police", "jurisdiction:PSB01 city:qingyuan", "psb-1")
        police_calls = [r for r in fake.seen if r.url.host == "ic.test"]
    assert police_calls, "the police dashboard reads the identity-check queue"
    token = police_calls[0].headers["Authorization"].removeprefix("Bearer ")
    dev = ServiceSettings()
    claims = jwt.decode(token, dev.jwt_secret.get_secret_value(), algorithms=["HS256"], audience=dev.jwt_audience)
    assert (claims["sub"], claims["role"], claims["scope"]) == ("psb-1", "police", "jurisdiction:PSB01 city:qingyuan")


async def test_session_cookie_is_httponly_samesite_and_sealed(app: FastAPI) -> None:
    async with client(app) as c:
        page = await c.get("/sign-in")
        r = await c.post("/sign-in/dev", data={"role": "auditor", "csrf_token": csrf_of(page.text)})
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # development on http://127.0.0.1
    value = cookie.split(";")[0].split("=", 1)[1]
    assert "auditor" not in value and "eyJ" not in value, "the token and the claims are not readable in the cookie"


async def test_cookies_are_secure_outside_development(fake: FakeServices) -> None:
    app = build(fake, environment="test", session_secret="a-test-session-secret-of-some-length")
    async with client(app, "https://console.test") as c:
        r = await c.get("/sign-in")
    cookie = r.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


async def test_development_sign_in_is_refused_outside_development(fake: FakeServices) -> None:
    app = build(fake, environment="test", session_secret="a-test-session-secret-of-some-length")
    async with client(app, "https://console.test") as c:
        page = await c.get("/sign-in")
        assert 'action="/sign-in/dev"' not in page.text
        r = await c.post("/sign-in/dev", data={"role": "civil_affairs"})
        assert r.status_code == 403 and "仅在开发环境中可用" in r.text
        assert SESSION_COOKIE not in r.headers.get("set-cookie", "")


def test_production_needs_an_issuer_and_its_own_session_secret() -> None:
    with pytest.raises(ValueError, match="MEDAID_SESSION_SECRET"):
        Settings(environment="production")
    with pytest.raises(ValueError, match="MEDAID_OIDC_ISSUER"):
        Settings(environment="production", session_secret="s" * 40)
    Settings(
        environment="production",
        session_secret="s" * 40,
        oidc_issuer="https://id.example.gov.cn",
        oidc_client_id="medaid-console",
        oidc_redirect_url="https://console.example.gov.cn/oidc/callback",
    )


def _api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every route, also inside the routers the app includes (one per area)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (included := getattr(route, "original_router", None)) is not None:
            yield from _api_routes(included.routes)


def _post_routes(app: FastAPI) -> list[str]:
    return [
        route.path.replace("{ident}", "I1")
        .replace("{request_id}", "R1")
        .replace("{key}", "K")
        .replace("{item_id}", "I1")
        .replace("{case_id}", "C1")
        .replace("{channel}", "liable_party")
        .replace("{app_id}", "A1")
        .replace("{filing_id}", "F1")
        for route in _api_routes(app.routes)
        if "POST" in route.methods
    ]


async def test_every_form_post_without_its_csrf_token_is_refused_and_sends_nothing(
    app: FastAPI, fake: FakeServices
) -> None:
    paths = _post_routes(app)
    assert len(paths) >= 15, paths
    async with client(app) as c:
        token = await sign_in(c, "civil_affairs")
        before = len(fake.seen)
        for path in paths:
            for data in ({"outcome": "approved"}, {"outcome": "approved", "csrf_token": "forged"}):
                r = await c.post(path, data=data)
                assert r.status_code == 403, (path, r.status_code)
                assert "CSRF" in r.text
        assert len(fake.seen) == before, "no refused form reached a service"
        # With the token the same form goes through to the service.
        fake.on("POST", "/v1/self-pay-items/I1/civil-affairs-review", 200, {"status": "approved"})
        r = await c.post("/self-pay-items/I1/civil-affairs-review", data={"outcome": "approved", "csrf_token": token})
        assert r.status_code == 303
    sent = [r for r in fake.seen if r.method == "POST"]
    assert [r.url.path for r in sent] == ["/v1/self-pay-items/I1/civil-affairs-review"]


async def test_sign_out_ends_the_session(app: FastAPI) -> None:
    async with client(app) as c:
        token = await sign_in(c, "finance", "city:qingyuan")
        r = await c.post("/sign-out", data={"csrf_token": token})
        assert r.status_code == 303 and r.headers["location"] == "/sign-in"
        home = await c.get("/")
        assert home.status_code == 303 and home.headers["location"].startswith("/sign-in")


async def test_an_expired_token_sends_the_user_back_to_sign_in(app: FastAPI, fake: FakeServices) -> None:
    fake.on("GET", "/v1/identity-checks/queue", 401, {"title": "Unauthorized", "status": 401, "detail": "expired"})
    async with client(app) as c:
        page = await c.get("/sign-in")
        await c.post("/sign-in/dev", data={"role": "police", "csrf_token": csrf_of(page.text)})
        home = await c.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/sign-in?expired=1"
