"""Composition root of the settlement service: wires settings, database, policy, consumers,
deadline handlers and routes."""

from __future__ import annotations

from fastapi import FastAPI

from medaid_shared.app import create_service_app
from medaid_shared.runtime import Runtime
from settlement.adapters.tables import metadata
from settlement.api.routes import router
from settlement.domain.policy import POLICY
from settlement.settings import SettlementSettings as Settings

__all__ = ["Settings", "build_runtime", "create_app", "metadata"]


def build_runtime(settings: Settings) -> Runtime:
    return Runtime.build(settings, metadata, POLICY)


def create_app(settings: Settings | None = None) -> FastAPI:
    s = settings or Settings()
    return create_service_app(
        lambda: build_runtime(s),
        title="medaid settlement",
        description="Bills, the payer chain, policy parameters, the medical-aid ceiling ledger, one-stop and manual reimbursement, cost analytics (SPEC §5).",
        routers=[router],
    )
