"""What the settlement service answers, as typed models: the statement with its national
settlement fields, bills with their lines, the aid ledger, manual reimbursements and the
insurance catalogue. Money is a decimal string (never a float); times are RFC 3339."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from settlement.domain.catalogue import ItemKind

Money = Annotated[str, Field(pattern=r"^-?\d+\.\d{2}$", examples=["4400.00"], description="CNY, a decimal string")]
Quantity = Annotated[str, Field(pattern=r"^-?\d+(\.\d+)?$", examples=["1.000"])]

# --- examples: one admission at 柳江区人民医院 settled one-stop, as /docs shows it ----------------
ADMISSION_ID = "01a22f94-a340-725f-8166-77cff015ea38"
PERSON_ID = "0193a5b2-7c4e-7d11-9a3f-5b2c8e1f4a10"
BILL_ID = "01a262ef-9c40-753f-b31c-6f215dc4b9ba"
STATEMENT_ID = "01a262f0-86a0-741d-b919-0c80fab3af8e"
REVERSAL_ID = "01a27210-4a80-794b-a4d3-36469c2566f7"
SELF_PAY_ITEM_ID = "spi-01a23556a3007345881e33c26a9d0282"
TREATMENT_ID = "trt-01a2358d91807b1d90953e7d83b7dc0a"
FACILITY_ID = "LJ-RMYY"

BILL_LINES: list[dict[str, Any]] = [
    {
        "item_code": "002101000010000",
        "category": "bed",
        "quantity": "10",
        "unit_price": "40.00",
        "amount": "400.00",
        "service_date": "2026-12-10",
    },
    {
        "item_code": "002201000020000",
        "category": "nursing",
        "quantity": "10",
        "unit_price": "25.00",
        "amount": "250.00",
        "service_date": "2026-12-10",
    },
    {
        "item_code": "XJ01DDA137A001010101045",
        "category": "drug",
        "quantity": "20",
        "unit_price": "38.50",
        "amount": "770.00",
        "service_date": "2026-12-09",
    },
    {
        "item_code": "002103040010000",
        "category": "test",
        "quantity": "1",
        "unit_price": "280.00",
        "amount": "280.00",
        "service_date": "2026-12-02",
    },
    {
        "item_code": "C14010201300000000001",
        "category": "consumable",
        "quantity": "20",
        "unit_price": "3.50",
        "amount": "70.00",
        "service_date": "2026-12-09",
    },
    {
        "item_code": "XJ01DHM059B001010100433",
        "category": "drug",
        "quantity": "6",
        "unit_price": "180.00",
        "amount": "1080.00",
        "service_date": "2026-12-04",
        "self_pay_item_id": SELF_PAY_ITEM_ID,
    },
]
"""The final bill's lines as the hospital sends them: national codes, one self-pay drug."""

BILL_IN: dict[str, Any] = {
    "bill_number": "ZY2026-001234-F1",
    "admission_id": ADMISSION_ID,
    "kind": "final",
    "lines": BILL_LINES,
}

BILL: dict[str, Any] = {
    "bill_id": BILL_ID,
    "bill_number": "ZY2026-001234-F1",
    "admission_id": ADMISSION_ID,
    "facility_id": FACILITY_ID,
    "kind": "final",
    "replaces_bill_id": None,
    "replaced_by_bill_id": None,
    "total": "2850.00",
    "line_count": 6,
    "reason": None,
    "submitted_by": "his-lj-rmyy",
    "submitted_at": "2026-12-11T02:30:00Z",
}
IN_CATALOGUE = {
    "002101000010000",
    "002201000020000",
    "XJ01DDA137A001010101045",
    "002103040010000",
    "C14010201300000000001",
}
BILL_DETAIL: dict[str, Any] = {
    **BILL,
    "lines": [
        {
            "line_no": n,
            "item_code": line["item_code"],
            "category": line["category"],
            "in_catalogue": line["item_code"] in IN_CATALOGUE,
            "catalogue_version": f"{line['item_code']}:any:2026-01-01",
            "quantity": line["quantity"],
            "unit_price": line["unit_price"],
            "amount": line["amount"],
            "service_date": line["service_date"],
            "self_pay_item_id": line.get("self_pay_item_id"),
            "treatment_id": None,
            "emergency": False,
        }
        for n, line in enumerate(BILL_LINES, start=1)
    ],
}

