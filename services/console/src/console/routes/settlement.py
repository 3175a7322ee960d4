"""Settlement: the statement (结算单) with the national settlement fields."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from console.web import WebDep
from medaid_shared.identifiers import ADMISSION_IDENTIFIERS

router = APIRouter()


@router.get("/statements/{statement_id}", response_class=HTMLResponse)
async def statement(request: Request, web: WebDep, statement_id: str) -> Response:
    """结算单 with the national settlement fields (2207)."""
    found = await web.api(request).get("settlement", f"/statements/{statement_id}")
    return web.page(request, "statement.html", st=found, identifiers=ADMISSION_IDENTIFIERS, printable=True)
