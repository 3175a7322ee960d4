"""Self-pay items (consent): the item with its trail, the initial review (LJ-7.2), the
civil-affairs filing and review (LJ-7.3), the informed-consent form (LJ-7.1); the printable
annex 3 and annex 4."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from console.api import ApiProblem
from console.web import Web, WebDep, decision, service_html, text

router = APIRouter()


async def self_pay_page(
    request: Request, web: Web, item_id: str, problem: ApiProblem | None = None, values: dict[str, Any] | None = None
) -> Response:
    item = await web.api(request).get("consent", f"/self-pay-items/{item_id}")
    return web.page(
        request,
        "self_pay.html",
        status=problem.status if problem else 200,
        item=item,
        problem=problem,
        values=values or {},
    )


@router.get("/self-pay-items/{item_id}", response_class=HTMLResponse)
async def self_pay_item(request: Request, web: WebDep, item_id: str) -> Response:
    return await self_pay_page(request, web, item_id)


def _review(form: FormData) -> dict[str, Any]:
    return {"outcome": text(form, "outcome"), "reason": text(form, "reason")}


def _consent_form(form: FormData) -> dict[str, Any]:
    return {"signature_ref": text(form, "signature_ref"), "major_public_interest_reason": text(form, "reason")}


for _action, _body in (
    ("initial-review", _review),
    ("civil-affairs-review", _review),
    ("civil-affairs-filing", lambda f: {"note": text(f, "note")}),
    ("consent-form", _consent_form),
):
    router.post(f"/self-pay-items/{{item_id}}/{_action}", name=f"self_pay_{_action}")(
        decision(
            "consent",
            f"/self-pay-items/{{item_id}}/{_action}",
            _body,
            self_pay_page,
            "/self-pay-items/{item_id}",
        )
    )


@router.get("/print/self-pay-items/{item_id}/consent-form", response_class=HTMLResponse)
async def print_consent_form(request: Request, web: WebDep, item_id: str) -> Response:
    """Annex 3 自费项目使用知情同意书."""
    return service_html(await web.api(request).get("consent", f"/self-pay-items/{item_id}/consent-form.html"))


@router.get("/print/treatments/{treatment_id}/evaluation-record", response_class=HTMLResponse)
async def print_evaluation(request: Request, web: WebDep, treatment_id: str) -> Response:
    """Annex 4 重大治疗评估备案表."""
    return service_html(await web.api(request).get("consent", f"/treatments/{treatment_id}/evaluation-record.html"))
