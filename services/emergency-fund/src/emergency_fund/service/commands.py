"""Command and request payloads (validated at the edge: money positive with at most two
decimals, bounded text, no unknown fields)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from emergency_fund.domain.eligibility import CaseExclusion, Channel, CivilAffairsStatus, ItemExclusion
from emergency_fund.domain.ledger import InflowSource
from emergency_fund.service import examples
from medaid_shared.identifiers import DocumentNumber


def _cents(value: Decimal) -> Decimal:
    """Money is kept and answered with its two places ("0.5" is booked and shown as 0.50)."""
    return value.quantize(Decimal("0.01"))


PositiveMoney = Annotated[
    Decimal,
    Field(gt=0, max_digits=14, decimal_places=2, description="CNY, > 0, 2 decimals"),
    AfterValidator(_cents),
]
NonNegativeMoney = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=2, description="CNY, ≥ 0, 2 decimals"),
    AfterValidator(_cents),
]


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
# An official document number as printed, e.g. 柳财社〔2026〕88号 or 粤卫规〔2025〕5号.
DocumentRef = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f<>]+$")]


class Cmd(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ------------------------------------------------------------------ fund (GD-3, GD-7, GD-8)


class FundCreate(Cmd):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"city": "liuzhou", "name": "柳州市疾病应急救助基金", "agency_name": "柳州市医疗保障事业管理中心"}
            ]
        }
    )

    city: Code
    name: ShortText
    agency_name: ShortText


class InflowCmd(Cmd):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "source": "central_transfer",
                    "amount": "1000000.00",
                    "fiscal_year": 2026,
                    "reference": "桂财社〔2026〕12号",
                    "memo": "2026 年中央财政补助",
                }
            ]
        }
    )

    source: InflowSource
    amount: PositiveMoney
    fiscal_year: Year
    reference: DocumentNumber = Field(description="The transfer's document or voucher number (文号); booked once")
    memo: str = Field(default="", max_length=500)


CorrectionReason = Annotated[
    str | None,
    Field(
        default=None,
        max_length=1000,
        description="GD-7: booking for a year other than the booking day's is an explicit correction, with its reason",
    ),
]


class PreallocationCmd(Cmd):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_PREALLOCATION_CMD]})

    facility_id: Ref
    year: Year
    amount: PositiveMoney
    basis: str = Field(default="", max_length=1000)
    correction_reason: CorrectionReason = None


class PreallocationReturnCmd(Cmd):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_PREALLOCATION_RETURN_CMD]})

    facility_id: Ref
    year: Year
    amount: PositiveMoney
    note: str = Field(default="", max_length=1000)
    correction_reason: CorrectionReason = None


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

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_COMMITTEE_MEMBER_CMD]})

    name: Annotated[str, Field(min_length=1, max_length=100)]
    affiliation: Affiliation
    appointed_on: date


class TrainingCmd(Cmd):
    """GD-8 / GD-11: the agency trains the hospitals at least once a year."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_TRAINING_CMD]})

    held_on: date
    topic: ShortText
    facility_ids: list[Ref] = Field(min_length=1, max_length=500)


# ------------------------------------------------------------------ reference data


class FacilityCmd(Cmd):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"city": "liuzhou", "name": "柳州市人民医院", "ownership": "public", "police_jurisdiction": "PSB-LZ-CZ"}
            ]
        }
    )

    city: Code
    name: ShortText
    ownership: Literal["public", "non_public", "unknown"] = "unknown"
    police_jurisdiction: Ref | None = None


class DiseaseCmd(Cmd):
    """GD-12: the national list (scope ``national``) or a city's addition (scope = city code)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_DISEASE_CMD]})

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

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_COST_AVERAGE_IMPORT]})

    year: Year
    source: ShortText
    rows: list[CostAverageRow] = Field(min_length=1, max_length=5000)


class LivingStandardCmd(Cmd):
    """GD-13.5: the city's urban minimum-living standard (monthly)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_LIVING_STANDARD_CMD]})

    monthly_amount: PositiveMoney
    effective_from: date
    source: ShortText


# ------------------------------------------------------------------ cases


