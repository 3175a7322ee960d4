"""Emergency-fund applications (GD-20, GD-21): the application by step with due dates,
the notices running, each review and the disbursement as a form; the printable annex 2
and annex 3 and the public notice board."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from console.api import ApiProblem
from console.web import Web, WebDep, decision, service_html, text
from medaid_shared import clock

router = APIRouter()


async def application_page(
    request: Request, web: Web, app_id: str, problem: ApiProblem | None = None, values: dict[str, Any] | None = None
) -> Response:
    found = await web.api(request).get("emergency-fund", f"/applications/{app_id}")
    steps = [
        (step, None if step.get("decided_at") else await web.calendars.due(step.get("due_at"), step.get("overdue")))
        for step in found.get("steps", [])
    ]
    now = clock.now()
    notices = [
        (notice, "公示期满" if _ended(notice.get("ends_at"), now) else "公示中") for notice in found.get("notices", [])
    ]
    return web.page(
        request,
        "application.html",
        status=problem.status if problem else 200,
        app_=found,
        steps=steps,
        notices=notices,
        problem=problem,
        values=values or {},
    )


def _ended(ends: str | None, now: datetime) -> bool:
    return bool(ends) and clock.ensure_utc(datetime.fromisoformat(str(ends))) < now


@router.get("/fund/applications/{app_id}", response_class=HTMLResponse)
async def fund_application(request: Request, web: WebDep, app_id: str) -> Response:
    return await application_page(request, web, app_id)


def _review(form: FormData) -> dict[str, Any]:
    return {"outcome": text(form, "outcome"), "reason": text(form, "reason")}


def _write_off(form: FormData) -> dict[str, Any]:
    return {"vouchers": (text(form, "vouchers") or "").split(), "note": text(form, "note") or ""}


def _nothing(_form: FormData) -> None:
    return None


for _action, _body in (
    ("agency-review", _review),
    ("health-review", _review),
    ("finance-rejection", lambda f: {"reason": text(f, "reason")}),
    ("notices", _nothing),
    ("disbursement", _nothing),
    ("co-review-notes", lambda f: {"note": text(f, "note"), "case_id": text(f, "case_id")}),
    ("write-off", _write_off),
):
    router.post(f"/fund/applications/{{app_id}}/{_action}", name=f"fund_{_action}")(
        decision(
            "emergency-fund",
            f"/applications/{{app_id}}/{_action}",
            _body,
            application_page,
            "/fund/applications/{app_id}",
        )
    )


async def channel_page(
    request: Request,
    web: Web,
    case_id: str,
    channel: str,
    problem: ApiProblem | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    """GD-18.1: a case's claim of what one existing channel paid, for the department
    responsible to confirm (or the agency to waive, with a reason)."""
    case = await web.api(request).get("emergency-fund", f"/cases/{case_id}")
    payment = next((p for p in case.get("channel_payments", []) if p.get("channel") == channel), None)
    return web.page(
        request,
        "channel.html",
        status=problem.status if problem else 200,
        case=case,
        channel=channel,
        payment=payment,
        problem=problem,
        values=values or {},
    )


@router.get("/fund/cases/{case_id}/channels/{channel}", response_class=HTMLResponse)
async def channel_payment(request: Request, web: WebDep, case_id: str, channel: str) -> Response:
    return await channel_page(request, web, case_id, channel)


def _confirmation(form: FormData) -> dict[str, Any]:
    return {
        "amount": text(form, "amount"),
        "document_ref": text(form, "document_ref"),
        "note": text(form, "note") or "",
    }


for _action, _body in (("confirmation", _confirmation), ("waiver", lambda f: {"reason": text(f, "reason")})):
    router.post(f"/fund/cases/{{case_id}}/channels/{{channel}}/{_action}", name=f"channel_{_action}")(
        decision(
            "emergency-fund",
            f"/cases/{{case_id}}/channel-payments/{{channel}}/{_action}",
            _body,
            channel_page,
            "/fund/cases/{case_id}/channels/{channel}",
        )
    )


async def exclusions_page(
    request: Request, web: Web, case_id: str, problem: ApiProblem | None = None, values: dict[str, Any] | None = None
) -> Response:
    """GD-14: a case's exclusion proposals (the whole case, its cost items) for the agency."""
    case = await web.api(request).get("emergency-fund", f"/cases/{case_id}")
    proposed = [i for i in case.get("cost_items", []) if i.get("exclusion_status") == "proposed"]
    return web.page(
        request,
        "exclusions.html",
        status=problem.status if problem else 200,
        case=case,
        proposed=proposed,
        problem=problem,
        values=values or {},
    )


