"""Referrals (LJ-4.2a, LJ-4.3a): HTTP routes (each hands its use case to the kernel's command or query dependency)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun
from referral.api.schemas import ReferralOut
from referral.service import (
    referrals,
)
from referral.service.commands import (
    ApprovalIn,
    ReferralIn,
)

router = APIRouter()


@router.post(
    "/referrals",
    status_code=201,
    tags=["referrals"],
    summary="Refer from the first visit (LJ-4.2a)",
    response_model=None,
    responses={201: {"model": ReferralOut}},
)
async def create_referral(
    body: Annotated[ReferralIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("referral.create", lambda c: referrals.create(c, run.principal, body), status=201)


@router.post(
    "/referrals/{referral_id}/approval",
    tags=["referrals"],
    summary="Approve or reject a transfer beyond the district (LJ-4.3a)",
    response_model=None,
    responses={200: {"model": ReferralOut}},
)
async def decide_referral(
    referral_id: str,
    body: Annotated[ApprovalIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("referral.approve", lambda c: referrals.decide(c, run.principal, referral_id, body))


@router.get(
    "/referrals",
    tags=["referrals"],
    summary="Referrals in your scope, newest first",
    response_model=None,
    responses={200: {"model": Page[ReferralOut]}},
)
async def list_referrals(
    run: QueryRun,
    page: PageQuery,
    person_id: str | None = None,
    pending: bool | None = None,
) -> Any:
    return await run.keyset_page(
        "referral.read",
        lambda c: referrals.listing(c, run.principal, page, person_id=person_id, pending=pending),
        page,
        lambda r: sort_key(r["referral_id"]),
    )


@router.get(
    "/referrals/{referral_id}",
    tags=["referrals"],
    summary="One referral",
    response_model=None,
    responses={200: {"model": ReferralOut}},
)
async def get_referral(
    referral_id: str,
    run: QueryRun,
) -> Any:
    return await run.fetch("referral.read", lambda c: referrals.get(c, run.principal, referral_id))
