"""The console's work queue (LJ-15.1, LJ-16): HTTP route."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.routes import QueryRun
from referral.api.schemas import WorkItemOut
from referral.service import work

router = APIRouter()


@router.get(
    "/work-queue",
    tags=["follow-up"],
    summary="Health plans to make and follow-up visits due, scoped to the caller (LJ-15.1, LJ-16)",
    response_model=None,
    responses={200: {"model": Page[WorkItemOut]}},
)
async def work_queue(
    run: QueryRun,
    page: PageQuery,
    within_days: Annotated[int, Query(ge=0, le=366, description="visits due within this many days")] = 30,
) -> Any:
    return await run.page(
        "work.read",
        lambda c: work.queue(c, run.principal, within_days=within_days),
        page,
        lambda i: sort_key(i["kind"], i["item_id"]),
    )
