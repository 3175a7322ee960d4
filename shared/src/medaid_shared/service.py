"""A service declared as data: its settings, tables, policy, repository, routers, event
handlers, deadline handlers and parameters. The kernel builds the runtime and the app from
the declaration, so each service's ``bootstrap.py`` is a short declaration.

Adding a sixth service (see the repository README for the whole list): its package under
``services/<name>/`` with ``settings.py``, ``adapters/tables.py`` (a ``MetaData`` in its
own schema with the kernel tables), ``domain/policy.py``, routers that use
:data:`~medaid_shared.routes.CommandRun` / :data:`~medaid_shared.routes.QueryRun`, and a
``bootstrap.py`` declaring ``SERVICE = ServiceDefinition(...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import MetaData

from medaid_shared.app import create_service_app
from medaid_shared.authz import SYSTEM, Policy, Principal
from medaid_shared.crypto import FieldCipher
from medaid_shared.db import Session, UnitOfWork
from medaid_shared.deadlines import DeadlineHandler, DeadlineMovedHook
from medaid_shared.idempotency import KERNEL_PARAMETERS, kernel_parameter_defaults
from medaid_shared.parameter_api import parameter_router
from medaid_shared.parameter_store import ServiceParameters
from medaid_shared.runtime import ConsumerSpec, RetentionJob, Runtime
from medaid_shared.settings import ServiceSettings
from medaid_shared.tables import kernel_tables
from medaid_shared.usecase import RepositoryFactory, SealedRepositoryFactory, UseCaseContext


def _operations(routers: Sequence[APIRouter]) -> set[tuple[str, str]]:
    """The (path, method) pairs ``routers`` answer, nested routers included."""
    scratch = FastAPI()
    for router in routers:
        scratch.include_router(router)
    return {(path, method.upper()) for path, operations in scratch.openapi()["paths"].items() for method in operations}


def _without(router: APIRouter, taken: set[tuple[str, str]]) -> APIRouter:
    """``router`` less the operations a service's own routes already answer (the fund's own
    ``GET /parameters`` lists its older parameters; the kernel's kinds stay loadable and
    described through ``POST /admin/parameters`` and ``GET /parameters/kinds``)."""
    router.routes[:] = [
        r for r in router.routes if not (isinstance(r, APIRoute) and any((r.path, m) in taken for m in r.methods or ()))
    ]
    return router


CommandContext = Callable[[Runtime, UnitOfWork, Principal | None], Any]
QueryContext = Callable[[Runtime, Session, Principal | None], Any]


@dataclass(frozen=True)
class ServiceDefinition:
    """One service, as data. ``command_context`` / ``query_context`` make what its use cases
    receive; by default a :class:`~medaid_shared.usecase.UseCaseContext` around
    ``repository(session)`` (``repository(session, cipher)`` when ``repository_sealed``), the
    one repository of the command's unit of work or made on the query's read session."""

    title: str
    description: str
    settings: type[ServiceSettings]
    metadata: MetaData
    policy: Policy
    routers: Callable[[], Sequence[APIRouter]]
    repository: RepositoryFactory | SealedRepositoryFactory | None = None
    # SPEC 0.4: the repository seals columns, so its factory also takes the field cipher.
    repository_sealed: bool = False
    command_context: CommandContext | None = None
    query_context: QueryContext | None = None
    consumers: Callable[[Runtime], list[ConsumerSpec]] | None = None
    deadline_handlers: Callable[[Runtime], Mapping[str, DeadlineHandler]] | None = None
    # SPEC 0.1: what a deadline moved by a loaded calendar notice changes (kind → hook).
    deadline_moved: Callable[[Runtime], Mapping[str, DeadlineMovedHook]] | None = None
    retention_jobs: Callable[[Runtime], Mapping[str, RetentionJob]] | None = None
    parameters: ServiceParameters | None = None
    # Queries run in a unit of work with the command context, so the audit entry of a read
    # of sensitive data commits with it (consent); otherwise on a read session.
    audited_reads: bool = False
    # Anything a service keeps on its app besides the runtime (built once the runtime exists).
    on_app: Callable[[FastAPI], None] | None = None

    def build_runtime(self, settings: ServiceSettings) -> Runtime:
        """The service's runtime (database, broker, loops) for ``settings``."""
        return Runtime.build(
            settings,
            self.metadata,
            self.policy,
            consumers=self.consumers,
            deadline_handlers=self.deadline_handlers,
            deadline_moved=self.deadline_moved,
            retention_jobs=self.retention_jobs,
        )

    @property
    def all_parameters(self) -> ServiceParameters:
        """What the service's admin API loads: its own kinds and the kernel's (the
        idempotency retention, SPEC 0.4), all in its ``parameter_version`` table."""
        own = self.parameters or ServiceParameters(KERNEL_PARAMETERS, kernel_tables(self.metadata).parameter_version)
        return own.including(KERNEL_PARAMETERS, kernel_parameter_defaults)

    def create_app(self, settings: ServiceSettings | None = None) -> FastAPI:
        """The service's FastAPI app (the kernel's routes, its routers and parameters)."""
        s = settings or self.settings()
        own = list(self.routers())
        routers = [*own, _without(parameter_router(self.all_parameters), _operations(own))]
        app = create_service_app(
            lambda: self.build_runtime(s), title=self.title, description=self.description, routers=routers
        )
        app.state.service = self
        if self.on_app is not None:
            self.on_app(app)
        return app

    def command(self, runtime: Runtime, uow: UnitOfWork, principal: Principal | None = None) -> Any:
        """The context of a command in ``uow`` (also used by event and deadline handlers)."""
        if self.command_context is not None:
            return self.command_context(runtime, uow, principal)
        return self._default(runtime, uow.session, principal, uow)

    def query(self, runtime: Runtime, session: Session, principal: Principal | None = None) -> Any:
        """The context of a query on a read session."""
        if self.query_context is not None:
            return self.query_context(runtime, session, principal)
        return self._default(runtime, session, principal, None)

    def repository_factory(self, runtime: Runtime) -> RepositoryFactory:
        """The factory of the service's repository on a session, the same object on every
        call for ``runtime``'s cipher, so a unit of work keeps one repository."""
        if self.repository is None:
            raise TypeError("a service without a repository declares its own contexts")
        if not self.repository_sealed:
            return cast(RepositoryFactory, self.repository)
        return _sealed(cast(SealedRepositoryFactory, self.repository), runtime.cipher)

    def _default(self, runtime: Runtime, session: Session, principal: Principal | None, uow: UnitOfWork | None) -> Any:
        factory = self.repository_factory(runtime)
        return UseCaseContext(
            settings=runtime.settings,
            repo=factory(session) if uow is None else uow.repository(factory),
            calendar=runtime.calendar,
            cipher=runtime.cipher,
            principal=principal or SYSTEM,
            _uow=uow,
        )


@cache
def _sealed(factory: SealedRepositoryFactory, cipher: FieldCipher) -> RepositoryFactory:
    """``factory`` bound to the service's cipher, one binding per pair."""
    return lambda session: factory(session, cipher)
