"""The settlement service, declared: settings, tables, policy, routes, the read-model
consumer, the manual-application deadline and the versioned policy parameters."""

from __future__ import annotations

from medaid_shared.db import Session, UnitOfWork
from medaid_shared.runtime import Runtime
from medaid_shared.service import ServiceDefinition
from settlement.adapters.repository import SqlRepository
from settlement.adapters.tables import PARAMETERS, metadata
from settlement.api.routes import router
from settlement.consumers import read_model_consumer
from settlement.domain.policy import POLICY
from settlement.service.analytics import QUARTERLY_ANALYSIS, quarter_closed
from settlement.service.context import Ctx
from settlement.service.settlements import MANUAL_APPLICATION, manual_application_overdue
from settlement.settings import SettlementSettings as Settings

__all__ = ["PARAMETERS", "SERVICE", "Settings", "build_runtime", "create_app", "metadata"]


def command(runtime: Runtime, uow: UnitOfWork) -> Ctx:
    """The context of a command in ``uow`` outside a route (event and deadline handlers, the CLI)."""
    ctx: Ctx = SERVICE.command(runtime, uow)
    return ctx


def query(runtime: Runtime, session: Session) -> Ctx:
    """The context of a query on a read session outside a route (the CLI)."""
    ctx: Ctx = SERVICE.query(runtime, session)
    return ctx


SERVICE = ServiceDefinition(
    title="medaid settlement",
    description="Bills, the payer chain, policy parameters, the medical-aid ceiling ledger, one-stop and manual reimbursement, cost analytics (SPEC §5).",
    settings=Settings,
    metadata=metadata,
    policy=POLICY,
    routers=lambda: [router],
    repository=SqlRepository,
    consumers=lambda runtime: [read_model_consumer(lambda uow: command(runtime, uow))],
    deadline_handlers=lambda runtime: {
        MANUAL_APPLICATION: manual_application_overdue,
        # LJ-15.4: the quarterly analysis after each quarter closes
        QUARTERLY_ANALYSIS: lambda uow, row: quarter_closed(command(runtime, uow), row),
    },
    parameters=PARAMETERS,
)
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
