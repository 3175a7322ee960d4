"""Event handlers: translate incoming events into use-case calls (the local read model)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from medaid_shared.contracts.consent import SelfPayDecided, SelfPayProposed
from medaid_shared.contracts.referral import (
    AdmissionComplianceChanged,
    AdmissionFiled,
    DischargeRecorded,
    FacilityRegistered,
    FacilityUpdated,
    FilingCompleted,
    PersonRegistered,
    PersonUpdated,
)
from medaid_shared.db import UnitOfWork
from medaid_shared.events import EventMeta
from medaid_shared.runtime import ConsumerSpec, Runtime
from settlement.service import readmodel
from settlement.service.context import Ctx, Wiring

READ_MODEL = "read-model"


def read_model_consumer(wiring: Wiring, runtime: Callable[[], Runtime]) -> ConsumerSpec:
    """Persons, facilities, admissions (filing and referral compliance, discharge) and
    self-pay decisions, each applied once (the kernel's inbox)."""

    def on(apply: Callable[[Ctx, Any], Awaitable[None]]) -> Callable[[UnitOfWork, Any, EventMeta], Awaitable[None]]:
        async def handle(uow: UnitOfWork, event: Any, meta: EventMeta) -> None:
            await apply(wiring.command(runtime(), uow), event)

        handle.__name__ = apply.__name__
        return handle

    return ConsumerSpec(
        READ_MODEL,
        {
            PersonRegistered: on(readmodel.person_changed),
            PersonUpdated: on(readmodel.person_changed),
            FacilityRegistered: on(readmodel.facility_changed),
            FacilityUpdated: on(readmodel.facility_changed),
            AdmissionFiled: on(readmodel.admission_filed),
            AdmissionComplianceChanged: on(readmodel.compliance_changed),
            FilingCompleted: on(readmodel.filing_completed),
            DischargeRecorded: on(readmodel.discharge_recorded),
            SelfPayProposed: on(readmodel.self_pay_proposed),
            SelfPayDecided: on(readmodel.self_pay_decided),
        },
    )
