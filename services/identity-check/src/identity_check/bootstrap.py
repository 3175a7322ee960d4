"""Composition root of the identity-check service: wires settings, database, policy, consumers,
deadline handlers and routes."""

from __future__ import annotations

from fastapi import FastAPI

from identity_check.adapters.tables import metadata
from identity_check.api.routes import router
from identity_check.domain.policy import POLICY
from identity_check.settings import IdentityCheckSettings as Settings
from medaid_shared.app import create_service_app
from medaid_shared.runtime import Runtime

__all__ = ["Settings", "build_runtime", "create_app", "metadata"]


def build_runtime(settings: Settings) -> Runtime:
    return Runtime.build(settings, metadata, POLICY)


def create_app(settings: Settings | None = None) -> FastAPI:
    s = settings or Settings()
    return create_service_app(
        lambda: build_runtime(s),
        title="medaid identity-check",
        description="Police identity checks of unidentified emergency patients: letters with face photos, replies, late identification (SPEC §6.3).",
        routers=[router],
    )
