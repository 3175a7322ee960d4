"""Consumers of referral's events into the local read model."""

from __future__ import annotations

from consent.service import read_model
from consent.service.ports import StoreFactory
from medaid_shared.contracts.referral import (
    AdmissionFiled,
    FacilityRegistered,
    FacilityUpdated,
    PersonRegistered,
    PersonUpdated,
)
from medaid_shared.contracts.settlement import CatalogueItemPublished
from medaid_shared.db import UnitOfWork
from medaid_shared.events import EventMeta
from medaid_shared.runtime import ConsumerSpec

CONSUMER_NAME = "referral-read-model"


def read_model_consumer(stores: StoreFactory) -> ConsumerSpec:
    async def on_person(uow: UnitOfWork, event: PersonRegistered, meta: EventMeta) -> None:
        await read_model.apply_person(stores(uow), event, meta)

    async def on_admission(uow: UnitOfWork, event: AdmissionFiled, meta: EventMeta) -> None:
        await read_model.apply_admission(stores(uow), event, meta)

    async def on_facility(uow: UnitOfWork, event: FacilityRegistered, meta: EventMeta) -> None:
        await read_model.apply_facility(stores(uow), event, meta)

    async def on_catalogue_item(uow: UnitOfWork, event: CatalogueItemPublished, meta: EventMeta) -> None:
        await read_model.apply_catalogue_item(stores(uow), event, meta)

    return ConsumerSpec(
        CONSUMER_NAME,
        {
            PersonRegistered: on_person,
            PersonUpdated: on_person,
            AdmissionFiled: on_admission,
            FacilityRegistered: on_facility,
            FacilityUpdated: on_facility,
            CatalogueItemPublished: on_catalogue_item,
        },
    )
