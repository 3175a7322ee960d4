"""Outside-care filings (LJ-4.2): HTTP routes (each hands its use case to the kernel's command or query dependency)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import HTMLResponse

from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun
from referral.api.forms import filing_form_html
from referral.api.schemas import AdmissionOut, FilingOut
from referral.service import (
    filings,
)
from referral.service.commands import (
    FilingIn,
    ForwardIn,
    PhoneReportIn,
)

router = APIRouter()


@router.post(
    "/filings",
    status_code=201,
    tags=["filings"],
    summary="File the outside-care form (LJ-4.2b/c)",
    response_model=None,
    responses={201: {"model": FilingOut}},
)
async def submit_filing(
    body: Annotated[FilingIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("filing.submit", lambda c: filings.submit(c, run.principal, body), status=201)


@router.post(
    "/admissions/{admission_id}/phone-report",
    tags=["filings"],
    summary="Phone pre-report (LJ-4.2d)",
    response_model=None,
    responses={200: {"model": AdmissionOut}},
)
async def phone_report(
    admission_id: str,
    body: Annotated[PhoneReportIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("filing.phone_report", lambda c: filings.phone_report(c, run.principal, admission_id, body))


@router.post(
    "/filings/{filing_id}/forward",
    tags=["filings"],
    summary="Town passes the filing to civil affairs (LJ-4.2c)",
    response_model=None,
    responses={200: {"model": FilingOut}},
)
async def forward_filing(
    filing_id: str,
    body: Annotated[ForwardIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("filing.forward", lambda c: filings.forward(c, run.principal, filing_id, body))


@router.get(
    "/filings",
    tags=["filings"],
    summary="Filings in your scope, newest first",
    response_model=None,
    responses={200: {"model": Page[FilingOut]}},
)
async def list_filings(
    run: QueryRun,
    page: PageQuery,
    awaiting_forward: bool | None = None,
) -> Any:
    return await run.keyset_page(
        "filing.read",
        lambda c: filings.listing(c, run.principal, page, awaiting_forward=awaiting_forward),
        page,
        lambda f: sort_key(f["filing_id"]),
    )


@router.get(
    "/filings/{filing_id}",
    tags=["filings"],
    summary="One filing",
    response_model=None,
    responses={200: {"model": FilingOut}},
)
async def get_filing(
    filing_id: str,
    run: QueryRun,
) -> Any:
    return await run.fetch("filing.read", lambda c: filings.get(c, run.principal, filing_id))


@router.get(
    "/filings/{filing_id}/form",
    tags=["filings"],
    summary="Print-ready outside-care filing form (外出就医备案表, annex 1)",
    response_class=HTMLResponse,
)
async def print_filing_form(
    filing_id: str,
    run: QueryRun,
) -> HTMLResponse:
    data = await run.fetch("filing.print", lambda c: filings.form_data(c, run.principal, filing_id), audited=True)
    return HTMLResponse(filing_form_html(data))
