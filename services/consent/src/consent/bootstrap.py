"""Composition root of the consent service: wires settings, database, policy, consumers,
deadline handlers and routes."""

from __future__ import annotations

from fastapi import FastAPI

from consent.adapters.tables import metadata
from consent.api.routes import router
from consent.domain.policy import POLICY
from consent.settings import ConsentSettings as Settings
from medaid_shared.app import create_service_app
from medaid_shared.runtime import Runtime

__all__ = ["Settings", "build_runtime", "create_app", "metadata"]


def build_runtime(settings: Settings) -> Runtime:
    return Runtime.build(settings, metadata, POLICY)


def create_app(settings: Settings | None = None) -> FastAPI:
    s = settings or Settings()
    return create_service_app(
        lambda: build_runtime(s),
        title="medaid consent",
        description="Signing authority, consents, self-pay double review, major-treatment evaluation and emergency treatment (SPEC §3, §4).",
        routers=[router],
    )
