"""Service settings: one pydantic-settings class per service, all sharing this base.

Secrets have development defaults so a laptop runs with no set-up; outside development
those defaults are refused at start-up, so a real deployment cannot run on them.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "medaid-development-only-jwt-secret-change-me"
# 32 zero-ish bytes, base64: only ever acceptable in development and tests.
DEV_ENCRYPTION_KEY = "ZGV2ZWxvcG1lbnQtb25seS1rZXktMzItYnl0ZXMhISE="

# The emergency fund's person-matching key pair (X25519, base64), development only.
DEV_PERSON_MATCHING_PRIVATE_KEY = "EGMWN1dWfE0HKP0iCjpBZPnhPM/tg6HSIGhh825I2aQ="
DEV_PERSON_MATCHING_PUBLIC_KEY = "gbAQX8U1YkSOnrrNx7wzlvN5AosoWnXBUDQwlsnhPz4="
# SPEC 0.4: ID numbers sealed for the emergency fund say this, so a sealed value opens
# only for the purpose it was sealed for.
PERSON_MATCHING_PURPOSE = "medaid:emergency-fund:person-matching"
# The consent service's key pair for the names on the forms a person signs (development only).
DEV_CONSENT_FORMS_PRIVATE_KEY = "sBXr8oUMnYnQGmC0gqGF7rQ9Vn2kPHuOvmGFUw0QF2Q="
DEV_CONSENT_FORMS_PUBLIC_KEY = "yGRo03ADIicvlTz/4V5WZHRepdAolsn3BhXfRzA+cUo="
CONSENT_FORMS_PURPOSE = "medaid:consent:signed-forms"
# The settlement service's key pair for the diagnosis groups referral announces at discharge
# (development only): referral seals them with the public half, only settlement opens them.
DEV_DIAGNOSIS_GROUPS_PRIVATE_KEY = "2P5yuPI5+gGR2PQ6w2SZL/8dtCpg9AhUHFnTQp25o08="
DEV_DIAGNOSIS_GROUPS_PUBLIC_KEY = "U5BaR6/ezNx02rQotzOGvS12WTP+SiX/6jit4o88KlM="
# SPEC 0.4 / LJ-9: what a diagnosis group sealed for settlement says it is for.
DIAGNOSIS_GROUPS_PURPOSE = "medaid:settlement:diagnosis-groups"

Environment = Literal["development", "test", "production"]


class ServiceSettings(BaseSettings):
    """Settings every service reads. Environment variables: ``MEDAID_*`` plus the
    conventional ``DATABASE_URL``, ``KAFKA_BOOTSTRAP_SERVERS`` and
    ``OTEL_EXPORTER_OTLP_ENDPOINT``."""

    model_config = SettingsConfigDict(env_prefix="MEDAID_", extra="ignore")

    service_name: ClassVar[str] = "medaid"
    default_port: ClassVar[int] = 8000

    environment: Environment = "development"
    database_url: str = Field(
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/medaid",
        validation_alias=AliasChoices("DATABASE_URL", "MEDAID_DATABASE_URL"),
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "MEDAID_KAFKA_BOOTSTRAP_SERVERS"),
    )
    topic_prefix: str = "medaid"
    host: str = "127.0.0.1"
    port: int = 0

    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwt_issuer: str = "medaid-dev"
    jwt_audience: str = "medaid"
    jwks_url: str | None = None
    encryption_key: SecretStr = SecretStr(DEV_ENCRYPTION_KEY)
    # SPEC 0.4: the emergency fund matches persons across services (destitute persons, the
    # police's identifications, the blacklist). Services seal an ID number for it with its
    # public key; only the fund holds the private key. No digest any service could
    # recompute ever travels in an event.
    person_matching_public_key: str = DEV_PERSON_MATCHING_PUBLIC_KEY
    # SPEC 0.4 / LJ-7.1: referral seals a person's full name for the consent service, which
    # prints it on the annex-3 form the patient side signs; no other service can read it.
    consent_forms_public_key: str = DEV_CONSENT_FORMS_PUBLIC_KEY

    # LJ-18: the district and city this service serves, for events that name neither (a
    # scoped department's feed shows them only to callers of that district or city).
    district: str | None = None
    city: str | None = None

    run_background: bool = True
    relay_interval_s: float = 0.2
    scheduler_interval_s: float = 1.0
    outbox_retention_days: int = 30
    # SPEC 0.4: how long a command's stored answer serves retries before it is purged.
    idempotency_retention_days: int = 7
    retention_interval_s: float = 3600.0
    consumer_max_attempts: int = 3
    # Supervised background loops: a loop that fails is restarted after a capped,
    # jittered exponential back-off; one that stays down longer than the limit fails
    # /healthz so the orchestrator restarts the process.
    loop_restart_initial_s: float = 0.5
    loop_restart_max_s: float = 30.0
    loop_restart_jitter_s: float = 1.0
    loop_settle_s: float = 10.0
    loop_down_limit_s: float = 300.0
    # Database or broker unavailable: the same back-off, for as long as the outage lasts.
    transient_retry_initial_s: float = 0.2
    transient_retry_max_s: float = 10.0
    # A deadline whose handler fails is tried again after this back-off (it never blocks others).
    deadline_retry_initial_s: float = 5.0
    deadline_retry_max_s: float = 3600.0
    # How often the broker is checked for lost data (missing or auto-created topics, a new
    # broker lifetime, fewer records than the outbox published): then it is restored.
    broker_check_interval_s: float = 5.0
    test_clock: bool = False

    otlp_endpoint: str | None = Field(
        default=None,
        validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT", "MEDAID_OTLP_ENDPOINT"),
    )
    # A span per SQL statement (about 60 µs each, a fifth of a command's time): off unless
    # asked for; every command's unit of work has a span of its own either way.
    trace_statements: bool = False
    log_level: str = "INFO"
    db_pool_size: int = 5
    # Largest request body a service reads (413 above it); a service that takes uploads
    # sets its own.
    max_request_bytes: int = Field(default=2 * 1024 * 1024, gt=0)

    @property
    def db_schema(self) -> str:
        """The PostgreSQL schema this service owns."""
        return self.service_name.replace("-", "_")

    @property
    def listen_port(self) -> int:
        return self.port or self.default_port

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> ServiceSettings:
        if self.environment == "development" or self.environment == "test":
            return self
        if self.jwt_secret.get_secret_value() == DEV_JWT_SECRET and not self.jwks_url:
            raise ValueError("MEDAID_JWT_SECRET (or MEDAID_JWKS_URL) must be set outside development")
        if self.encryption_key.get_secret_value() == DEV_ENCRYPTION_KEY:
            raise ValueError("MEDAID_ENCRYPTION_KEY must be set outside development")
        if self.person_matching_public_key == DEV_PERSON_MATCHING_PUBLIC_KEY:
            raise ValueError("MEDAID_PERSON_MATCHING_PUBLIC_KEY must be set outside development")
        if self.consent_forms_public_key == DEV_CONSENT_FORMS_PUBLIC_KEY:
            raise ValueError("MEDAID_CONSENT_FORMS_PUBLIC_KEY must be set outside development")
        if self.test_clock:
            raise ValueError("MEDAID_TEST_CLOCK is for tests only and is refused in production")
        return self

    def feed_scopes(self) -> dict[str, str]:
        return {k: v for k, v in (("district", self.district), ("city", self.city)) if v is not None}

    def topic(self, logical: str) -> str:
        """Physical Kafka topic for a logical topic such as ``referral.admission``."""
        return f"{self.topic_prefix}.{logical}.v1"

    def dead_letter_topic(self) -> str:
        return f"{self.topic_prefix}.{self.service_name}.dead-letter.v1"
