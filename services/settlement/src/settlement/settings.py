"""Settings of the settlement service.

The insurance and aid amounts are versioned policy parameters (a table loaded through the
admin API / CLI). The interpretations below (SPEC marks them so) are settings: an
administrator changes them by configuration, never by code.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator

from medaid_shared.settings import DEV_DIAGNOSIS_GROUPS_PRIVATE_KEY, ServiceSettings


class SettlementSettings(ServiceSettings):
    service_name: ClassVar[str] = "settlement"
    default_port: ClassVar[int] = 8003
    # LJ-18: the LJ measures are Liujiang district's (in Liuzhou city): a scoped department's
    # feed shows this service's events to that district's and city's callers.
    district: str | None = "liujiang"
    city: str | None = "liuzhou"
    # SPEC 0.4 / LJ-9: the private half of the key pair referral seals discharge diagnosis
    # groups with; only settlement opens them (and keeps them encrypted at rest).
    diagnosis_groups_private_key: SecretStr = SecretStr(DEV_DIAGNOSIS_GROUPS_PRIVATE_KEY)

    @model_validator(mode="after")
    def _diagnosis_groups_key(self) -> SettlementSettings:
        private = self.diagnosis_groups_private_key.get_secret_value()
        if self.environment == "production" and private == DEV_DIAGNOSIS_GROUPS_PRIVATE_KEY:
            raise ValueError("MEDAID_DIAGNOSIS_GROUPS_PRIVATE_KEY must be set outside development")
        return self

    # LJ-3.2b: from this date aid recipients must use designated facilities, referred by primary care.
    designated_required_from: date = date(2026, 1, 1)
    # Interpretation: an emergency admission needs no referral slip for one-stop settlement.
    emergency_exempt_from_referral: bool = True
    # Interpretation of LJ-4.3b: only medical aid is refused; the support fund still covers the rest.
    support_fund_when_aid_refused_out_of_guangxi: bool = True
    # LJ-13.2: centralized persons apply for manual reimbursement within 15 working days after discharge.
    manual_application_working_days: int = Field(default=15, ge=1)
    # SPEC 0.5: a settlement refused because a fact is still on its way between services
    # (a self-pay item not yet known here) answers Retry-After with this many seconds.
    not_decidable_retry_after_seconds: int = Field(default=30, ge=1, le=3600)

    # LJ-8 (interpretation): abnormal self-pay share = above the district median by more than k × IQR.
    self_pay_iqr_multiplier: Decimal = Decimal("2")
    # Quartiles of fewer values than this say nothing: no hospital / case is judged against them.
    quartile_min_count: int = Field(default=4, ge=2)
    # LJ-15.4 (interpretation): abnormally high-cost case / long stay = above Q3 + k × IQR of the
    # quarter's discharged admissions (cost overall; stay length per diagnosis group).
    high_cost_iqr_multiplier: Decimal = Decimal("2")
    long_stay_iqr_multiplier: Decimal = Decimal("2")
    long_stay_min_days: int = 15
    # LJ-9 (interpretation): bed-hanging = at least this many in-stay days without any service
    # other than bed, nursing and board; cost far above the district average for the diagnosis
    # group = above this factor × the group's average (with at least min cases in the group).
    bed_hanging_min_days: int = 2
    bed_only_categories: tuple[str, ...] = ("bed", "nursing", "board")
    cost_above_average_factor: Decimal = Decimal("2")
    cost_average_min_cases: int = 3
