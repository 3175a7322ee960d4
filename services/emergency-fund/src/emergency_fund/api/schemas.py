"""What the emergency-fund service answers, as typed models: cases with their cost list,
channels and checks, the assessment, applications with their steps, notices and
disbursement, refunds, the blacklist, the fund and its ledger, reference data and reports.
Each model allows no field it does not name (``tests_emergency_fund`` checks every answer
its API tests receive against the document). The words are those of docs/VOCABULARY.md: a
resource's id is ``<resource>_id``, masked values are ``*_masked``, money is a decimal
string, instants are RFC 3339 in UTC (``*_at``); ``*_local`` fields are Shanghai wall-clock
text for printing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field

from emergency_fund.domain.channels import ChannelStatus
from emergency_fund.domain.eligibility import Channel, CivilAffairsStatus, IdentityStatus
from emergency_fund.service import examples
from medaid_shared.answers import Out

Money = Annotated[str, Field(pattern=r"^-?\d+\.\d{2}$", examples=["15000.00"], description="CNY, a decimal string")]
CASE_ID = Field(examples=["EC-0199e4c1a6f07c2a9d3b5e8f1a2b3c4d"])
APPLICATION_ID = Field(examples=["FA-0199e4c1a6f07d1e8c2b4a6f9e0d1c2b"])
MASKED_NAME = Field(examples=["韦*梅"], description="the name masked as the fund masks it")
MASKED_ID_NUMBER = Field(examples=["4502**********2028"], description="the ID number masked")
Ratio = Annotated[str, Field(pattern=r"^\d+\.\d+$", examples=["0.8000"], description="a share, a decimal string")]


# --- cases ----------------------------------------------------------------------------------
class CostItemOut(Out):
    """One line of a case's cost list (GD-20.1), with the exclusion the hospital proposed or
    the agency decided (GD-14)."""

    cost_item_id: str = Field(examples=["CI-0199e4c1a6f07e3f9a1b2c3d4e5f6a7b"])
    case_id: str = CASE_ID
    occurred_at: datetime
    category: str = Field(examples=["treatment"])
    description: str = Field(examples=["急诊抢救"])
    in_catalogue: bool
    amount: Money
    exclusion: str | None = Field(examples=["beyond_treatment_need"])
    exclusion_note: str | None
    exclusion_status: str | None = Field(examples=["proposed"])
    exclusion_decided_by: str | None
    exclusion_decided_at: datetime | None
    exclusion_decision_reason: str | None
    recorded_at: datetime
    recorded_by: str = Field(examples=["his-LZ-RMYY"])


class ChannelPaymentOut(Out):
    """What a payment channel paid for the case (GD-18.1): the hospital's claim until the
    department responsible confirms it or the agency waives the confirmation."""

    case_id: str = CASE_ID
    channel: Channel
    amount: Money
    reference: str = Field(examples=["ST-2026-000123"])
    source: str = Field(examples=["hospital"])
    recorded_at: datetime
    recorded_by: str = Field(examples=["his-LZ-RMYY"])
    claimed_amount: Money | None
    status: ChannelStatus
    document_ref: str | None = Field(examples=["柳财社〔2026〕88号"])
    confirmed_by: str | None
    confirmed_role: str | None = Field(examples=["medical_insurance"])
    confirmed_at: datetime | None
    waiver_reason: str | None
    waived_by: str | None
    waived_at: datetime | None


class CivilAffairsCheckOut(Out):
    """Civil affairs' status check of the patient (GD-22.3); the latest decides."""

    check_id: str = Field(examples=["CA-0199e4c1a6f07f4a8b2c3d4e5f6a7b8c"])
    seq: int
    case_id: str = CASE_ID
    statuses: list[CivilAffairsStatus]
    note: str
    source: str = Field(examples=["civil_affairs"])
    checked_at: datetime
    checked_by: str = Field(examples=["lzmz-jiuzhu-wei"])


class VagrantRegistrationOut(Out):
    """The homeless vagrant registration of the patient (GD-18.2)."""

    case_id: str = CASE_ID
    registration_no: str = Field(examples=["LZJZ-2026-0042"])
    agency: str = Field(examples=["柳州市救助管理站"])
    registered_at: datetime
    registered_by: str