NATIONAL_FIELDS: dict[str, Any] = {
    "medfee_sumamt": "2850.00",
    "inscp_scp_amt": "1770.00",
    "fulamt_ownpay_amt": "1080.00",
    "act_pay_dedc": "400.00",
    "hifp_pay": "1096.00",
    "hifmi_pay": "0.00",
    "maf_pay": "674.00",
    "oth_pay": "1080.00",
    "fund_pay_sumamt": "2850.00",
    "hosp_part_amt": "0.00",
    "psn_part_amt": "0.00",
    "psn_cash_pay": "0.00",
}
STATEMENT: dict[str, Any] = {
    "statement_id": STATEMENT_ID,
    "kind": "settlement",
    "reverses_statement_id": None,
    "admission_id": ADMISSION_ID,
    "person_id": PERSON_ID,
    "facility_id": FACILITY_ID,
    "mode": "one_stop",
    "aid_year": 2026,
    "total": "2850.00",
    "in_catalogue_total": "1770.00",
    "out_of_catalogue_total": "1080.00",
    "deductible_applied": "400.00",
    "amounts": {
        "basic_insurance": "1096.00",
        "critical_illness": "0.00",
        "medical_aid": "674.00",
        "support_fund": "0.00",
        "self_pay_support": "1080.00",
        "hospital_borne": "0.00",
        "personal_cash": "0.00",
    },
    "patient_advance": "0.00",
    "national_fields": NATIONAL_FIELDS,
    "parameter_versions": [
        "basic_insurance:any:district:2026-01-01",
        "critical_illness:any:any:2026-01-01",
        "medical_aid:any:any:2026-01-01",
    ],
    "example_parameters": True,
    "manual_reasons": [],
    "gates_applied": [],
    "platform_setl_id": "450200202612110000456",
    "platform_differences": [],
    "unconsented_lines": [],
    "unfiled_care_bearer": None,
    "bill_ids": [BILL_ID],
    "reason": None,
    "created_by": "his-lj-rmyy",
    "created_role": "hospital",
    "completed_at": "2026-12-11T02:31:00Z",
}
STATEMENT_LINES: list[dict[str, Any]] = [
    {
        "seq": 1,
        "payer": "basic_insurance",
        "amount": "1096.00",
        "rule": "LJ-6.1",
        "parameter_version": "basic_insurance:any:district:2026-01-01",
        "basis": "in-catalogue 1770.00 less the deductible 400.00, at 80 %",
        "bill_ref": None,
    },
    {
        "seq": 2,
        "payer": "critical_illness",
        "amount": "0.00",
        "rule": "LJ-6.1",
        "parameter_version": "critical_illness:any:any:2026-01-01",
        "basis": "the year's out-of-pocket compliant cost is below the threshold 7500.00",
        "bill_ref": None,
    },
    {
        "seq": 3,
        "payer": "medical_aid",
        "amount": "674.00",
        "rule": "LJ-6.2",
        "parameter_version": "medical_aid:any:any:2026-01-01",
        "basis": "the remaining compliant cost at 100 %, within the yearly ceiling 60000.00",
        "bill_ref": None,
    },
    {
        "seq": 4,
        "payer": "self_pay_support",
        "amount": "1080.00",
        "rule": "LJ-14.1",
        "parameter_version": None,
        "basis": "self-pay item approved by both reviews: support money / temporary assistance",
        "bill_ref": "ZY2026-001234-F1#6",
    },
]
STATEMENT_DETAIL: dict[str, Any] = {**STATEMENT, "lines": STATEMENT_LINES}
STATEMENT_READ: dict[str, Any] = {
    **STATEMENT_DETAIL,
    "reversed_by_statement_id": None,
    "admission_identifiers": {
        "hospital_admission_no": "ZY2026120100123",
        "psn_no": "45020000000000123456",
        "mdtrt_id": "450200G0000012345678",
        "setl_id": "450200202612110000456",
    },
}
REVERSAL: dict[str, Any] = {
    **STATEMENT,
    "statement_id": REVERSAL_ID,
    "kind": "reversal",
    "reverses_statement_id": STATEMENT_ID,
    "total": "-2850.00",
    "in_catalogue_total": "-1770.00",
    "out_of_catalogue_total": "-1080.00",
    "deductible_applied": "-400.00",
    "amounts": {k: ("-" + v if v != "0.00" else v) for k, v in STATEMENT["amounts"].items()},
    "national_fields": {k: ("-" + v if v != "0.00" else v) for k, v in NATIONAL_FIELDS.items()},
    "reason": "bed days billed twice (12-09 and 12-10): corrected bill follows",
    "created_by": "his-lj-rmyy",
    "completed_at": "2026-12-14T01:00:00Z",
    "lines": [
        {
            **line,
            "amount": "-" + line["amount"] if line["amount"] != "0.00" else "0.00",
            "basis": f"reversal of: {line['basis']}",
        }
        for line in STATEMENT_LINES
    ],
}
REIMBURSEMENT: dict[str, Any] = {
    "statement_id": "01a25361-1100-7bfb-b0af-1d87cd825476",
    "admission_id": ADMISSION_ID,
    "person_id": PERSON_ID,
    "facility_id": "GX-RMYY",
    "support_type": "centralized",
    "reason": "LJ-13.2 manual reimbursement application received",
    "reimbursable": "1770.00",
    "application_due_at": "2027-01-04T15:59:59Z",
    "calendar_provisional": False,
    "requested_at": "2026-12-11T02:31:00Z",
    "applied_at": "2026-12-15T03:20:00Z",
    "applied_by": "fly-agent-wei",
    "applied_late": False,
    "state": "applied",
    "window_version": "manual_reimbursement_window:any:any:default",
    "applied_role": "institution",
    "aid_reserved": "674.00",
    "aid_held": "674.00",
    "reviewed_at": None,
    "reviewed_by": None,
    "review_reasons": None,
    "approved_basic_insurance": None,
    "approved_critical_illness": None,
    "approved_medical_aid": None,
    "paid_at": None,
    "paid_by": None,
    "paid_amount": None,
    "payment_ref": None,
}
REIMBURSEMENT_APPROVED: dict[str, Any] = {
    **REIMBURSEMENT,
    "reason": "LJ-13.2 manual reimbursement approved",
    "state": "approved",
    "reviewed_at": "2026-12-18T02:00:00Z",
    "reviewed_by": "ybj-reviewer-lan",
    "review_reasons": [],
    "approved_basic_insurance": "1096.00",
    "approved_critical_illness": "0.00",
    "approved_medical_aid": "674.00",
}
REIMBURSEMENT_PAID: dict[str, Any] = {
    **REIMBURSEMENT_APPROVED,
    "reason": "LJ-13.2 manual reimbursement paid",
    "state": "paid",
    "aid_held": "674.00",
    "paid_at": "2026-12-22T06:00:00Z",
    "paid_by": "ybj-cashier-mo",
    "paid_amount": "1770.00",
    "payment_ref": "YBZF-2026-12-000981",
}
CATALOGUE_ENTRY: dict[str, Any] = {
    "code": "XJ01DHM059B001010100433",
    "name": "注射用美罗培南",
    "kind": "drug",
    "in_catalogue": False,
    "region": "any",
    "effective_from": "2026-01-01",
    "effective_to": None,
    "example": True,
    "source": "EXAMPLE: out of catalogue, not an official entry",
}

