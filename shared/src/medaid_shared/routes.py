"""The route plumbing every service shares: one dependency for commands, one for queries.

A command route hands its use case to :class:`Command`: the role × action is authorized
first, then the use case runs in one unit of work, at most once per ``Idempotency-Key``
(the request is fingerprinted by method, path and body), and its answer is encoded with
money as exact strings. A query route hands its use case to :class:`Query`, which
authorizes and runs it on a read session. A route is then a few lines::

    @router.post("/bills", status_code=201)
    async def submit_bill(body: BillIn, run: CommandRun) -> JSONResponse:
        return await run("bill.submit", lambda ctx: bills.submit(ctx, run.principal, body), status=201)

The context a use case gets is made by the service's declaration
(:class:`~medaid_shared.service.ServiceDefinition`, kept in ``app.state.service``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

from medaid_shared.app import IdempotencyKey, RuntimeDep
from medaid_shared.auth import CurrentPrincipal
from medaid_shared.authz import Principal
from medaid_shared.db import UnitOfWork
from medaid_shared.idempotency import encode, run_command
from medaid_shared.pagination import Key, PageRequest, page_of, paginate
from medaid_shared.responses import JSONResponse
from medaid_shared.runtime import Runtime

if TYPE_CHECKING:
    from medaid_shared.service import ServiceDefinition

Use = Callable[[Any], Awaitable[Any]]
_BODY = object()


def _service(request: Request) -> ServiceDefinition:
    service: ServiceDefinition = request.app.state.service
    return service


class Command:
    """Runs one command's use case (see the module docstring)."""

    def __init__(self, request: Request, runtime: Runtime, principal: Principal, key: str | None) -> None:
        self.request = request
        self.runtime = runtime
        self.principal = principal
        self.key = key

    def authorize(self, action: str) -> None:
        """Authorize before the route reads a large body (an upload)."""
        self.runtime.policy.authorize(self.principal, action)

    async def answer(
        self, action: str | None, use: Use, *, status: int = 200, fingerprint: Any = _BODY
    ) -> tuple[int, Any]:
        """The status and encoded answer. ``action`` None: the use case authorizes itself.
        ``fingerprint`` replaces the body in the request's fingerprint (for bodies that are
        not JSON, or fields that must enter it only as a blind index)."""
        if action is not None:
            self.runtime.policy.authorize(self.principal, action)
        body = await self._body() if fingerprint is _BODY else fingerprint
        request = {"method": self.request.method, "path": self.request.url.path, "body": body}
        service = _service(self.request)

        async def command(uow: UnitOfWork) -> tuple[int, Any]:
            result = await use(service.command(self.runtime, uow, self.principal))
            if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], int):
                return result
            return status, result

        return await run_command(self.runtime.db, self.principal, self.key, request, command)

    async def __call__(
        self, action: str | None, use: Use, *, status: int = 200, fingerprint: Any = _BODY
    ) -> JSONResponse:
        """Run the command and answer as JSON."""
        code, body = await self.answer(action, use, status=status, fingerprint=fingerprint)
        return JSONResponse(body, status_code=code)

    async def _body(self) -> Any:
        raw = await self.request.body()
        if not raw:
            return None
        try:
            return await self.request.json()
        except ValueError:
            return raw.decode("utf-8", "replace")


class Query:
    """Runs one query's use case on a read session (see the module docstring)."""

    def __init__(self, request: Request, runtime: Runtime, principal: Principal) -> None:
        self.request = request
        self.runtime = runtime
        self.principal = principal

    async def fetch(self, action: str | None, use: Use, *, audited: bool = False) -> Any:
        """The use case's result as it is (for routes that render it themselves). An
        ``audited`` read (of a full ID number, a printed form) runs in a unit of work so its
        audit entry commits with it."""
        if action is not None:
            self.runtime.policy.authorize(self.principal, action)
        service = _service(self.request)
        if audited or service.audited_reads:
            async with self.runtime.db.unit_of_work() as uow:
                return await use(service.command(self.runtime, uow, self.principal))
        async with self.runtime.db.read() as session:
            return await use(service.query(self.runtime, session, self.principal))

    async def __call__(self, action: str | None, use: Use) -> JSONResponse:
        """Run the query and answer as JSON (money as exact strings)."""
        return JSONResponse(encode(await self.fetch(action, use)))

    async def page(
        self, action: str | None, use: Use, page: PageRequest, key: Callable[[Any], Key], *, descending: bool = False
    ) -> dict[str, Any]:
        """Run a list query and answer the page ``page`` asks for, in the list envelope
        (see :mod:`medaid_shared.pagination`); ``key`` is the list's sort key of an item."""
        items = await self.fetch(action, use)
        return encode(paginate(items, page, key, descending=descending))

    async def keyset_page(
        self, action: str | None, use: Use, page: PageRequest, key: Callable[[Any], Key]
    ) -> dict[str, Any]:
        """Run a list query that pages in SQL (its store narrowed it with
        :func:`medaid_shared.pagination.keyset`: at most ``limit + 1`` items after the
        cursor) and answer it in the list envelope; ``key`` is the list's sort key of an item."""
        return encode(page_of(await self.fetch(action, use), page, key))

    async def audited(self, action: str | None, use: Use) -> JSONResponse:
        """An audited read, answered as JSON."""
        return JSONResponse(encode(await self.fetch(action, use, audited=True)))


async def _command(
    request: Request, runtime: RuntimeDep, principal: CurrentPrincipal, idempotency_key: IdempotencyKey = None
) -> Command:
    return Command(request, runtime, principal, idempotency_key)


async def _query(request: Request, runtime: RuntimeDep, principal: CurrentPrincipal) -> Query:
    return Query(request, runtime, principal)


CommandRun = Annotated[Command, Depends(_command)]
QueryRun = Annotated[Query, Depends(_query)]
