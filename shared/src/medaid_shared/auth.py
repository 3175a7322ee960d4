"""OAuth2 bearer JWTs with role and scope claims (SPEC 0.3) and a data-driven policy.

A token carries ``sub``, ``role`` and ``scope`` (space-separated ``kind:id`` pairs such as
``facility:H001`` or ``town:T01``). Each service declares its policy as data: for each
action, the roles that may perform it. Scope (which facility, institution, village, town,
jurisdiction or city) is then checked by the service against the record it touches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from medaid_shared import clock
from medaid_shared.problems import Forbidden, Unauthorized
from medaid_shared.settings import ServiceSettings


class Role(StrEnum):
    """The actors of SPEC 0.3."""

    HOSPITAL = "hospital"  # 医疗机构
    INSTITUTION = "institution"  # 供养服务机构
    VILLAGE_COMMITTEE = "village_committee"  # 村（居）民委员会
    TOWN_GOVERNMENT = "town_government"  # 镇人民政府 / 社会救助经办机构
    CIVIL_AFFAIRS = "civil_affairs"  # 区民政局社会救助股
    MEDICAL_INSURANCE = "medical_insurance"  # 区医保局
    HEALTH_BUREAU = "health_bureau"  # 区卫生健康局
    POLICE = "police"  # 县（市、区）公安局（分局）
    FUND_AGENCY = "fund_agency"  # 疾病应急救助基金经办机构
    FINANCE = "finance"  # 财政局
    AUDITOR = "auditor"  # 监督管理委员会 (read-only)
    GUARDIAN = "guardian"  # 监护人
    AGENT = "agent"  # 委托代理人
    PATIENT = "patient"  # 本人
    ADMIN = "admin"  # system administrator (policy parameters, calendar)


@dataclass(frozen=True)
class Principal:
    """Who is calling: subject, role and the scopes the token grants."""

    subject: str
    role: Role
    scopes: tuple[str, ...] = ()
    name: str | None = None

    def scope_ids(self, kind: str) -> set[str]:
        """The ids of one scope kind, e.g. ``scope_ids("facility") == {"H001"}``."""
        prefix = f"{kind}:"
        return {s[len(prefix) :] for s in self.scopes if s.startswith(prefix)}

    def in_scope(self, kind: str, value: str | None) -> bool:
        return value is not None and value in self.scope_ids(kind)

    def require_scope(self, kind: str, value: str | None, what: str = "this record") -> None:
        if not self.in_scope(kind, value):
            raise Forbidden(f"{self.role.value} {self.subject} is not scoped to {what} ({kind}:{value})")


@dataclass(frozen=True)
class Policy:
    """Role × action: which roles may perform which action. Loaded from data."""

    rules: Mapping[str, frozenset[Role]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Iterable[str]]) -> Policy:
        return cls({action: frozenset(Role(r) for r in roles) for action, roles in mapping.items()})

    def allows(self, role: Role, action: str) -> bool:
        return role in self.rules.get(action, frozenset())

    def authorize(self, principal: Principal, action: str) -> None:
        if action not in self.rules:
            raise KeyError(f"action {action!r} is not in the policy")
        if not self.allows(principal.role, action):
            raise Forbidden(f"role {principal.role.value} may not {action}")


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


class TokenVerifier:
    """Verifies bearer tokens: HS256 with the shared secret, or RS256/ES256 through the
    OIDC provider's JWKS when ``MEDAID_JWKS_URL`` is set."""

    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url) if settings.jwks_url else None

    def verify(self, token: str) -> Principal:
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
                    options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
                )
                if int(claims["exp"]) < clock.now().timestamp():
                    raise jwt.ExpiredSignatureError("token expired")
            role = Role(claims["role"])
        except (jwt.PyJWTError, KeyError, ValueError) as exc:
            raise Unauthorized(f"invalid bearer token: {exc}") from exc
        scopes = tuple(str(claims.get("scope", "")).split())
        return Principal(subject=str(claims["sub"]), role=role, scopes=scopes, name=claims.get("name"))


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