PLATFORM_AMOUNTS: dict[str, Any] = {
    "medfee_sumamt": "2850.00",
    "inscp_scp_amt": "1770.00",
    "fulamt_ownpay_amt": "1080.00",
    "act_pay_dedc": "400.00",
    "hifp_pay": "1096.00",
    "hifmi_pay": "0.00",
    "maf_pay": "674.00",
    "oth_pay": "1080.00",
    "acct_pay": "0.00",
    "psn_cash_pay": "0.00",
}
"""The national platform's 2207 result for the admission: what the own computation found."""
SELF_PAY_ROW: dict[str, Any] = {
    "quarter": "2026Q4",
    "facility_id": FACILITY_ID,
    "facility_name": "柳江区人民医院",
    "admissions": 214,
    "total": "1262400.00",
    "self_pay": "151488.00",
    "share": "0.120000",
    "district_median": "0.085000",
    "iqr": "0.020000",
    "threshold": "0.115000",
    "abnormal": True,
}
FLAG: dict[str, Any] = {
    "quarter": "2026Q4",
    "kind": "bed_hanging",
    "rule": "LJ-9",
    "facility_id": FACILITY_ID,
    "admission_id": ADMISSION_ID,
    "metric": "bed days without a nursing or treatment line",
    "threshold": "3",
    "detail": "5 bed days (2026-12-05 to 2026-12-09) bill no nursing, drug or treatment",
    "flag_id": "01a267c3-9280-7043-87e6-d94fa14bcfbe",
    "flagged_at": "2026-12-12T01:00:00Z",
    "statement_id": None,
    "withdrawn_at": None,
    "withdrawn_by_statement_id": None,
    "withdrawn_reason": None,
}


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class Out(BaseModel):
    """An answer: exactly these fields (a test holds the service's answers to them)."""

    model_config = ConfigDict(extra="forbid")