class CaseSummaryOut(Out):
    """A case as lists show it: one emergency patient at one hospital (GD-12, GD-13)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_CASE_SUMMARY_OUT]})

    case_id: str = CASE_ID
    city: str = Field(examples=["liuzhou"])
    facility_id: str = Field(examples=["LZ-RMYY"])
    source: str = Field(examples=["hospital"], description="hospital, or referral (LJ-11.4)")
    admission_id: str | None
    person_id: str | None
    patient_ref: str = Field(examples=["ZY20260914001"], description="the hospital's admission number")
    identity_check_request_id: str | None = Field(description="the police letter the case rests on (GD-16.3)")
    admitted_at: datetime
    identity_status: IdentityStatus
    name_masked: str | None = MASKED_NAME
    id_number_masked: str | None = MASKED_ID_NUMBER
    destitute: bool
    emergency_hours: int = Field(examples=[72])
    extension_category: str | None = Field(examples=["critically_ill_newborn"])
    extension_reason: str | None
    extension_hours: int | None
    extension_evidence: dict[str, Any] | None = Field(
        description="the evidence that fits the category (GD-13.3); SPEC 0.4: for the hospital, the agency and "
        "the health department only, empty for every other reader"
    )
    extension_status: str | None = Field(examples=["requested"])
    extension_requested_by: str | None
    extension_requested_at: datetime | None
    extension_decided_by: str | None
    extension_decided_role: str | None
    extension_decided_at: datetime | None
    extension_decision_reason: str | None
    stay_ended_at: datetime | None
    stay_end_outcome: str | None = Field(examples=["discharged"])
    stay_end_note: str | None
    stay_end_recorded_by: str | None
    stay_end_recorded_at: datetime | None
    stay_end_source: str | None = Field(examples=["hospital"])
    unable_to_pay_basis: list[str] = Field(examples=[["destitute"]])
    civil_affairs_statuses: list[CivilAffairsStatus] | None
    waiver_amount: Money
    waiver_reason: str | None
    excluded: str | None = Field(examples=["able_to_pay_refuses"])
    excluded_reason: str | None
    exclusion_proposed: str | None
    exclusion_proposed_reason: str | None
    exclusion_proposed_by: str | None
    exclusion_proposed_at: datetime | None
    identity_gate: str | None = Field(examples=["identity_check_overdue"])
    identified_late: bool
    letter_sent_late_at: datetime | None
    blacklist_flag: bool
    claim_medical: Money | None
    claim_living: Money | None
    claimed_at: datetime | None
    application_id: str | None
    paid_amount: Money | None
    state: str = Field(examples=["open"])
    created_at: datetime
    created_by: str
    updated_at: datetime
    disease_code: str | None = Field(
        examples=["I21"],
        description="GD-12; SPEC 0.4: for the hospital that filed the case, the agency and the health department "
        "only, empty for every other reader",
    )


class CaseOut(CaseSummaryOut):
    """A case with its cost list, channels and checks."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_CASE_OUT]})

    cost_items: list[CostItemOut]
    channel_payments: list[ChannelPaymentOut]
    civil_affairs_checks: list[CivilAffairsCheckOut]
    vagrant_registration: VagrantRegistrationOut | None


class BlockerOut(Out):
    rule: str = Field(examples=["GD-16.3"])
    detail: str
    field: str | None = Field(examples=["disease_code"])


