"""Settings of the emergency-fund service.

The ``param_*`` fields are the *defaults* of the policy parameters (SPEC §6), one per field
of the kernel parameter kinds of :mod:`emergency_fund.domain.parameters`. An administrator
loads versions with effective dates through ``POST /admin/parameters``; the defaults apply
where no version is in force, and are cited as ``<kind>:any:any:default``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from pydantic import SecretStr, model_validator

from emergency_fund.domain.params import FIELDS, defaults_from
from medaid_shared.crypto import Unsealer
from medaid_shared.settings import DEV_PERSON_MATCHING_PRIVATE_KEY, ServiceSettings


class EmergencyFundSettings(ServiceSettings):
    service_name: ClassVar[str] = "emergency-fund"
    default_port: ClassVar[int] = 8004

    # SPEC 0.4: only the fund holds the private half of the person-matching key pair; it
    # opens the ID numbers other services seal for it and indexes them with its own key.
    person_matching_private_key: SecretStr = SecretStr(DEV_PERSON_MATCHING_PRIVATE_KEY)

    @model_validator(mode="after")
    def _matching_key_pair(self) -> EmergencyFundSettings:
        private = self.person_matching_private_key.get_secret_value()
        if self.environment == "production" and private == DEV_PERSON_MATCHING_PRIVATE_KEY:
            raise ValueError("MEDAID_PERSON_MATCHING_PRIVATE_KEY must be set outside development")
        if Unsealer(private).public_key_b64 != self.person_matching_public_key:
            raise ValueError("MEDAID_PERSON_MATCHING_PRIVATE_KEY does not match MEDAID_PERSON_MATCHING_PUBLIC_KEY")
        return self

    # GD-13.3: the emergency period, normally within 72 hours from admission.
    param_emergency_period_hours: int = 72
    # GD-13.3: who may have the period extended (poor critically ill pregnant women, newborns).
    param_emergency_extension_categories: list[str] = [
        "poor_critically_ill_pregnant_woman",
        "critically_ill_newborn",
    ]
    # GD-13.3 (interpretation): an upper bound on an extended period, hours from admission.
    param_emergency_extension_max_hours: int = 720
    # GD-13.3 (interpretation): a newborn (新生儿) is at most this many days old at admission.
    param_newborn_max_age_days: int = 28
    # GD-13.5 (interpretation): the monthly urban minimum-living standard / this = daily amount.
    param_living_cost_days_per_month: int = 30
    # GD-13.5 (interpretation): "started" counts every started 24 hours of the period as a
    # day, "completed" only every completed 24 hours (at least one day either way).
    param_living_cost_day_counting: str = "started"
    # GD-13.4 (interpretation): when the reference table has no row for the admission year,
    # the latest earlier year up to this many years back is used.
    param_cost_reference_fallback_years: int = 1
    # GD-18.1 (interpretation): a 0.00 the hospital claims for these channels is settled only
    # by the department's confirmation, never by the agency's waiver.
    param_channels_zero_needs_department: list[str] = [
        "liable_party",
        "work_injury_insurance",
        "road_traffic_accident_fund",
    ]
    # GD-17: what counts as "unable to pay" is set locally; the GD-22.3 statuses by default.
    param_unable_to_pay_criteria: list[str] = [
        "destitute",
        "orphan",
        "de_facto_unsupported_child",
        "minimum_living",
        "marginal_family",
        "hardship_family",
        "homeless_vagrant",
    ]
    # GD-20.2 step deadlines, working days.
    param_agency_review_working_days: int = 10
    param_health_forward_working_days: int = 5
    param_finance_disburse_working_days: int = 20
    # GD-21: each public notice runs at least this many working days.
    param_notice_working_days: int = 3
    # GD-7: the year's pre-allocations reach at least this share of central + provincial transfers.
    param_preallocation_min_share: Decimal = Decimal("0.80")
    # GD-7 (interpretation): suggested pre-allocation = last cycle's use × this ratio.
    param_preallocation_ratio: Decimal = Decimal("0.80")
    # GD-7 (interpretation): the year-end check of the minimum runs at the end of this day
    # (MM-DD, Asia/Shanghai) of the year it checks.
    param_preallocation_check_day: str = "12-31"
    # GD-7 (interpretation): money a hospital returned after a late identification (GD-16.4)
    # is taken off the use of the cycle that paid it (``disbursement_cycle``) or of the cycle
    # it came back in (``refund_cycle``).
    param_preallocation_refunds_reduce: str = "disbursement_cycle"
    # GD-19 (interpretation): the registration records are delivered daily at this time
    # (HH:MM, Asia/Shanghai).
    param_registration_export_time: str = "02:00"
    # GD-8 (interpretation): the yearly training reminder fires on this day (MM-DD, Asia/Shanghai)
    # when no training has been recorded for the year.
    param_training_reminder_day: str = "11-01"
    # GD-16.4 (interpretation): a refund demand falls due this many working days after it.
    param_refund_due_working_days: int = 20
    # The public notice page shows notices that ended up to this many days ago.
    param_public_notice_history_days: int = 30

    def param_values(self) -> dict[str, object]:
        """``{field: default}`` of every parameter kind's field."""
        return {name: getattr(self, f"param_{name}") for name in FIELDS}

    @model_validator(mode="after")
    def _statutory_bounds(self) -> EmergencyFundSettings:
        """SPEC 0.6: a configured default is never weaker than its statutory bound."""
        defaults_from(self.param_values())
        return self
