"""The identity-check service, declared: settings, tables, policy, routers, the facility
read model's consumer and the reply and photo-retention deadlines. Its use cases are the
methods of :class:`IdentityChecks`, which take the kernel's use-case context (``Ctx``) the
declaration makes from ``repository=``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from fastapi import FastAPI

from identity_check.adapters.repository import SqlRepository
from identity_check.adapters.tables import metadata, parameter_version
from identity_check.api.routes import admin_router, router
from identity_check.consumers.facilities import facility_handlers, fund_handlers
from identity_check.domain.parameters import CATALOGUE
from identity_check.domain.policy import POLICY
from identity_check.service.checks import (
    PHOTO_RETENTION_DEADLINE,
    REPLY_DEADLINE,
    Ctx,
    IdentityChecks,
    parameter_defaults,
)
from identity_check.settings import IdentityCheckSettings as Settings
from medaid_shared.db import UnitOfWork
from medaid_shared.deadlines import DeadlineHandler, DeadlineMovedHook, MovedDeadline
from medaid_shared.parameter_store import ServiceParameters
from medaid_shared.runtime import ConsumerSpec, Runtime
from medaid_shared.service import ServiceDefinition

__all__ = ["PARAMETERS", "SERVICE", "Settings", "build_runtime", "create_app", "metadata"]

PARAMETERS = ServiceParameters(CATALOGUE, parameter_version, defaults_from=parameter_defaults)


def checks_of(runtime: Runtime) -> IdentityChecks:
    """The use cases bound to ``runtime`` (stateless: settings, repositories, parameters, runtime)."""
    checks = IdentityChecks(cast(Settings, runtime.settings))
    checks.bind(runtime)
    return checks


def _command(runtime: Runtime) -> Callable[[UnitOfWork], Ctx]:
    """The use-case context of a handler's unit of work (event, deadline and retention handlers)."""

    def command(uow: UnitOfWork) -> Ctx:
        ctx: Ctx = SERVICE.command(runtime, uow)
        return ctx

    return command


def _deadline_handlers(runtime: Runtime) -> dict[str, DeadlineHandler]:
    checks, command = checks_of(runtime), _command(runtime)

    async def reply_due(uow: UnitOfWork, row: Any) -> None:
        await checks.on_reply_due(command(uow), row)

    async def retention_due(uow: UnitOfWork, row: Any) -> None:
        await checks.on_retention_due(command(uow), row)

    return {REPLY_DEADLINE: reply_due, PHOTO_RETENTION_DEADLINE: retention_due}


def _deadline_moved(runtime: Runtime) -> dict[str, DeadlineMovedHook]:
    checks, command = checks_of(runtime), _command(runtime)

    async def reply_due_moved(uow: UnitOfWork, row: Any, moved: MovedDeadline) -> None:
        await checks.on_reply_due_moved(command(uow), row, moved)

    return {REPLY_DEADLINE: reply_due_moved}


def _consumers(runtime: Runtime) -> list[ConsumerSpec]:
    checks, command = checks_of(runtime), _command(runtime)
    return [
        ConsumerSpec("facilities", facility_handlers(checks, command)),
        ConsumerSpec("fund-cases", fund_handlers(checks, command)),
    ]


def _retention(runtime: Runtime) -> Callable[[], Awaitable[int]]:
    """SPEC 0.4: photo retention runs by itself (no one has to ask)."""

    async def run() -> int:
        async with runtime.db.unit_of_work() as uow:
            return await checks_of(runtime).purge_expired(_command(runtime)(uow), None)

    return run


def _keep_checks(app: FastAPI) -> None:
    app.state.identity_checks = checks_of(app.state.runtime)


SERVICE = ServiceDefinition(
    title="medaid identity-check",
    description="Police identity checks of unidentified emergency patients: letters with face photos, replies, late identification (SPEC §6.3).",
    settings=Settings,
    metadata=metadata,
    policy=POLICY,
    routers=lambda: [router, admin_router],
    repository=SqlRepository,
    deadline_handlers=_deadline_handlers,
    deadline_moved=_deadline_moved,
    consumers=_consumers,
    retention_jobs=lambda rt: {"identity-check-photos": _retention(rt)},
    parameters=PARAMETERS,
    on_app=_keep_checks,
)
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
