"""Sign-in: the development page (a role and scope, a development token; refused outside
development) and OpenID Connect with PKCE against the configured issuer; sign-out."""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.labels import ROLES, SCOPE_HINTS
from console.oidc import SignInRefused
from console.session import Session
from console.web import Web, WebDep, local_path, text
from medaid_shared import clock
from medaid_shared.auth import issue_token

router = APIRouter()


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request, web: WebDep, next: str = "/", expired: int = 0) -> Response:
    token = web.cookies.anonymous_csrf(request)
    fresh = not token
    token = token or secrets.token_urlsafe(32)
    response = web.page(
        request,
        "sign_in.html",
        next=local_path(next),
        expired=bool(expired),
        development=web.settings.development,
        oidc=web.oidc is not None,
        roles=ROLES,
        scope_hints=SCOPE_HINTS,
        csrf=token,
        nav=[],
        session=None,
    )
    if fresh:
        web.cookies.set_anonymous_csrf(response, token)
    return response


@router.post("/sign-in/dev")
async def sign_in_dev(request: Request, web: WebDep) -> Response:
    settings = web.settings
    if not settings.development:
        # The development token is signed with the development secret: never outside it.
        return web.message(request, 403, "不可用", "开发登录仅在开发环境中可用。")
    form = await web.verified_form(request)
    role = text(form, "role") or ""
    if role not in ROLES:
        return web.message(request, 422, "请选择角色", "所选角色不存在。")
    scopes = (text(form, "scopes") or "").split()
    subject = text(form, "subject") or f"{role}-dev"
    name = text(form, "name")
    ttl = timedelta(seconds=settings.session_ttl_s)
    token = issue_token(settings, subject=subject, role=role, scopes=scopes, name=name, ttl=ttl)  # type: ignore[arg-type]
    session = Session(
        subject=subject, role=role, scopes=scopes, token=token, name=name, expires=(clock.now() + ttl).timestamp()
    )
    response = RedirectResponse(local_path(text(form, "next")), status_code=303)
    web.cookies.start_session(response, session)
    return response


def _redirect_url(web: Web, request: Request) -> str:
    return web.settings.oidc_redirect_url or str(request.url_for("oidc_callback"))


@router.get("/sign-in/oidc")
async def sign_in_oidc(request: Request, web: WebDep, next: str = "/") -> Response:
    oidc = web.oidc
    if oidc is None:
        return web.message(request, 404, "未配置", "未配置统一身份认证（OIDC）。")
    url, kept = await oidc.authorization_url(_redirect_url(web, request))
    response = RedirectResponse(url, status_code=303)
    web.cookies.set_login_state(response, {**kept, "next": local_path(next)})
    return response


@router.get("/oidc/callback", name="oidc_callback")
async def oidc_callback(request: Request, web: WebDep, code: str = "", state: str = "", error: str = "") -> Response:
    kept = web.cookies.login_state(request)
    oidc = web.oidc
    if oidc is None or kept is None or not state or not secrets.compare_digest(state, kept.get("state", "")):
        return web.message(request, 400, "登录失败", "登录状态无效或已过期，请重新登录。")
    if error or not code:
        return web.message(request, 400, "登录失败", f"身份认证未通过：{error}")
    try:
        signed = await oidc.complete(code, _redirect_url(web, request), kept)
    except SignInRefused as exc:
        return web.message(request, 403, "登录失败", str(exc))
    session = Session(
        subject=signed.subject,
        role=signed.role,
        scopes=signed.scopes,
        token=signed.access_token,
        name=signed.name,
        expires=min(signed.expires_at, (clock.now() + timedelta(seconds=web.settings.session_ttl_s)).timestamp()),
        via="oidc",
        id_token=signed.id_token,
    )
    response = RedirectResponse(kept.get("next") or "/", status_code=303)
    web.cookies.start_session(response, session)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, web: WebDep) -> Response:
    await web.verified_form(request)
    session = web.cookies.session(request)
    target = "/sign-in"
    if session and session.via == "oidc" and web.oidc is not None:
        target = await web.oidc.end_session_url(session.id_token, str(request.url_for("sign_in_page"))) or target
    response = RedirectResponse(target, status_code=303)
    web.cookies.end_session(response)
    return response
