"""OIDC sign-in with the authorization code flow and PKCE (RFC 7636, S256), against a small
issuer of this test's own: discovery, authorization, token and JWKS endpoints on a real port.
The issuer refuses a token request whose verifier does not match the challenge, so a
completed sign-in shows the console ran PKCE properly."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from console.session import SESSION_COOKIE

from .conftest import FakeServices, build, client

CLIENT_ID = "medaid-console"
REDIRECT = "https://console.test/oidc/callback"


@dataclass
class Issuer:
    url: str = ""
    key: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    kid: str = "k1"
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    authorize_queries: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    role: Any = "police"
    scope: Any = "jurisdiction:PSB01 city:qingyuan"
    access_tokens: list[str] = field(default_factory=list)

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}


def _handler(issuer: Issuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/.well-known/openid-configuration":
                self._json(
                    200,
                    {
                        "issuer": issuer.url,
                        "authorization_endpoint": f"{issuer.url}/authorize",
                        "token_endpoint": f"{issuer.url}/token",
                        "jwks_uri": f"{issuer.url}/jwks",
                        "end_session_endpoint": f"{issuer.url}/logout",
                        "code_challenge_methods_supported": ["S256"],
                    },
                )
            elif url.path == "/jwks":
                self._json(200, issuer.jwks())
            elif url.path == "/authorize":
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                issuer.authorize_queries.append(q)
                code = secrets.token_urlsafe(16)
                issuer.codes[code] = q
                self.send_response(302)
                self.send_header("Location", f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}")
                self.end_headers()
            else:
                self._json(404, {})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            issuer.token_requests.append(form)
            asked = issuer.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
            if (
                asked is None
                or asked["code_challenge_method"] != "S256"
                or challenge != asked["code_challenge"]
                or form.get("redirect_uri") != asked["redirect_uri"]
                or form.get("client_id") != CLIENT_ID
            ):
                self._json(400, {"error": "invalid_grant"})
                return
            now = int(time.time())
            access = issuer.sign(
                {
                    "iss": issuer.url,
                    "aud": "medaid",
                    "sub": "u-42",
                    "role": issuer.role,
                    "scope": issuer.scope,
                    "iat": now,
                    "exp": now + 600,
                }
            )
            issuer.access_tokens.append(access)
            id_token = issuer.sign(
                {
                    "iss": issuer.url,
                    "aud": CLIENT_ID,
                    "sub": "u-42",
                    "name": "陆警官",
                    "nonce": asked["nonce"],
                    "iat": now,
                    "exp": now + 600,
                }
            )
            self._json(200, {"access_token": access, "id_token": id_token, "token_type": "Bearer", "expires_in": 600})

    return Handler


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    found = Issuer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(found))
    found.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()


def production(fake: FakeServices, issuer: Issuer, **overrides: Any) -> Any:
    return build(
        fake,
        environment="production",
        session_secret="a-production-session-secret-for-the-test",
        oidc_issuer=issuer.url,
        oidc_client_id=CLIENT_ID,
        oidc_redirect_url=REDIRECT,
        jwt_issuer=issuer.url,
        **overrides,
    )


async def _authorize(c: Any, issuer: Issuer) -> Any:
    """Browser steps: the console → the issuer (which signs the user in at once) → back."""
    import httpx

    start = await c.get("/sign-in/oidc", params={"next": "/queues/police-letters"})
    assert start.status_code == 303
    async with httpx.AsyncClient() as browser_to_issuer:
        at_issuer = await browser_to_issuer.get(start.headers["location"])
    assert at_issuer.status_code == 302
    back = urlparse(at_issuer.headers["location"])
    return await c.get(f"{back.path}?{back.query}")


async def test_sign_in_runs_the_code_flow_with_pkce_and_calls_the_services_with_the_access_token(
    fake: FakeServices, issuer: Issuer
) -> None:
    app = production(fake, issuer)
    async with client(app, "https://console.test") as c:
        page = await c.get("/sign-in")
        assert "使用统一身份认证登录" in page.text and 'action="/sign-in/dev"' not in page.text
        done = await _authorize(c, issuer)
        assert done.status_code == 303 and done.headers["location"] == "/queues/police-letters"
        cookie = next(v for k, v in done.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        queue = await c.get("/queues/police-letters")
        assert queue.status_code == 200
        assert "陆警官" in queue.text and "jurisdiction:PSB01" in queue.text
    [asked] = issuer.authorize_queries
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert asked["response_type"] == "code" and asked["redirect_uri"] == REDIRECT and asked["nonce"]
    [token_request] = issuer.token_requests
    assert "code_verifier" in token_request and token_request["code_verifier"] not in json.dumps(asked)
    [access] = issuer.access_tokens
    police = [r for r in fake.seen if r.url.host == "ic.test"]
    assert police and all(r.headers["Authorization"] == f"Bearer {access}" for r in police)


async def test_a_callback_with_another_state_is_refused(fake: FakeServices, issuer: Issuer) -> None:
    app = production(fake, issuer)
    async with client(app, "https://console.test") as c:
        start = await c.get("/sign-in/oidc")
        assert start.status_code == 303
        r = await c.get("/oidc/callback", params={"code": "x", "state": "not-the-one"})
        assert r.status_code == 400 and SESSION_COOKIE not in r.headers.get("set-cookie", "")
    assert issuer.token_requests == []


async def test_a_user_without_a_medaid_role_is_not_signed_in(fake: FakeServices, issuer: Issuer) -> None:
    issuer.role = "visitor"
    app = production(fake, issuer)
    async with client(app, "https://console.test") as c:
        r = await _authorize(c, issuer)
    assert r.status_code == 403 and "medaid role" in r.text


async def test_the_issuers_role_names_are_mapped_to_medaid_roles(fake: FakeServices, issuer: Issuer) -> None:
    issuer.role = ["staff", "gaj-hc"]
    issuer.scope = ["jurisdiction:PSB09", "openid"]
    app = production(fake, issuer, oidc_role_map={"gaj-hc": "police"})
    async with client(app, "https://console.test") as c:
        await _authorize(c, issuer)
        home = await c.get("/")
    assert home.status_code == 200 and "县（市、区）公安局" in home.text and "jurisdiction:PSB09" in home.text


async def test_sign_out_also_ends_the_issuers_session(fake: FakeServices, issuer: Issuer) -> None:
    import re

    app = production(fake, issuer)
    async with client(app, "https://console.test") as c:
        await _authorize(c, issuer)
        home = await c.get("/")
        token = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
        assert token
        out = await c.post("/sign-out", data={"csrf_token": token.group(1)})
    assert out.status_code == 303 and out.headers["location"].startswith(f"{issuer.url}/logout?")
    assert "id_token_hint=" in out.headers["location"]
