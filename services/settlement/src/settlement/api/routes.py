"""HTTP routes of the settlement service (thin: each hands its use case to the kernel's
command or query dependency, which authorizes, runs it and answers)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from medaid_shared.idempotency import encode
from medaid_shared.routes import CommandRun, QueryRun
from settlement.domain.catalogue import CatalogueEntry
from settlement.service import analytics, bills, catalogue, settlements

router = APIRouter()

Format = Annotated[Literal["json", "csv"], Query(description="json, or csv for a spreadsheet")]
Limit = Annotated[int, Query(ge=1, le=1000)]
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
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- bills -------------------------------------------------------------------------------------
@router.post("/bills", tags=["bills"], status_code=201, summary="Submit an itemised bill (interim or final)")
async def submit_bill(body: bills.BillIn, run: CommandRun) -> JSONResponse:
    """Idempotent by bill number: the same number with the same content returns the stored
    bill (200); a correction is a new bill with ``replaces`` (never an edit)."""
    return await run("bill.submit", lambda ctx: bills.submit_bill(ctx, run.principal, body))


@router.get("/bills/{bill_id}", tags=["bills"], summary="One bill with its lines")
async def get_bill(bill_id: Id, run: QueryRun) -> Any:
    return await run("bill.read", lambda ctx: bills.get_bill(ctx, run.principal, bill_id))


@router.get("/bills", tags=["bills"], summary="Bills (a hospital sees only its own)")
async def list_bills(
    run: QueryRun, admission_id: Annotated[str | None, Query(max_length=100)] = None, limit: Limit = 100
) -> Any:
    return await run("bill.read", lambda ctx: bills.list_bills(ctx, run.principal, admission_id, limit))


# --- settlement -------------------------------------------------------------------------------
@router.post(
    "/admissions/{admission_id}/settlement",
    tags=["settlement"],
    status_code=201,
    summary="Settle an admission at discharge (one-stop LJ-13.1 or manual LJ-13.2)",
)
async def settle(admission_id: Id, run: CommandRun) -> JSONResponse:
    """201 with the new statement; 200 with the standing one (re-settling changes nothing)."""
    return await run("settlement.settle", lambda ctx: settlements.settle_admission(ctx, run.principal, admission_id))


class ReversalIn(BaseModel):
    reason: str = Field(min_length=3, max_length=500)


@router.post("/statements/{statement_id}/reversal", tags=["settlement"], status_code=201, summary="Reverse a statement")
async def reverse(statement_id: Id, body: ReversalIn, run: CommandRun) -> JSONResponse:
    """Statements are immutable: a correction is this reversal plus a new settlement."""
    return await run(
        "settlement.reverse",
        lambda ctx: settlements.reverse_statement(ctx, run.principal, statement_id, body.reason),
        status=201,
    )


@router.get("/statements/{statement_id}", tags=["settlement"], summary="A statement with its explanation lines")
async def get_statement(statement_id: Id, run: QueryRun) -> Any:
    return await run("statement.read", lambda ctx: settlements.get_statement(ctx, run.principal, statement_id))


@router.get("/statements", tags=["settlement"], summary="Statements (a hospital sees only its own)")
async def list_statements(
    run: QueryRun,
    admission_id: Annotated[str | None, Query(max_length=100)] = None,
    person_id: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 100,
) -> Any:
    return await run(
        "statement.read", lambda ctx: settlements.list_statements(ctx, run.principal, admission_id, person_id, limit)
    )


@router.get("/ledger/{person_id}/{year}", tags=["settlement"], summary="A person's medical-aid ledger of a year")
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
    summary="Record the manual-reimbursement application (LJ-13.2)",
)
async def record_application(statement_id: Id, run: CommandRun) -> Any:
    return await run(
        "reimbursement.apply", lambda ctx: settlements.record_application(ctx, run.principal, statement_id)
    )


@router.get("/reimbursements", tags=["settlement"], summary="Manual reimbursements")
async def list_reimbursements(run: QueryRun, pending: bool = False, limit: Limit = 100) -> Any:
    return await run("reimbursement.read", lambda ctx: settlements.list_manual(ctx, pending, limit))


# --- the insurance catalogue (SPEC 0.5) ------------------------------------------------------------
class CatalogueIn(BaseModel):
    items: list[CatalogueEntry] = Field(min_length=1, max_length=20000)


@router.post(
    "/admin/catalogue", tags=["administration"], status_code=201, summary="Load insurance catalogue entries (医保目录)"
)
async def load_catalogue(body: CatalogueIn, run: CommandRun) -> JSONResponse:
    """All or nothing; an entry overlapping a stored one of the same code and region is
    refused. Each entry is published (``CatalogueItemPublished``) to the services that
    decide by it."""
    return await run(
        "catalogue.change", lambda ctx: catalogue.load_catalogue(ctx, run.principal, body.items), status=201
    )


@router.get("/catalogue", tags=["administration"], summary="Insurance catalogue entries")
async def list_catalogue(
    run: QueryRun, code: Annotated[str | None, Query(min_length=1, max_length=100)] = None, on: date | None = None
) -> Any:
    return await run("catalogue.read", lambda ctx: catalogue.list_catalogue(ctx, code, on))


# --- policy parameters: the kernel's admin API (bootstrap mounts it); diagnosis test rules ---------
class TestRulesIn(BaseModel):
    rules: dict[
        Annotated[str, Field(min_length=1, max_length=100)], list[Annotated[str, Field(min_length=1, max_length=100)]]
    ] = Field(description="diagnosis group → item-code prefixes of the tests related to it (LJ-9)")


@router.put("/admin/diagnosis-test-rules", tags=["administration"], summary="Tests related to each diagnosis group")
async def put_test_rules(body: Annotated[TestRulesIn, Body()], run: CommandRun) -> JSONResponse:
    return await run(
        "parameters.change", lambda ctx: analytics.load_diagnosis_test_rules(ctx, run.principal, body.rules)
    )


# --- analytics (LJ-8, LJ-9, LJ-15.4) ---------------------------------------------------------------
Quarter = Annotated[str, Path(pattern=r"^20\d{2}Q[1-4]$", examples=["2026Q1"])]


@router.post("/analytics/{quarter}/run", tags=["analytics"], summary="Run the quarterly analysis (LJ-15.4)")
async def run_analysis(quarter: Quarter, run: CommandRun) -> Any:
    run.authorize("analytics.run")
    q = analytics.parse_quarter(quarter)
    return await run(None, lambda ctx: analytics.run_quarter(ctx, run.principal, q))


@router.get("/reports/{quarter}/self-pay-share", tags=["analytics"], summary="Self-pay share per hospital (LJ-8)")
async def self_pay_share(quarter: Quarter, run: QueryRun, format: Format = "json") -> Any:
    rows = await run.fetch("report.read", lambda ctx: analytics.self_pay_report(ctx, analytics.parse_quarter(quarter)))
    return _csv(rows, f"self-pay-share-{quarter}.csv") if format == "csv" else JSONResponse(encode(rows))


@router.get("/reports/{quarter}/flags", tags=["analytics"], summary="Flagged hospitals and cases (LJ-8, LJ-9, LJ-15.4)")
async def flags(
    quarter: Quarter,
    run: QueryRun,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    format: Format = "json",
) -> Any:
    rows = await run.fetch(
        "report.read", lambda ctx: analytics.flags_report(ctx, analytics.parse_quarter(quarter), kind)
    )
    name = f"flags-{quarter}{'-' + kind if kind else ''}.csv"
    return _csv(rows, name) if format == "csv" else JSONResponse(encode(rows))