class CaseCreate(Cmd):
    """A case opened by the hospital (GD-12); identity unknown (GD-13.1) or known (GD-13.2)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "facility_id": "LZ-RMYY",
                    "patient_ref": "ZY20260914001",
                    "identity_check_request_id": "01a235fb-53f6-7a53-9ab0-7847b1b8d469",
                    "admitted_at": "2026-09-14T00:30:00Z",
                    "disease_code": "I21",
                    "identity": "unidentified",
                }
            ]
        }
    )

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

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "黄志强", "id_number": "450202197205128518", "how": "家属持身份证到院确认身份"}]
        }
    )

    name: Annotated[str, Field(min_length=1, max_length=50)]
    id_number: Annotated[str, Field(min_length=18, max_length=18)]
    how: Text


class IdentityReadCmd(Cmd):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_IDENTITY_READ_CMD]})

    reason: Text


class DiseaseUpdate(Cmd):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_DISEASE_UPDATE]})

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "occurred_at": "2026-09-14T01:00:00Z",
                            "category": "treatment",
                            "description": "急诊经皮冠状动脉介入治疗",
                            "in_catalogue": True,
                            "amount": "12000.00",
                        },
                        {
                            "occurred_at": "2026-09-14T02:00:00Z",
                            "category": "drug",
                            "description": "替罗非班注射液",
                            "in_catalogue": True,
                            "amount": "821.00",
                        },
                    ]
                }
            ]
        }
    )

    items: list[CostItemIn] = Field(min_length=1, max_length=1000)


class ExtensionEvidenceIn(Cmd):
    """GD-13.3: the evidence that fits the category."""

    date_of_birth: date | None = Field(default=None, description="A newborn's date of birth (出生医学证明)")
    pregnancy_record: DocumentRef | None = Field(
        default=None, description="The pregnancy record's number (母子健康手册 / 孕产妇保健手册)"
    )


class ExtensionCmd(Cmd):
    """GD-13.3: the hospital's request to extend the emergency period."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_EXTENSION_CMD]})

    hours: Annotated[int, Field(ge=1, le=100_000)]
    category: Code
    reason: Text
    evidence: ExtensionEvidenceIn | None = None


class ExtensionDecisionCmd(Cmd):
    """GD-13.3: the agency or the health department decides an extension request."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_EXTENSION_DECISION_CMD]})

    decision: Literal["approved", "rejected"]
    reason: Text


class StayEndCmd(Cmd):
    """GD-13.5: when the patient's stay ended, as the hospital records it."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_STAY_END_CMD]})

    outcome: Literal["discharged", "died", "transferred"]
    at: Instant
    note: str = Field(default="", max_length=1000)


class ChannelPaymentCmd(Cmd):
    """GD-18.1: the hospital's claim of what an existing channel paid."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"channel": "basic_medical_insurance", "amount": "0.00", "reference": "未参加基本医疗保险"}]
        }
    )

    channel: Channel
    amount: NonNegativeMoney
    reference: str = Field(default="", max_length=200)


class ChannelConfirmationCmd(Cmd):
    """GD-18.1: the department responsible states what its channel paid (0.00: nothing)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"amount": "0.00", "document_ref": "柳医保核〔2026〕88号", "note": "经查未参保"}]
        }
    )

    amount: NonNegativeMoney
    document_ref: DocumentRef | None = Field(
        default=None,
        description="The document the amount rests on (required for the public-health funds and the Red Cross "
        "fund, e.g. 柳财社〔2026〕88号)",
    )
    note: str = Field(default="", max_length=1000)


class ChannelWaiverCmd(Cmd):
    """GD-18.1: the agency accepts the hospital's claim without the department's confirmation."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_CHANNEL_WAIVER_CMD]})

    reason: Text


class UnableToPayCmd(Cmd):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_UNABLE_TO_PAY_CMD]})

    criteria: list[Code] = Field(min_length=1, max_length=20)
    note: str = Field(default="", max_length=1000)


class CivilAffairsCheckCmd(Cmd):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_CIVIL_AFFAIRS_CHECK_CMD]})

    statuses: list[CivilAffairsStatus] = Field(min_length=1, max_length=10)
    note: str = Field(default="", max_length=1000)


class VagrantRegistrationCmd(Cmd):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_VAGRANT_REGISTRATION_CMD]})

    registration_no: Ref
    agency: ShortText


class WaiverCmd(Cmd):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_WAIVER_CMD]})

    amount: PositiveMoney
    reason: Text


class ExclusionCmd(Cmd):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_EXCLUSION_CMD]})

    exclusion: CaseExclusion
    reason: Text


class ExclusionDecisionCmd(Cmd):
    """GD-14: the agency decides the hospital's proposal to exclude a case."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_EXCLUSION_DECISION_CMD]})

    decision: Literal["accepted", "rejected"]
    reason: Text


