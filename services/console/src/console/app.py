"""The console's web application: sign-in, work queues, decision forms, printable pages and
exports, all server-rendered (Jinja2), every asset served from here."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.datastructures import FormData

from console import actions as act
from console import queues as q
from console.api import ApiProblem, Services, UserApi
from console.exports import XLSX_TYPE, content_disposition, to_csv, to_xlsx
from console.labels import ROLES, SCOPE_HINTS, problem_title, status_label
from console.oidc import OidcClient, SignInRefused
from console.session import CSRF_FIELD, Cookies, Session, csrf_ok
from console.settings import Settings
from console.workdays import Calendars, local_text
from medaid_shared import clock
from medaid_shared.app import ClockSetting
from medaid_shared.auth import issue_token

HERE = Path(__file__).parent


class NotSignedIn(Exception):
    pass


class CsrfRefused(Exception):
    pass


def _money(value: Any) -> str:
    return "" if value in (None, "") else str(value)


def create_app(settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    settings = settings or Settings()
    services = Services(settings.service_urls(), settings.api_timeout_s, transport)
    calendars = Calendars(services)
    cookies = Cookies(settings)
    oidc_http = httpx.AsyncClient(timeout=settings.api_timeout_s)
    oidc = OidcClient(settings, oidc_http) if settings.oidc_enabled else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await services.close()
            await oidc_http.aclose()

    app = FastAPI(title="medaid 工作台", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(
        ROLES=ROLES,
        status_label=status_label,
        problem_title=problem_title,
        local_text=local_text,
        money=_money,
        CSRF_FIELD=CSRF_FIELD,
    )

    # ------------------------------------------------------------ plumbing

    def session_of(request: Request) -> Session:
        session = cookies.session(request)
        if session is None:
            raise NotSignedIn
        return session

    def user_api(session: Session) -> UserApi:
        return UserApi(services, session.token)

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        session = cookies.session(request)
        context.setdefault("session", session)
        context.setdefault("csrf", session.csrf if session else cookies.anonymous_csrf(request))
        context.setdefault("nav", q.queues_for(session.role) if session else [])
        context.setdefault("problem", None)
        context.setdefault("values", {})
        context.setdefault("idem", secrets.token_urlsafe(16))
        response = templates.TemplateResponse(request, name, context, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        return response

    async def verified_form(request: Request) -> FormData:
        """Every POST carries the CSRF token of the session (or of the sign-in page)."""
        form = await request.form()
        if not csrf_ok(cookies.expected_csrf(request), form.get(CSRF_FIELD)):
            raise CsrfRefused
        return form

    def text(form: FormData, name: str) -> str | None:
        value = form.get(name)
        if not isinstance(value, str):
            return None
        value = value.strip()
        return value or None

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        return RedirectResponse(f"/sign-in?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(CsrfRefused)
    async def _csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        return page(
            request,
            "message.html",
            status=403,
            title="请求被拒绝",
            message="表单缺少有效的安全校验码（CSRF），未作任何处理。请返回页面刷新后重新提交。",
        )

    @app.exception_handler(ApiProblem)
    async def _api_problem(request: Request, exc: ApiProblem) -> Response:
        if exc.status == 401:
            response = RedirectResponse("/sign-in?expired=1", status_code=303)
            cookies.end_session(response)
            return response
        return page(request, "message.html", status=exc.status, title=problem_title(exc.status), problem=exc)

    async def decide(
        request: Request,
        command: Callable[[UserApi, FormData, str | None], Awaitable[Any]],
        on_error: Callable[[ApiProblem, FormData], Awaitable[Response]],
        done: str,
    ) -> Response:
        """Send one decision to its service; a refusal re-renders the form with the
        service's problem next to the field it names (nothing was changed)."""
        session = session_of(request)
        form = await verified_form(request)
        try:
            await command(user_api(session), form, text(form, "idem"))
        except ApiProblem as problem:
            if problem.status == 401:
                raise
            return await on_error(problem, form)
        return RedirectResponse(done, status_code=303)

    # ------------------------------------------------------------ operations

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        # The console holds no state: it is ready once it serves; the services' own
        # readiness is theirs to report.
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    if settings.test_clock:

        @app.put("/_test/clock", include_in_schema=False)
        async def set_clock(body: ClockSetting) -> dict[str, str]:
            clock.set_offset(clock.ensure_utc(body.now) - (clock.now() - clock.get_offset()))
            return {"now": clock.now().isoformat()}

    # ------------------------------------------------------------ sign-in

    @app.get("/sign-in", response_class=HTMLResponse)
    async def sign_in_page(request: Request, next: str = "/", expired: int = 0) -> Response:
        token = cookies.anonymous_csrf(request)
        fresh = not token
        token = token or secrets.token_urlsafe(32)
        response = page(
            request,
            "sign_in.html",
            next=next if next.startswith("/") and not next.startswith("//") else "/",
            expired=bool(expired),
            development=settings.development,
            oidc=oidc is not None,
            roles=ROLES,
            scope_hints=SCOPE_HINTS,
            csrf=token,
            nav=[],
            session=None,
        )
        if fresh:
            cookies.set_anonymous_csrf(response, token)
        return response

    @app.post("/sign-in/dev")
    async def sign_in_dev(request: Request) -> Response:
        if not settings.development:
            # The development token is signed with the development secret: never outside it.
            return page(request, "message.html", status=403, title="不可用", message="开发登录仅在开发环境中可用。")
        form = await verified_form(request)
        role = text(form, "role") or ""
        if role not in ROLES:
            return page(request, "message.html", status=422, title="请选择角色", message="所选角色不存在。")
        scopes = (text(form, "scopes") or "").split()
        subject = text(form, "subject") or f"{role}-dev"
        name = text(form, "name")
        ttl = timedelta(seconds=settings.session_ttl_s)
        token = issue_token(settings, subject=subject, role=role, scopes=scopes, name=name, ttl=ttl)  # type: ignore[arg-type]
        session = Session(
            subject=subject,
            role=role,
            scopes=scopes,
            token=token,
            name=name,
            expires=(clock.now() + ttl).timestamp(),
        )
        nxt = text(form, "next") or "/"
        response = RedirectResponse(nxt if nxt.startswith("/") and not nxt.startswith("//") else "/", status_code=303)
        cookies.start_session(response, session)
        return response

    def redirect_url(request: Request) -> str:
        return settings.oidc_redirect_url or str(request.url_for("oidc_callback"))

    @app.get("/sign-in/oidc")
    async def sign_in_oidc(request: Request, next: str = "/") -> Response:
        if oidc is None:
            return page(request, "message.html", status=404, title="未配置", message="未配置统一身份认证（OIDC）。")
        url, kept = await oidc.authorization_url(redirect_url(request))
        response = RedirectResponse(url, status_code=303)
        cookies.set_login_state(response, {**kept, "next": next if next.startswith("/") else "/"})
        return response

    @app.get("/oidc/callback", name="oidc_callback")
    async def oidc_callback(request: Request, code: str = "", state: str = "", error: str = "") -> Response:
        kept = cookies.login_state(request)
        if oidc is None or kept is None or not state or not secrets.compare_digest(state, kept.get("state", "")):
            return page(
                request, "message.html", status=400, title="登录失败", message="登录状态无效或已过期，请重新登录。"
            )
        if error or not code:
            return page(request, "message.html", status=400, title="登录失败", message=f"身份认证未通过：{error}")
        try:
            signed = await oidc.complete(code, redirect_url(request), kept)
        except SignInRefused as exc:
            return page(request, "message.html", status=403, title="登录失败", message=str(exc))
        session = Session(
            subject=signed.subject,
            role=signed.role,
            scopes=signed.scopes,
            token=signed.access_token,
            name=signed.name,
            expires=min(signed.expires_at, (clock.now() + timedelta(seconds=settings.session_ttl_s)).timestamp()),
            via="oidc",
            id_token=signed.id_token,
        )
        response = RedirectResponse(kept.get("next") or "/", status_code=303)
        cookies.start_session(response, session)
        return response

    @app.post("/sign-out")
    async def sign_out(request: Request) -> Response:
        await verified_form(request)
        session = cookies.session(request)
        target = "/sign-in"
        if session and session.via == "oidc" and oidc is not None:
            target = await oidc.end_session_url(session.id_token, str(request.url_for("sign_in_page"))) or target
        response = RedirectResponse(target, status_code=303)
        cookies.end_session(response)
        return response

    # ------------------------------------------------------------ queues

    def ctx_of(session: Session) -> q.Ctx:
        return q.Ctx(user_api(session), session, calendars)

    @app.get("/", response_class=HTMLResponse)
    async def dashboard(request: Request) -> Response:
        session = session_of(request)
        results = await asyncio.gather(*(q.run(queue, ctx_of(session)) for queue in q.queues_for(session.role)))
        return page(request, "dashboard.html", results=results, role_label=ROLES.get(session.role, session.role))

    def queue_of(session: Session, key: str) -> q.Queue | None:
        queue = q.BY_KEY.get(key)
        return queue if queue is not None and session.role in queue.roles else None

    def table_of(result: q.QueueResult) -> tuple[list[str], list[list[Any]]]:
        headers = [h for _, h in result.queue.columns]
        rows = [[r.cells.get(k) for k, _ in result.queue.columns] for r in result.rows]
        if result.queue.dated:
            headers += ["到期时间（北京时间）", "期限"]
            rows = [[*cells, r.due.local, r.due.label] for cells, r in zip(rows, result.rows, strict=True)]
        return headers, rows

    @app.get("/queues/{key}.csv")
    async def queue_csv(request: Request, key: str) -> Response:
        session = session_of(request)
        queue = queue_of(session, key)
        if queue is None:
            return PlainTextResponse("无权查看", status_code=403)
        headers, rows = table_of(await q.run(queue, ctx_of(session)))
        return Response(
            to_csv(headers, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": content_disposition(f"{queue.key}.csv"), "Cache-Control": "no-store"},
        )

    @app.get("/queues/{key}.xlsx")
    async def queue_xlsx(request: Request, key: str) -> Response:
        session = session_of(request)
        queue = queue_of(session, key)
        if queue is None:
            return PlainTextResponse("无权查看", status_code=403)
        headers, rows = table_of(await q.run(queue, ctx_of(session)))
        return Response(
            to_xlsx(queue.key, headers, rows),
            media_type=XLSX_TYPE,
            headers={"Content-Disposition": content_disposition(f"{queue.key}.xlsx"), "Cache-Control": "no-store"},
        )

    # after the exports: `/queues/{key}` would otherwise take `key.csv` too
    @app.get("/queues/{key}", response_class=HTMLResponse)
    async def queue_page(request: Request, key: str) -> Response:
        session = session_of(request)
        queue = queue_of(session, key)
        if queue is None:
            return page(request, "message.html", status=403, title="无权查看", message="您的角色没有这一工作队列。")
        return page(request, "queue.html", result=await q.run(queue, ctx_of(session)))

    # ------------------------------------------------------------ self-pay items (consent)

    async def self_pay_page(
        request: Request, item_id: str, problem: ApiProblem | None = None, values: dict[str, Any] | None = None
    ) -> Response:
        session = session_of(request)
        item = await user_api(session).get("consent", f"/self-pay-items/{item_id}")
        return page(
            request,
            "self_pay.html",
            status=problem.status if problem else 200,
            item=item,
            problem=problem,
            values=values or {},
        )

    @app.get("/self-pay-items/{item_id}", response_class=HTMLResponse)
    async def self_pay_item(request: Request, item_id: str) -> Response:
        return await self_pay_page(request, item_id)

    def review_body(form: FormData) -> dict[str, Any]:
        return {"outcome": text(form, "outcome"), "reason": text(form, "reason")}

    def self_pay_command(action: str, body: Callable[[FormData], dict[str, Any]]) -> Callable[..., Awaitable[Response]]:
        async def handler(request: Request, item_id: str) -> Response:
            async def command(api: UserApi, form: FormData, idem: str | None) -> Any:
                return await api.post(
                    "consent", f"/self-pay-items/{item_id}/{action}", body(form), idempotency_key=idem
                )

            async def on_error(problem: ApiProblem, form: FormData) -> Response:
                return await self_pay_page(request, item_id, problem, {"action": action, **dict(form)})

            return await decide(request, command, on_error, f"/self-pay-items/{item_id}?done={action}")

        return handler

    for action, body in (
        ("initial-review", review_body),
        ("civil-affairs-review", review_body),
        ("civil-affairs-filing", lambda f: {"note": text(f, "note")}),
        (
            "consent-form",
            lambda f: {"signature_ref": text(f, "signature_ref"), "major_public_interest_reason": text(f, "reason")},
        ),
    ):
        app.post(f"/self-pay-items/{{item_id}}/{action}", name=f"self_pay_{action}")(self_pay_command(action, body))

    # ------------------------------------------------------------ police letters (identity-check)

    async def letter_page(
        request: Request,
        request_id: str,
        problem: ApiProblem | None = None,
        values: dict[str, Any] | None = None,
        letter_html: str | None = None,
    ) -> Response:
        session = session_of(request)
        api = user_api(session)
        found = await api.get("identity-check", f"/identity-checks/{request_id}")
        due = await calendars.due(found.get("reply_due_at"), found.get("overdue"))
        return page(
            request,
            "letter.html",
            status=problem.status if problem else 200,
            req=found,
            due=due,
            problem=problem,
            values=values or {},
            letter_html=letter_html,
        )

    @app.get("/police/letters/{request_id}", response_class=HTMLResponse)
    async def police_letter(request: Request, request_id: str) -> Response:
        return await letter_page(request, request_id)

    @app.post("/police/letters/{request_id}/open", response_class=HTMLResponse)
    async def open_letter(request: Request, request_id: str) -> Response:
        """The letter with its photos: only with a reason, which the service audit-logs with
        the read (SPEC 0.4). The reason travels in the form body, never in a URL."""
        session = session_of(request)
        form = await verified_form(request)
        reason = text(form, "reason")
        if not reason:
            problem = ApiProblem("console", 422, {"detail": "查看照片须填写事由", "field": "reason"})
            return await letter_page(request, request_id, problem, dict(form))
        try:
            html = await user_api(session).get(
                "identity-check", f"/identity-checks/{request_id}/letter", include_photos="true", reason=reason
            )
        except ApiProblem as problem:
            if problem.status == 401:
                raise
            return await letter_page(request, request_id, problem, dict(form))
        return await letter_page(request, request_id, letter_html=str(html), values=dict(form))

    def reply_body(form: FormData) -> dict[str, Any]:
        outcome = text(form, "outcome")
        body: dict[str, Any] = {"outcome": outcome, "remarks": text(form, "remarks")}
        if outcome == "identified":
            body |= {
                "id_number": text(form, "id_number"),
                "name": text(form, "name"),
                "household_registration": text(form, "household_registration"),
            }
        return body

    def late_body(form: FormData) -> dict[str, Any]:
        return {
            "id_number": text(form, "id_number"),
            "name": text(form, "name"),
            "household_registration": text(form, "household_registration"),
            "remarks": text(form, "remarks"),
        }

    def letter_command(action: str, body: Callable[[FormData], dict[str, Any]]) -> Callable[..., Awaitable[Response]]:
        async def handler(request: Request, request_id: str) -> Response:
            async def command(api: UserApi, form: FormData, idem: str | None) -> Any:
                return await api.post(
                    "identity-check", f"/identity-checks/{request_id}/{action}", body(form), idempotency_key=idem
                )

            async def on_error(problem: ApiProblem, form: FormData) -> Response:
                values = {k: v for k, v in form.items() if k != "id_number"}  # never echoed back
                return await letter_page(request, request_id, problem, {"action": action, **values})

            return await decide(request, command, on_error, f"/police/letters/{request_id}?done={action}")

        return handler

    app.post("/police/letters/{request_id}/reply")(letter_command("reply", reply_body))
    app.post("/police/letters/{request_id}/late-identification")(letter_command("late-identification", late_body))

    @app.get("/print/identity-checks/{request_id}/reply", response_class=HTMLResponse)
    async def print_reply(request: Request, request_id: str) -> Response:
        """复函: the bureau's reply on the standard template, from the recorded reply."""
        session = session_of(request)
        found = await user_api(session).get("identity-check", f"/identity-checks/{request_id}")
        return page(request, "print_reply.html", req=found, printable=True)

    @app.get("/print/identity-checks/{request_id}/letter", response_class=HTMLResponse)
    async def print_letter(request: Request, request_id: str) -> Response:
        session = session_of(request)
        html = await user_api(session).get("identity-check", f"/identity-checks/{request_id}/letter")
        return service_html(html)

    # ------------------------------------------------------------ fund applications (emergency-fund)

    async def application_page(
        request: Request, app_id: str, problem: ApiProblem | None = None, values: dict[str, Any] | None = None
    ) -> Response:
        session = session_of(request)
        found = await user_api(session).get("emergency-fund", f"/applications/{app_id}")
        steps = []
        for step in found.get("steps", []):
            steps.append(
                (
                    step,
                    await calendars.due(step.get("due_at"), step.get("overdue"))
                    if not step.get("decided_at")
                    else None,
                )
            )
        notices = []
        now = clock.now()
        for notice in found.get("notices", []):
            ends = notice.get("ends_at")
            notices.append(
                (notice, "公示期满" if ends and clock.ensure_utc(datetime.fromisoformat(ends)) < now else "公示中")
            )
        return page(
            request,
            "application.html",
            status=problem.status if problem else 200,
            app_=found,
            steps=steps,
            notices=notices,
            problem=problem,
            values=values or {},
        )

    @app.get("/fund/applications/{app_id}", response_class=HTMLResponse)
    async def fund_application(request: Request, app_id: str) -> Response:
        return await application_page(request, app_id)

    def fund_command(action: str, body: Callable[[FormData], Any]) -> Callable[..., Awaitable[Response]]:
        async def handler(request: Request, app_id: str) -> Response:
            async def command(api: UserApi, form: FormData, idem: str | None) -> Any:
                return await api.post(
                    "emergency-fund", f"/applications/{app_id}/{action}", body(form), idempotency_key=idem
                )

            async def on_error(problem: ApiProblem, form: FormData) -> Response:
                return await application_page(request, app_id, problem, {"action": action, **dict(form)})

            return await decide(request, command, on_error, f"/fund/applications/{app_id}?done={action}")

        return handler

    fund_review = lambda f: {"outcome": text(f, "outcome"), "reason": text(f, "reason")}  # noqa: E731
    for action, fbody in (
        ("agency-review", fund_review),
        ("health-review", fund_review),
        ("finance-rejection", lambda f: {"reason": text(f, "reason")}),
        ("notices", lambda f: None),
        ("disbursement", lambda f: None),
        ("co-review-notes", lambda f: {"note": text(f, "note"), "case_id": text(f, "case_id")}),
        ("write-off", lambda f: {"vouchers": (text(f, "vouchers") or "").split(), "note": text(f, "note") or ""}),
    ):
        app.post(f"/fund/applications/{{app_id}}/{action}", name=f"fund_{action}")(fund_command(action, fbody))

    @app.get("/print/fund/applications/{app_id}/{annex}", response_class=HTMLResponse)
    async def print_application(request: Request, app_id: str, annex: str) -> Response:
        """附件2 (individual applications, one per case) and 附件3 (the unit application)."""
        if annex not in ("annex2", "annex3"):
            return page(request, "message.html", status=404, title="未找到", message="没有这一附件。")
        session = session_of(request)
        found = await user_api(session).get("emergency-fund", f"/applications/{app_id}")
        cases = [
            await user_api(session).get("emergency-fund", f"/cases/{c['case_id']}") for c in found.get("cases", [])
        ]
        return page(request, f"print_{annex}.html", app_=found, cases=cases, printable=True)

    # ------------------------------------------------------------ the other decisions, declared as data

    @app.get("/act", response_class=HTMLResponse)
    async def action_index(request: Request) -> Response:
        session = session_of(request)
        return page(request, "actions.html", actions=act.actions_for(session.role))

    def action_of(session: Session, key: str) -> act.Action | None:
        action = act.BY_KEY.get(key)
        return action if action is not None and session.role in action.roles else None

    @app.get("/act/{key}", response_class=HTMLResponse)
    async def action_pick(request: Request, key: str, id: str = "") -> Response:
        session_of(request)
        if not id.strip():
            return RedirectResponse("/act", status_code=303)
        return RedirectResponse(f"/act/{quote(key)}/{quote(id.strip(), safe='')}", status_code=303)

    @app.get("/act/{key}/{ident}", response_class=HTMLResponse)
    async def action_form(request: Request, key: str, ident: str) -> Response:
        session = session_of(request)
        action = action_of(session, key)
        if action is None:
            return page(request, "message.html", status=403, title="无权办理", message="您的角色不能办理这一事项。")
        return page(request, "action.html", action=action, ident=ident, answer=None)

    @app.post("/act/{key}/{ident}", response_class=HTMLResponse)
    async def action_send(request: Request, key: str, ident: str) -> Response:
        session = session_of(request)
        form = await verified_form(request)
        action = action_of(session, key)
        if action is None:
            return page(request, "message.html", status=403, title="无权办理", message="您的角色不能办理这一事项。")
        try:
            answer = await user_api(session).post(
                action.service,
                action.url(quote(ident, safe="")),
                act.body_of(action, ident, form),
                idempotency_key=text(form, "idem"),
            )
        except ApiProblem as problem:
            if problem.status == 401:
                raise
            values = {k: v for k, v in form.items() if k != "id_number"}
            return page(
                request,
                "action.html",
                status=problem.status,
                action=action,
                ident=ident,
                answer=None,
                problem=problem,
                values=values,
            )
        return page(
            request, "action.html", action=action, ident=ident, answer=answer if isinstance(answer, dict) else {}
        )

    # ------------------------------------------------------------ referral: filings, care file

    async def filing_page(request: Request, filing_id: str, problem: ApiProblem | None = None) -> Response:
        session = session_of(request)
        found = await user_api(session).get("referral", f"/filings/{filing_id}")
        return page(request, "filing.html", status=problem.status if problem else 200, filing=found, problem=problem)

    @app.get("/filings/{filing_id}", response_class=HTMLResponse)
    async def filing(request: Request, filing_id: str) -> Response:
        return await filing_page(request, filing_id)

    @app.post("/filings/{filing_id}/forward")
    async def forward_filing(request: Request, filing_id: str) -> Response:
        async def command(api: UserApi, form: FormData, idem: str | None) -> Any:
            return await api.post(
                "referral", f"/filings/{filing_id}/forward", {"opinion": text(form, "opinion")}, idempotency_key=idem
            )

        async def on_error(problem: ApiProblem, form: FormData) -> Response:
            return await filing_page(request, filing_id, problem)

        return await decide(request, command, on_error, f"/filings/{filing_id}?done=forward")

    @app.get("/care-file", response_class=HTMLResponse)
    async def care_file(request: Request, person_id: str = "") -> Response:
        """LJ-15.3: the one-person external-care file, searchable by person."""
        session = session_of(request)
        api = user_api(session)
        persons = await api.get("referral", "/persons", limit=200)
        entries = None
        if person_id:
            entries = (await api.get("referral", f"/persons/{person_id}/care-file"))["entries"]
        return page(request, "care_file.html", persons=persons, person_id=person_id, entries=entries)

    # ------------------------------------------------------------ printable pages from the services

    def service_html(html: Any) -> HTMLResponse:
        return HTMLResponse(str(html), headers={"Cache-Control": "no-store"})

    @app.get("/print/filings/{filing_id}", response_class=HTMLResponse)
    async def print_filing(request: Request, filing_id: str) -> Response:
        """Annex 1 外出就医备案表 as referral renders it."""
        return service_html(await user_api(session_of(request)).get("referral", f"/filings/{filing_id}/form"))

    @app.get("/print/self-pay-items/{item_id}/consent-form", response_class=HTMLResponse)
    async def print_consent_form(request: Request, item_id: str) -> Response:
        """Annex 3 自费项目使用知情同意书."""
        return service_html(
            await user_api(session_of(request)).get("consent", f"/self-pay-items/{item_id}/consent-form.html")
        )

    @app.get("/print/treatments/{treatment_id}/evaluation-record", response_class=HTMLResponse)
    async def print_evaluation(request: Request, treatment_id: str) -> Response:
        """Annex 4 重大治疗评估备案表."""
        return service_html(
            await user_api(session_of(request)).get("consent", f"/treatments/{treatment_id}/evaluation-record.html")
        )

    @app.get("/print/public-notices", response_class=HTMLResponse)
    async def print_notices(request: Request, city: str = "") -> Response:
        """GD-21: the public notice board (masked, no sign-in needed)."""
        return service_html(
            await services.request("emergency-fund", "GET", "/public/notices.html", token=None, params={"city": city})
        )

    @app.get("/statements/{statement_id}", response_class=HTMLResponse)
    async def statement(request: Request, statement_id: str) -> Response:
        """结算单 with the national settlement fields (2207)."""
        found = await user_api(session_of(request)).get("settlement", f"/statements/{statement_id}")
        return page(request, "statement.html", st=found, printable=True)

    return app
