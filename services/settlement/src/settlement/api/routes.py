"""HTTP routes of the settlement service (thin: authorize, call a use case, answer)."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from medaid_shared.app import IdempotencyKey, RuntimeDep
from medaid_shared.auth import CurrentPrincipal
from medaid_shared.authz import Principal
from medaid_shared.db import UnitOfWork
from medaid_shared.idempotency import run_command
from medaid_shared.runtime import Runtime
from settlement.service import analytics, bills, settlements
from settlement.service.context import Ctx, Wiring

router = APIRouter()
T = TypeVar("T")

Format = Annotated[Literal["json", "csv"], Query(description="json, or csv for a spreadsheet")]
Limit = Annotated[int, Query(ge=1, le=1000)]
Id = Annotated[str, Path(min_length=1, max_length=100)]


def get_wiring(request: Request) -> Wiring:
    wiring: Wiring = request.app.state.wiring
    return wiring


WiringDep = Annotated[Wiring, Depends(get_wiring)]


def encode(body: Any) -> Any:
    """JSON-ready, money as exact strings ("219.50"), never floats (SPEC 0.2). A small
    walker: the records here are plain dicts, lists and scalars."""
    if isinstance(body, dict):
        return {str(k): encode(v) for k, v in body.items()}
    if isinstance(body, (list, tuple)):
        return [encode(v) for v in body]
    if isinstance(body, Decimal):
        return str(body + 0)  # + 0 turns a "-0.00" into "0.00"
    if isinstance(body, (datetime, date)):
        return body.isoformat()
    if body is None or isinstance(body, (str, int, float, bool)):
        return body
    return jsonable_encoder(body, custom_encoder={Decimal: lambda d: str(d + 0)})


async def _read(runtime: Runtime, wiring: Wiring, use: Callable[[Ctx], Awaitable[T]]) -> T:
    async with runtime.db.read() as session:
        return await use(wiring.query(runtime, session))


async def _query(runtime: Runtime, wiring: Wiring, use: Callable[[Ctx], Awaitable[Any]]) -> JSONResponse:
    return JSONResponse(encode(await _read(runtime, wiring, use)))


async def _command(
    runtime: Runtime,
    wiring: Wiring,
    principal: Principal,
    key: str | None,
    request: Any,
    use: Callable[[Ctx], Awaitable[tuple[int, Any]]],
) -> JSONResponse:
    if key is None:  # no idempotency key: one unit of work, no stored answer
        async with runtime.db.unit_of_work() as uow:
            status, body = await use(wiring.command(runtime, uow))
        return JSONResponse(encode(body), status_code=status)

    async def command(uow: UnitOfWork) -> tuple[int, Any]:
        status, body = await use(wiring.command(runtime, uow))
        return status, encode(body)

    status, body = await run_command(runtime.db, principal, key, request, command)
    return JSONResponse(body, status_code=status)


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
async def submit_bill(
    body: bills.BillIn, principal: CurrentPrincipal, runtime: RuntimeDep, wiring: WiringDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Idempotent by bill number: the same number with the same content returns the stored
    bill (200); a correction is a new bill with ``replaces`` (never an edit)."""
    runtime.policy.authorize(principal, "bill.submit")
    return await _command(runtime, wiring, principal, key, body, lambda ctx: bills.submit_bill(ctx, principal, body))


@router.get("/bills/{bill_id}", tags=["bills"], summary="One bill with its lines")
async def get_bill(bill_id: Id, principal: CurrentPrincipal, runtime: RuntimeDep, wiring: WiringDep) -> Any:
    runtime.policy.authorize(principal, "bill.read")
    return await _query(runtime, wiring, lambda ctx: bills.get_bill(ctx, principal, bill_id))


@router.get("/bills", tags=["bills"], summary="Bills (a hospital sees only its own)")
async def list_bills(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    wiring: WiringDep,
    admission_id: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 100,
) -> Any:
    runtime.policy.authorize(principal, "bill.read")
    return await _query(runtime, wiring, lambda ctx: bills.list_bills(ctx, principal, admission_id, limit))


# --- settlement -------------------------------------------------------------------------------
@router.post(
    "/admissions/{admission_id}/settlement",
    tags=["settlement"],
    status_code=201,
    summary="Settle an admission at discharge (one-stop LJ-13.1 or manual LJ-13.2)",
)
async def settle(
    admission_id: Id, principal: CurrentPrincipal, runtime: RuntimeDep, wiring: WiringDep, key: IdempotencyKey = None
) -> JSONResponse:
    """201 with the new statement; 200 with the standing one (re-settling changes nothing)."""
    runtime.policy.authorize(principal, "settlement.settle")
    return await _command(
        runtime,
        wiring,
        principal,
        key,
        {"admission_id": admission_id},
        lambda ctx: settlements.settle_admission(ctx, principal, admission_id),
    )


class ReversalIn(BaseModel):
    reason: str = Field(min_length=3, max_length=500)