class AssessmentOut(Out):
    """The most the fund may pay for the case, and what still blocks a claim (GD-13.4, GD-13.5)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_ASSESSMENT_OUT]})

    identity_status: IdentityStatus
    emergency_hours: int = Field(examples=[72])
    period_end: datetime
    living_until: datetime
    billed: Money
    excluded: dict[str, Money] = Field(examples=[{"beyond_treatment_need": "1000.00"}])
    waiver: Money
    eligible_medical: Money
    channels_paid: Money
    medical_gap: Money
    average_cost_cap: Money | None
    medical_max: Money
    living_daily: Money | None
    living_days: int
    living_max: Money
    total_max: Money
    rules: list[str] = Field(examples=[["GD-13.4", "GD-13.5"]])
    blockers: list[BlockerOut]
    ready: bool


class CaseIdentityOut(Out):
    """The patient's full name and ID number, read by the agency with a reason, audit-logged
    (SPEC 0.4, ``minimisation.FULL_READ_OPERATIONS``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_CASE_IDENTITY_OUT]})

    case_id: str = CASE_ID
    name: str = Field(examples=["张小三"])
    id_number: str = Field(examples=["450221195207152028"])


# --- refunds (GD-16.4) ------------------------------------------------------------------------
class RefundPaymentOut(Out):
    payment_id: str = Field(examples=["RP-0199e4c1a6f07a1b2c3d4e5f6a7b8c9d"])
    refund_id: str = Field(examples=["RF-0199e4c1a6f07b2c3d4e5f6a7b8c9d0e"])
    amount: Money
    reference: str = Field(examples=["BANK-20261015-001"])
    txn_id: str
    paid_at: datetime
    recorded_by: str


class PursuitStepOut(Out):
    step_id: str = Field(examples=["PU-0199e4c1a6f07c3d4e5f6a7b8c9d0e1f"])
    refund_id: str
    action: str = Field(examples=["letter"])
    note: str = Field(examples=["已函告患者家属"])
    recovered_from_patient: Money | None
    recorded_at: datetime
    recorded_by: str


class RefundSummaryOut(Out):
    """A demand that the hospital return what the fund paid for a case (GD-16.4)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_REFUND_SUMMARY_OUT]})

    refund_id: str = Field(examples=["RF-0199e4c1a6f07b2c3d4e5f6a7b8c9d0e"])
    case_id: str = CASE_ID
    application_id: str = APPLICATION_ID
    city: str = Field(examples=["liuzhou"])
    facility_id: str = Field(examples=["LZ-RMYY"])
    amount: Money
    refunded: Money
    reason: str
    identity_request_id: str | None
    state: str = Field(examples=["open"])
    demanded_at: datetime
    demanded_by: str
    due_at: datetime | None
    calendar_provisional: bool
    due_parameters_version: str | None
    overdue_at: datetime | None


class RefundOut(RefundSummaryOut):
    """A refund demand with its payments and the steps of pursuing the patient."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_REFUND_OUT]})

    outstanding: Money
    payments: list[RefundPaymentOut]
    pursuit: list[PursuitStepOut]


# --- blacklist (GD-24) ------------------------------------------------------------------------
class BlacklistEntryOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_BLACKLIST_ENTRY_OUT]})

    entry_id: str = Field(examples=["BL-0199e4c1a6f07d4e5f6a7b8c9d0e1f2a"])
    city: str = Field(examples=["liuzhou"])
    name_masked: str | None = MASKED_NAME
    id_number_masked: str | None = MASKED_ID_NUMBER
    reason: str = Field(examples=["虚报身份骗取救助"])
    evidence: list[str] = Field(examples=[["柳公（刑）字〔2026〕15号"]])
    case_id: str | None
    listed_at: datetime
    listed_by: str
    lifted_at: datetime | None = None
    lifted_by: str | None = None
    lift_reason: str | None = None


class BlacklistAddOut(BlacklistEntryOut):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_BLACKLIST_ADD_OUT]})

    flagged_cases: list[str] = Field(description="the open cases of the person, now flagged for review")


# --- applications, notices, disbursement (GD-20, GD-21) -------------------------------------
class ApplicationSummaryOut(Out):
    """A unit application (附件3) of a hospital (GD-20.1)."""

    application_id: str = APPLICATION_ID
    city: str = Field(examples=["liuzhou"])
    facility_id: str = Field(examples=["LZ-RMYY"])
    state: str = Field(examples=["submitted"])
    requested_amount: Money
    approved_amount: Money | None
    note: str
    flagged: bool
    notice_flag: str | None
    submitted_at: datetime
    submitted_by: str
    updated_at: datetime


