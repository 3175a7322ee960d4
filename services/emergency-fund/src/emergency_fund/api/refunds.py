"""Refund and pursuit endpoints (GD-16.4)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from emergency_fund.api.schemas import RefundOut, RefundSummaryOut, answers
from emergency_fund.service import refunds
from emergency_fund.service.commands import PursuitCmd, RefundPaymentCmd
from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun

router = APIRouter(prefix="/refunds", tags=["refunds"])


@router.get(
    "",
    summary="Refund demands in the caller's scope, in the order demanded",
    response_model=None,
    responses=answers(Page[RefundSummaryOut]),
)
async def list_refunds(
    run: QueryRun,
    page: PageQuery,
    state: str | None = None,
) -> Any:
    return await run.keyset_page(
        "refund.read", lambda env: refunds.list_refunds(env, state, page), page, lambda r: sort_key(r["refund_id"])
    )


@router.get(
    "/{refund_id}",
    summary="A refund demand with payments and pursuit",
    response_model=None,
    responses=answers(RefundOut),
)
async def get_refund(
    refund_id: str,
    run: QueryRun,
) -> Any:
    return await run.fetch("refund.read", lambda env: refunds.get_refund(env, refund_id))


@router.post(
    "/{refund_id}/payments",
    status_code=201,
    summary="The hospital returns money (GD-16.4)",
    response_model=None,
    responses=answers(RefundOut, 201),
)
async def pay(
    refund_id: str,
    body: RefundPaymentCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("refund.record", lambda env: refunds.record_payment(env, refund_id, body))


@router.post(
    "/{refund_id}/pursuit",
    status_code=201,
    summary="A step of pursuing the patient (GD-16.4)",
    response_model=None,
    responses=answers(RefundOut, 201),
)
async def pursue(
    refund_id: str,
    body: PursuitCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("refund.record", lambda env: refunds.record_pursuit(env, refund_id, body))
