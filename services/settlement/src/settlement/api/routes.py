"""HTTP routes of the settlement service (thin: each hands its use case to the kernel's
command or query dependency, which authorizes, runs it and answers)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from medaid_shared.idempotency import encode
from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun
from settlement.api.schemas import (
    AnalysisOut,
    BillDetailOut,
    BillOut,
    CatalogueEntryOut,
    CatalogueLoadOut,
    FlagsOut,
    LedgerOut,
    PlatformRevisionOut,
    PlatformSettlementOut,
    ReimbursementOut,
    SelfPayShareOut,
    StatementDetailOut,
    StatementOut,
    StatementReadOut,
    TestRulesOut,
)
from settlement.domain.catalogue import CatalogueEntry
from settlement.service import analytics, bills, catalogue, platform, reimbursements, settlements

router = APIRouter()

CSV = "text/csv"
Format = Annotated[Literal["json", "csv"], Query(description="json, or csv for a spreadsheet")]
Id = Annotated[str, Path(min_length=1, max_length=100)]


def _csv(rows: Sequence[dict[str, Any]], filename: str) -> Response:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in encode(list(rows)):
            writer.writerow(row)
    return Response(
        buffer.getvalue(),
        media_type=f"{CSV}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- bills -------------------------------------------------------------------------------------
@router.post(
    "/bills",
    tags=["bills"],
    status_code=201,
    summary="Submit an itemised bill (interim or final)",
    response_model=BillDetailOut,
    responses={
        200: {"model": BillDetailOut, "description": "The same bill number with the same content: the stored bill"}
    },
)
async def submit_bill(body: bills.BillIn, run: CommandRun) -> JSONResponse:
    """Idempotent by bill number: the same number with the same content returns the stored
    bill (200); a correction is a new bill with ``replaces`` (never an edit)."""
    return await run("bill.submit", lambda ctx: bills.submit_bill(ctx, run.principal, body))


@router.get("/bills/{bill_id}", tags=["bills"], summary="One bill with its lines", response_model=BillDetailOut)
async def get_bill(bill_id: Id, run: QueryRun) -> Any:
    return await run("bill.read", lambda ctx: bills.get_bill(ctx, run.principal, bill_id))


@router.get(
    "/bills",
    tags=["bills"],
    summary="Bills, latest submitted first (a hospital sees only its own)",
    response_model=None,
    responses={200: {"model": Page[BillOut]}},
)
async def list_bills(
    run: QueryRun, page: PageQuery, admission_id: Annotated[str | None, Query(max_length=100)] = None
) -> Any:
    return await run.keyset_page(
        "bill.read",
        lambda ctx: bills.list_bills(ctx, run.principal, page, admission_id),
        page,
        lambda b: sort_key(b["submitted_at"], b["bill_id"]),
    )


# --- settlement -------------------------------------------------------------------------------
@router.post(
    "/admissions/{admission_id}/settlement",
    tags=["settlement"],
    status_code=201,
    summary="Settle an admission at discharge (one-stop LJ-13.1 or manual LJ-13.2)",
    response_model=StatementDetailOut,
    responses={200: {"model": StatementDetailOut, "description": "Already settled: the standing statement"}},
)
async def settle(admission_id: Id, run: CommandRun) -> JSONResponse:
    """201 with the new statement; 200 with the standing one (re-settling changes nothing)."""
    return await run("settlement.settle", lambda ctx: settlements.settle_admission(ctx, run.principal, admission_id))


@router.post(
    "/admissions/{admission_id}/platform-settlement",
    tags=["settlement"],
    status_code=201,
    summary="Post the national platform's one-stop settlement result (LJ-13.1, 2207 output)",
    response_model=PlatformSettlementOut,
    responses={200: {"model": PlatformSettlementOut, "description": "The same result again: the stored one"}},
)
async def post_platform_settlement(
    admission_id: Id, body: platform.PlatformSettlementIn, run: CommandRun
) -> JSONResponse:
    """Settlement takes basic insurance, critical illness and medical aid from it (aid checked
    against LJ-6.2) and flags every difference from its own computation; a standing
    statement is reversed and issued again on it (SPEC 0.5)."""
    return await run(
        "platform_settlement.post",
        lambda ctx: platform.post_platform_settlement(ctx, run.principal, admission_id, body),
    )


@router.post(
    "/admissions/{admission_id}/platform-settlement/corrections",
    tags=["settlement"],
    status_code=201,
    summary="Correct the posted national one-stop result of the same setl_id (LJ-13.1, SPEC 0.5)",
    response_model=PlatformSettlementOut,
    responses={200: {"model": PlatformSettlementOut, "description": "The same result is already in force"}},
)
async def correct_platform_settlement(
    admission_id: Id, body: platform.PlatformCorrectionIn, run: CommandRun
) -> JSONResponse:
    """A new revision of the result, naming the revision it corrects and why; the standing
    statement is reversed and issued again on it, in the same aid-ceiling ledger (LJ-6.2). A
    correction naming a revision no longer in force is refused (409, ``corrects_revision``)."""
    return await run(
        "platform_settlement.post",
        lambda ctx: platform.correct_platform_settlement(ctx, run.principal, admission_id, body),
    )


@router.post(
    "/admissions/{admission_id}/platform-settlement/reversal",
    tags=["settlement"],
    summary="Record the national settlement's reversal on the platform (LJ-13.1, 2208)",
    response_model=PlatformSettlementOut,
)
async def reverse_platform_settlement(
    admission_id: Id, body: platform.PlatformReversalIn, run: CommandRun
) -> JSONResponse:
    """The result is no longer a fact: the standing statement is reversed and issued again on
    the own computation. A repeated reversal changes nothing; a stale revision is refused."""
    return await run(
        "platform_settlement.post",
        lambda ctx: platform.reverse_platform_settlement(ctx, run.principal, admission_id, body),
    )


@router.get(
    "/admissions/{admission_id}/platform-settlement/revisions",
    tags=["settlement"],
    summary="Every national one-stop result revision posted for an admission, first posted first (LJ-13.1)",
    response_model=None,
    responses={200: {"model": Page[PlatformRevisionOut]}},
)
async def list_platform_revisions(admission_id: Id, run: QueryRun, page: PageQuery) -> Any:
    """The results as they were posted: corrections of the same setl_id, reversals and the new
    settlement after one, each with when it stopped being in force (a hospital its own)."""
    return await run.keyset_page(
        "platform_settlement.read",
        lambda ctx: platform.list_revisions(ctx, run.principal, admission_id, page),
        page,
        lambda r: sort_key(r["revision"], r["admission_id"]),
    )


class ReversalIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "bed days billed twice (12-09 and 12-10): corrected bill follows"}]}
    )

    reason: str = Field(min_length=3, max_length=500)


@router.post(
    "/statements/{statement_id}/reversal",
    tags=["settlement"],
    status_code=201,
    summary="Reverse a statement",
    response_model=StatementDetailOut,
)
async def reverse(statement_id: Id, body: ReversalIn, run: CommandRun) -> JSONResponse:
    """Statements are immutable: a correction is this reversal plus a new settlement."""
    return await run(
        "settlement.reverse",
        lambda ctx: settlements.reverse_statement(ctx, run.principal, statement_id, body.reason),
        status=201,
    )


@router.get(
    "/statements/{statement_id}",
    tags=["settlement"],
    summary="A statement with its explanation lines and the hospital's and national ids",
    response_model=StatementReadOut,
)
async def get_statement(statement_id: Id, run: QueryRun) -> Any:
    return await run("statement.read", lambda ctx: settlements.get_statement(ctx, run.principal, statement_id))


@router.get(
    "/statements",
    tags=["settlement"],
    summary="Statements, latest first (a hospital sees only its own)",
    response_model=None,
    responses={200: {"model": Page[StatementOut]}},
)
async def list_statements(
    run: QueryRun,
    page: PageQuery,
    admission_id: Annotated[str | None, Query(max_length=100)] = None,
    person_id: Annotated[str | None, Query(max_length=100)] = None,
) -> Any:
    return await run.keyset_page(
        "statement.read",
        lambda ctx: settlements.list_statements(ctx, run.principal, page, admission_id, person_id),
        page,
        lambda s: sort_key(s["completed_at"], s["statement_id"]),
    )


@router.get(
    "/ledger/{person_id}/{year}",
    tags=["settlement"],
    summary="A person's medical-aid ledger of a year",
    response_model=LedgerOut,
)
async def get_ledger(
    person_id: Id,
    year: Annotated[int, Path(ge=2000, le=2100)],
    run: QueryRun,
) -> Any:
    return await run("ledger.read", lambda ctx: settlements.get_ledger(ctx, person_id, year))


# --- manual reimbursement (LJ-13.2) --------------------------------------------------------------
@router.post(
    "/reimbursements/{statement_id}/application",
    tags=["settlement"],
    summary="Apply for the manual reimbursement within the window (LJ-13.2); the aid is reserved (LJ-6.2)",
    response_model=ReimbursementOut,
)
async def apply_for_reimbursement(statement_id: Id, run: CommandRun) -> Any:
    return await run("reimbursement.apply", lambda ctx: reimbursements.apply(ctx, run.principal, statement_id))


Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2, description="CNY, 2 decimals")]


class ReviewIn(BaseModel):
    """LJ-13.2: approve with the amounts reimbursed, or reject with the reasons."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "outcome": "approved",
                    "basic_insurance": "1096.00",
                    "critical_illness": "0.00",
                    "medical_aid": "674.00",
                },
                {"outcome": "rejected", "reasons": ["出院小结缺医师签名 (discharge summary unsigned)"]},
            ]
        }
    )

    # Each field is checked against the outcome (declared first, so validated first) on its
    # own, defaults included, so a refusal names the field at fault: /reasons, /medical_aid.
    outcome: Literal["approved", "rejected"]
    basic_insurance: Amount | None = Field(default=None, validate_default=True)
    critical_illness: Amount | None = Field(default=None, validate_default=True)
    medical_aid: Amount | None = Field(default=None, validate_default=True)
    reasons: list[Annotated[str, Field(min_length=2, max_length=500)]] = Field(
        default=[], max_length=20, validate_default=True
    )

    @field_validator("basic_insurance", "critical_illness", "medical_aid")
    @classmethod
    def _amount_for_the_outcome(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        outcome = info.data.get("outcome")
        if outcome == "approved" and value is None:
            raise ValueError(f"an approval names {info.field_name} (LJ-13.2)")
        if outcome == "rejected" and value is not None:
            raise ValueError("a rejection gives no amounts (LJ-13.2)")
        return value

    @field_validator("reasons")
    @classmethod
    def _reasons_for_the_outcome(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if info.data.get("outcome") == "rejected" and not value:
            raise ValueError("a rejection gives its reasons (LJ-13.2)")
        return value

    def approval(self) -> reimbursements.Approval | None:
        if self.outcome == "rejected":
            return None
        assert self.basic_insurance is not None and self.critical_illness is not None and self.medical_aid is not None
        return reimbursements.Approval(self.basic_insurance, self.critical_illness, self.medical_aid)


@router.post(
    "/reimbursements/{statement_id}/review",
    tags=["settlement"],
    response_model=ReimbursementOut,
    summary="Medical insurance approves (amounts) or rejects (reasons) the application (LJ-13.2)",
)
async def review_reimbursement(statement_id: Id, body: ReviewIn, run: CommandRun) -> Any:
    return await run(
        "reimbursement.review",
        lambda ctx: reimbursements.review(ctx, run.principal, statement_id, body.approval(), body.reasons),
    )


class PaymentIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"amount": "1770.00", "payment_ref": "YBZF-2026-12-000981"}]}
    )

    amount: Amount
    payment_ref: str = Field(min_length=1, max_length=100)