async def _item_exclusions_page(
    request: Request, web: Web, case_id: str, _item_id: str, problem: ApiProblem, values: dict[str, Any]
) -> Response:
    return await exclusions_page(request, web, case_id, problem, values)


@router.get("/fund/cases/{case_id}/exclusions", response_class=HTMLResponse)
async def case_exclusions(request: Request, web: WebDep, case_id: str) -> Response:
    return await exclusions_page(request, web, case_id)


def _exclusion_decision(form: FormData) -> dict[str, Any]:
    return {"decision": text(form, "decision"), "reason": text(form, "reason")}


router.post("/fund/cases/{case_id}/exclusion-decision")(
    decision(
        "emergency-fund",
        "/cases/{case_id}/exclusion-decision",
        _exclusion_decision,
        exclusions_page,
        "/fund/cases/{case_id}/exclusions",
    )
)
router.post("/fund/cases/{case_id}/cost-items/{item_id}/exclusion-decision")(
    decision(
        "emergency-fund",
        "/cases/{case_id}/cost-items/{item_id}/exclusion-decision",
        _exclusion_decision,
        _item_exclusions_page,
        "/fund/cases/{case_id}/exclusions",
    )
)


async def extension_page(
    request: Request, web: Web, case_id: str, problem: ApiProblem | None = None, values: dict[str, Any] | None = None
) -> Response:
    """GD-13.3: a case's request to extend the emergency period, with its evidence, for the
    agency or the health department to approve or reject."""
    case = await web.api(request).get("emergency-fund", f"/cases/{case_id}")
    return web.page(
        request,
        "extension.html",
        status=problem.status if problem else 200,
        case=case,
        problem=problem,
        values=values or {},
    )


@router.get("/fund/cases/{case_id}/extension", response_class=HTMLResponse)
async def case_extension(request: Request, web: WebDep, case_id: str) -> Response:
    return await extension_page(request, web, case_id)


router.post("/fund/cases/{case_id}/emergency-extension/decision")(
    decision(
        "emergency-fund",
        "/cases/{case_id}/emergency-extension/decision",
        lambda f: {"decision": text(f, "decision"), "reason": text(f, "reason")},
        extension_page,
        "/fund/cases/{case_id}/extension",
    )
)


@router.get("/print/fund/applications/{app_id}/{annex}", response_class=HTMLResponse)
async def print_application(request: Request, web: WebDep, app_id: str, annex: str) -> Response:
    """附件2 (individual applications, one per case) and 附件3 (the unit application)."""
    if annex not in ("annex2", "annex3"):
        return web.message(request, 404, "未找到", "没有这一附件。")
    api = web.api(request)
    found = await api.get("emergency-fund", f"/applications/{app_id}")
    cases = [await api.get("emergency-fund", f"/cases/{c['case_id']}") for c in found.get("cases", [])]
    if annex == "annex2":
        for case in cases:
            case["full_name"] = await _name_for_the_form(api, case)
    return web.page(request, f"print_{annex}.html", app_=found, cases=cases, printable=True)


async def _name_for_the_form(api: Any, case: dict[str, Any]) -> str | None:
    """SPEC 0.4: the individual application is signed by the applicant, so it carries the
    patient's full name — for the roles the fund lets read it, each read audit-logged by the
    fund with its reason; every other role prints the masked name."""
    if case.get("identity_status") == "unidentified":
        return None
    try:
        found = await api.post(
            "emergency-fund", f"/cases/{case['case_id']}/identity-reads", {"reason": "打印个人申请表（附件2）"}
        )
    except ApiProblem as problem:
        if problem.status in (403, 409):  # not this role's to read, or no full identity stored
            return None
        raise
    name = found.get("name") if isinstance(found, dict) else None
    return str(name) if name else None


@router.get("/print/public-notices", response_class=HTMLResponse)
async def print_notices(web: WebDep, city: str = "") -> Response:
    """GD-21: the public notice board (masked, no sign-in needed)."""
    return service_html(
        await web.services.request("emergency-fund", "GET", "/public/notices.html", token=None, params={"city": city})
    )
