"""Event handlers: translate incoming events into use-case calls (the local read model)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from medaid_shared.contracts.consent import (
    ConsentSigned,
    MajorTreatmentEvaluated,
    SelfPayDecided,
    SelfPayProposed,
    SelfPayReopened,
    TreatmentRecorded,
    TreatmentReopened,
)
from medaid_shared.contracts.referral import (
    AdmissionComplianceChanged,
    AdmissionFiled,
    DischargeRecorded,
    EmergencyDetermined,
    EmergencyExemptionWithdrawn,
    FacilityRegistered,
    FacilityUpdated,
    FilingCompleted,
    PersonRegistered,
    PersonUpdated,
    UnfiledCareAdviserRecorded,
)
from medaid_shared.db import UnitOfWork
from medaid_shared.events import EventMeta
from medaid_shared.runtime import ConsumerSpec
from settlement.service import readmodel
from settlement.service.context import Ctx

READ_MODEL = "read-model"


def read_model_consumer(command: Callable[[UnitOfWork], Ctx]) -> ConsumerSpec:
    """Persons, facilities, admissions (filing and referral compliance, discharge) and
    self-pay decisions, each applied once (the kernel's inbox)."""

    def on(apply: Callable[[Ctx, Any], Awaitable[None]]) -> Callable[[UnitOfWork, Any, EventMeta], Awaitable[None]]:
        async def handle(uow: UnitOfWork, event: Any, meta: EventMeta) -> None:
            await apply(command(uow), event)

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
            UnfiledCareAdviserRecorded: on(readmodel.unfiled_care_adviser_recorded),  # LJ-4.3c
            DischargeRecorded: on(readmodel.discharge_recorded),
            EmergencyDetermined: on(readmodel.emergency_determined),
            EmergencyExemptionWithdrawn: on(readmodel.emergency_withdrawn),
            SelfPayProposed: on(readmodel.self_pay_proposed),
            SelfPayDecided: on(readmodel.self_pay_decided),
            SelfPayReopened: on(readmodel.self_pay_reopened),  # LJ-11.3 / LJ-7.4
            TreatmentRecorded: on(readmodel.treatment_recorded),  # LJ-11.1
            TreatmentReopened: on(readmodel.treatment_reopened),  # LJ-11.3 / SPEC 0.5
            ConsentSigned: on(readmodel.consent_signed),  # LJ-11.1: a late consent re-issues
            MajorTreatmentEvaluated: on(readmodel.treatment_evaluated),  # LJ-11.2
        },
    )
