"""The console's web application: sign-in, work queues, decision forms, printable pages and
exports, all server-rendered (Jinja2), every asset served from here. The pages live in
:mod:`console.routes`, one router per area; what they share is :class:`console.web.Web`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from console.api import ApiProblem, Services
from console.labels import ROLES, SERVICE_NAMES, audit_break_label, problem_title, status_label
from console.oidc import OidcClient
from console.routes import actions, audit, consent, fund, police, queues, referral, settlement, sign_in
from console.routes.operations import operations_router
from console.session import CSRF_FIELD, Cookies
from console.settings import Settings
from console.web import CsrfRefused, NotSignedIn, Web
from console.workdays import Calendars, local_text

HERE = Path(__file__).parent
AREAS = (sign_in, queues, consent, police, fund, actions, referral, settlement, audit)


def _money(value: Any) -> str:
    return "" if value in (None, "") else str(value)


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(
        ROLES=ROLES,
        status_label=status_label,
        problem_title=problem_title,
        local_text=local_text,
        money=_money,
        CSRF_FIELD=CSRF_FIELD,
        SERVICE_NAMES=SERVICE_NAMES,
        audit_break_label=audit_break_label,
    )
    return templates


def _handle_refusals(app: FastAPI, web: Web) -> None:
    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        return RedirectResponse(f"/sign-in?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(CsrfRefused)
    async def _csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        return web.message(
            request, 403, "请求被拒绝", "表单缺少有效的安全校验码（CSRF），未作任何处理。请返回页面刷新后重新提交。"
        )

    @app.exception_handler(ApiProblem)
    async def _api_problem(request: Request, exc: ApiProblem) -> Response:
        if exc.status == 401:
            response = RedirectResponse("/sign-in?expired=1", status_code=303)
            web.cookies.end_session(response)
            return response
        return web.page(request, "message.html", status=exc.status, title=problem_title(exc.status), problem=exc)


def create_app(settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    settings = settings or Settings()
    services = Services(settings.service_urls(), settings.api_timeout_s, transport)
    oidc_http = httpx.AsyncClient(timeout=settings.api_timeout_s)
    web = Web(
        settings=settings,
        services=services,
        calendars=Calendars(services),
        cookies=Cookies(settings),
        templates=_templates(),
        oidc=OidcClient(settings, oidc_http) if settings.oidc_enabled else None,
        oidc_http=oidc_http,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await services.close()
            await oidc_http.aclose()

    app = FastAPI(title="medaid 工作台", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.web = web
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _handle_refusals(app, web)
    app.include_router(operations_router(settings.test_clock))
    for area in AREAS:
        app.include_router(area.router)
    return app
