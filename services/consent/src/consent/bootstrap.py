"""The consent service, declared: settings, tables, policy, routes, the read-model
consumer and the versioned parameters. Its reads run in a unit of work, so a read of sensitive data is audit-logged with it."""

from __future__ import annotations

from typing import Any

from consent.adapters.repository import SqlRepository
from consent.adapters.tables import metadata, parameter_version
from consent.api.routes import router
from consent.consumers.read_model import read_model_consumer
from consent.domain.parameters import CATALOGUE
from consent.domain.policy import POLICY
from consent.service import rank4, selfpay
from consent.service.ports import Ctx
from consent.settings import ConsentSettings as Settings
from medaid_shared.authz import Principal
from medaid_shared.db import UnitOfWork
from medaid_shared.deadlines import DeadlineHandler, DeadlineMovedHook, MovedDeadline
from medaid_shared.parameter_store import ServiceParameters
from medaid_shared.runtime import Runtime
from medaid_shared.service import ServiceDefinition

__all__ = ["PARAMETERS", "SERVICE", "Settings", "build_runtime", "create_app", "metadata"]

# LJ-7 / LJ-11.2: the kernel's versioned parameters, loaded through POST /admin/parameters.
PARAMETERS = ServiceParameters(CATALOGUE, parameter_version)


def _context(runtime: Runtime, uow: UnitOfWork, principal: Principal | None = None) -> Ctx:
    """The use-case context of a command in ``uow`` (the declaration's default, typed)."""
    ctx: Ctx = SERVICE.command(runtime, uow, principal)
    return ctx


def _deadline_handlers(runtime: Runtime) -> dict[str, DeadlineHandler]:
    async def acknowledgement_due(uow: UnitOfWork, row: Any) -> None:
        await rank4.on_acknowledgement_due(_context(runtime, uow), row)

    async def step_due(uow: UnitOfWork, row: Any) -> None:
        await selfpay.on_step_due(_context(runtime, uow), row)

    return {rank4.ACKNOWLEDGEMENT_DUE: acknowledgement_due, **dict.fromkeys(selfpay.STEP_DUE.values(), step_due)}


def _deadline_moved(runtime: Runtime) -> dict[str, DeadlineMovedHook]:
    """SPEC 0.1: what a deadline moved by a loaded calendar notice changes here."""

    async def acknowledgement_moved(uow: UnitOfWork, row: Any, moved: MovedDeadline) -> None:
        await rank4.on_acknowledgement_due_moved(_context(runtime, uow), row, moved)

    async def step_moved(uow: UnitOfWork, row: Any, moved: MovedDeadline) -> None:
        await selfpay.on_step_due_moved(_context(runtime, uow), row, moved)

    return {rank4.ACKNOWLEDGEMENT_DUE: acknowledgement_moved, **dict.fromkeys(selfpay.STEP_DUE.values(), step_moved)}


SERVICE = ServiceDefinition(
    title="medaid consent",
    description="Signing authority, consents, self-pay double review, major-treatment evaluation and emergency treatment (SPEC §3, §4).",
    settings=Settings,
    metadata=metadata,
    policy=POLICY,
    routers=lambda: [router],
    repository=SqlRepository,
    audited_reads=True,
    consumers=lambda runtime: [read_model_consumer(lambda uow: _context(runtime, uow))],
    parameters=PARAMETERS,
    deadline_handlers=_deadline_handlers,
    deadline_moved=_deadline_moved,
)
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