class ReviewStepOut(Out):
    """One review step with its deadline (GD-20.2)."""

    application_id: str = APPLICATION_ID
    step: str = Field(examples=["agency"])
    started_at: datetime
    due_at: datetime
    calendar_provisional: bool
    overdue: bool
    decided_at: datetime | None
    outcome: str | None = Field(examples=["approved"])
    reviewer_id: str | None
    reviewer_role: str | None
    reason: str | None
    late: bool


class ApplicationListItemOut(ApplicationSummaryOut):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_APPLICATION_LIST_ITEM_OUT]})

    open_step: ReviewStepOut | None = Field(description="the step the application waits for, with its due instant")


class ApplicationCostLineOut(Out):
    cost_item_id: str
    occurred_at: datetime
    category: str
    description: str
    in_catalogue: bool
    amount: Money
    exclusion: str | None
    exclusion_note: str | None
    exclusion_status: str | None
    exclusion_decided_by: str | None
    exclusion_decided_at: datetime | None
    exclusion_decision_reason: str | None
    recorded_at: datetime


class ApplicationCaseOut(Out):
    """A case of the application with its cost list (GD-20.1) and catalogue share (GD-23)."""

    application_id: str = APPLICATION_ID
    case_id: str = CASE_ID
    medical_amount: Money
    living_amount: Money
    claimed_amount: Money
    approved_amount: Money | None
    blacklist_flag: bool
    withdrawn_reason: str | None
    billed: Money
    in_catalogue: Money
    cost_list: list[ApplicationCostLineOut]


class CoReviewNoteOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_CO_REVIEW_NOTE_OUT]})

    note_id: str = Field(examples=["CR-0199e4c1a6f07e5f6a7b8c9d0e1f2a3b"])
    application_id: str = APPLICATION_ID
    case_id: str | None
    role: str = Field(examples=["police"])
    author: str
    note: str = Field(examples=["身份核查无异常"])
    created_at: datetime


class NoticeEntryOut(Out):
    recipient: str = Field(examples=["韦*梅"], description="the masked name, or 身份不明患者 and the case")
    id_number_masked: str | None = MASKED_ID_NUMBER
    admitted_on: date
    amount: Money


class NoticeOut(Out):
    """A public notice of the amounts paid (GD-21)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_NOTICE_OUT]})

    notice_id: str = Field(examples=["PN-0199e4c1a6f07f6a7b8c9d0e1f2a3b4c"])
    application_id: str = APPLICATION_ID
    city: str = Field(examples=["liuzhou"])
    facility_id: str = Field(examples=["LZ-RMYY"])
    publisher: str = Field(examples=["hospital"])
    starts_at: datetime
    ends_at: datetime
    working_days: int = Field(examples=[3])
    calendar_provisional: bool
    entries: list[NoticeEntryOut]
    total: Money
    published_by: str


class DisbursementOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_DISBURSEMENT_OUT]})

    disbursement_id: str = Field(examples=["FD-0199e4c1a6f0707b8c9d0e1f2a3b4c5d"])
    application_id: str = APPLICATION_ID
    city: str = Field(examples=["liuzhou"])
    facility_id: str = Field(examples=["LZ-RMYY"])
    amount: Money
    from_preallocation: Money
    from_fund_cash: Money
    txn_id: str
    disbursed_at: datetime
    disbursed_by: str
    written_off_at: datetime | None = None
    written_off_by: str | None = None
    write_off_vouchers: list[str] | None = None
    write_off_txn_id: str | None = None


class ApplicationOut(ApplicationSummaryOut):
    """An application with its cases, steps, notes, notices and disbursement."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_APPLICATION_OUT]})

    cases: list[ApplicationCaseOut]
    steps: list[ReviewStepOut]
    co_review_notes: list[CoReviewNoteOut]
    notices: list[NoticeOut]
    disbursement: DisbursementOut | None


# --- fund, ledger, pre-allocation, organisation (GD-3, GD-7, GD-8) --------------------------
class FundCreatedOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_FUND_CREATED_OUT]})

    city: str = Field(examples=["liuzhou"])
    name: str = Field(examples=["柳州市疾病应急救助基金"])
    agency_name: str = Field(examples=["柳州市医疗保障事业管理中心"])
    created_at: datetime
    created_by: str


