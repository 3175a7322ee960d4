"""Composition root of the identity-check service: wires settings, database, policy, consumers,
deadline handlers and routes."""

from __future__ import annotations

from fastapi import FastAPI

from identity_check.adapters.repository import SqlRepository
from identity_check.adapters.tables import metadata
from identity_check.api.routes import admin_router, router
from identity_check.consumers.facilities import facility_handlers
from identity_check.domain.policy import POLICY
from identity_check.service.checks import PHOTO_RETENTION, REPLY_DEADLINE, IdentityChecks
from identity_check.settings import IdentityCheckSettings as Settings
from medaid_shared.app import create_service_app
from medaid_shared.runtime import ConsumerSpec, Runtime

__all__ = ["Settings", "build", "build_runtime", "create_app", "metadata"]


def build(settings: Settings) -> tuple[Runtime, IdentityChecks]:
    checks = IdentityChecks(settings, SqlRepository)
    runtime = Runtime.build(
        settings,
        metadata,
        POLICY,
        deadline_handlers={REPLY_DEADLINE: checks.on_reply_due, PHOTO_RETENTION: checks.on_retention_due},
        consumers=[ConsumerSpec("facilities", facility_handlers(checks))],
    )
    checks.bind(runtime)
    return runtime, checks


def build_runtime(settings: Settings) -> Runtime:
    return build(settings)[0]


def create_app(settings: Settings | None = None) -> FastAPI:
    s = settings or Settings()
    built: list[IdentityChecks] = []

    def factory() -> Runtime:
        runtime, checks = build(s)
        built.append(checks)
        return runtime

    app = create_service_app(
        factory,
        title="medaid identity-check",
        description="Police identity checks of unidentified emergency patients: letters with face photos, replies, late identification (SPEC §6.3).",
        routers=[router, admin_router],
    )
    app.state.identity_checks = built[0]
    return app
