"""The emergency-fund service, declared: settings, tables, policy, routes, its consumers and
deadline handlers; the use cases receive an ``Env`` for the command's unit of work or the
query's read session."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from emergency_fund.adapters.store import SqlStore
from emergency_fund.adapters.tables import metadata
from emergency_fund.api.routes import router
from emergency_fund.consumers.handlers import consumers, deadline_handlers, deadline_moved
from emergency_fund.domain.policy import POLICY
from emergency_fund.service.base import SYSTEM, Env, FundService
from emergency_fund.settings import EmergencyFundSettings as Settings
from medaid_shared import clock
from medaid_shared.authz import Principal
from medaid_shared.db import Session, UnitOfWork
from medaid_shared.runtime import Runtime
from medaid_shared.service import ServiceDefinition

__all__ = ["SERVICE", "Settings", "build_runtime", "create_app", "metadata"]


def _stores(runtime: Runtime) -> Callable[[Session], SqlStore]:
    """Stores that encrypt a case's disease code with the runtime's key (SPEC 0.4)."""
    return lambda session: SqlStore(session, runtime.cipher)


def _command(runtime: Runtime, uow: UnitOfWork, principal: Principal | None) -> Env:
    return FundService(runtime, _stores(runtime)).env(uow, principal or SYSTEM)


def _query(runtime: Runtime, session: Session, principal: Principal | None) -> Env:
    return Env(runtime, SqlStore(session, runtime.cipher), principal or SYSTEM, clock.now())


def _keep_facade(app: FastAPI) -> None:
    app.state.fund = FundService(app.state.runtime, _stores(app.state.runtime))


SERVICE = ServiceDefinition(
    title="medaid emergency-fund",
    description="The emergency medical assistance fund: ledger, cases, applications, public notice, disbursement, refund, blacklist (SPEC §6).",
    settings=Settings,
    metadata=metadata,
    policy=POLICY,
    routers=lambda: [router],
    command_context=_command,
    query_context=_query,
    consumers=lambda rt: consumers(lambda: FundService(rt, _stores(rt))),
    deadline_handlers=lambda rt: deadline_handlers(lambda: FundService(rt, _stores(rt))),
    deadline_moved=lambda rt: deadline_moved(lambda: FundService(rt, _stores(rt))),
    on_app=_keep_facade,
)
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
