"""Composition root of the referral service: wires settings, database, policy, consumers,
deadline handlers and routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI

from medaid_shared.app import create_service_app
from medaid_shared.db import UnitOfWork
from medaid_shared.events import EventMeta
from medaid_shared.parameter_api import parameter_router
from medaid_shared.parameter_store import ServiceParameters
from medaid_shared.runtime import ConsumerSpec, Runtime
from referral.adapters.store import SqlStore
from referral.adapters.tables import metadata, parameter_version
from referral.api.routes import build_router
from referral.consumers import care_file
from referral.domain.parameters import CATALOGUE
from referral.domain.policy import POLICY
from referral.service import admissions, discharge, filings, followups, parameters
from referral.service.context import Ctx, Wiring
from referral.settings import ReferralSettings as Settings

__all__ = ["PARAMETERS", "Settings", "build_runtime", "create_app", "metadata", "wiring"]

wiring = Wiring(store_factory=SqlStore)
PARAMETERS = ServiceParameters(CATALOGUE, parameter_version, defaults_from=parameters.defaults)

DeadlineUse = Callable[[Ctx, Any], Awaitable[None]]

DEADLINE_HANDLERS: dict[str, DeadlineUse] = {
    admissions.FIRST_DEADLINE: filings.on_first_due,
    admissions.PHONE_FORM_DEADLINE: filings.on_phone_form_due,
    filings.FORWARD_DEADLINE: filings.on_forward_due,
    discharge.DOCUMENTS_DEADLINE: discharge.on_documents_due,
    followups.KIND: followups.on_visit_due,
}


def build_runtime(settings: Settings) -> Runtime:
    def bind(runtime: Runtime, use: DeadlineUse) -> Callable[[UnitOfWork, Any], Awaitable[None]]:
        async def handler(uow: UnitOfWork, row: Any) -> None:
            await use(wiring.command(runtime, uow), row)

        return handler

    def on_event(runtime: Runtime, use: care_file.Use) -> Callable[[UnitOfWork, Any, EventMeta], Awaitable[None]]:
        async def handler(uow: UnitOfWork, event: Any, meta: EventMeta) -> None:
            await use(wiring.command(runtime, uow), event, meta)

        return handler

    return Runtime.build(
        settings,
        metadata,
        POLICY,
        deadline_handlers=lambda rt: {kind: bind(rt, use) for kind, use in DEADLINE_HANDLERS.items()},
        consumers=lambda rt: [
            ConsumerSpec(
                care_file.CONSUMER_NAME, {model: on_event(rt, use) for model, use in care_file.HANDLERS.items()}
            )
        ],
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    s = settings or Settings()
    return create_service_app(
        lambda: build_runtime(s),
        title="medaid referral",
        description="Persons, facilities, referrals, outside-care filings, admissions, discharges, follow-up visits and the one-person external-care file (SPEC §1, §2, §7).",
        routers=[build_router(wiring), parameter_router(PARAMETERS)],
    )
