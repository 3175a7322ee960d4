"""The console's settings (``MEDAID_*`` environment variables, like the services').

The console keeps no database and no broker connection: only where the five services
answer, how users sign in, and the key that seals its session cookies."""

from __future__ import annotations

import json
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from medaid_shared.settings import DEV_JWT_SECRET

DEV_SESSION_SECRET = "medaid-console-development-only-session-secret"

Environment = Literal["development", "test", "production"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDAID_", extra="ignore")

    service_name: ClassVar[str] = "console"
    default_port: ClassVar[int] = 8000

    environment: Environment = "development"
    host: str = "127.0.0.1"
    port: int = 0
    log_level: str = "INFO"

    # Where the services' APIs answer (their `/v1` prefix is added by the console).
    referral_url: str = "http://127.0.0.1:8001"
    consent_url: str = "http://127.0.0.1:8002"
    settlement_url: str = "http://127.0.0.1:8003"
    emergency_fund_url: str = "http://127.0.0.1:8004"
    identity_check_url: str = "http://127.0.0.1:8005"
    api_timeout_s: float = 30.0

    # Development sign-in issues the same HS256 development tokens as `medaid token`.
    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwt_issuer: str = "medaid-dev"
    jwt_audience: str = "medaid"

    # Seals the session cookie (AES-GCM); a deployment sets its own.
    session_secret: SecretStr = SecretStr(DEV_SESSION_SECRET)
    session_ttl_s: int = 8 * 3600

    # OpenID Connect (authorization code flow with PKCE) in production.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_redirect_url: str | None = None
    oidc_scopes: str = "openid profile"
    # The claims of the access token that carry the medaid role and scopes (SPEC 0.3).
    oidc_role_claim: str = "role"
    oidc_scope_claim: str = "scope"
    # The issuer's role names → medaid roles, as JSON ({"mz-jz": "civil_affairs"}); a role
    # already named as in medaid needs no entry.
    oidc_role_map: dict[str, str] = Field(default_factory=dict)

    test_clock: bool = False

    @field_validator("oidc_role_map", mode="before")
    @classmethod
    def _parse_role_map(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value

    @property
    def listen_port(self) -> int:
        return self.port or self.default_port

    @property
    def development(self) -> bool:
        return self.environment == "development"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    def service_urls(self) -> dict[str, str]:
        return {
            "referral": self.referral_url,
            "consent": self.consent_url,
            "settlement": self.settlement_url,
            "emergency-fund": self.emergency_fund_url,
            "identity-check": self.identity_check_url,
        }

    @model_validator(mode="after")
    def _refuse_development_defaults(self) -> Settings:
        if self.environment == "development":
            return self
        if self.session_secret.get_secret_value() == DEV_SESSION_SECRET:
            raise ValueError("MEDAID_SESSION_SECRET must be set outside development")
        if self.environment == "production":
            if not self.oidc_enabled or not self.oidc_redirect_url:
                raise ValueError(
                    "MEDAID_OIDC_ISSUER, MEDAID_OIDC_CLIENT_ID and MEDAID_OIDC_REDIRECT_URL must be set in production"
                )
            if self.test_clock:
                raise ValueError("MEDAID_TEST_CLOCK is for tests only and is refused in production")
        return self
