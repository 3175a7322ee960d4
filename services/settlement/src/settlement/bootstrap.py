"""Composition root of the settlement service: wires settings, database, policy, consumers,
deadline handlers, the repository and routes."""

from __future__ import annotations

from fastapi import FastAPI

from medaid_shared.app import create_service_app
from medaid_shared.parameter_api import parameter_router
from medaid_shared.runtime import Runtime
from settlement.adapters.repository import SqlRepository
from settlement.adapters.tables import PARAMETERS, metadata
from settlement.api.routes import router
from settlement.consumers import read_model_consumer
from settlement.domain.policy import POLICY
from settlement.service.context import Wiring
from settlement.service.settlements import MANUAL_APPLICATION, manual_application_overdue
from settlement.settings import SettlementSettings as Settings

__all__ = ["PARAMETERS", "WIRING", "Settings", "build_runtime", "create_app", "metadata"]

WIRING = Wiring(repository=SqlRepository)


def build_runtime(settings: Settings) -> Runtime:
    return Runtime.build(
        settings,
        metadata,
        POLICY,
        consumers=lambda runtime: [read_model_consumer(WIRING, lambda: runtime)],
        deadline_handlers={MANUAL_APPLICATION: manual_application_overdue},
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    s = settings or Settings()
    app = create_service_app(
        lambda: build_runtime(s),
        title="medaid settlement",
        description="Bills, the payer chain, policy parameters, the medical-aid ceiling ledger, one-stop and manual reimbursement, cost analytics (SPEC §5).",
        routers=[router, parameter_router(PARAMETERS)],
    )
    app.state.wiring = WIRING
    return app
