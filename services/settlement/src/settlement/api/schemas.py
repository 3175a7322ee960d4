"""What the settlement service answers, as typed models: the statement with its national
settlement fields, bills with their lines, the aid ledger, manual reimbursements and the
insurance catalogue. Money is a decimal string (never a float); times are RFC 3339."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from settlement.domain.catalogue import ItemKind

Money = Annotated[str, Field(pattern=r"^-?\d+\.\d{2}$", examples=["4400.00"], description="CNY, a decimal string")]
Quantity = Annotated[str, Field(pattern=r"^-?\d+(\.\d+)?$", examples=["1.000"])]


class Out(BaseModel):
    """An answer: exactly these fields (a test holds the service's answers to them)."""

    model_config = ConfigDict(extra="forbid")


class BillLineOut(Out):
    line_no: int
    item_code: str = Field(examples=["XA01ABD075A002010100483"])
    category: str
    in_catalogue: bool
    catalogue_version: str | None
    quantity: Quantity
    unit_price: Money
    amount: Money
    service_date: date
    self_pay_item_id: str | None
    treatment_id: str | None
    emergency: bool


class BillOut(Out):
    bill_id: str
    bill_number: str = Field(examples=["ZY2026-001234-F1"])
    admission_id: str
    facility_id: str
    kind: str = Field(examples=["final"])
    replaces_bill_id: str | None
    replaced_by_bill_id: str | None
    total: Money
    line_count: int
    reason: str | None
    submitted_by: str
    submitted_at: datetime


class BillDetailOut(BillOut):
    lines: list[BillLineOut]


class Amounts(Out):
    """Who pays what (LJ-6.1, LJ-6.2, LJ-7.4, LJ-14.1)."""

    basic_insurance: Money
    critical_illness: Money
    medical_aid: Money
    support_fund: Money
    self_pay_support: Money
    hospital_borne: Money
    personal_cash: Money


class NationalFields(Out):
    """The national platform's settlement fields (interface 2207), named as it names them."""

    medfee_sumamt: Money = Field(description="医疗费总额")
    inscp_scp_amt: Money = Field(description="符合范围金额")
    fulamt_ownpay_amt: Money = Field(description="全自费金额")
    act_pay_dedc: Money = Field(description="实际起付线")
    hifp_pay: Money = Field(description="基本医疗保险统筹基金支出")
    hifmi_pay: Money = Field(description="大病保险支出")
    maf_pay: Money = Field(description="医疗救助基金支出")
    oth_pay: Money = Field(description="其他支出")
    fund_pay_sumamt: Money = Field(description="基金支付总额")
    hosp_part_amt: Money = Field(description="医院负担金额")
    psn_part_amt: Money = Field(description="个人负担总金额")
    psn_cash_pay: Money = Field(description="个人现金支出")


class StatementLineOut(Out):
    seq: int
    payer: str
    amount: Money
    rule: str = Field(examples=["LJ-6.2"])
    parameter_version: str | None
    basis: str
    bill_ref: str | None


class AdmissionIdentifiers(Out):
    """The hospital's and the national platform's ids of the admission."""

    hospital_admission_no: str | None = Field(description="住院号")
    psn_no: str | None = Field(description="医保人员编号")
    mdtrt_id: str | None = Field(description="医保就诊ID")
    setl_id: str | None = Field(description="医保结算ID")


class UnconsentedLineOut(Out):
    """LJ-11.1 / LJ-11.2: a bill line of a treatment never consented (or not to proceed)."""

    bill_ref: str = Field(examples=["ZY2026-001234-F1#3"])
    item_code: str
    category: str
    amount: Money
    treatment_id: str | None
    rule: str = Field(examples=["LJ-11.1"])
    reason: str


class PlatformDifferenceOut(Out):
    """SPEC 0.5: where the national one-stop result differs from the own computation."""

    field: str = Field(examples=["maf_pay"], description="the platform's field (2207)")
    platform: Money
    computed: Money
    rule: str = Field(examples=["LJ-6.2"])
    note: str


class PlatformSettlementOut(Out):
    """The national platform's one-stop settlement result (2207 output) as posted (LJ-13.1)."""

    admission_id: str
    setl_id: str = Field(description="结算ID")
    mdtrt_id: str | None = Field(description="就诊ID")
    facility_id: str
    setl_time: datetime
    medfee_sumamt: Money
    inscp_scp_amt: Money
    fulamt_ownpay_amt: Money
    act_pay_dedc: Money
    hifp_pay: Money
    hifmi_pay: Money
    maf_pay: Money
    oth_pay: Money
    acct_pay: Money
    psn_cash_pay: Money
    posted_by: str
    posted_role: str
    posted_at: datetime
    revision: int = Field(description="1 as first posted; each correction of the same setl_id adds one")
    reason: str | None = Field(description="why this revision corrects the one before")
    reversed_at: datetime | None = Field(description="when the settlement was reversed on the platform")
    reversal_reason: str | None


class UnfiledCareAdviserOut(Out):
    """LJ-4.3c: the unit civil affairs recorded as having advised the unfiled outside care."""

    kind: str = Field(
        examples=["facility"], description="facility, institution, village_committee, town_government or other_unit"
    )
    id: str | None
    name: str = Field(description="the advising unit's name, never a private person")
    evidence_ref: str
    recorded_at: datetime


class UnfiledCareBearerOut(Out):
    """LJ-4.3c: who bears what the unfiled gate refuses (建议方或当事人)."""

    rule: str = Field(examples=["LJ-4.3c"])
    bearer: str = Field(
        examples=["adviser"], description="adviser (建议方) when civil affairs recorded one, else person"
    )
    amount: Money = Field(description="what aid, the support fund and support money do not pay")
    adviser: UnfiledCareAdviserOut | None


class StatementOut(Out):
    statement_id: str
    kind: str = Field(examples=["settlement"], description="settlement, or reversal of one")
    reverses_statement_id: str | None
    admission_id: str
    person_id: str
    facility_id: str
    mode: str = Field(examples=["one_stop"], description="one_stop (LJ-13.1) or manual (LJ-13.2)")
    aid_year: int
    total: Money
    in_catalogue_total: Money
    out_of_catalogue_total: Money
    deductible_applied: Money
    amounts: Amounts
    patient_advance: Money
    national_fields: NationalFields
    parameter_versions: list[str]
    example_parameters: bool
    manual_reasons: list[str]
    gates_applied: list[str]
    platform_setl_id: str | None = Field(
        description="the national one-stop settlement the insurances and aid were taken from (LJ-13.1)"
    )
    platform_differences: list[PlatformDifferenceOut] = Field(
        description="where that result differs from the own computation (SPEC 0.5)"
    )
    unconsented_lines: list[UnconsentedLineOut] = Field(
        description="bill lines of treatments never consented (LJ-11.1) or evaluated not to proceed (LJ-11.2)"
    )
    unfiled_care_bearer: UnfiledCareBearerOut | None = Field(
        description="outside care never filed: who bears the cost the gate refuses (LJ-4.3c)"
    )
    bill_ids: list[str]
    reason: str | None
    created_by: str
    created_role: str
    completed_at: datetime


class StatementDetailOut(StatementOut):
    lines: list[StatementLineOut]


class StatementReadOut(StatementDetailOut):
    reversed_by_statement_id: str | None
    admission_identifiers: AdmissionIdentifiers


class LedgerOut(Out):
    """A person's medical-aid ledger of a year (LJ-6.2); empty before the first settlement."""

    person_id: str
    year: int
    basic_paid: Money | None = None
    critical_base: Money | None = None
    critical_paid: Money | None = None
    aid_used: Money
    aid_ceiling: Money | None
    aid_remaining: Money | None


class ReimbursementOut(Out):
    """A manual reimbursement (LJ-13.2): the window, the application, the aid it holds on the
    yearly ceiling (LJ-6.2), medical insurance's review and the payment."""

    statement_id: str
    admission_id: str
    person_id: str
    facility_id: str
    support_type: str
    reason: str
    reimbursable: Money
    application_due_at: datetime | None
    calendar_provisional: bool
    requested_at: datetime
    applied_at: datetime | None
    applied_by: str | None
    applied_late: bool | None = Field(description="kept for applications recorded before the window was enforced")
    state: Literal["requested", "applied", "approved", "rejected", "paid", "reversed"]
    window_version: str | None = Field(description="the manual_reimbursement_window version applied (LJ-13.2)")
    applied_role: str | None
    aid_reserved: Money | None = Field(description="LJ-6.2: reserved on the yearly ceiling at application")
    aid_held: Money | None = Field(description="LJ-6.2: what the ledger holds for it now")
    reviewed_at: datetime | None
    reviewed_by: str | None
    review_reasons: list[str] | None
    approved_basic_insurance: Money | None
    approved_critical_illness: Money | None
    approved_medical_aid: Money | None
    paid_at: datetime | None
    paid_by: str | None
    paid_amount: Money | None
    payment_ref: str | None


class CatalogueLoadOut(Out):
    loaded: list[str] = Field(description="the version ids loaded")


class TestRulesOut(Out):
    groups: int
    rules: int


class AnalysisOut(Out):
    """A quarter's analysis run (LJ-8, LJ-9, LJ-15.4): flags found, of them new."""

    quarter: str = Field(examples=["2026Q1"])
    flags: int
    new_flags: int
    by_kind: dict[str, int]


class SelfPayShareRow(Out):
    quarter: str
    facility_id: str
    facility_name: str | None = Field(description="null until the facility is known here")
    admissions: int
    total: Money
    self_pay: Money
    share: str = Field(examples=["0.333333"], description="self-pay / total, a decimal string")
    district_median: str
    iqr: str
    threshold: str
    abnormal: bool


class SelfPayShareOut(Out):
    """LJ-8: each hospital's self-pay share of the quarter; abnormal above median + k × IQR."""

    quarter: str = Field(examples=["2026Q1"])
    items: list[SelfPayShareRow]


class FlagRow(Out):
    quarter: str
    kind: str = Field(examples=["bed_hanging"])
    rule: str = Field(examples=["LJ-9"])
    facility_id: str
    admission_id: str | None
    metric: str
    threshold: str
    detail: str
    flag_id: str
    flagged_at: datetime
    statement_id: str | None = Field(description="the statement that raised the flag (a settlement's flags)")
    withdrawn_at: datetime | None = Field(description="when the statement's reversal withdrew it (LJ-11.1, LJ-13.1)")
    withdrawn_by_statement_id: str | None
    withdrawn_reason: str | None


class FlagsOut(Out):
    quarter: str = Field(examples=["2026Q1"])
    items: list[FlagRow]


class CatalogueEntryOut(Out):
    version_id: str = Field(examples=["XA01ABD075A002010100483:any:2026-01-01"])
    code: str
    name: str
    kind: ItemKind
    in_catalogue: bool
    region: str
    effective_from: date
    effective_to: date | None
    example: bool
    source: str
