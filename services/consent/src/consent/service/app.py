"""The service's use-case runner: builds a :class:`Ctx` per unit of work and runs commands
through the kernel's idempotency keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from consent.domain.parameters import PolicyParameters
from consent.service.ports import Ctx, StoreFactory
from medaid_shared.authz import Principal
from medaid_shared.db import UnitOfWork
from medaid_shared.idempotency import run_command
from medaid_shared.runtime import Runtime

UseCase = Callable[[Ctx], Awaitable[Any]]


@dataclass
class ConsentServices:
    runtime: Runtime
    stores: StoreFactory
    default_parameters: PolicyParameters

    def ctx(self, uow: UnitOfWork) -> Ctx:
        return Ctx(uow, self.stores(uow), self.runtime.cipher, self.default_parameters)

    async def command(
        self, principal: Principal, idempotency_key: str | None, request: Any, use_case: UseCase, status: int = 201
    ) -> tuple[int, Any]:
        """One command, one unit of work; a repeated Idempotency-Key returns the first answer."""

        async def run(uow: UnitOfWork) -> tuple[int, Any]:
            return status, await use_case(self.ctx(uow))

        return await run_command(self.runtime.db, principal, idempotency_key, request, run)

    async def query(self, use_case: UseCase) -> Any:
        """A read (in a transaction, so reads of sensitive data are audit-logged with it)."""
        async with self.runtime.db.unit_of_work() as uow:
            return await use_case(self.ctx(uow))
