"""Sealed session cookies and CSRF tokens.

The session (who signed in, in which role and scopes, the bearer token the services
accept, the CSRF token) travels in one cookie sealed with AES-GCM: the browser can neither
read the token inside nor change a claim. Cookies are HttpOnly and SameSite=Lax, and Secure
outside development. Every form carries the session's CSRF token and every POST is refused
without it (a signed-out form, the sign-in page, uses a pre-session token cookie)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import Request, Response

from console.settings import Settings
from medaid_shared import clock

SESSION_COOKIE = "medaid_session"
LOGIN_COOKIE = "medaid_login"  # the OIDC state, nonce and PKCE verifier while signing in
CSRF_COOKIE = "medaid_csrf"  # the CSRF token before a session exists
CSRF_FIELD = "csrf_token"


@dataclass
class Session:
    subject: str
    role: str
    scopes: list[str]
    token: str
    expires: float
    name: str | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    via: str = "development"  # or "oidc"
    id_token: str | None = None

    def scope_ids(self, kind: str) -> list[str]:
        return [s.split(":", 1)[1] for s in self.scopes if s.startswith(f"{kind}:")]

    @property
    def expired(self) -> bool:
        return self.expires < clock.now().timestamp()


class Sealer:
    """AES-GCM with a key derived from the session secret; the cookie name is bound as AAD
    so a login cookie can never be replayed as a session."""

    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(hashlib.sha256(b"medaid-console-cookie:" + secret.encode()).digest())

    def seal(self, name: str, data: dict[str, Any]) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, json.dumps(data, separators=(",", ":")).encode(), name.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")

    def open(self, name: str, value: str | None) -> dict[str, Any] | None:
        if not value:
            return None
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            data = json.loads(self._aead.decrypt(raw[:12], raw[12:], name.encode()))
        except (ValueError, InvalidTag):
            return None
        return data if isinstance(data, dict) else None


class Cookies:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sealer = Sealer(settings.session_secret.get_secret_value())

    def _set(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            samesite="lax",
            secure=not self.settings.development,
            path="/",
        )

    def session(self, request: Request) -> Session | None:
        data = self.sealer.open(SESSION_COOKIE, request.cookies.get(SESSION_COOKIE))
        if data is None:
            return None
        try:
            session = Session(**data)
        except TypeError:
            return None
        return None if session.expired else session

    def start_session(self, response: Response, session: Session) -> None:
        self._set(
            response, SESSION_COOKIE, self.sealer.seal(SESSION_COOKIE, asdict(session)), self.settings.session_ttl_s
        )
        response.delete_cookie(CSRF_COOKIE, path="/")
        response.delete_cookie(LOGIN_COOKIE, path="/")

    def end_session(self, response: Response) -> None:
        for name in (SESSION_COOKIE, LOGIN_COOKIE, CSRF_COOKIE):
            response.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=not self.settings.development)

    def login_state(self, request: Request) -> dict[str, Any] | None:
        return self.sealer.open(LOGIN_COOKIE, request.cookies.get(LOGIN_COOKIE))

    def set_login_state(self, response: Response, state: dict[str, Any]) -> None:
        self._set(response, LOGIN_COOKIE, self.sealer.seal(LOGIN_COOKIE, state), 600)

    def anonymous_csrf(self, request: Request) -> str:
        data = self.sealer.open(CSRF_COOKIE, request.cookies.get(CSRF_COOKIE))
        return str(data["t"]) if data and "t" in data else ""

    def set_anonymous_csrf(self, response: Response, token: str) -> None:
        self._set(response, CSRF_COOKIE, self.sealer.seal(CSRF_COOKIE, {"t": token}), 3600)

    def expected_csrf(self, request: Request) -> str:
        """The session's token; without a session (the sign-in page), the pre-session one."""
        session = self.session(request)
        return session.csrf if session else self.anonymous_csrf(request)


def csrf_ok(expected: str, given: object) -> bool:
    return bool(expected) and isinstance(given, str) and hmac.compare_digest(expected, given)
