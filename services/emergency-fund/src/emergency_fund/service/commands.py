"""Command and request payloads (validated at the edge: money positive with at most two
decimals, bounded text, no unknown fields)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from emergency_fund.domain.eligibility import CaseExclusion, Channel, CivilAffairsStatus, ItemExclusion
from emergency_fund.domain.ledger import InflowSource

PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2, description="CNY, > 0, 2 decimals")]
NonNegativeMoney = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2, description="CNY, ≥ 0, 2 decimals")]


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("an instant must carry its timezone")
    return value


Instant = Annotated[datetime, AfterValidator(_aware)]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.\-]+$")]
Ref = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
ShortText = Annotated[str, Field(min_length=1, max_length=300)]
Year = Annotated[int, Field(ge=2000, le=2100)]


class Cmd(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ------------------------------------------------------------------ fund (GD-3, GD-7, GD-8)


class FundCreate(Cmd):
    city: Code
    name: ShortText
    agency_name: ShortText


class InflowCmd(Cmd):
    source: InflowSource
    amount: PositiveMoney
    fiscal_year: Year
    reference: Ref = Field(description="The transfer's document or voucher number; booked once")
    memo: str = Field(default="", max_length=500)


class PreallocationCmd(Cmd):
    facility_id: Ref
    year: Year
    amount: PositiveMoney
    basis: str = Field(default="", max_length=1000)


class PreallocationReturnCmd(Cmd):
    facility_id: Ref
    year: Year
    amount: PositiveMoney
    note: str = Field(default="", max_length=1000)


Affiliation = Literal[
    "department",
    "peoples_congress",
    "cppcc",
    "medical_expert",
    "donor",
    "media",
    "public",
]


class CommitteeMemberCmd(Cmd):
    """GD-8: the supervisory committee (监督管理委员会) and whom it is drawn from."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    affiliation: Affiliation
    appointed_on: date


class TrainingCmd(Cmd):
    """GD-8 / GD-11: the agency trains the hospitals at least once a year."""

    held_on: date
    topic: ShortText
    facility_ids: list[Ref] = Field(min_length=1, max_length=500)


# ------------------------------------------------------------------ reference data


class FacilityCmd(Cmd):
    city: Code
    name: ShortText
    ownership: Literal["public", "non_public", "unknown"] = "unknown"
    police_jurisdiction: Ref | None = None


class DiseaseCmd(Cmd):
    """GD-12: the national list (scope ``national``) or a city's addition (scope = city code)."""

    code: Code
    name: ShortText
    scope: Code
    urgent_critical: bool
    effective_from: date
    effective_to: date | None = None
    basis: ShortText = Field(description="国卫办医发〔2013〕32号, or the committee's resolution for a city addition")


class CostAverageRow(Cmd):
    facility_id: Ref
    disease_code: Code
    average_cost: PositiveMoney


class CostAverageImport(Cmd):
    """GD-13.4: a year's average cost per case per hospital and disease."""

    year: Year
    source: ShortText
    rows: list[CostAverageRow] = Field(min_length=1, max_length=5000)


class LivingStandardCmd(Cmd):
    """GD-13.5: the city's urban minimum-living standard (monthly)."""

    monthly_amount: PositiveMoney
    effective_from: date
    source: ShortText


class ParameterCmd(Cmd):
    value: Any
    effective_from: Instant
    reason: Text


# ------------------------------------------------------------------ cases


class CaseCreate(Cmd):
    """A case opened by the hospital (GD-12); identity unknown (GD-13.1) or known (GD-13.2)."""

    facility_id: Ref
    patient_ref: Ref = Field(
        description="The hospital's admission number (one case per admission number of a hospital), "
        "as in the police letter"
    )
    identity_check_request_id: Ref | None = Field(
        default=None,
        description="GD-16.3: the identity-check request (police letter) an unidentified patient's case rests "
        "on; required for an unidentified patient, used by one case only",
    )
    admitted_at: Instant
    disease_code: Code | None = None
    identity: Literal["unidentified", "identified"]
    name: Annotated[str, Field(min_length=1, max_length=50)] | None = None
    id_number: Annotated[str, Field(min_length=18, max_length=18)] | None = None
    admission_id: Ref | None = None


