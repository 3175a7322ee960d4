"""Reference data and parameter endpoints (GD-12, GD-13.4, GD-13.5, interpretations)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from emergency_fund.service import reference
from emergency_fund.service.commands import (
    CostAverageImport,
    DiseaseCmd,
    FacilityCmd,
    LivingStandardCmd,
    ParameterCmd,
)
from medaid_shared.routes import CommandRun, QueryRun

router = APIRouter(tags=["reference data"])


@router.put("/reference/facilities/{facility_id}", summary="Register or update a hospital of the city")
async def put_facility(
    facility_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")],
    body: FacilityCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: reference.put_facility(env, facility_id, body))


@router.get("/reference/facilities", summary="The city's hospitals")
async def get_facilities(
    city: str,
    run: QueryRun,
) -> Any:
    return await run.fetch(None, lambda env: reference.list_facilities(env, city))


@router.post("/reference/diseases", status_code=201, summary="List an eligible disease (GD-12)")
async def add_disease(
    body: DiseaseCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: reference.add_disease(env, body))


@router.get("/reference/diseases", summary="Eligible diseases: national list plus a city's additions (GD-12)")
async def get_diseases(
    run: QueryRun,
    city: str | None = None,
) -> Any:
    return await run.fetch(None, lambda env: reference.list_diseases(env, city))


@router.post("/reference/cost-averages", status_code=201, summary="Import average cost per case (GD-13.4)")
async def import_cost_averages(
    body: CostAverageImport,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: reference.import_cost_averages(env, body))


@router.get("/reference/cost-averages", summary="A hospital's average cost per case (GD-13.4)")
async def get_cost_averages(
    facility_id: str,
    run: QueryRun,
    year: int | None = None,
) -> Any:
    return await run.fetch(None, lambda env: reference.list_cost_averages(env, facility_id, year))


@router.put("/reference/living-standards/{city}", status_code=201, summary="Urban minimum-living standard (GD-13.5)")
async def put_living_standard(
    city: str,
    body: LivingStandardCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: reference.set_living_standard(env, city, body))


@router.get("/reference/living-standards/{city}", summary="The city's living standards (GD-13.5)")
async def get_living_standards(
    city: str,
    run: QueryRun,
) -> Any:
    return await run.fetch(None, lambda env: reference.list_living_standards(env, city))


@router.put("/parameters/{name}", status_code=201, summary="A new version of a policy parameter")
async def put_parameter(
    name: str,
    body: ParameterCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: reference.set_parameter(env, name, body))


@router.get("/parameters", summary="Parameters in force (and their versions)")
async def get_parameters(
    run: QueryRun,
    at: datetime | None = None,
) -> Any:
    return await run.fetch(None, lambda env: reference.list_parameters(env, at))
