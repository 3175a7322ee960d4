"""The reads of the routes that need no login (the public notice board): the declaration's
query context on a read session."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from emergency_fund.service.base import Env
from medaid_shared.authz import Principal
from medaid_shared.runtime import Runtime
from medaid_shared.service import ServiceDefinition


class PublicReads:
    """Runs a use case on a read session with the service's query context."""

    def __init__(self, request: Request) -> None:
        self.service: ServiceDefinition = request.app.state.service
        self.runtime: Runtime = request.app.state.runtime

    async def query(self, principal: Principal, use: Callable[[Env], Awaitable[Any]]) -> Any:
        """The use case's result on a read session, as ``principal``."""
        async with self.runtime.db.read() as session:
            return await use(self.service.query(self.runtime, session, principal))


FundDep = Annotated[PublicReads, Depends(PublicReads)]
