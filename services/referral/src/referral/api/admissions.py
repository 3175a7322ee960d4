"""Admissions (§2): HTTP routes (each hands its use case to the kernel's command or query dependency)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from medaid_shared.contracts.common import FilingState
from medaid_shared.routes import CommandRun, QueryRun
from referral.service import (
    admissions,
)
from referral.service.commands import (
    AdmissionIn,
)

router = APIRouter()


@router.post("/admissions", status_code=201, tags=["admissions"], summary="File an admission (AdmissionFiled)")
async def file_admission(
    body: Annotated[AdmissionIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("admission.file", lambda c: admissions.file(c, run.principal, body), status=201)


@router.get("/admissions", tags=["admissions"], summary="Admissions in your scope")
async def list_admissions(
    run: QueryRun,
    person_id: str | None = None,
    filing_state: FilingState | None = None,
    open: bool | None = None,
) -> Any:
    return await run.fetch(
        "admission.read",
        lambda c: admissions.listing(c, run.principal, person_id=person_id, filing_state=filing_state, open_only=open),
    )


@router.get("/admissions/{admission_id}", tags=["admissions"], summary="One admission with its compliance")
async def get_admission(
    admission_id: str,
    run: QueryRun,
) -> Any:
    return await run.fetch("admission.read", lambda c: admissions.get(c, run.principal, admission_id))