class FundOut(FundCreatedOut):
    """A fund and its balances, from the ledger only (GD-3)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_FUND_OUT]})

    cash: Money
    preallocated: dict[str, Money] = Field(examples=[{"LZ-RMYY": "700000.00"}], description="by facility id")
    income: dict[str, Money] = Field(examples=[{"central_transfer": "1000000.00"}], description="by source")
    balances: dict[str, Money] = Field(examples=[{"fund_cash": "1801234.56"}], description="by ledger account")
    trial_balance: Money


class InflowOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_INFLOW_OUT]})

    txn_id: str = Field(examples=["TX-0199e4c1a6f0718c9d0e1f2a3b4c5d6e"])
    city: str = Field(examples=["liuzhou"])
    source: str = Field(examples=["central_transfer"])
    amount: Money
    fiscal_year: int = Field(examples=[2026])
    cash: Money


class LedgerEntryOut(Out):
    account: str = Field(examples=["fund_cash"])
    amount: Money


class LedgerTxnOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_LEDGER_TXN_OUT]})

    txn_id: str = Field(examples=["TX-0199e4c1a6f0718c9d0e1f2a3b4c5d6e"])
    city: str = Field(examples=["liuzhou"])
    kind: str = Field(examples=["inflow"])
    fiscal_year: int
    ref: str | None
    source_ref: str | None
    memo: str
    created_at: datetime
    created_by: str
    created_role: str
    entries: list[LedgerEntryOut]


class PreallocationOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_PREALLOCATION_OUT]})

    preallocation_id: str = Field(examples=["PA-0199e4c1a6f0729d0e1f2a3b4c5d6e7f"])
    city: str = Field(examples=["liuzhou"])
    facility_id: str = Field(examples=["LZ-RMYY"])
    year: int = Field(examples=[2026])
    kind: str = Field(examples=["allocation"])
    amount: Money
    last_cycle_use: Money | None
    basis: str
    txn_id: str
    created_at: datetime
    created_by: str


class MinimumCheckOut(Out):
    """Pre-allocations against upper-level transfers (GD-7: at least the share in force)."""

    year: int
    upper_level_transfers: Money
    min_share: Ratio
    required_minimum: Money
    preallocated: Money
    compliant: bool
    shortfall: Money
    rule: str = Field(examples=["GD-7"])


class YearEndCheckOut(Out):
    city: str
    year: int
    upper_level_transfers: Money
    min_share: Ratio
    required_minimum: Money
    preallocated: Money
    shortfall: Money
    compliant: bool
    parameters_version: str
    checked_at: datetime
    flagged_at: datetime | None


class PreallocationCheckOut(MinimumCheckOut):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_PREALLOCATION_CHECK_OUT]})

    year_end_check: YearEndCheckOut | None
    year_end_check_at: datetime


class PlannedPreallocationOut(Out):
    facility_id: str
    last_cycle_use: Money
    refunded: Money
    suggested: Money


class PreallocationPlanOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_PREALLOCATION_PLAN_OUT]})

    city: str
    year: int
    ratio: Ratio
    rule: str = Field(examples=["GD-7"])
    hospitals: list[PlannedPreallocationOut]
    refunds_parameters_version: str
    suggested_total: Money
    minimum_check_if_applied: MinimumCheckOut


class ReconciledHospitalOut(Out):
    facility_id: str
    preallocated: Money
    returned: Money
    approved_claims: Money
    set_against_advance: Money
    paid_from_fund: Money
    advance_outstanding: Money


class PreallocationReconciliationOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_PREALLOCATION_RECONCILIATION_OUT]})

    city: str
    year: int
    rule: str = Field(examples=["GD-7"])
    hospitals: list[ReconciledHospitalOut]


class CommitteeMemberOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_COMMITTEE_MEMBER_OUT]})

    member_id: str = Field(examples=["CM-0199e4c1a6f073ae0f1a2b3c4d5e6f7a"])
    city: str = Field(examples=["liuzhou"])
    name: str = Field(examples=["王建国"], description="the member's name (a public office, not a patient)")
    affiliation: str = Field(examples=["medical_expert"])
    appointed_on: date
    created_at: datetime
    created_by: str | None = None


class OrganisationOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_ORGANISATION_OUT]})

    city: str
    handling_agency: str
    supervisory_committee: list[CommitteeMemberOut]


class TrainingOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_TRAINING_OUT]})

    training_id: str = Field(examples=["TR-0199e4c1a6f074bf1a2b3c4d5e6f7a8b"])
    city: str = Field(examples=["liuzhou"])
    year: int
    held_on: date
    topic: str = Field(examples=["疾病应急救助申请规范"])
    facility_ids: list[str]
    recorded_at: datetime
    recorded_by: str


class TrainingStatusOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_TRAINING_STATUS_OUT]})

    city: str
    year: int
    rule: str = Field(examples=["GD-8"])
    trainings: list[TrainingOut]
    held: bool
    reminder_at: datetime
    reminder_due: bool


# --- reference data (GD-12, GD-13.4, GD-13.5) -------------------------------------------------
class FacilityOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_FACILITY_OUT]})

    facility_id: str = Field(examples=["LZ-RMYY"])
    city: str = Field(examples=["liuzhou"])
    name: str = Field(examples=["柳州市人民医院"])
    ownership: str = Field(examples=["public"])
    police_jurisdiction: str | None
    source: str = Field(examples=["agency"])
    updated_at: datetime


class DiseaseOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_DISEASE_OUT]})

    disease_id: str = Field(examples=["DZ-0199e4c1a6f075c02b3c4d5e6f7a8b9c"])
    code: str = Field(examples=["I21"])
    name: str = Field(examples=["急性心肌梗死"])
    scope: str = Field(examples=["national"])
    urgent_critical: bool
    effective_from: date
    effective_to: date | None
    basis: str = Field(examples=["国卫办医发〔2013〕32号"])
    created_at: datetime
    created_by: str


class CostAveragesImportedOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_COST_AVERAGES_IMPORTED_OUT]})

    year: int = Field(examples=[2025])
    imported: int


class CostAverageOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_COST_AVERAGE_OUT]})

    facility_id: str
    disease_code: str = Field(examples=["I21"])
    year: int
    average_cost: Money
    source: str
    imported_at: datetime
    imported_by: str


class LivingStandardOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_LIVING_STANDARD_OUT]})

    city: str
    effective_from: date
    monthly_amount: Money
    source: str = Field(examples=["柳州市民政局 2026 城市低保标准"])
    set_at: datetime
    set_by: str


# --- work queues ------------------------------------------------------------------------------
class ChannelConfirmationOut(Out):
    """A channel amount awaiting confirmation by a department (GD-18.1)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_CHANNEL_CONFIRMATION_OUT]})

    case_id: str = CASE_ID
    city: str
    facility_id: str
    patient_ref: str
    admitted_at: datetime
    identity_status: IdentityStatus
    name_masked: str | None = MASKED_NAME
    case_state: str
    application_id: str | None
    channel: Channel
    claimed_amount: Money | None
    reference: str
    recorded_at: datetime
    awaiting: str = Field(examples=["medical_insurance"])
    rule: str = Field(examples=["GD-18.1"])


