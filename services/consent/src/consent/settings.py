"""Settings of the consent service."""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr, model_validator

from medaid_shared.crypto import Unsealer
from medaid_shared.settings import DEV_CONSENT_FORMS_PRIVATE_KEY, ServiceSettings


class ConsentSettings(ServiceSettings):
    """Environment prefix ``MEDAID_``. The policy values (LJ-7 thresholds, LJ-11.2) are
    versioned parameters (``consent.domain.parameters``), not settings."""

    service_name: ClassVar[str] = "consent"
    default_port: ClassVar[int] = 8002
    # LJ-18: the LJ measures are Liujiang district's (in Liuzhou city): a scoped department's
    # feed shows this service's events to that district's and city's callers.
    district: str | None = "liujiang"
    city: str | None = "liuzhou"
    # SPEC 0.4 / LJ-7.1: the private half of the key pair referral seals full names with;
    # only consent opens them, to print the annex-3 form the patient side signs.
    consent_forms_private_key: SecretStr = SecretStr(DEV_CONSENT_FORMS_PRIVATE_KEY)

    @model_validator(mode="after")
    def _forms_key_pair(self) -> ConsentSettings:
        private = self.consent_forms_private_key.get_secret_value()
        if self.environment == "production" and private == DEV_CONSENT_FORMS_PRIVATE_KEY:
            raise ValueError("MEDAID_CONSENT_FORMS_PRIVATE_KEY must be set outside development")
        if Unsealer(private).public_key_b64 != self.consent_forms_public_key:
            raise ValueError("MEDAID_CONSENT_FORMS_PRIVATE_KEY does not match MEDAID_CONSENT_FORMS_PUBLIC_KEY")
        return self
