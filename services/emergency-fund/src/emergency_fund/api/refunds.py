"""Refund and pursuit endpoints (GD-16.4)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from emergency_fund.api.deps import FundDep, execute
from emergency_fund.service import refunds
from emergency_fund.service.commands import PursuitCmd, RefundPaymentCmd
from medaid_shared.app import IdempotencyKey
from medaid_shared.auth import CurrentPrincipal

router = APIRouter(prefix="/refunds", tags=["refunds"])


@router.get("", summary="Refund demands in the caller's scope")
async def list_refunds(principal: CurrentPrincipal, fund: FundDep, state: str | None = None) -> Any:
    return await fund.query(principal, lambda env: refunds.list_refunds(env, state))


@router.get("/{refund_id}", summary="A refund demand with payments and pursuit")
async def get_refund(refund_id: str, principal: CurrentPrincipal, fund: FundDep) -> Any:
    return await fund.query(principal, lambda env: refunds.get_refund(env, refund_id))


@router.post("/{refund_id}/payments", status_code=201, summary="The hospital returns money (GD-16.4)")
async def pay(
    refund_id: str,
    body: RefundPaymentCmd,
    request: Request,
    principal: CurrentPrincipal,
    fund: FundDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    return await execute(fund, principal, key, request, body, lambda env: refunds.record_payment(env, refund_id, body))


@router.post("/{refund_id}/pursuit", status_code=201, summary="A step of pursuing the patient (GD-16.4)")
async def pursue(
    refund_id: str, body: PursuitCmd, request: Request, principal: CurrentPrincipal, fund: FundDep
) -> JSONResponse:
    return await execute(fund, principal, None, request, body, lambda env: refunds.record_pursuit(env, refund_id, body))
