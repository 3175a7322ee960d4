"""The public notice board (GD-21): no login, read-only, masked data only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from emergency_fund.api.deps import FundDep
from emergency_fund.api.schemas import PublicNoticeOut, answers
from emergency_fund.service import public
from medaid_shared.authz import SYSTEM
from medaid_shared.idempotency import encode
from medaid_shared.openapi import PUBLIC
from medaid_shared.pagination import Page, PageQuery, page_of, sort_key

router = APIRouter(prefix="/public", tags=["public notice"])


@router.get(
    "/notices",
    summary="JSON feed of public notices (GD-21), no login",
    openapi_extra=PUBLIC,
    response_model=None,
    responses=answers(Page[PublicNoticeOut]),
)
async def notices_json(fund: FundDep, page: PageQuery, city: str | None = None, include_ended: bool = True) -> Any:
    """The latest to start first, paged by `limit` and `cursor` (`next_cursor`)."""
    found = await fund.query(SYSTEM, lambda env: public.notices(env, city, include_ended, page))
    return encode(page_of(found, page, lambda n: sort_key(datetime.fromisoformat(n["starts_at"]), n["notice_id"])))


@router.get(
    "/notices.html", response_class=HTMLResponse, summary="Public notice page (GD-21), no login", openapi_extra=PUBLIC
)
async def notices_html(fund: FundDep, city: str | None = None, include_ended: bool = True) -> HTMLResponse:
    feed = await fund.query(SYSTEM, lambda env: public.board(env, city, include_ended))
    return HTMLResponse(public.render_html(feed))
