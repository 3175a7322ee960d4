"""Reference data endpoints (GD-12, GD-13.4, GD-13.5); the policy parameters are the kernel's
(``POST /admin/parameters``, ``GET /parameters``, ``GET /parameters/kinds``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from emergency_fund.api.schemas import (
    CostAverageOut,
    CostAveragesImportedOut,
    DiseaseOut,
    FacilityOut,
    LivingStandardOut,
    answers,
)
from emergency_fund.service import reference
from emergency_fund.service.commands import (
    CostAverageImport,
    DiseaseCmd,
    FacilityCmd,
    LivingStandardCmd,
)
from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun

router = APIRouter(tags=["reference data"])


@router.put(
    "/reference/facilities/{facility_id}",
    summary="Register or update a hospital of the city",
    response_model=None,
    responses=answers(FacilityOut, 200, 201),
)
async def put_facility(
    facility_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")],
    body: FacilityCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("reference.facility", lambda env: reference.put_facility(env, facility_id, body))


@router.get(
    "/reference/facilities",
    summary="The city's hospitals by facility id",
    response_model=None,
    responses=answers(Page[FacilityOut]),
)
async def list_facilities(
    city: str,
    run: QueryRun,
    page: PageQuery,
) -> Any:
    return await run.keyset_page(
        "reference.read",
        lambda env: reference.list_facilities(env, city, page),
        page,
        lambda f: sort_key(f["facility_id"]),
    )


@router.post(
    "/reference/diseases",
    status_code=201,
    summary="List an eligible disease (GD-12)",
    response_model=None,
    responses=answers(DiseaseOut, 201),
)
async def add_disease(
    body: DiseaseCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("reference.disease", lambda env: reference.add_disease(env, body))


@router.get(
    "/reference/diseases",
    summary="Eligible diseases: national list plus a city's additions (GD-12)",
    response_model=None,
    responses=answers(Page[DiseaseOut]),
)
async def list_diseases(
    run: QueryRun,
    page: PageQuery,
    city: str | None = None,
) -> Any:
    return await run.keyset_page(
        "reference.read",
        lambda env: reference.list_diseases(env, city, page),
        page,
        lambda d: sort_key(d["scope"], d["code"], d["disease_id"]),
    )


@router.post(
    "/reference/cost-averages",
    status_code=201,
    summary="Import average cost per case (GD-13.4)",
    response_model=None,
    responses=answers(CostAveragesImportedOut, 201),
)
async def import_cost_averages(
    body: CostAverageImport,
    run: CommandRun,
) -> JSONResponse:
    return await run("reference.cost_average", lambda env: reference.import_cost_averages(env, body))


@router.get(
    "/reference/cost-averages",
    summary="A hospital's average cost per case (GD-13.4)",
    response_model=None,
    responses=answers(Page[CostAverageOut]),
)
async def list_cost_averages(
    facility_id: str,
    run: QueryRun,
    page: PageQuery,
    year: int | None = None,
) -> Any:
    return await run.keyset_page(
        "reference.read",
        lambda env: reference.list_cost_averages(env, facility_id, year, page),
        page,
        lambda a: sort_key(a["year"], a["disease_code"]),
    )


@router.put(
    "/reference/living-standards/{city}",
    status_code=201,
    summary="Urban minimum-living standard (GD-13.5)",
    response_model=None,
    responses=answers(LivingStandardOut, 201),
)
async def put_living_standard(
    city: str,
    body: LivingStandardCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("reference.living_standard", lambda env: reference.set_living_standard(env, city, body))


@router.get(
    "/reference/living-standards/{city}",
    summary="The city's living standards (GD-13.5)",
    response_model=None,
    responses=answers(Page[LivingStandardOut]),
)
async def list_living_standards(
    city: str,
    run: QueryRun,
    page: PageQuery,
) -> Any:
    return await run.keyset_page(
        "reference.read",
        lambda env: reference.list_living_standards(env, city, page),
        page,
        lambda s: sort_key(s["effective_from"]),
    )