@router.post(
    "/reimbursements/{statement_id}/payment",
    tags=["settlement"],
    response_model=ReimbursementOut,
    summary="Medical insurance paid the approved reimbursement (LJ-13.2)",
)
async def record_reimbursement_payment(statement_id: Id, body: PaymentIn, run: CommandRun) -> Any:
    return await run(
        "reimbursement.pay",
        lambda ctx: reimbursements.record_payment(ctx, run.principal, statement_id, body.amount, body.payment_ref),
    )


@router.get(
    "/reimbursements",
    tags=["settlement"],
    summary="Manual reimbursements, latest requested first",
    response_model=None,
    responses={200: {"model": Page[ReimbursementOut]}},
)
async def list_reimbursements(run: QueryRun, page: PageQuery, pending: bool = False) -> Any:
    return await run.keyset_page(
        "reimbursement.read",
        lambda ctx: settlements.list_manual(ctx, page, pending),
        page,
        lambda m: sort_key(m["requested_at"], m["statement_id"]),
    )


# --- the insurance catalogue (SPEC 0.5) ------------------------------------------------------------
class CatalogueIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "code": "XJ01DDA137A001010101045",
                            "name": "注射用头孢曲松钠",
                            "kind": "drug",
                            "in_catalogue": True,
                            "region": "any",
                            "effective_from": "2026-01-01",
                            "source": "国家医保药品目录（2025年）",
                        },
                        {
                            "code": "002311010010000",
                            "name": "单人病房升级",
                            "kind": "service",
                            "in_catalogue": False,
                            "region": "liujiang",
                            "effective_from": "2026-01-01",
                            "effective_to": "2027-01-01",
                            "source": "广西医疗服务项目目录",
                        },
                    ]
                }
            ]
        }
    )

    items: list[CatalogueEntry] = Field(min_length=1, max_length=20000)


