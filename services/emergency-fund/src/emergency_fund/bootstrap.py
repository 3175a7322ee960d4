"""The emergency-fund service, declared: settings, tables, policy, routes, its repository
(which seals a case's disease code and birth facts, SPEC 0.4), consumers, deadline handlers
and the versioned policy parameters. The use cases receive the kernel's use-case context
(``Env``) the declaration makes from ``repository=``."""

from __future__ import annotations

from collections.abc import Callable

from emergency_fund.adapters.repository import SqlRepository
from emergency_fund.adapters.tables import kernel, metadata
from emergency_fund.api.routes import router
from emergency_fund.consumers.handlers import consumers, deadline_handlers, deadline_moved
from emergency_fund.domain.parameters import CATALOGUE
from emergency_fund.domain.params import defaults_from
from emergency_fund.domain.policy import POLICY
from emergency_fund.service.base import Env
from emergency_fund.settings import EmergencyFundSettings as Settings
from medaid_shared.db import UnitOfWork
from medaid_shared.parameter_store import ServiceParameters
from medaid_shared.runtime import Runtime
from medaid_shared.service import ServiceDefinition

__all__ = ["PARAMETERS", "SERVICE", "Settings", "build_runtime", "create_app", "metadata"]

# The fund's policy parameters: kernel kinds in the kernel's parameter_version table, their
# defaults from the settings' param_* fields (SPEC 0.6 bounds checked on both).
PARAMETERS = ServiceParameters(CATALOGUE, kernel.parameter_version, lambda s: defaults_from(s.param_values()))


def command(runtime: Runtime) -> Callable[[UnitOfWork], Env]:
    """The use-case context of a handler's unit of work (event and deadline handlers)."""

    def context(uow: UnitOfWork) -> Env:
        env: Env = SERVICE.command(runtime, uow)
        return env

    return context


SERVICE = ServiceDefinition(
    title="medaid emergency-fund",
    description="The emergency medical assistance fund: ledger, cases, applications, public notice, disbursement, refund, blacklist (SPEC §6).",
    settings=Settings,
    metadata=metadata,
    policy=POLICY,
    routers=lambda: [router],
    repository=SqlRepository,
    repository_sealed=True,
    consumers=lambda rt: consumers(command(rt)),
    deadline_handlers=lambda rt: deadline_handlers(command(rt)),
    deadline_moved=lambda rt: deadline_moved(command(rt)),
    parameters=PARAMETERS,
)
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
