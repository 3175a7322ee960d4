"""What every page of the console shares: the signed-in session, the services as that user
sees them, rendering a page, the CSRF-checked form and sending one decision. Built once by
:func:`console.app.create_app` and handed to the routes as :data:`WebDep`."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

import httpx
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from console import queues as q
from console.api import ApiProblem, Services, UserApi
from console.oidc import OidcClient
from console.session import CSRF_FIELD, Cookies, Session, csrf_ok
from console.settings import Settings
from console.workdays import Calendars

Command = Callable[[UserApi, FormData, str | None], Awaitable[Any]]
OnRefusal = Callable[[ApiProblem, FormData], Awaitable[Response]]


class NotSignedIn(Exception):
    """No session: the page redirects to the sign-in page."""


class CsrfRefused(Exception):
    """A form without the session's CSRF token: refused before anything is sent."""


def text(form: FormData, name: str) -> str | None:
    """A form field's stripped text, ``None`` when empty or absent."""
    value = form.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def local_path(target: str | None) -> str:
    """Only a path on this console is followed after sign-in (no open redirect)."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@dataclass
class Web:
    settings: Settings
    services: Services
    calendars: Calendars
    cookies: Cookies
    templates: Jinja2Templates
    oidc: OidcClient | None
    oidc_http: httpx.AsyncClient

    def session_of(self, request: Request) -> Session:
        session = self.cookies.session(request)
        if session is None:
            raise NotSignedIn
        return session

    def api(self, request: Request) -> UserApi:
        """The services as the signed-in user sees them (with the session's token)."""
        return UserApi(self.services, self.session_of(request).token)

    def queue_ctx(self, session: Session) -> q.Ctx:
        return q.Ctx(UserApi(self.services, session.token), session, self.calendars)

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        session = self.cookies.session(request)
        context.setdefault("session", session)
        context.setdefault("csrf", session.csrf if session else self.cookies.anonymous_csrf(request))
        context.setdefault("nav", q.queues_for(session.role) if session else [])
        context.setdefault("problem", None)
        context.setdefault("values", {})
        context.setdefault("idem", secrets.token_urlsafe(16))
        response = self.templates.TemplateResponse(request, name, context, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        return response

    def message(self, request: Request, status: int, title: str, message: str) -> HTMLResponse:
        return self.page(request, "message.html", status=status, title=title, message=message)

    async def verified_form(self, request: Request) -> FormData:
        """Every POST carries the CSRF token of the session (or of the sign-in page)."""
        form = await request.form()
        if not csrf_ok(self.cookies.expected_csrf(request), form.get(CSRF_FIELD)):
            raise CsrfRefused
        return form

    async def decide(self, request: Request, command: Command, on_refusal: OnRefusal, done: str) -> Response:
        """Send one decision to its service; a refusal re-renders the form with the
        service's problem next to the field it names (nothing was changed)."""
        api = self.api(request)
        form = await self.verified_form(request)
        try:
            await command(api, form, text(form, "idem"))
        except ApiProblem as problem:
            if problem.status == 401:
                raise
            return await on_refusal(problem, form)
        return RedirectResponse(done, status_code=303)


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


WebDep = Annotated[Web, Depends(web_of)]


def service_html(html: Any) -> HTMLResponse:
    """A page a service rendered itself (a printable form), passed through unchanged."""
    return HTMLResponse(str(html), headers={"Cache-Control": "no-store"})


Render = Callable[..., Awaitable[Response]]


def decision(
    service: str, path: str, body: Callable[[FormData], Any], render: Render, page: str
) -> Callable[..., Awaitable[Response]]:
    """The route of one decision on a record, sent to ``service`` at ``path``; done, to the
    record's ``page``. Both name the record by the route's path parameters (``{item_id}``),
    which ``render`` (the record's page) also takes, in order. A refusal re-renders the
    page with the problem and what was entered (never an ID number)."""
    action = path.rsplit("/", 1)[-1]

    async def handler(request: Request, web: WebDep) -> Response:
        ids = {name: quote(str(value), safe="") for name, value in request.path_params.items()}

        async def command(api: UserApi, form: FormData, idem: str | None) -> Any:
            return await api.post(service, path.format(**ids), body(form), idempotency_key=idem)

        async def on_refusal(problem: ApiProblem, form: FormData) -> Response:
            values = {k: v for k, v in form.items() if k != "id_number"}
            return await render(request, web, *ids.values(), problem, {"action": action, **values})

        return await web.decide(request, command, on_refusal, f"{page.format(**ids)}?done={action}")

    return handler
