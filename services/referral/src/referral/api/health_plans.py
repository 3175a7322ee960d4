"""Health plans after discharge (LJ-15.1): HTTP routes (each hands its use case to the kernel's command or query dependency)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun
from referral.api.schemas import HealthPlanDueOut, PlanOut
from referral.service import (
    health_plans,
    persons,
)
from referral.service.commands import (
    HealthPlanIn,
)
from referral.service.context import Ctx

router = APIRouter()


@router.post(
    "/persons/{person_id}/health-plans",
    status_code=201,
    tags=["after discharge"],
    summary="Make or adjust the health plan after discharge (LJ-15.1)",
    response_model=None,
    responses={201: {"model": PlanOut}},
)
async def make_health_plan(
    person_id: str,
    body: Annotated[HealthPlanIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    async def use(c: Ctx) -> Any:
        return await health_plans.make(c, run.principal, await persons.load_person(c, person_id), body)

    return await run("health_plan.write", use, status=201)


@router.get(
    "/persons/{person_id}/health-plans",
    tags=["after discharge"],
    summary="A person's health plans, the one in force last",
    response_model=None,
    responses={200: {"model": Page[PlanOut]}},
)
async def list_health_plans(
    person_id: str,
    run: QueryRun,
    page: PageQuery,
) -> Any:
    async def use(c: Ctx) -> Any:
        return await health_plans.listing(c, run.principal, await persons.load_person(c, person_id), page)

    return await run.keyset_page("health_plan.read", use, page, lambda p: sort_key(p["made_at"], p["plan_id"]))


@router.get(
    "/health-plans/due",
    tags=["after discharge"],
    summary="Discharges in the caller's scope whose health plan is still to make, overdue first (LJ-15.1)",
    response_model=None,
    responses={200: {"model": Page[HealthPlanDueOut]}},
)
async def list_health_plans_due(run: QueryRun, page: PageQuery) -> Any:
    """The institution's (centralized persons), the village committee's (decentralized
    persons) plans to make, and the town's and civil affairs' view of both: each discharge
    with the plan's due instant on the official calendar, the nearest due (so the overdue)
    first; paged by `limit` and `cursor`."""
    return await run.keyset_page(
        "health_plan.read",
        lambda c: health_plans.due_list(c, run.principal, page),
        page,
        lambda i: sort_key(*health_plans.due_sort_key(i)),
    )
