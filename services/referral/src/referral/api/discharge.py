"""Discharge and violations (LJ-12, LJ-17): HTTP routes (each hands its use case to the kernel's command or query dependency)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun
from referral.api.schemas import AdmissionOut, DocumentIssuedOut, ViolationOut, ViolationsReportOut
from referral.domain.discharge import ViolationKind
from referral.service import (
    discharge,
)
from referral.service.commands import (
    DischargeIn,
    DocumentIn,
    FitnessIn,
    PatientSideReportIn,
)

router = APIRouter()


@router.post(
    "/admissions/{admission_id}/fitness",
    tags=["discharge"],
    summary="Fit for discharge (LJ-12)",
    response_model=None,
    responses={200: {"model": AdmissionOut}},
)
async def record_fitness(
    admission_id: str,
    body: Annotated[FitnessIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("discharge.record", lambda c: discharge.fitness(c, run.principal, admission_id, body))


@router.post(
    "/admissions/{admission_id}/patient-side",
    tags=["discharge"],
    summary="The institution, village committee or guardian: declared fit, or documents withheld (LJ-12)",
    response_model=None,
    responses={200: {"model": AdmissionOut}},
)
async def report_patient_side(
    admission_id: str,
    body: Annotated[PatientSideReportIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("discharge.patient_side", lambda c: discharge.patient_side(c, run.principal, admission_id, body))


@router.post(
    "/admissions/{admission_id}/discharge",
    tags=["discharge"],
    summary="Discharge (DischargeRecorded, LJ-12)",
    response_model=None,
    responses={200: {"model": AdmissionOut}},
)
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
    response_model=None,
    responses={201: {"model": DocumentIssuedOut}},
)
async def issue_document(
    admission_id: str,
    body: Annotated[DocumentIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("discharge.record", lambda c: discharge.document(c, run.principal, admission_id, body), status=201)


@router.get(
    "/violations",
    tags=["discharge"],
    summary="Violation records (LJ-17), in the order recorded",
    response_model=None,
    responses={200: {"model": Page[ViolationOut]}},
)
async def list_violations(
    run: QueryRun,
    page: PageQuery,
    facility_id: str | None = None,
    kind: ViolationKind | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Any:
    return await run.keyset_page(
        "violation.read",
        lambda c: discharge.violations(c, run.principal, page, facility_id=facility_id, kind=kind, year=year),
        page,
        lambda v: sort_key(v["recorded_at"], v["violation_id"]),
    )


@router.get(
    "/violations/report",
    tags=["discharge"],
    summary="Violations per hospital (LJ-17)",
    response_model=None,
    responses={200: {"model": ViolationsReportOut}},
)
async def violations_report(
    run: QueryRun,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Any:
    return {"year": year, "items": await run.fetch("violation.report", lambda c: discharge.report(c, year))}
