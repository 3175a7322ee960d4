"""Event handlers and deadline handlers: translate incoming events and due deadlines into
use-case calls (each runs inside the kernel's inbox / scheduler transaction)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from emergency_fund.domain.workflow import Step, deadline_kind
from emergency_fund.service import applications, funds, inbound, refunds, reports, stay
from emergency_fund.service.base import Env
from medaid_shared.contracts.identity_check import (
    IdentityCheckOverdue,
    IdentityCheckReopened,
    IdentityCheckRequested,
    IdentityLetterSentLate,
    IdentityVerified,
)
from medaid_shared.contracts.referral import (
    DischargeRecorded,
    EmergencyAssistanceReferred,
    FacilityRegistered,
    FacilityUpdated,
    PersonRegistered,
    PersonUpdated,
)
from medaid_shared.contracts.settlement import SettlementCompleted, SettlementReversed
from medaid_shared.db import UnitOfWork
from medaid_shared.deadlines import DeadlineHandler, DeadlineMovedHook, MovedDeadline
from medaid_shared.events import Event, EventMeta
from medaid_shared.runtime import ConsumerSpec

ContextOf = Callable[[UnitOfWork], Env]
"""The use-case context of a handler's unit of work (the declaration's command context, as SYSTEM)."""
CONSUMER = "emergency-fund"

HANDLERS: dict[type[Event], Callable[[Env, Any], Awaitable[None]]] = {
    PersonRegistered: inbound.on_person,
    PersonUpdated: inbound.on_person,
    FacilityRegistered: inbound.on_facility,
    FacilityUpdated: inbound.on_facility,
    EmergencyAssistanceReferred: inbound.on_referred,
    DischargeRecorded: stay.on_discharge,
    SettlementCompleted: inbound.on_settlement,
    SettlementReversed: inbound.on_settlement_reversed,
    IdentityCheckRequested: inbound.on_identity_requested,
    IdentityCheckOverdue: inbound.on_identity_overdue,
    IdentityCheckReopened: inbound.on_identity_reopened,
    IdentityVerified: inbound.on_identity_verified,
    IdentityLetterSentLate: inbound.on_letter_sent_late,
}


def consumers(command: ContextOf) -> list[ConsumerSpec]:
    def bind(fn: Callable[[Env, Any], Awaitable[None]]) -> Callable[[UnitOfWork, Any, EventMeta], Awaitable[None]]:
        async def handle(uow: UnitOfWork, event: Any, meta: EventMeta) -> None:
            await fn(command(uow), event)

        return handle

    return [ConsumerSpec(CONSUMER, {model: bind(fn) for model, fn in HANDLERS.items()})]


def deadline_handlers(command: ContextOf) -> dict[str, DeadlineHandler]:
    async def training_due(uow: UnitOfWork, row: Any) -> None:
        await funds.on_training_due(command(uow), row)

    async def preallocation_check(uow: UnitOfWork, row: Any) -> None:
        await funds.on_preallocation_check(command(uow), row)

    async def registration_export(uow: UnitOfWork, row: Any) -> None:
        await reports.on_registration_export(command(uow), row)

    async def step_overdue(uow: UnitOfWork, row: Any) -> None:
        await applications.on_step_overdue(command(uow), row)

    async def notice_ended(uow: UnitOfWork, row: Any) -> None:
        await applications.on_notice_ended(command(uow), row)

    async def refund_due(uow: UnitOfWork, row: Any) -> None:
        await refunds.on_refund_due(command(uow), row)

    return {
        funds.TRAINING_KIND: training_due,
        funds.PREALLOCATION_CHECK: preallocation_check,
        reports.REGISTRATION_EXPORT: registration_export,
        refunds.REFUND_DUE: refund_due,
        applications.NOTICE_END: notice_ended,
        **{deadline_kind(step): step_overdue for step in Step},
    }


def deadline_moved(command: ContextOf) -> dict[str, DeadlineMovedHook]:
    """SPEC 0.1: what a deadline moved by a loaded calendar notice changes here."""

    async def notice_end_moved(uow: UnitOfWork, row: Any, moved: MovedDeadline) -> None:
        await applications.on_notice_end_moved(command(uow), row, moved)

    async def step_moved(uow: UnitOfWork, row: Any, moved: MovedDeadline) -> None:
        await applications.on_step_moved(command(uow), row, moved)

    async def refund_due_moved(uow: UnitOfWork, row: Any, moved: MovedDeadline) -> None:
        await refunds.on_refund_due_moved(command(uow), row, moved)

    return {
        applications.NOTICE_END: notice_end_moved,
        refunds.REFUND_DUE: refund_due_moved,
        **{deadline_kind(step): step_moved for step in Step},
    }
