"""The HTTP edge of authorization: OAuth2 bearer JWTs with role and scope claims (SPEC 0.3)
verified into a :class:`~medaid_shared.authz.Principal`, and the FastAPI dependency that
does it for every route.

A token carries ``sub``, ``role`` and ``scope`` (space-separated ``kind:id`` pairs such as
``facility:H001`` or ``town:T01``). Roles, the principal and the policy are pure
(:mod:`medaid_shared.authz`, re-exported here for the edge).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable
from datetime import timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from medaid_shared import clock
from medaid_shared.authz import Policy, Principal, Role
from medaid_shared.errors import Unauthorized
from medaid_shared.settings import ServiceSettings

__all__ = [
    "CurrentPrincipal",
    "Policy",
    "Principal",
    "Role",
    "TokenVerifier",
    "current_principal",
    "issue_token",
]


def issue_token(
    settings: ServiceSettings,
    *,
    subject: str,
    role: str,
    scopes: Iterable[str] = (),
    name: str | None = None,
    ttl: timedelta = timedelta(hours=12),
) -> str:
    """A development token signed with the shared secret (``medaid token``)."""
    issued = clock.now()
    claims = {
        "sub": subject,
        "role": Role(role).value,
        "scope": " ".join(scopes),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": int(issued.timestamp()),
        "exp": int((issued + ttl).timestamp()),
    }
    if name:
        claims["name"] = name
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


VERIFIED_FOR_S = 60.0
"""How long a verified token is answered from memory (never past its expiry)."""
VERIFIED_TOKENS = 1024
"""How many verified tokens are remembered (the least recently verified go first)."""


class TokenVerifier:
    """Verifies bearer tokens: HS256 with the shared secret, or RS256/ES256 through the
    OIDC provider's JWKS when ``MEDAID_JWKS_URL`` is set."""

    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url) if settings.jwks_url else None
        # token -> (principal, exp): a client sends the same token with every request, and
        # checking its signature and claims again each time is a tenth of a short command
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    def verify(self, token: str) -> Principal:
        """The principal of a valid token. Any token that is malformed, expired, wrongly
        signed or lacks a claim the principal needs is 401 — never a server error.

        A token verified before (the same bytes, signature included) is answered from a
        bounded memo for at most :data:`VERIFIED_FOR_S`, its expiry still checked against
        the service clock on every request."""
        now = clock.now().timestamp()
        memo = self._verified.get(token)
        if memo is not None:
            if now < memo[1]:
                return memo[0]
            del self._verified[token]
        principal, exp = self._verify(token)
        self._verified[token] = (principal, min(exp, now + VERIFIED_FOR_S))
        if len(self._verified) > VERIFIED_TOKENS:
            self._verified.popitem(last=False)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        s = self._settings
        try:
            if self._jwks is not None:
                key = self._jwks.get_signing_key_from_jwt(token).key
                claims = jwt.decode(
                    token, key, algorithms=["RS256", "ES256"], audience=s.jwt_audience, issuer=s.jwt_issuer
                )
            else:
                claims = jwt.decode(
                    token,
                    s.jwt_secret.get_secret_value(),
                    algorithms=["HS256"],
                    audience=s.jwt_audience,
                    issuer=s.jwt_issuer,
                    # Times are checked against the service clock below, not the host's.
                    options={"verify_exp": False, "verify_iat": False, "verify_nbf": False, "require": ["exp"]},
                )
                exp = claims["exp"]
                if isinstance(exp, bool) or not isinstance(exp, int | float) or not math.isfinite(exp):
                    raise jwt.InvalidTokenError("exp is not a number")
                if exp < clock.now().timestamp():
                    raise jwt.ExpiredSignatureError("token expired")
            exp = claims.get("exp")
            until = float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else math.inf
            return _principal(claims), until
        except Unauthorized:
            raise
        except (jwt.PyJWTError, KeyError, ValueError, TypeError, OverflowError) as exc:
            raise Unauthorized(f"invalid bearer token: {exc}") from exc


def _principal(claims: Any) -> Principal:
    """The principal the claims describe; every claim it needs present and well typed."""

    def refuse(why: str) -> Unauthorized:
        return Unauthorized(f"invalid bearer token: {why}")

    if not isinstance(claims, dict):
        raise refuse("the claims are not an object")
    subject, role, scope, name = claims.get("sub"), claims.get("role"), claims.get("scope", ""), claims.get("name")
    if not isinstance(subject, str) or not subject.strip():
        raise refuse("no subject (sub)")
    if not isinstance(role, str) or role not in {r.value for r in Role}:
        raise refuse("no known role")
    if scope is None:
        scope = ""
    if not isinstance(scope, str):
        raise refuse("scope is not a space-separated string")
    if name is not None and not isinstance(name, str):
        raise refuse("name is not a string")
    return Principal(subject=subject, role=Role(role), scopes=tuple(scope.split()), name=name)


_bearer = HTTPBearer(auto_error=False)


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("a bearer token is required")
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier.verify(credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