class BillLineOut(Out):
    model_config = _examples(BILL_DETAIL["lines"][5])

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
    model_config = _examples(BILL)

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
    model_config = _examples(BILL_DETAIL)

    lines: list[BillLineOut]


class Amounts(Out):
    """Who pays what (LJ-6.1, LJ-6.2, LJ-7.4, LJ-14.1)."""

    model_config = _examples(STATEMENT["amounts"])

    basic_insurance: Money
    critical_illness: Money
    medical_aid: Money
    support_fund: Money
    self_pay_support: Money
    hospital_borne: Money
    personal_cash: Money


class NationalFields(Out):
    """The national platform's settlement fields (interface 2207), named as it names them."""

    model_config = _examples(NATIONAL_FIELDS)

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
    model_config = _examples(STATEMENT_LINES[0])

    seq: int
    payer: str
    amount: Money
    rule: str = Field(examples=["LJ-6.2"])
    parameter_version: str | None
    basis: str
    bill_ref: str | None


class AdmissionIdentifiers(Out):
    """The hospital's and the national platform's ids of the admission."""

    model_config = _examples(STATEMENT_READ["admission_identifiers"])

    hospital_admission_no: str | None = Field(description="住院号")
    psn_no: str | None = Field(description="医保人员编号")
    mdtrt_id: str | None = Field(description="医保就诊ID")
    setl_id: str | None = Field(description="医保结算ID")


class UnconsentedLineOut(Out):
    """LJ-11.1 / LJ-11.2: a bill line of a treatment never consented (or not to proceed)."""

    model_config = _examples(
        {
            "bill_ref": "ZY2026-001234-F1#7",
            "item_code": "003312020010000",
            "category": "surgery",
            "amount": "3600.00",
            "treatment_id": TREATMENT_ID,
            "rule": "LJ-11.1",
            "reason": "the treatment was never consented",
        }
    )

    bill_ref: str = Field(examples=["ZY2026-001234-F1#3"])
    item_code: str
    category: str
    amount: Money
    treatment_id: str | None
    rule: str = Field(examples=["LJ-11.1"])
    reason: str


class PlatformDifferenceOut(Out):
    """SPEC 0.5: where the national one-stop result differs from the own computation."""

    model_config = _examples(
        {
            "field": "maf_pay",
            "platform": "700.00",
            "computed": "674.00",
            "rule": "LJ-6.2",
            "note": "the platform paid 26.00 more medical aid than the ledger allows",
        }
    )

    field: str = Field(examples=["maf_pay"], description="the platform's field (2207)")
    platform: Money
    computed: Money
    rule: str = Field(examples=["LJ-6.2"])
    note: str


PLATFORM_RESULT: dict[str, Any] = {
    "admission_id": ADMISSION_ID,
    "setl_id": "450200202612110000456",
    "mdtrt_id": "450200G0000012345678",
    "facility_id": FACILITY_ID,
    "setl_time": "2026-12-11T02:20:00Z",
    **PLATFORM_AMOUNTS,
    "posted_by": "his-lj-rmyy",
    "posted_role": "hospital",
    "posted_at": "2026-12-11T02:25:00Z",
    "revision": 1,
    "reason": None,
    "reversed_at": None,
    "reversal_reason": None,
}


class PlatformSettlementOut(Out):
    """The national platform's one-stop settlement result (2207 output) as posted (LJ-13.1)."""

    model_config = _examples(PLATFORM_RESULT)

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