@router.post(
    "/admin/catalogue",
    tags=["administration"],
    status_code=201,
    summary="Load insurance catalogue entries (医保目录)",
    response_model=CatalogueLoadOut,
)
async def load_catalogue(body: CatalogueIn, run: CommandRun) -> JSONResponse:
    """All or nothing; an entry overlapping a stored one of the same code and region is
    refused. Each entry is published (``CatalogueItemPublished``) to the services that
    decide by it."""
    return await run(
        "catalogue.change", lambda ctx: catalogue.load_catalogue(ctx, run.principal, body.items), status=201
    )


@router.get(
    "/catalogue",
    tags=["administration"],
    summary="Insurance catalogue entries by version id",
    response_model=None,
    responses={200: {"model": Page[CatalogueEntryOut]}},
)
async def list_catalogue(
    run: QueryRun,
    page: PageQuery,
    code: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    on: date | None = None,
) -> Any:
    return await run.keyset_page(
        "catalogue.read",
        lambda ctx: catalogue.catalogue_page(ctx, page, code, on),
        page,
        lambda e: sort_key(e["version_id"]),
    )


# --- policy parameters: the kernel's admin API (bootstrap mounts it); diagnosis test rules ---------
class TestRulesIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"rules": {"J18": ["002103040", "0025010"], "I63": ["002103050", "002501", "0025020"]}}]
        }
    )

    rules: dict[
        Annotated[str, Field(min_length=1, max_length=100)], list[Annotated[str, Field(min_length=1, max_length=100)]]
    ] = Field(description="diagnosis group → item-code prefixes of the tests related to it (LJ-9)")