class ExclusionProposalOut(Out):
    """A hospital's exclusion proposal awaiting the agency (GD-14), of a case or a cost item."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_EXCLUSION_PROPOSAL_OUT]})

    case_id: str = CASE_ID
    city: str
    facility_id: str
    patient_ref: str
    case_state: str
    application_id: str | None
    cost_item_id: str | None
    amount: Money | None
    exclusion: str = Field(examples=["beyond_treatment_need"])
    reason: str | None
    proposed_at: datetime | None
    rule: str = Field(examples=["GD-14"])


class ExtensionRequestOut(Out):
    """An extension of the emergency period awaiting a decision (GD-13.3)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_EXTENSION_REQUEST_OUT]})

    case_id: str = CASE_ID
    city: str
    facility_id: str
    patient_ref: str
    admitted_at: datetime
    category: str | None = Field(examples=["critically_ill_newborn"])
    hours: int | None
    reason: str | None
    evidence: dict[str, Any] | None = Field(
        description="GD-13.3; SPEC 0.4: for the agency and the health department that decide, empty for the auditor"
    )
    requested_at: datetime | None
    rule: str = Field(examples=["GD-13.3"])


# --- reports, exports, the public notice board ------------------------------------------------
class FundUseMonthOut(Out):
    city: str
    facility_id: str
    month: int
    applications: int
    amount: Money
    from_preallocation: Money
    from_fund_cash: Money


