"""Blacklist endpoints (GD-24)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from emergency_fund.api.schemas import NAMES_UNKNOWN, BlacklistAddOut, BlacklistEntryOut, answers
from emergency_fund.service import blacklist
from emergency_fund.service.commands import BlacklistCmd, LiftCmd
from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun

router = APIRouter(prefix="/blacklist", tags=["blacklist"])


@router.post(
    "",
    status_code=201,
    summary="List a dishonest person with reason and evidence (GD-24)",
    response_model=None,
    responses={**answers(BlacklistAddOut, 201), **NAMES_UNKNOWN},
)
async def add(
    body: BlacklistCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("blacklist.write", lambda env: blacklist.add(env, body))


@router.get(
    "",
    summary="The city's blacklist, masked, in the order listed (GD-24)",
    response_model=None,
    responses=answers(Page[BlacklistEntryOut]),
)
async def list_entries(
    city: str,
    run: QueryRun,
    page: PageQuery,
    active_only: bool = True,
) -> Any:
    return await run.keyset_page(
        "blacklist.read",
        lambda env: blacklist.list_entries(env, city, active_only, page),
        page,
        lambda e: sort_key(e["entry_id"]),
    )


@router.post(
    "/{entry_id}/lift",
    summary="Lift an entry, with reason (GD-24)",
    response_model=None,
    responses=answers(BlacklistEntryOut),
)
async def lift(
    entry_id: str,
    body: LiftCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("blacklist.write", lambda env: blacklist.lift(env, entry_id, body))
