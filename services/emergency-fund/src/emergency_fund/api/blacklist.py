"""Blacklist endpoints (GD-24)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from emergency_fund.api.deps import FundDep, execute
from emergency_fund.service import blacklist
from emergency_fund.service.commands import BlacklistCmd, LiftCmd
from medaid_shared.app import IdempotencyKey
from medaid_shared.auth import CurrentPrincipal

router = APIRouter(prefix="/blacklist", tags=["blacklist"])


@router.post("", status_code=201, summary="List a dishonest person with reason and evidence (GD-24)")
async def add(
    body: BlacklistCmd, request: Request, principal: CurrentPrincipal, fund: FundDep, key: IdempotencyKey = None
) -> JSONResponse:
    return await execute(fund, principal, key, request, body, lambda env: blacklist.add(env, body))


@router.get("", summary="The city's blacklist, masked (GD-24)")
async def list_entries(city: str, principal: CurrentPrincipal, fund: FundDep, active_only: bool = True) -> Any:
    return await fund.query(principal, lambda env: blacklist.list_entries(env, city, active_only))


@router.post("/{entry_id}/lift", summary="Lift an entry, with reason (GD-24)")
async def lift(
    entry_id: str, body: LiftCmd, request: Request, principal: CurrentPrincipal, fund: FundDep
) -> JSONResponse:
    return await execute(fund, principal, None, request, body, lambda env: blacklist.lift(env, entry_id, body))
