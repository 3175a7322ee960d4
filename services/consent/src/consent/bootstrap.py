"""Composition root of the consent service: wires settings, database, policy, consumers,
deadline handlers and routes."""

from __future__ import annotations

from fastapi import FastAPI

from consent.adapters.store import SqlStore
from consent.adapters.tables import metadata
from consent.api.routes import router
from consent.consumers.read_model import read_model_consumer
from consent.domain.parameters import CumulativeScope, PolicyParameters
from consent.domain.policy import POLICY
from consent.service.app import ConsentServices
from consent.settings import ConsentSettings as Settings
from medaid_shared.app import create_service_app
from medaid_shared.runtime import Runtime

__all__ = ["Settings", "build_runtime", "create_app", "default_parameters", "metadata"]


def default_parameters(settings: Settings) -> PolicyParameters:
    """The policy parameters in force until an administrator loads a later version."""
    return PolicyParameters(
        version="settings-default",
        effective_from=settings.policy_defaults_effective_from,
        review_threshold=settings.self_pay_review_threshold,
        civil_affairs_single_threshold=settings.self_pay_civil_affairs_single_threshold,
        civil_affairs_cumulative_threshold=settings.self_pay_civil_affairs_cumulative_threshold,
        cumulative_scope=CumulativeScope(settings.self_pay_cumulative_scope),
        expert_from_other_hospital=settings.expert_from_other_hospital,
        note="defaults from service settings",
    )


def build_runtime(settings: Settings) -> Runtime:
    return Runtime.build(settings, metadata, POLICY, consumers=[read_model_consumer(SqlStore)])


def create_app(settings: Settings | None = None) -> FastAPI:
    s = settings or Settings()
    app = create_service_app(
        lambda: build_runtime(s),
        title="medaid consent",
        description="Signing authority, consents, self-pay double review, major-treatment evaluation and emergency treatment (SPEC §3, §4).",
        routers=[router],
    )
    app.state.services = ConsentServices(app.state.runtime, SqlStore, default_parameters(s))
    return app
