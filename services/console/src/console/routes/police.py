"""Identity-check letters for the police clerk (GD-16): the letter with its due date, its
photos only after a reason is entered (the service audit-logs the read, SPEC 0.4), the
reply on the standard template (GD-16.2), late identification (GD-16.4), the printables."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from console.api import ApiProblem
from console.web import Web, WebDep, decision, service_html, text

router = APIRouter()


async def letter_page(
    request: Request,
    web: Web,
    request_id: str,
    problem: ApiProblem | None = None,
    values: dict[str, Any] | None = None,
    letter_html: str | None = None,
) -> Response:
    found = await web.api(request).get("identity-check", f"/identity-checks/{request_id}")
    due = await web.calendars.due(found.get("reply_due_at"), found.get("overdue"))
    return web.page(
        request,
        "letter.html",
        status=problem.status if problem else 200,
        req=found,
        due=due,
        problem=problem,
        values=values or {},
        letter_html=letter_html,
    )


@router.get("/police/letters/{request_id}", response_class=HTMLResponse)
async def police_letter(request: Request, web: WebDep, request_id: str) -> Response:
    return await letter_page(request, web, request_id)


@router.post("/police/letters/{request_id}/open", response_class=HTMLResponse)
async def open_letter(request: Request, web: WebDep, request_id: str) -> Response:
    """The letter with its photos: only with a reason, which the service audit-logs with
    the read (SPEC 0.4). The reason travels in the form body, never in a URL."""
    api = web.api(request)
    form = await web.verified_form(request)
    reason = text(form, "reason")
    if not reason:
        problem = ApiProblem("console", 422, {"detail": "查看照片须填写事由", "field": "/reason"})
        return await letter_page(request, web, request_id, problem, dict(form))
    try:
        html = await api.get(
            "identity-check", f"/identity-checks/{request_id}/letter", include_photos="true", reason=reason
        )
    except ApiProblem as problem:
        if problem.status == 401:
            raise
        return await letter_page(request, web, request_id, problem, dict(form))
    return await letter_page(request, web, request_id, letter_html=str(html), values=dict(form))


def _identity(form: FormData) -> dict[str, Any]:
    return {
        "id_number": text(form, "id_number"),
        "name": text(form, "name"),
        "household_registration": text(form, "household_registration"),
    }


def _reply(form: FormData) -> dict[str, Any]:
    outcome = text(form, "outcome")
    body: dict[str, Any] = {"outcome": outcome, "remarks": text(form, "remarks")}
    if outcome == "identified":
        body |= _identity(form)
    return body


def _late(form: FormData) -> dict[str, Any]:
    return {**_identity(form), "remarks": text(form, "remarks")}


for _action, _body in (("reply", _reply), ("late-identification", _late)):
    router.post(f"/police/letters/{{request_id}}/{_action}")(
        decision(
            "identity-check",
            f"/identity-checks/{{request_id}}/{_action}",
            _body,
            letter_page,
            "/police/letters/{request_id}",
        )
    )


@router.get("/print/identity-checks/{request_id}/reply", response_class=HTMLResponse)
async def print_reply(request: Request, web: WebDep, request_id: str) -> Response:
    """复函: the bureau's reply on the standard template, from the recorded reply."""
    found = await web.api(request).get("identity-check", f"/identity-checks/{request_id}")
    return web.page(request, "print_reply.html", req=found, printable=True)


@router.get("/print/identity-checks/{request_id}/letter", response_class=HTMLResponse)
async def print_letter(request: Request, web: WebDep, request_id: str) -> Response:
    return service_html(await web.api(request).get("identity-check", f"/identity-checks/{request_id}/letter"))
