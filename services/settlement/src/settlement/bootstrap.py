"""The settlement service, declared: settings, tables, policy, routes, the read-model
consumer, the manual-application deadline and the versioned policy parameters."""

from __future__ import annotations

from medaid_shared.service import ServiceDefinition
from settlement.adapters.repository import SqlRepository
from settlement.adapters.tables import PARAMETERS, metadata
from settlement.api.routes import router
from settlement.consumers import read_model_consumer
from settlement.domain.policy import POLICY
from settlement.service.analytics import QUARTERLY_ANALYSIS, quarter_closed
from settlement.service.context import Wiring
from settlement.service.settlements import MANUAL_APPLICATION, manual_application_overdue
from settlement.settings import SettlementSettings as Settings

__all__ = ["PARAMETERS", "SERVICE", "WIRING", "Settings", "build_runtime", "create_app", "metadata"]

WIRING = Wiring(repository=SqlRepository)

SERVICE = ServiceDefinition(
    title="medaid settlement",
    description="Bills, the payer chain, policy parameters, the medical-aid ceiling ledger, one-stop and manual reimbursement, cost analytics (SPEC §5).",
    settings=Settings,
    metadata=metadata,
    policy=POLICY,
    routers=lambda: [router],
    command_context=lambda runtime, uow, principal: WIRING.command(runtime, uow),
    query_context=lambda runtime, session, principal: WIRING.query(runtime, session),
    consumers=lambda runtime: [read_model_consumer(WIRING, lambda: runtime)],
    deadline_handlers=lambda runtime: {
        MANUAL_APPLICATION: manual_application_overdue,
        # LJ-15.4: the quarterly analysis after each quarter closes
        QUARTERLY_ANALYSIS: lambda uow, row: quarter_closed(WIRING.command(runtime, uow), row),
    },
    parameters=PARAMETERS,
)
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