@router.put(
    "/admin/diagnosis-test-rules",
    tags=["administration"],
    summary="Tests related to each diagnosis group",
    response_model=TestRulesOut,
)
async def put_test_rules(body: Annotated[TestRulesIn, Body()], run: CommandRun) -> JSONResponse:
    return await run(
        "parameters.change", lambda ctx: analytics.load_diagnosis_test_rules(ctx, run.principal, body.rules)
    )


# --- analytics (LJ-8, LJ-9, LJ-15.4) ---------------------------------------------------------------
Quarter = Annotated[str, Path(pattern=r"^20\d{2}Q[1-4]$", examples=["2026Q1"])]


@router.post(
    "/analytics/{quarter}/run",
    tags=["analytics"],
    summary="Run the quarterly analysis (LJ-15.4)",
    response_model=AnalysisOut,
)
async def run_analysis(quarter: Quarter, run: CommandRun) -> Any:
    run.authorize("analytics.run")
    q = analytics.parse_quarter(quarter)
    return await run(None, lambda ctx: analytics.run_quarter(ctx, run.principal, q))


@router.get(
    "/reports/{quarter}/self-pay-share",
    tags=["analytics"],
    summary="Self-pay share per hospital (LJ-8)",
    response_model=SelfPayShareOut,
    responses={200: {"content": {CSV: {"schema": {"type": "string"}}}, "description": "JSON, or CSV with format=csv"}},
)
async def self_pay_share(quarter: Quarter, run: QueryRun, format: Format = "json") -> Any:
    rows = await run.fetch("report.read", lambda ctx: analytics.self_pay_report(ctx, analytics.parse_quarter(quarter)))
    if format == "csv":
        return _csv(rows, f"self-pay-share-{quarter}.csv")
    return JSONResponse(encode({"quarter": quarter, "items": rows}))


@router.get(
    "/reports/{quarter}/flags",
    tags=["analytics"],
    summary="Flagged hospitals and cases (LJ-8, LJ-9, LJ-15.4)",
    response_model=FlagsOut,
    responses={200: {"content": {CSV: {"schema": {"type": "string"}}}, "description": "JSON, or CSV with format=csv"}},
)
async def flags(
    quarter: Quarter,
    run: QueryRun,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    include_withdrawn: Annotated[
        bool, Query(description="also the flags withdrawn by their statement's reversal, with why")
    ] = False,
    format: Format = "json",
) -> Any:
    """The quarter's standing flags. A settlement's flag stands on the statement that raised
    it: the statement's reversal withdraws it (LJ-11.1, LJ-13.1)."""
    rows = await run.fetch(
        "report.read",
        lambda ctx: analytics.flags_report(ctx, analytics.parse_quarter(quarter), kind, include_withdrawn),
    )
    name = f"flags-{quarter}{'-' + kind if kind else ''}.csv"
    return _csv(rows, name) if format == "csv" else JSONResponse(encode({"quarter": quarter, "items": rows}))