class PlatformRevisionOut(PlatformSettlementOut):
    """One revision of an admission's national result as it was posted (LJ-13.1, SPEC 0.5):
    the first, a correction of the same ``setl_id``, or the new settlement after a reversal."""

    model_config = _examples(
        {
            **PLATFORM_RESULT,
            "reversed_at": "2026-12-12T01:00:00Z",
            "reversal_reason": "结算有误，医保中心撤销后重新结算",
            "superseded_at": "2026-12-12T01:30:00Z",
        }
    )

    superseded_at: datetime | None = Field(
        description="when a later revision (a correction, or the new settlement after a reversal) took its place"
    )


class UnfiledCareAdviserOut(Out):
    """LJ-4.3c: the unit civil affairs recorded as having advised the unfiled outside care."""

    model_config = _examples(
        {
            "kind": "facility",
            "unit_id": "LZ-GRMYY",
            "name": "柳州市工人医院",
            "evidence_ref": "MZ-LJ-2026-0117",
            "recorded_at": "2026-12-12T03:00:00Z",
        }
    )

    kind: str = Field(
        examples=["facility"], description="facility, institution, village_committee, town_government or other_unit"
    )
    unit_id: str | None = Field(description="the advising facility's id when kind is facility, else null")
    name: str = Field(description="the advising unit's name, never a private person")
    evidence_ref: str
    recorded_at: datetime


class UnfiledCareBearerOut(Out):
    """LJ-4.3c: who bears what the unfiled gate refuses (建议方或当事人)."""

    model_config = _examples(
        {
            "rule": "LJ-4.3c",
            "bearer": "adviser",
            "amount": "674.00",
            "adviser": {
                "kind": "facility",
                "unit_id": "LZ-GRMYY",
                "name": "柳州市工人医院",
                "evidence_ref": "MZ-LJ-2026-0117",
                "recorded_at": "2026-12-12T03:00:00Z",
            },
        }
    )

    rule: str = Field(examples=["LJ-4.3c"])
    bearer: str = Field(
        examples=["adviser"], description="adviser (建议方) when civil affairs recorded one, else person"
    )
    amount: Money = Field(description="what aid, the support fund and support money do not pay")
    adviser: UnfiledCareAdviserOut | None


class StatementOut(Out):
    model_config = _examples(STATEMENT)

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
    model_config = _examples(STATEMENT_DETAIL, REVERSAL)

    lines: list[StatementLineOut]


class StatementReadOut(StatementDetailOut):
    model_config = _examples(STATEMENT_READ)

    reversed_by_statement_id: str | None
    admission_identifiers: AdmissionIdentifiers


class LedgerOut(Out):
    """A person's medical-aid ledger of a year (LJ-6.2); empty before the first settlement."""

    model_config = _examples(
        {
            "person_id": PERSON_ID,
            "year": 2026,
            "basic_paid": "1096.00",
            "critical_base": "674.00",
            "critical_paid": "0.00",
            "aid_used": "674.00",
            "aid_ceiling": "60000.00",
            "aid_remaining": "59326.00",
        }
    )

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

    model_config = _examples(REIMBURSEMENT, REIMBURSEMENT_APPROVED, REIMBURSEMENT_PAID)

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
    model_config = _examples({"loaded": ["XJ01DHM059B001010100433:any:2026-01-01"]})

    loaded: list[str] = Field(description="the version ids loaded")


class TestRulesOut(Out):
    model_config = _examples({"groups": 2, "rules": 5})

    groups: int
    rules: int


class AnalysisOut(Out):
    """A quarter's analysis run (LJ-8, LJ-9, LJ-15.4): flags found, of them new."""

    model_config = _examples(
        {"quarter": "2026Q4", "flags": 3, "new_flags": 1, "by_kind": {"self_pay_share": 1, "bed_hanging": 2}}
    )

    quarter: str = Field(examples=["2026Q1"])
    flags: int
    new_flags: int
    by_kind: dict[str, int]


class SelfPayShareRow(Out):
    model_config = _examples(SELF_PAY_ROW)

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

    model_config = _examples({"quarter": "2026Q4", "items": [SELF_PAY_ROW]})

    quarter: str = Field(examples=["2026Q1"])
    items: list[SelfPayShareRow]


class FlagRow(Out):
    model_config = _examples(FLAG)

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
    model_config = _examples({"quarter": "2026Q4", "items": [FLAG]})

    quarter: str = Field(examples=["2026Q1"])
    items: list[FlagRow]


class CatalogueEntryOut(Out):
    model_config = _examples({"version_id": "XJ01DHM059B001010100433:any:2026-01-01", **CATALOGUE_ENTRY})

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
