"""Follow-up visits (LJ-16): HTTP routes (each hands its use case to the kernel's command or query dependency)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun
from referral.api.schemas import FollowupOut, FollowupSummaryOut, UnassessedOut, VisitOut
from referral.service import (
    followups,
    persons,
)
from referral.service.commands import (
    VisitIn,
)
from referral.service.context import Ctx

router = APIRouter()


@router.post(
    "/persons/{person_id}/visits",
    status_code=201,
    tags=["follow-up"],
    summary="Record a town visit (LJ-16)",
    response_model=None,
    responses={201: {"model": VisitOut}},
)
async def record_visit(
    person_id: str,
    body: Annotated[VisitIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    async def use(c: Ctx) -> Any:
        person = await persons.load_person(c, person_id)
        return await followups.record_visit(c, run.principal, person, body)

    return await run("visit.record", use, status=201)


@router.get(
    "/follow-ups",
    tags=["follow-up"],
    summary="Visit schedule per town, overdue flagged (LJ-16)",
    response_model=None,
    responses={200: {"model": Page[FollowupOut]}},
)
async def list_followups(
    run: QueryRun,
    page: PageQuery,
    town_id: str | None = None,
    overdue: bool | None = None,
) -> Any:
    return await run.keyset_page(
        "followup.read",
        lambda c: followups.listing(c, run.principal, page, town_id=town_id, overdue=overdue),
        page,
        lambda v: sort_key(v["town_id"], v["due_at"], v["person_id"]),
    )


@router.get(
    "/follow-ups/unassessed",
    tags=["follow-up"],
    summary="Decentralized persons with no disability level: flagged for assessment (LJ-16)",
    response_model=None,
    responses={200: {"model": Page[UnassessedOut]}},
)
async def list_unassessed(run: QueryRun, page: PageQuery) -> Any:
    return await run.keyset_page(
        "followup.read",
        lambda c: followups.unassessed(c, run.principal, page),
        page,
        lambda u: sort_key(u["town_id"], u["person_id"]),
    )


@router.get(
    "/follow-ups/summary",
    tags=["follow-up"],
    summary="Followed and overdue persons per town (LJ-16)",
    response_model=None,
    responses={200: {"model": FollowupSummaryOut}},
)
async def followup_summary(
    run: QueryRun,
) -> Any:
    return {"items": await run.fetch("followup.read", lambda c: followups.summary(c, run.principal))}
