"""Dependencies shared by the routers: the service facade and command execution."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from emergency_fund.service.base import Env, FundService
from medaid_shared.authz import Principal


def get_fund_service(request: Request) -> FundService:
    fund: FundService = request.app.state.fund
    return fund


FundDep = Annotated[FundService, Depends(get_fund_service)]


async def execute(
    fund: FundService,
    principal: Principal,
    key: str | None,
    request: Request,
    body: BaseModel | None,
    fn: Callable[[Env], Awaitable[tuple[int, Any]]],
) -> JSONResponse:
    """Run a command once per Idempotency-Key; the key's fingerprint covers path and body."""
    fingerprint = {"path": request.url.path, "body": body.model_dump(mode="json") if body else None}
    status, result = await fund.command(principal, key, fingerprint, fn)
    return JSONResponse(result, status_code=status)
