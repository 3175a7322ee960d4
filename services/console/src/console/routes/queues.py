"""The work queues of the signed-in role: the dashboard, one queue's page, and its CSV
(UTF-8 BOM, Chinese headers) and XLSX exports."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from console import queues as q
from console.exports import XLSX_TYPE, content_disposition, to_csv, to_xlsx
from console.labels import ROLES
from console.session import Session
from console.web import WebDep

router = APIRouter()


def _queue_of(session: Session, key: str) -> q.Queue | None:
    queue = q.BY_KEY.get(key)
    return queue if queue is not None and session.role in queue.roles else None


def _table_of(result: q.QueueResult) -> tuple[list[str], list[list[Any]]]:
    headers = [h for _, h in result.queue.columns]
    rows = [[r.cells.get(k) for k, _ in result.queue.columns] for r in result.rows]
    if result.queue.dated:
        headers += ["到期时间（北京时间）", "期限"]
        rows = [[*cells, r.due.local, r.due.label] for cells, r in zip(rows, result.rows, strict=True)]
    return headers, rows


@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request, web: WebDep) -> Response:
    session = web.session_of(request)
    ctx = web.queue_ctx(session)
    results = await asyncio.gather(*(q.run(queue, ctx) for queue in q.queues_for(session.role)))
    return web.page(request, "dashboard.html", results=results, role_label=ROLES.get(session.role, session.role))


async def _export(request: Request, web: WebDep, key: str, suffix: str) -> Response:
    session = web.session_of(request)
    queue = _queue_of(session, key)
    if queue is None:
        return PlainTextResponse("无权查看", status_code=403)
    headers, rows = _table_of(await q.run(queue, web.queue_ctx(session)))
    if suffix == "csv":
        body, media_type = to_csv(headers, rows), "text/csv; charset=utf-8"
    else:
        body, media_type = to_xlsx(queue.key, headers, rows), XLSX_TYPE
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": content_disposition(f"{queue.key}.{suffix}"), "Cache-Control": "no-store"},
    )


@router.get("/queues/{key}.csv")
async def queue_csv(request: Request, web: WebDep, key: str) -> Response:
    return await _export(request, web, key, "csv")


@router.get("/queues/{key}.xlsx")
async def queue_xlsx(request: Request, web: WebDep, key: str) -> Response:
    return await _export(request, web, key, "xlsx")


# after the exports: `/queues/{key}` would otherwise take `key.csv` too
@router.get("/queues/{key}", response_class=HTMLResponse)
async def queue_page(request: Request, web: WebDep, key: str) -> Response:
    session = web.session_of(request)
    queue = _queue_of(session, key)
    if queue is None:
        return web.message(request, 403, "无权查看", "您的角色没有这一工作队列。")
    return web.page(request, "queue.html", result=await q.run(queue, web.queue_ctx(session)))