@router.post("/statements/{statement_id}/reversal", tags=["settlement"], status_code=201, summary="Reverse a statement")
async def reverse(
    statement_id: Id,
    body: ReversalIn,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    wiring: WiringDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Statements are immutable: a correction is this reversal plus a new settlement."""
    runtime.policy.authorize(principal, "settlement.reverse")

    async def use(ctx: Ctx) -> tuple[int, Any]:
        return 201, await settlements.reverse_statement(ctx, principal, statement_id, body.reason)

    return await _command(runtime, wiring, principal, key, {"statement_id": statement_id, **body.model_dump()}, use)


@router.get("/statements/{statement_id}", tags=["settlement"], summary="A statement with its explanation lines")
async def get_statement(statement_id: Id, principal: CurrentPrincipal, runtime: RuntimeDep, wiring: WiringDep) -> Any:
    runtime.policy.authorize(principal, "statement.read")
    return await _query(runtime, wiring, lambda ctx: settlements.get_statement(ctx, principal, statement_id))


@router.get("/statements", tags=["settlement"], summary="Statements (a hospital sees only its own)")
async def list_statements(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    wiring: WiringDep,
    admission_id: Annotated[str | None, Query(max_length=100)] = None,
    person_id: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 100,
) -> Any:
    runtime.policy.authorize(principal, "statement.read")
    return await _query(
        runtime, wiring, lambda ctx: settlements.list_statements(ctx, principal, admission_id, person_id, limit)
    )


@router.get("/ledger/{person_id}/{year}", tags=["settlement"], summary="A person's medical-aid ledger of a year")
async def get_ledger(
    person_id: Id,
    year: Annotated[int, Path(ge=2000, le=2100)],
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    wiring: WiringDep,
) -> Any:
    runtime.policy.authorize(principal, "ledger.read")
    return await _query(runtime, wiring, lambda ctx: settlements.get_ledger(ctx, person_id, year))


# --- manual reimbursement (LJ-13.2) --------------------------------------------------------------
@router.post(
    "/reimbursements/{statement_id}/application",
    tags=["settlement"],
    summary="Record the manual-reimbursement application (LJ-13.2)",
)
async def record_application(
    statement_id: Id, principal: CurrentPrincipal, runtime: RuntimeDep, wiring: WiringDep
) -> Any:
    runtime.policy.authorize(principal, "reimbursement.apply")

    async def use(ctx: Ctx) -> tuple[int, Any]:
        return 200, await settlements.record_application(ctx, principal, statement_id)

    return await _command(runtime, wiring, principal, None, None, use)


@router.get("/reimbursements", tags=["settlement"], summary="Manual reimbursements")
async def list_reimbursements(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    wiring: WiringDep,
    pending: bool = False,
    limit: Limit = 100,
) -> Any:
    runtime.policy.authorize(principal, "reimbursement.read")
    return await _query(runtime, wiring, lambda ctx: settlements.list_manual(ctx, pending, limit))


# --- policy parameters: the kernel's admin API (bootstrap mounts it); diagnosis test rules ---------
class TestRulesIn(BaseModel):
    rules: dict[
        Annotated[str, Field(min_length=1, max_length=100)], list[Annotated[str, Field(min_length=1, max_length=100)]]
    ] = Field(description="diagnosis group → item-code prefixes of the tests related to it (LJ-9)")


@router.put("/admin/diagnosis-test-rules", tags=["administration"], summary="Tests related to each diagnosis group")
async def put_test_rules(
    principal: CurrentPrincipal, runtime: RuntimeDep, wiring: WiringDep, body: Annotated[TestRulesIn, Body()]
) -> JSONResponse:
    runtime.policy.authorize(principal, "parameters.change")

    async def use(ctx: Ctx) -> tuple[int, Any]:
        return 200, await analytics.load_diagnosis_test_rules(ctx, principal, body.rules)

    return await _command(runtime, wiring, principal, None, None, use)


# --- analytics (LJ-8, LJ-9, LJ-15.4) ---------------------------------------------------------------
Quarter = Annotated[str, Path(pattern=r"^20\d{2}Q[1-4]$", examples=["2026Q1"])]


@router.post("/analytics/{quarter}/run", tags=["analytics"], summary="Run the quarterly analysis (LJ-15.4)")
async def run_analysis(quarter: Quarter, principal: CurrentPrincipal, runtime: RuntimeDep, wiring: WiringDep) -> Any:
    runtime.policy.authorize(principal, "analytics.run")
    q = analytics.parse_quarter(quarter)

    async def use(ctx: Ctx) -> tuple[int, Any]:
        return 200, await analytics.run_quarter(ctx, principal, q)

    return await _command(runtime, wiring, principal, None, None, use)


@router.get("/reports/{quarter}/self-pay-share", tags=["analytics"], summary="Self-pay share per hospital (LJ-8)")
async def self_pay_share(
    quarter: Quarter, principal: CurrentPrincipal, runtime: RuntimeDep, wiring: WiringDep, format: Format = "json"
) -> Any:
    runtime.policy.authorize(principal, "report.read")
    q = analytics.parse_quarter(quarter)
    rows = await _read(runtime, wiring, lambda ctx: analytics.self_pay_report(ctx, q))
    return _csv(rows, f"self-pay-share-{quarter}.csv") if format == "csv" else JSONResponse(encode(rows))


@router.get("/reports/{quarter}/flags", tags=["analytics"], summary="Flagged hospitals and cases (LJ-8, LJ-9, LJ-15.4)")
async def flags(
    quarter: Quarter,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    wiring: WiringDep,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    format: Format = "json",
) -> Any:
    runtime.policy.authorize(principal, "report.read")
    q = analytics.parse_quarter(quarter)
    rows = await _read(runtime, wiring, lambda ctx: analytics.flags_report(ctx, q, kind))
    name = f"flags-{quarter}{'-' + kind if kind else ''}.csv"
    return _csv(rows, name) if format == "csv" else JSONResponse(encode(rows))