class IdentifyCmd(Cmd):
    """GD-18: the identity became known after the emergency treatment."""

    name: Annotated[str, Field(min_length=1, max_length=50)]
    id_number: Annotated[str, Field(min_length=18, max_length=18)]
    how: Text


class IdentityReadCmd(Cmd):
    reason: Text


class DiseaseUpdate(Cmd):
    disease_code: Code


class CostItemIn(Cmd):
    occurred_at: Instant
    category: Literal["drug", "consumable", "examination", "treatment", "bed", "nursing", "other"]
    description: ShortText
    in_catalogue: bool
    amount: PositiveMoney
    exclusion: Literal[ItemExclusion.BEYOND_TREATMENT_NEED, ItemExclusion.STABLE_LONG_STAY] | None = None
    exclusion_note: str | None = Field(default=None, max_length=1000)


class CostItemsCmd(Cmd):
    items: list[CostItemIn] = Field(min_length=1, max_length=1000)


class ExtensionCmd(Cmd):
    hours: Annotated[int, Field(ge=1, le=100_000)]
    category: Code
    reason: Text


class ChannelPaymentCmd(Cmd):
    channel: Channel
    amount: NonNegativeMoney
    reference: str = Field(default="", max_length=200)


class UnableToPayCmd(Cmd):
    criteria: list[Code] = Field(min_length=1, max_length=20)
    note: str = Field(default="", max_length=1000)


class CivilAffairsCheckCmd(Cmd):
    statuses: list[CivilAffairsStatus] = Field(min_length=1, max_length=10)
    note: str = Field(default="", max_length=1000)


class VagrantRegistrationCmd(Cmd):
    registration_no: Ref
    agency: ShortText


class WaiverCmd(Cmd):
    amount: PositiveMoney
    reason: Text


class ExclusionCmd(Cmd):
    exclusion: CaseExclusion
    reason: Text


class ClaimCmd(Cmd):
    """GD-20.1: the individual application (附件2)."""

    medical_amount: NonNegativeMoney
    living_amount: NonNegativeMoney
    declaration: ShortText = Field(description="The hospital's statement that the information is true (GD-24)")


# ------------------------------------------------------------------ applications


class ApplicationCreate(Cmd):
    """GD-20.1: the unit application (附件3) gathering individual applications."""

    facility_id: Ref
    case_ids: list[Ref] = Field(min_length=1, max_length=500)
    note: str = Field(default="", max_length=2000)


class CoReviewCmd(Cmd):
    note: Text
    case_id: Ref | None = None


class CaseApproval(Cmd):
    case_id: Ref
    approved_amount: NonNegativeMoney


class AgencyReviewCmd(Cmd):
    outcome: Literal["approved", "rejected"]
    reason: str | None = Field(default=None, max_length=2000)
    cases: list[CaseApproval] | None = Field(default=None, max_length=500)
    flag_review_note: str | None = Field(default=None, max_length=2000)


class ReviewCmd(Cmd):
    outcome: Literal["approved", "rejected"]
    reason: str | None = Field(default=None, max_length=2000)


class FinanceRejectCmd(Cmd):
    reason: Text


class WriteOffCmd(Cmd):
    vouchers: list[Ref] = Field(min_length=1, max_length=500)
    note: str = Field(default="", max_length=1000)


# ------------------------------------------------------------------ refunds, blacklist


class RefundDemandCmd(Cmd):
    reason: Text


class RefundPaymentCmd(Cmd):
    amount: PositiveMoney
    reference: Ref


class PursuitCmd(Cmd):
    action: Literal["letter", "call", "visit", "payment_plan", "legal", "recovered", "closed"]
    note: Text
    recovered_from_patient: PositiveMoney | None = None


class BlacklistCmd(Cmd):
    """GD-24: a dishonest or fraudulent individual, with reason and evidence."""

    city: Code
    id_number: Annotated[str, Field(min_length=18, max_length=18)] | None = None
    case_id: Ref | None = None
    reason: Text
    evidence: list[ShortText] = Field(min_length=1, max_length=50)


class LiftCmd(Cmd):
    reason: Text