class FundUseHospitalOut(Out):
    city: str
    facility_id: str
    amount: Money


class FundUseOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_FUND_USE_OUT]})

    year: int = Field(examples=[2026])
    cities: list[str]
    months: list[FundUseMonthOut]
    per_hospital: list[FundUseHospitalOut]
    total: Money


class OverdueStepOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_OVERDUE_STEP_OUT]})

    application_id: str = APPLICATION_ID
    step: str
    started_at: datetime
    due_at: datetime
    calendar_provisional: bool
    decided_at: datetime | None
    late: bool
    city: str
    facility_id: str
    state: str
    open: bool
    rule: str = Field(examples=["GD-20.2"])


class RunningNoticeOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_RUNNING_NOTICE_OUT]})

    notice_id: str
    application_id: str = APPLICATION_ID
    city: str
    facility_id: str
    publisher: str
    starts_at: datetime
    ends_at: datetime
    working_days: int
    calendar_provisional: bool
    total: Money
    published_by: str
    working_days_left: int
    rule: str = Field(examples=["GD-21"])


class PublicNoticeOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_PUBLIC_NOTICE_OUT]})

    notice_id: str
    application_id: str = APPLICATION_ID
    city: str
    facility_id: str
    facility_name: str | None = Field(examples=["柳州市人民医院"])
    publisher: str
    starts_at: datetime
    ends_at: datetime
    working_days: int
    status: str = Field(examples=["running"])
    entries: list[NoticeEntryOut]
    total: Money
    rule: str = Field(examples=["GD-21"])


class RegistrationExportOut(Out):
    """A page of the records for the national registration platform (GD-19) as the CSV file
    carries them: each record maps every field of ``fields`` to its text (instants in UTC
    with Z here, in Asia/Shanghai time in the file; empty when none; amounts as decimal
    strings; masked identity only)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_REGISTRATION_EXPORT_OUT]})

    fields: list[str] = Field(examples=[["record_id", "city", "facility_id"]])
    items: list[dict[str, str]]
    next_cursor: str | None = Field(description="pass as `cursor` to get the next page; null on the last page")


class RegistrationBatchOut(Out):
    """The manifest of one delivered registration file (GD-19)."""

    batch_id: str = Field(examples=["RB-0199e4c1a6f076d13c4d5e6f7a8b9c0d"])
    city: str
    seq: int
    cursor: str
    previous_seq: int | None
    created_at: datetime
    record_count: int
    record_ids: list[str]
    fields: list[str]
    format: str = Field(examples=["csv"])
    encoding: str = Field(examples=["utf-8"])
    sha256: str
    file: str = Field(description="the path of the file under /v1")
    parameters_version: str
    rule: str = Field(examples=["GD-19"])


class RegistrationBatchesOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_REGISTRATION_BATCHES_OUT]})

    city: str
    items: list[RegistrationBatchOut]
    next_cursor: str = Field(description="the cursor to read on from (the same when nothing is new)")
    rule: str = Field(examples=["GD-19"])


NAMES_UNKNOWN: dict[int | str, dict[str, Any]] = {
    404: {
        "description": "The body names something unknown here (a case, a hospital)",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
}
"""The 404 of an operation whose body, not its path, names another resource."""


def answers(model: Any, *statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of an operation that answers ``model`` with each of ``statuses``
    (200 when none is named); the kernel adds the problem answers."""
    return {status: {"model": model} for status in statuses or (200,)}
