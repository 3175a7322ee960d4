"""The HTTP edge of every service: a bad bearer token of any kind is 401, an oversized
body is 413 before it is read, a JSON body whose bytes are not the UTF-8 it must be is
4xx — each as RFC 9457 problem details. Run against each of the five services' apps."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import cache
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI

from medaid_shared import clock
from medaid_shared.auth import issue_token
from medaid_shared.services import SERVICES

FIVE = ["referral", "consent", "settlement", "emergency-fund", "identity-check"]
PROTECTED = "/v1/admin/calendar/2027"  # every service's kernel admin route, bearer-protected
LIMIT = 64 * 1024


@cache
def service_app(name: str, max_request_bytes: int | None = None) -> FastAPI:
    bootstrap = SERVICES[name].bootstrap()
    overrides: dict[str, Any] = {"environment": "test", "run_background": False}
    if max_request_bytes is not None:
        overrides["max_request_bytes"] = max_request_bytes
    app: FastAPI = bootstrap.create_app(bootstrap.Settings(**overrides))
    return app


@pytest.fixture(params=FIVE)
async def client(request: pytest.FixtureRequest) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = service_app(request.param, LIMIT)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield app, c


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    assert body["detail"]
    return body


def claims(app: FastAPI, **changes: Any) -> dict[str, Any]:
    s = app.state.runtime.settings
    now = int(clock.now().timestamp())
    base: dict[str, Any] = {
        "sub": "admin-1",
        "role": "admin",
        "scope": "city:C1",
        "iss": s.jwt_issuer,
        "aud": s.jwt_audience,
        "iat": now,
        "exp": now + 3600,
    }
    for key, value in changes.items():
        if value is DROP:
            base.pop(key, None)
        else:
            base[key] = value
    return base


DROP = object()


def signed(app: FastAPI, payload: Any, secret: str | None = None, algorithm: str = "HS256") -> str:
    key = secret or app.state.runtime.settings.jwt_secret.get_secret_value()
    if isinstance(payload, dict):
        return jwt.encode(payload, key, algorithm=algorithm)
    return jwt.api_jws.encode(json.dumps(payload).encode(), key, algorithm=algorithm)


BAD_TOKENS: dict[str, Any] = {
    "not a JWT": lambda app: "not-a-token",
    "three garbage segments": lambda app: "a.b.c",
    "non-ASCII": lambda app: "äöü.ß.€",
    "wrong signature": lambda app: signed(app, claims(app), secret="someone-elses-secret-of-32-bytes!!"),
    "unsigned (alg none)": lambda app: jwt.encode(claims(app), key=None, algorithm="none"),
    "expired": lambda app: signed(app, claims(app, exp=int((clock.now() - timedelta(hours=1)).timestamp()))),
    "no exp": lambda app: signed(app, claims(app, exp=DROP)),
    "exp a string": lambda app: signed(app, claims(app, exp="tomorrow")),
    "exp a list": lambda app: signed(app, claims(app, exp=[1, 2])),
    "no sub": lambda app: signed(app, claims(app, sub=DROP)),
    "empty sub": lambda app: signed(app, claims(app, sub="")),
    "sub a number": lambda app: signed(app, claims(app, sub=42)),
    "no role": lambda app: signed(app, claims(app, role=DROP)),
    "unknown role": lambda app: signed(app, claims(app, role="emperor")),
    "role a list": lambda app: signed(app, claims(app, role=["admin"])),
    "scope a list": lambda app: signed(app, claims(app, scope=["city:C1"])),
    "scope a number": lambda app: signed(app, claims(app, scope=7)),
    "name an object": lambda app: signed(app, claims(app, name={"first": "x"})),
    "wrong audience": lambda app: signed(app, claims(app, aud="someone-else")),
    "wrong issuer": lambda app: signed(app, claims(app, iss="someone-else")),
    "claims an array": lambda app: signed(app, [1, 2, 3]),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
async def test_every_bad_bearer_token_is_a_401_problem(client: tuple[FastAPI, httpx.AsyncClient], case: str) -> None:
    app, c = client
    token = BAD_TOKENS[case](app)
    r = await c.put(PROTECTED, json={}, headers={"Authorization": f"Bearer {token}".encode()})
    body = assert_problem(r, 401)
    assert body["type"] == "/problems/unauthorized"


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic YWRtaW46YWRtaW4=", "Token abc"])
async def test_a_missing_or_foreign_authorization_header_is_a_401_problem(
    client: tuple[FastAPI, httpx.AsyncClient], header: str
) -> None:
    _, c = client
    r = await c.put(PROTECTED, json={}, headers={"Authorization": header} if header else {})
    assert_problem(r, 401)


async def test_a_good_token_still_passes_the_edge(client: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, c = client
    token = issue_token(app.state.runtime.settings, subject="admin-1", role="admin")
    # Past authentication, the body is validated (the year's holidays must be dates).
    r = await c.put(PROTECTED, json={"holidays": ["not-a-date"]}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422, r.text


class Asgi:
    """A raw ASGI request, to see what the app reads of the body before it answers."""

    def __init__(self, chunks: list[bytes], headers: dict[str, str]) -> None:
        self.chunks = chunks
        self.headers = headers
        self.read = 0
        self.messages: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        if self.read < len(self.chunks):
            self.read += 1
            return {
                "type": "http.request",
                "body": self.chunks[self.read - 1],
                "more_body": self.read < len(self.chunks),
            }
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        self.messages.append(message)

    async def call(self, app: FastAPI) -> tuple[int, dict[str, Any]]:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "PUT",
            "scheme": "http",
            "path": PROTECTED,
            "raw_path": PROTECTED.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in self.headers.items()],
            "client": ("127.0.0.1", 1234),
            "server": ("test", 80),
        }
        await app(scope, self.receive, self.send)
        start = next(m for m in self.messages if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in self.messages if m["type"] == "http.response.body")
        content_type = dict(start["headers"]).get(b"content-type", b"").decode()
        assert content_type == "application/problem+json", content_type
        return start["status"], json.loads(body)


@pytest.mark.parametrize("name", FIVE)
async def test_a_body_declared_over_the_limit_is_413_before_any_of_it_is_read(name: str) -> None:
    request = Asgi([b"{" + b" " * 1024] * 100, {"content-type": "application/json", "content-length": str(10**9)})
    status, body = await request.call(service_app(name, LIMIT))
    assert status == 413
    assert body["type"] == "/problems/too-large"
    assert request.read == 0


@pytest.mark.parametrize("name", FIVE)
async def test_a_chunked_body_is_counted_and_refused_once_it_passes_the_limit(name: str) -> None:
    chunk = 16 * 1024
    request = Asgi([b" " * chunk] * 100, {"content-type": "application/json"})  # 1.6 MB, no Content-Length
    status, body = await request.call(service_app(name, LIMIT))
    assert status == 413
    assert body["type"] == "/problems/too-large"
    assert request.read == LIMIT // chunk + 1  # it stopped reading at the first chunk past the limit


@pytest.mark.parametrize("name", FIVE)
async def test_a_body_that_understates_its_length_is_still_counted(name: str) -> None:
    request = Asgi([b" " * (LIMIT + 1)], {"content-type": "application/json", "content-length": "10"})
    status, _ = await request.call(service_app(name, LIMIT))
    assert status == 413


def test_each_service_has_its_own_body_limit_identity_check_a_larger_one_for_photos() -> None:
    limits = {name: SERVICES[name].bootstrap().Settings(environment="test").max_request_bytes for name in FIVE}
    assert limits["identity-check"] == 40 * 1024 * 1024
    assert all(limits[n] == 2 * 1024 * 1024 for n in FIVE if n != "identity-check")


async def test_a_content_length_that_is_not_a_number_is_a_400_problem(
    client: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, _ = client
    status, _ = await Asgi([b"{}"], {"content-type": "application/json", "content-length": "lots"}).call(app)
    assert status == 400


@pytest.mark.parametrize("charset", ["utf-16", "UTF-32", "latin-1", "gb2312"])
async def test_a_json_body_declaring_a_charset_other_than_utf8_is_a_415_problem(
    client: tuple[FastAPI, httpx.AsyncClient], charset: str
) -> None:
    _, c = client
    r = await c.put(
        PROTECTED, content=b'{"holidays": []}', headers={"content-type": f"application/json; charset={charset}"}
    )
    body = assert_problem(r, 415)
    assert charset in body["detail"]


async def test_json_bytes_that_are_not_utf8_are_a_400_problem(client: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, c = client
    for payload in ('{"holidays": []}'.encode("utf-16"), '{"source": "\u6c11\u653f"}'.encode("gb18030")):
        r = await c.put(PROTECTED, content=payload, headers={"content-type": "application/json"})
        assert_problem(r, 400)


async def test_utf8_declared_or_not_is_accepted(client: tuple[FastAPI, httpx.AsyncClient]) -> None:
    """The guard lets UTF-8 JSON through (here to the token check, which refuses)."""
    _, c = client
    for content_type in ("application/json", "application/json; charset=utf-8", "application/json; charset=UTF8"):
        r = await c.put(PROTECTED, content='{"source": "民政"}'.encode(), headers={"content-type": content_type})
        assert_problem(r, 401)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
async def test_a_non_json_content_type_on_a_json_endpoint_is_a_4xx_problem(
    client: tuple[FastAPI, httpx.AsyncClient], content_type: str
) -> None:
    app, c = client
    token = issue_token(app.state.runtime.settings, subject="admin-1", role="admin")
    r = await c.put(
        PROTECTED,
        content=b'{"holidays": []}',
        headers={"content-type": content_type, "Authorization": f"Bearer {token}"},
    )
    assert 400 <= r.status_code < 500, r.text
    assert r.headers["content-type"] == "application/problem+json"
