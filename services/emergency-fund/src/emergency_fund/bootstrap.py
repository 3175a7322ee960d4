"""Composition root of the emergency-fund service: wires settings, database, policy, consumers,
deadline handlers and routes."""

from __future__ import annotations

from fastapi import FastAPI

from emergency_fund.adapters.store import SqlStore
from emergency_fund.adapters.tables import metadata
from emergency_fund.api.routes import router
from emergency_fund.consumers.handlers import consumers, deadline_handlers
from emergency_fund.domain.policy import POLICY
from emergency_fund.service.base import FundService
from emergency_fund.settings import EmergencyFundSettings as Settings
from medaid_shared.app import create_service_app
from medaid_shared.runtime import Runtime

__all__ = ["Settings", "build_runtime", "create_app", "metadata"]


def build_runtime(settings: Settings) -> Runtime:
    """The runtime, with consumers and deadline handlers bound to the service facade."""
    return Runtime.build(
        settings,
        metadata,
        POLICY,
        consumers=lambda rt: consumers(lambda: FundService(rt, SqlStore)),
        deadline_handlers=lambda rt: deadline_handlers(lambda: FundService(rt, SqlStore)),
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    s = settings or Settings()
    app = create_service_app(
        lambda: build_runtime(s),
        title="medaid emergency-fund",
        description="The emergency medical assistance fund: ledger, cases, applications, public notice, disbursement, refund, blacklist (SPEC §6).",
        routers=[router],
    )
    app.state.fund = FundService(app.state.runtime, SqlStore)
    return app
