"""Settings of the referral service.

Every value SPEC marks as an **interpretation** is a setting here (env prefix ``MEDAID_``).
The filing and discharge windows are the defaults of versioned parameters
(``referral.domain.parameters``): an administrator loads a version with effective dates
through ``POST /admin/parameters`` and every decision cites the version it applied.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from medaid_shared.contracts.common import DisabilityLevel, Region
from medaid_shared.settings import DEV_DIAGNOSIS_GROUPS_PUBLIC_KEY, ServiceSettings


class ReferralSettings(ServiceSettings):
    service_name: ClassVar[str] = "referral"
    default_port: ClassVar[int] = 8001
    # LJ-18: the LJ measures are Liujiang district's (in Liuzhou city): a scoped department's
    # feed shows this service's events to that district's and city's callers.
    district: str | None = "liujiang"
    city: str | None = "liuzhou"
    # SPEC 0.4 / LJ-9: the discharge's diagnosis group is sealed for the settlement service
    # with its public key (settlement alone holds the private half): it rests in referral's
    # outbox, on the broker and in dead letters unreadable to anyone else.
    diagnosis_groups_public_key: str = DEV_DIAGNOSIS_GROUPS_PUBLIC_KEY

    @model_validator(mode="after")
    def _diagnosis_groups_key(self) -> ReferralSettings:
        if self.environment == "production" and self.diagnosis_groups_public_key == DEV_DIAGNOSIS_GROUPS_PUBLIC_KEY:
            raise ValueError("MEDAID_DIAGNOSIS_GROUPS_PUBLIC_KEY must be set outside development")
        return self

    # LJ-4.2b / LJ-11.3: clock hours for the outside-care filing after admission (or after
    # being sent to hospital in an emergency). From the seed.
    filing_hours: int = 24
    # LJ-4.2d: the form follows a phone pre-report within this many working days. From the seed.
    phone_form_working_days: int = 3
    # LJ-4.2d (interpretation): a phone pre-report never followed by the form becomes
    # ``form_late`` or ``unfiled`` when the form's working days have passed.
    phone_lapse_state: Literal["form_late", "unfiled"] = "form_late"
    # LJ-4.2c (interpretation): the seed sets no hours for the decentralized chain. Working
    # days for the village committee's report to the town (from admission) and for the town's
    # step to civil affairs; when an unstarted chain counts as unfiled; and what a chain the
    # town never passes on becomes when its step is overdue.
    village_report_working_days: int = 3
    town_forward_working_days: int = 3
    unstarted_unfiled_working_days: int = 10
    stalled_chain_state: Literal["filed_late", "unfiled"] = "filed_late"
    # LJ-4.2b (interpretation): how many days before admission a filing made "before the
    # person leaves" still matches the admission at the same facility.
    pre_filing_match_days: int = 30
    # LJ-4.3a (interpretation): facility regions that need the medical-insurance transfer
    # approval. The seed says "柳州市区或自治区外": Liuzhou city, elsewhere in Guangxi and outside
    # Guangxi all count as outside care beyond the district.
    approval_regions: list[Region] = Field(
        default_factory=lambda: [Region.LIUZHOU, Region.GUANGXI, Region.OUTSIDE_GUANGXI]
    )
    # LJ-3.2a / LJ-4.2a (interpretation): an emergency admission (LJ-11.3, treat first) is not
    # held to the primary first visit and the referral slip. Out-of-region approval still applies.
    emergency_exempt_from_referral: bool = True
    # LJ-11.3 / SPEC 0.5 (interpretation): clock hours after admission for the hospital to
    # record an emergency's basis; without one the emergency loses its exemptions.
    emergency_determination_hours: int = 24
    # LJ-12: discharge documents due within this many clock hours of discharge. From the seed.
    discharge_documents_hours: int = 24
    # LJ-12 / LJ-17 (interpretation): "promptly" — a discharge later than this many hours after
    # the patient was found fit is recorded as a late-discharge violation.
    discharge_delay_hours: int = 24
    # LJ-16: follow-up visit interval by disability level, in months (monthly / quarterly /
    # yearly from the seed; counting from the last visit is an interpretation).
    followup_interval_months: dict[DisabilityLevel, int] = Field(
        default_factory=lambda: {DisabilityLevel.FULL: 1, DisabilityLevel.SEMI: 3, DisabilityLevel.SELF_CARE: 12}
    )
