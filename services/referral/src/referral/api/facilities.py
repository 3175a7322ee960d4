"""Facilities (§1): HTTP routes (each hands its use case to the kernel's command or query dependency)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from medaid_shared.contracts.common import FacilityLevel, Region
from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun
from referral.api.schemas import FacilityOut
from referral.service import (
    facilities,
)
from referral.service.commands import (
    FacilityIn,
    FacilityPatch,
)
from referral.service.context import Ctx

router = APIRouter()


@router.post(
    "/facilities",
    status_code=201,
    tags=["facilities"],
    summary="Register a facility",
    response_model=None,
    responses={201: {"model": FacilityOut}},
)
async def register_facility(
    body: Annotated[FacilityIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("facility.write", lambda c: facilities.register(c, run.principal, body), status=201)


@router.patch(
    "/facilities/{facility_id}",
    tags=["facilities"],
    summary="Change a facility",
    response_model=None,
    responses={200: {"model": FacilityOut}},
)
async def update_facility(
    facility_id: str,
    body: Annotated[FacilityPatch, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("facility.write", lambda c: facilities.update(c, run.principal, facility_id, body))


@router.get(
    "/facilities",
    tags=["facilities"],
    summary="List facilities by facility id",
    response_model=None,
    responses={200: {"model": Page[FacilityOut]}},
)
async def list_facilities(
    run: QueryRun,
    page: PageQuery,
    level: FacilityLevel | None = None,
    region: Region | None = None,
    designated: bool | None = None,
) -> Any:
    return await run.keyset_page(
        "facility.read",
        lambda c: facilities.listing(c, page, level=level, region=region, designated=designated),
        page,
        lambda f: sort_key(f["facility_id"]),
    )


@router.get(
    "/facilities/{facility_id}",
    tags=["facilities"],
    summary="One facility",
    response_model=None,
    responses={200: {"model": FacilityOut}},
)
async def get_facility(
    facility_id: str,
    run: QueryRun,
) -> Any:
    async def use(c: Ctx) -> Any:
        return facilities.view(await facilities.load(c, facility_id))

    return await run.fetch("facility.read", use)
