"""The decisions declared as data (:mod:`console.actions`): the index of what the role may
do, a record picked by its id, the form, and the service's answer."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console import actions as act
from console.api import ApiProblem
from console.session import Session
from console.web import WebDep, text

router = APIRouter()


def _action_of(session: Session, key: str) -> act.Action | None:
    action = act.BY_KEY.get(key)
    return action if action is not None and session.role in action.roles else None


@router.get("/act", response_class=HTMLResponse)
async def action_index(request: Request, web: WebDep) -> Response:
    session = web.session_of(request)
    return web.page(request, "actions.html", actions=act.actions_for(session.role))


@router.get("/act/{key}", response_class=HTMLResponse)
async def action_pick(request: Request, web: WebDep, key: str, id: str = "") -> Response:
    web.session_of(request)
    if not id.strip():
        return RedirectResponse("/act", status_code=303)
    return RedirectResponse(f"/act/{quote(key)}/{quote(id.strip(), safe='')}", status_code=303)


@router.get("/act/{key}/{ident}", response_class=HTMLResponse)
async def action_form(request: Request, web: WebDep, key: str, ident: str) -> Response:
    action = _action_of(web.session_of(request), key)
    if action is None:
        return web.message(request, 403, "无权办理", "您的角色不能办理这一事项。")
    # A queue's link fills in what it already knows (the plan's admission, say); never an ID number.
    given = request.query_params
    values = {f.name: given[f.name] for f in action.fields if f.name in given and f.name != "id_number"}
    return web.page(request, "action.html", action=action, ident=ident, answer=None, values=values)


@router.post("/act/{key}/{ident}", response_class=HTMLResponse)
async def action_send(request: Request, web: WebDep, key: str, ident: str) -> Response:
    session = web.session_of(request)
    form = await web.verified_form(request)
    action = _action_of(session, key)
    if action is None:
        return web.message(request, 403, "无权办理", "您的角色不能办理这一事项。")
    try:
        body = act.body_of(action, ident, form)
        answer = await web.api(request).post(
            action.service, _url(action, ident, body), body, idempotency_key=text(form, "idem")
        )
    except ApiProblem as problem:
        if problem.status == 401:
            raise
        values = {k: v for k, v in form.items() if k != "id_number"}
        return web.page(
            request,
            "action.html",
            status=problem.status,
            action=action,
            ident=ident,
            answer=None,
            problem=problem,
            values=values,
        )
    return web.page(
        request, "action.html", action=action, ident=ident, answer=answer if isinstance(answer, dict) else {}
    )


def _url(action: act.Action, ident: str, body: dict[str, object]) -> str:
    """The service path; a decision not chosen is refused here, naming its field, as the
    service would name one of its own."""
    try:
        return action.url(quote(ident, safe=""), body)
    except ValueError as missing:
        field = str(missing)
        detail = {"title": "请选择决定", "status": 422, "detail": "请选择一项决定", "field": f"/{field}"}
        raise ApiProblem("console", 422, detail) from None