class ItemExclusionDecisionCmd(Cmd):
    """GD-14: the agency decides a cost item's exclusion (or excludes an item itself)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_ITEM_EXCLUSION_DECISION_CMD]})

    decision: Literal["accepted", "rejected"]
    exclusion: Literal[ItemExclusion.BEYOND_TREATMENT_NEED, ItemExclusion.STABLE_LONG_STAY] | None = None
    reason: Text


class ClaimCmd(Cmd):
    """GD-20.1: the individual application (附件2)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"medical_amount": "12821.00", "living_amount": "90.00", "declaration": "本院承诺所报信息真实、完整"}
            ]
        }
    )

    medical_amount: NonNegativeMoney
    living_amount: NonNegativeMoney
    declaration: ShortText = Field(description="The hospital's statement that the information is true (GD-24)")


# ------------------------------------------------------------------ applications


class ApplicationCreate(Cmd):
    """GD-20.1: the unit application (附件3) gathering individual applications."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "facility_id": "LZ-RMYY",
                    "case_ids": ["EC-01a235fb53f67589a5943d0cec9660bc"],
                    "note": "2026 年 9 月疾病应急救助申请",
                }
            ]
        }
    )

    facility_id: Ref
    case_ids: list[Ref] = Field(min_length=1, max_length=500)
    note: str = Field(default="", max_length=2000)


class CoReviewCmd(Cmd):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_CO_REVIEW_CMD]})

    note: Text
    case_id: Ref | None = None


class CaseApproval(Cmd):
    case_id: Ref
    approved_amount: NonNegativeMoney


class AgencyReviewCmd(Cmd):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "outcome": "approved",
                    "reason": "材料齐全，费用合理",
                    "cases": [{"case_id": "EC-01a235fb53f67589a5943d0cec9660bc", "approved_amount": "12911.00"}],
                }
            ]
        }
    )

    outcome: Literal["approved", "rejected"]
    reason: str | None = Field(default=None, max_length=2000)
    cases: list[CaseApproval] | None = Field(default=None, max_length=500)
    flag_review_note: str | None = Field(default=None, max_length=2000)


class ReviewCmd(Cmd):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_REVIEW_CMD]})

    outcome: Literal["approved", "rejected"]
    reason: str | None = Field(default=None, max_length=2000)


class FinanceRejectCmd(Cmd):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_FINANCE_REJECT_CMD]})

    reason: Text


class WriteOffCmd(Cmd):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_WRITE_OFF_CMD]})

    vouchers: list[Ref] = Field(min_length=1, max_length=500)
    note: str = Field(default="", max_length=1000)


# ------------------------------------------------------------------ refunds, blacklist


class RefundDemandCmd(Cmd):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_REFUND_DEMAND_CMD]})

    reason: Text


class RefundPaymentCmd(Cmd):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"amount": "12911.00", "reference": "柳医退〔2026〕3号"}]}
    )

    amount: PositiveMoney
    reference: DocumentNumber


class PursuitCmd(Cmd):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_PURSUIT_CMD]})

    action: Literal["letter", "call", "visit", "payment_plan", "legal", "recovered", "closed"]
    note: Text
    recovered_from_patient: PositiveMoney | None = None


class BlacklistCmd(Cmd):
    """GD-24: a dishonest or fraudulent individual, with reason and evidence."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "city": "liuzhou",
                    "id_number": "45020319880315002X",
                    "reason": "冒用他人身份骗取救助",
                    "evidence": ["柳公（刑）字〔2026〕15号"],
                }
            ]
        }
    )

    city: Code
    id_number: Annotated[str, Field(min_length=18, max_length=18)] | None = None
    case_id: Ref | None = None
    reason: Text
    evidence: list[ShortText] = Field(min_length=1, max_length=50)


class LiftCmd(Cmd):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_LIFT_CMD]})

    reason: Text
