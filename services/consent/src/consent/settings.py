"""Settings of the consent service."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import SecretStr

from medaid_shared.settings import DEV_CONSENT_FORMS_PRIVATE_KEY, ServiceSettings


class ConsentSettings(ServiceSettings):
    """Environment prefix ``MEDAID_``. The policy values below are the defaults in force
    until an administrator loads a parameter version with a later effective date
    (``POST /policy/parameters``)."""

    service_name: ClassVar[str] = "consent"
    default_port: ClassVar[int] = 8002
    # LJ-18: the LJ measures are Liujiang district's (in Liuzhou city): a scoped department's
    # feed shows this service's events to that district's and city's callers.
    district: str | None = "liujiang"
    city: str | None = "liuzhou"
    # SPEC 0.4 / LJ-7.1: the private half of the key pair referral seals full names with;
    # only consent opens them, to print the annex-3 form the patient side signs.
    consent_forms_private_key: SecretStr = SecretStr(DEV_CONSENT_FORMS_PRIVATE_KEY)

    # LJ-7.0: single cost ≥ this needs the double review.
    self_pay_review_threshold: Decimal = Decimal("200.00")
    # LJ-7.3: single estimate > this, or cumulative > the next one → civil-affairs filing.
    self_pay_civil_affairs_single_threshold: Decimal = Decimal("1000.00")
    self_pay_civil_affairs_cumulative_threshold: Decimal = Decimal("2000.00")
    # LJ-7.3 interpretation: cumulative over the same admission, or per calendar year.
    self_pay_cumulative_scope: Literal["admission", "calendar_year"] = "admission"
    # LJ-11.2 interpretation: the expert must not be from the treating hospital.
    expert_from_other_hospital: bool = True
    # From when the defaults apply (a parameter version with a later date replaces them).
    policy_defaults_effective_from: datetime = datetime(2026, 1, 1, tzinfo=UTC)
