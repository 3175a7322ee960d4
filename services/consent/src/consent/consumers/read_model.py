"""Consumers of referral's events into the local read model."""

from __future__ import annotations

from collections.abc import Callable

from consent.service import read_model, selfpay, treatments
from consent.service.ports import Ctx
from medaid_shared.contracts.referral import (
    AdmissionFiled,
    EmergencyExemptionWithdrawn,
    FacilityRegistered,
    FacilityUpdated,
    FilingCompleted,
    PersonRegistered,
    PersonUpdated,
)
from medaid_shared.contracts.settlement import CatalogueItemPublished
from medaid_shared.db import UnitOfWork
from medaid_shared.events import EventMeta
from medaid_shared.runtime import ConsumerSpec

CONSUMER_NAME = "referral-read-model"


def read_model_consumer(contexts: Callable[[UnitOfWork], Ctx]) -> ConsumerSpec:
    """The read model's handlers; ``contexts`` makes the use-case context of a handler's unit
    of work (its repository is the one the unit of work owns)."""

    async def on_person(uow: UnitOfWork, event: PersonRegistered, meta: EventMeta) -> None:
        await read_model.apply_person(contexts(uow).repo, event, meta)

    async def on_admission(uow: UnitOfWork, event: AdmissionFiled, meta: EventMeta) -> None:
        await read_model.apply_admission(contexts(uow).repo, event, meta)

    async def on_facility(uow: UnitOfWork, event: FacilityRegistered, meta: EventMeta) -> None:
        await read_model.apply_facility(contexts(uow).repo, event, meta)

    async def on_filing(uow: UnitOfWork, event: FilingCompleted, meta: EventMeta) -> None:
        await read_model.apply_filing_unit(contexts(uow).repo, event, meta)

    async def on_catalogue_item(uow: UnitOfWork, event: CatalogueItemPublished, meta: EventMeta) -> None:
        await read_model.apply_catalogue_item(contexts(uow).repo, event, meta)

    async def on_emergency_withdrawn(uow: UnitOfWork, event: EmergencyExemptionWithdrawn, meta: EventMeta) -> None:
        # SPEC 0.5 / LJ-11.3: the emergency lost its exemptions — reopen what they skipped.
        ctx = contexts(uow)
        await selfpay.emergency_withdrawn(ctx, event)  # self-pay items decided "emergency" (LJ-7.4)
        await treatments.emergency_withdrawn(ctx, event)  # rescues treated without signature (LJ-11.3)

    return ConsumerSpec(
        CONSUMER_NAME,
        {
            PersonRegistered: on_person,
            PersonUpdated: on_person,
            AdmissionFiled: on_admission,
            FacilityRegistered: on_facility,
            FacilityUpdated: on_facility,
            FilingCompleted: on_filing,
            CatalogueItemPublished: on_catalogue_item,
            EmergencyExemptionWithdrawn: on_emergency_withdrawn,
        },
    )
