"""Referral: a filing and its forwarding by the town (LJ-4.2c), the one-person file
(LJ-15.3), the printable annex 1."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from console.api import ApiProblem
from console.web import Web, WebDep, decision, service_html, text

router = APIRouter()


async def filing_page(
    request: Request, web: Web, filing_id: str, problem: ApiProblem | None = None, values: dict[str, Any] | None = None
) -> Response:
    found = await web.api(request).get("referral", f"/filings/{filing_id}")
    return web.page(
        request,
        "filing.html",
        status=problem.status if problem else 200,
        filing=found,
        problem=problem,
        values=values or {},
    )


@router.get("/filings/{filing_id}", response_class=HTMLResponse)
async def filing(request: Request, web: WebDep, filing_id: str) -> Response:
    return await filing_page(request, web, filing_id)


router.post("/filings/{filing_id}/forward")(
    decision(
        "referral",
        "/filings/{filing_id}/forward",
        lambda f: {"opinion": text(f, "opinion")},
        filing_page,
        "/filings/{filing_id}",
    )
)


@router.get("/care-file", response_class=HTMLResponse)
async def care_file(request: Request, web: WebDep, person_id: str = "") -> Response:
    """LJ-15.3: the one-person external-care file, searchable by person."""
    api = web.api(request)
    persons = await api.list("referral", "/persons")
    entries = None
    if person_id:
        entries = (await api.get("referral", f"/persons/{person_id}/care-file"))["entries"]
    return web.page(request, "care_file.html", persons=persons, person_id=person_id, entries=entries)


@router.get("/print/filings/{filing_id}", response_class=HTMLResponse)
async def print_filing(request: Request, web: WebDep, filing_id: str) -> Response:
    """Annex 1 外出就医备案表 as referral renders it."""
    return service_html(await web.api(request).get("referral", f"/filings/{filing_id}/form"))
