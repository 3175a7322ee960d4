"""Composition root of the referral service: wires settings, database, policy, consumers,
deadline handlers and routes."""

from __future__ import annotations

from fastapi import FastAPI

from medaid_shared.app import create_service_app
from medaid_shared.runtime import Runtime
from referral.adapters.tables import metadata
from referral.api.routes import router
from referral.domain.policy import POLICY
from referral.settings import ReferralSettings as Settings

__all__ = ["Settings", "build_runtime", "create_app", "metadata"]


def build_runtime(settings: Settings) -> Runtime:
    return Runtime.build(settings, metadata, POLICY)


def create_app(settings: Settings | None = None) -> FastAPI:
    s = settings or Settings()
    return create_service_app(
        lambda: build_runtime(s),
        title="medaid referral",
        description="Persons, facilities, referrals, outside-care filings, admissions, discharges, follow-up visits and the one-person external-care file (SPEC §1, §2, §7).",
        routers=[router],
    )
