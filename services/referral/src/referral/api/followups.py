"""Follow-up visits (LJ-16): HTTP routes (each hands its use case to the kernel's command or query dependency)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from medaid_shared.routes import CommandRun, QueryRun
from referral.service import (
    followups,
    persons,
)
from referral.service.commands import (
    VisitIn,
)
from referral.service.context import Ctx

router = APIRouter()


@router.post("/persons/{person_id}/visits", status_code=201, tags=["follow-up"], summary="Record a town visit (LJ-16)")
async def record_visit(
    person_id: str,
    body: Annotated[VisitIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    async def use(c: Ctx) -> Any:
        person = await persons.load_person(c, person_id)
        return await followups.record_visit(c, run.principal, person, body)

    return await run("visit.record", use, status=201)


@router.get("/follow-ups", tags=["follow-up"], summary="Visit schedule per town, overdue flagged (LJ-16)")
async def list_followups(
    run: QueryRun,
    town_id: str | None = None,
    overdue: bool | None = None,
) -> Any:
    return await run.fetch(
        "followup.read", lambda c: followups.listing(c, run.principal, town_id=town_id, overdue=overdue)
    )


@router.get("/follow-ups/summary", tags=["follow-up"], summary="Followed and overdue persons per town (LJ-16)")
async def followup_summary(
    run: QueryRun,
) -> Any:
    return await run.fetch("followup.read", lambda c: followups.summary(c, run.principal))
