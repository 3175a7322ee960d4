"""The referral service, declared: settings, tables, policy, routers, the care-file consumer,
the filing, discharge and follow-up deadlines and the versioned filing and discharge windows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from medaid_shared.db import UnitOfWork
from medaid_shared.deadlines import DeadlineMovedHook, MovedDeadline
from medaid_shared.events import EventMeta
from medaid_shared.parameter_store import ServiceParameters
from medaid_shared.runtime import ConsumerSpec, Runtime
from medaid_shared.service import ServiceDefinition
from referral.adapters.repository import SqlRepository
from referral.adapters.tables import metadata, parameter_version
from referral.api.routes import router
from referral.consumers import care_file
from referral.domain.parameters import CATALOGUE
from referral.domain.policy import POLICY
from referral.service import admissions, discharge, emergency, filings, followups, health_plans, parameters
from referral.service.context import Ctx
from referral.settings import ReferralSettings as Settings

__all__ = ["PARAMETERS", "SERVICE", "Settings", "build_runtime", "create_app", "metadata"]

PARAMETERS = ServiceParameters(CATALOGUE, parameter_version, defaults_from=parameters.defaults)

DeadlineUse = Callable[[Ctx, Any], Awaitable[None]]

DEADLINE_HANDLERS: dict[str, DeadlineUse] = {
    admissions.FIRST_DEADLINE: filings.on_first_due,
    admissions.UNSTARTED_DEADLINE: filings.on_unstarted_due,
    admissions.EMERGENCY_DEADLINE: emergency.on_basis_due,
    admissions.PHONE_FORM_DEADLINE: filings.on_phone_form_due,
    filings.FORWARD_DEADLINE: filings.on_forward_due,
    discharge.DOCUMENTS_DEADLINE: discharge.on_documents_due,
    discharge.HELD_DEADLINE: discharge.on_held_due,
    followups.KIND: followups.on_visit_due,
    health_plans.PLAN_DEADLINE: health_plans.on_plan_due,
}


def _command(runtime: Runtime, uow: UnitOfWork) -> Ctx:
    """The context of a deadline or event handler's command in ``uow``."""
    ctx: Ctx = SERVICE.command(runtime, uow)
    return ctx


def _deadline_handlers(runtime: Runtime) -> dict[str, Callable[[UnitOfWork, Any], Awaitable[None]]]:
    def bind(use: DeadlineUse) -> Callable[[UnitOfWork, Any], Awaitable[None]]:
        async def handler(uow: UnitOfWork, row: Any) -> None:
            await use(_command(runtime, uow), row)

        return handler

    return {kind: bind(use) for kind, use in DEADLINE_HANDLERS.items()}


def _deadline_moved(runtime: Runtime) -> dict[str, DeadlineMovedHook]:
    async def moved(uow: UnitOfWork, row: Any, change: MovedDeadline) -> None:
        await filings.on_deadline_moved(_command(runtime, uow), row, change)

    async def plan_moved(uow: UnitOfWork, row: Any, change: MovedDeadline) -> None:
        await health_plans.on_plan_due_moved(_command(runtime, uow), row, change)

    return {**{kind: moved for kind in filings.DUE_COLUMN}, health_plans.PLAN_DEADLINE: plan_moved}


def _consumers(runtime: Runtime) -> list[ConsumerSpec]:
    def on_event(use: care_file.Use) -> Callable[[UnitOfWork, Any, EventMeta], Awaitable[None]]:
        async def handler(uow: UnitOfWork, event: Any, meta: EventMeta) -> None:
            await use(_command(runtime, uow), event, meta)

        return handler

    return [ConsumerSpec(care_file.CONSUMER_NAME, {model: on_event(use) for model, use in care_file.HANDLERS.items()})]


SERVICE = ServiceDefinition(
    title="medaid referral",
    description="Persons, facilities, referrals, outside-care filings, admissions, discharges, follow-up visits and the one-person external-care file (SPEC §1, §2, §7).",
    settings=Settings,
    metadata=metadata,
    policy=POLICY,
    routers=lambda: [router],
    repository=SqlRepository,
    repository_sealed=True,
    consumers=_consumers,
    deadline_handlers=_deadline_handlers,
    deadline_moved=_deadline_moved,
    parameters=PARAMETERS,
)
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
