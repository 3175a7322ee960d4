"""The auditor's view of each service's decision log (SPEC 0.3: read-only oversight)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from console.api import ApiProblem
from console.labels import SERVICE_NAMES
from console.web import WebDep

router = APIRouter()


@router.get("/audit", response_class=HTMLResponse)
async def audit_status(request: Request, web: WebDep, service: str = "", head: str = "") -> Response:
    """Each service's decision-log verification and the head digest to record; a head
    recorded earlier is checked by the service it was recorded from."""
    session = web.session_of(request)
    if session.role != "auditor":
        return web.message(request, 403, "无权查看", "审计链状态仅供监督管理委员会查阅。")
    api = web.api(request)
    heads = {service: head.strip()} if service in SERVICE_NAMES and head.strip() else {}

    async def status_of(name: str) -> tuple[str, Any, ApiProblem | None]:
        try:
            return name, await api.get(name, "/audit/status", head=heads.get(name)), None
        except ApiProblem as problem:
            if problem.status == 401:
                raise
            return name, None, problem

    statuses = await asyncio.gather(*(status_of(name) for name in SERVICE_NAMES))
    return web.page(request, "audit.html", statuses=statuses, heads=heads)
