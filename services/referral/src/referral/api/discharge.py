"""Discharge and violations (LJ-12, LJ-17): HTTP routes (each hands its use case to the kernel's command or query dependency)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from medaid_shared.routes import CommandRun, QueryRun
from referral.domain.discharge import ViolationKind
from referral.service import (
    discharge,
)
from referral.service.commands import (
    DischargeIn,
    DocumentIn,
    FitnessIn,
)

router = APIRouter()


@router.post("/admissions/{admission_id}/fitness", tags=["discharge"], summary="Fit for discharge (LJ-12)")
async def record_fitness(
    admission_id: str,
    body: Annotated[FitnessIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("discharge.record", lambda c: discharge.fitness(c, run.principal, admission_id, body))


@router.post("/admissions/{admission_id}/discharge", tags=["discharge"], summary="Discharge (DischargeRecorded, LJ-12)")
async def record_discharge(
    admission_id: str,
    body: Annotated[DischargeIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("discharge.record", lambda c: discharge.discharge(c, run.principal, admission_id, body))


@router.post(
    "/admissions/{admission_id}/documents",
    status_code=201,
    tags=["discharge"],
    summary="Issue a discharge document (LJ-12)",
)
async def issue_document(
    admission_id: str,
    body: Annotated[DocumentIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("discharge.record", lambda c: discharge.document(c, run.principal, admission_id, body), status=201)


@router.get("/violations", tags=["discharge"], summary="Violation records (LJ-17)")
async def list_violations(
    run: QueryRun,
    facility_id: str | None = None,
    kind: ViolationKind | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Any:
    return await run.fetch(
        "violation.read",
        lambda c: discharge.violations(c, run.principal, facility_id=facility_id, kind=kind, year=year),
    )


@router.get("/violations/report", tags=["discharge"], summary="Violations per hospital (LJ-17)")
async def violations_report(
    run: QueryRun,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Any:
    return await run.fetch("violation.report", lambda c: discharge.report(c, year))
