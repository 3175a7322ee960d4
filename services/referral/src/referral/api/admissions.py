"""Admissions (§2): HTTP routes (each hands its use case to the kernel's command or query dependency)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from medaid_shared.contracts.common import FilingState
from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun
from referral.api.schemas import AdmissionOut
from referral.service import (
    admissions,
    adviser,
)
from referral.service.commands import (
    AdmissionIn,
    AdviserIn,
    DisputeIn,
    UnableToPayIn,
)

router = APIRouter()


@router.post(
    "/admissions",
    status_code=201,
    tags=["admissions"],
    summary="File an admission (AdmissionFiled)",
    response_model=None,
    responses={201: {"model": AdmissionOut}},
)
async def file_admission(
    body: Annotated[AdmissionIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("admission.file", lambda c: admissions.file(c, run.principal, body), status=201)


@router.post(
    "/admissions/{admission_id}/unable-to-pay",
    tags=["admissions"],
    summary="The emergency patient is unable to pay: referred to emergency assistance (LJ-11.4)",
    response_model=None,
    responses={200: {"model": AdmissionOut}},
)
async def record_unable_to_pay(
    admission_id: str,
    body: Annotated[UnableToPayIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run(
        "admission.unable_to_pay", lambda c: admissions.unable_to_pay(c, run.principal, admission_id, body)
    )


@router.post(
    "/admissions/{admission_id}/dispute",
    tags=["admissions"],
    summary="The person's carer says the person is not admitted there (SPEC 0.3)",
    response_model=None,
    responses={200: {"model": AdmissionOut}},
)
async def dispute_admission(
    admission_id: str,
    body: Annotated[DisputeIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("admission.dispute", lambda c: admissions.dispute(c, run.principal, admission_id, body))


@router.post(
    "/admissions/{admission_id}/adviser",
    tags=["admissions"],
    summary="LJ-4.3c: civil affairs names the adviser (建议方) of unfiled outside care, who bears its cost",
    response_model=None,
    responses={200: {"model": AdmissionOut}},
)
async def record_adviser(
    admission_id: str,
    body: Annotated[AdviserIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("admission.record_adviser", lambda c: adviser.record(c, run.principal, admission_id, body))


@router.get(
    "/admissions",
    tags=["admissions"],
    summary="Admissions in your scope, latest admitted first",
    response_model=None,
    responses={200: {"model": Page[AdmissionOut]}},
)
async def list_admissions(
    run: QueryRun,
    page: PageQuery,
    person_id: str | None = None,
    filing_state: FilingState | None = None,
    open: bool | None = None,
) -> Any:
    return await run.keyset_page(
        "admission.read",
        lambda c: admissions.listing(
            c, run.principal, person_id=person_id, filing_state=filing_state, open_only=open, page=page
        ),
        page,
        lambda a: sort_key(a["admitted_at"], a["admission_id"]),
    )


@router.get(
    "/admissions/{admission_id}",
    tags=["admissions"],
    summary="One admission with its compliance",
    response_model=None,
    responses={200: {"model": AdmissionOut}},
)
async def get_admission(
    admission_id: str,
    run: QueryRun,
) -> Any:
    return await run.fetch("admission.read", lambda c: admissions.get(c, run.principal, admission_id))
