"""The service facade for the routes that need no login (the public notice board)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from emergency_fund.service.base import FundService


def get_fund_service(request: Request) -> FundService:
    fund: FundService = request.app.state.fund
    return fund


FundDep = Annotated[FundService, Depends(get_fund_service)]
