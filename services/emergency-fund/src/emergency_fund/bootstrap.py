"""The emergency-fund service, declared: settings, tables, policy, routes, its consumers and
deadline handlers; the use cases receive an ``Env`` for the command's unit of work or the
query's read session."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from fastapi import FastAPI

from emergency_fund.adapters.repository import SqlRepository
from emergency_fund.adapters.tables import kernel, metadata
from emergency_fund.api.routes import router
from emergency_fund.consumers.handlers import consumers, deadline_handlers, deadline_moved
from emergency_fund.domain.parameters import CATALOGUE
from emergency_fund.domain.params import defaults_from
from emergency_fund.domain.policy import POLICY
from emergency_fund.service.base import Env, FundService
from emergency_fund.settings import EmergencyFundSettings as Settings
from medaid_shared.authz import SYSTEM, Principal
from medaid_shared.crypto import FieldCipher
from medaid_shared.db import Session, UnitOfWork
from medaid_shared.parameter_store import ServiceParameters
from medaid_shared.runtime import Runtime
from medaid_shared.service import ServiceDefinition

__all__ = ["SERVICE", "Settings", "build_runtime", "create_app", "metadata"]


@cache
def _repositories(cipher: FieldCipher) -> Callable[[Session], SqlRepository]:
    """Repositories that encrypt a case's disease code with the runtime's key (SPEC 0.4): the
    same factory each time, so a unit of work keeps one repository per transaction."""
    return lambda session: SqlRepository(session, cipher)


def _fund(runtime: Runtime) -> FundService:
    return FundService(runtime, _repositories(runtime.cipher))


def _command(runtime: Runtime, uow: UnitOfWork, principal: Principal | None) -> Env:
    return _fund(runtime).env(uow, principal or SYSTEM)


def _query(runtime: Runtime, session: Session, principal: Principal | None) -> Env:
    return _fund(runtime).read_env(session, principal or SYSTEM)


def _keep_facade(app: FastAPI) -> None:
    app.state.fund = _fund(app.state.runtime)


# The fund's policy parameters: kernel kinds in the kernel's parameter_version table, their
# defaults from the settings' param_* fields (SPEC 0.6 bounds checked on both).
PARAMETERS = ServiceParameters(CATALOGUE, kernel.parameter_version, lambda s: defaults_from(s.param_values()))

SERVICE = ServiceDefinition(
    title="medaid emergency-fund",
    description="The emergency medical assistance fund: ledger, cases, applications, public notice, disbursement, refund, blacklist (SPEC §6).",
    settings=Settings,
    metadata=metadata,
    policy=POLICY,
    routers=lambda: [router],
    command_context=_command,
    query_context=_query,
    consumers=lambda rt: consumers(lambda: _fund(rt)),
    deadline_handlers=lambda rt: deadline_handlers(lambda: _fund(rt)),
    deadline_moved=lambda rt: deadline_moved(lambda: _fund(rt)),
    parameters=PARAMETERS,
    on_app=_keep_facade,
)
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
