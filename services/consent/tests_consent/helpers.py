"""Builders for referral's events and for feeding them through the registered consumers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from medaid_shared import clock
from medaid_shared.contracts.common import FacilityLevel, FilingState, Region, SupportType
from medaid_shared.contracts.referral import (
    AdmissionFiled,
    CapacityAssessment,
    FacilityRegistered,
    Guardian,
    PersonRegistered,
    PersonUpdated,
    ReferralCompliance,
    Trusteeship,
    WrittenAgent,
)
from medaid_shared.contracts.settlement import CatalogueItemPublished
from medaid_shared.events import Event, EventMeta
from medaid_shared.testing import ServiceHarness

ASSESSED = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def meta_for(event: Event, time: datetime | None = None) -> EventMeta:
    return EventMeta(
        id=str(uuid.uuid4()),
        source="/medaid/referral",
        type=event.event_type,
        subject=event.partition_key(),
        time=time or clock.now(),
        traceparent=None,
        topic=f"medaid.{event.topic}.v1",
        partition=0,
        offset=0,
    )


async def feed(svc: ServiceHarness, event: Event, time: datetime | None = None) -> EventMeta:
    """Run the consumer handler registered in bootstrap for ``event`` inside a unit of work."""
    consumer = svc.runtime.consumers[0]
    handler = consumer.handlers[event.event_type]
    meta = meta_for(event, time)
    async with svc.runtime.db.unit_of_work() as uow:
        await handler(uow, event, meta)
    return meta


def capacity(capable: bool = True) -> CapacityAssessment:
    return CapacityAssessment(full_capacity_and_lucid=capable, assessed_at=ASSESSED, assessed_by="doc-assess")


def guardian(gid: str = "g-1") -> Guardian:
    return Guardian(guardian_id=gid, name_masked="李*", relation="sibling")


def no_guardian_verified(evidence: str = "EV-REF-1") -> Guardian:
    return Guardian(verified_none=True, evidence_ref=evidence)


def agent(
    aid: str = "a-1", valid_from: date = date(2026, 1, 1), valid_until: date = date(2026, 12, 31)
) -> WrittenAgent:
    return WrittenAgent(
        agent_id=aid,
        name_masked="王*",
        delegated_by="town_government",
        document_ref=f"DEL-{aid}",
        valid_from=valid_from,
        valid_until=valid_until,
    )


def person_event(
    person_id: str = "P1", *, centralized: bool = True, updated: bool = False, **overrides: Any
) -> PersonRegistered:
    fields: dict[str, Any] = {
        "person_id": person_id,
        "name_masked": "张*三",
        "id_number_masked": "4502**********1234",
        "support_type": SupportType.CENTRALIZED if centralized else SupportType.DECENTRALIZED,
        "institution_id": "I01" if centralized else None,
        "village_id": None if centralized else "V01",
        "town_id": "T01",
        "capacity": None,
        "guardian": None,
        "agents": [],
    }
    fields.update(overrides)
    model = PersonUpdated if updated else PersonRegistered
    return model(**fields)


def admission_event(
    admission_id: str = "A1",
    person_id: str = "P1",
    *,
    facility_id: str = "H001",
    centralized: bool = True,
    emergency: bool = False,
) -> AdmissionFiled:
    return AdmissionFiled(
        admission_id=admission_id,
        person_id=person_id,
        facility_id=facility_id,
        admitted_at=clock.now(),
        emergency=emergency,
        able_to_pay=False,
        support_type=SupportType.CENTRALIZED if centralized else SupportType.DECENTRALIZED,
        institution_id="I01" if centralized else None,
        village_id=None if centralized else "V01",
        town_id="T01",
        facility_level=FacilityLevel.DISTRICT,
        facility_designated=True,
        facility_region=Region.LIUJIANG,
        referral_compliance=ReferralCompliance(primary_first_visit=True, referral_slip=True, compliant=True),
        filing_state=FilingState.FILED_IN_TIME,
    )


def facility_event(facility_id: str = "H001", name: str = "柳江区人民医院") -> FacilityRegistered:
    return FacilityRegistered(
        facility_id=facility_id, name=name, level=FacilityLevel.DISTRICT, designated=True, region=Region.LIUJIANG
    )


# The test catalogue as settlement publishes it (SPEC 0.5): codes outside the insurance
# catalogue that the tests propose, and one inside it.
OUT_OF_CATALOGUE = ("X", "X-01", "X-02", "Y", "Y-7")
IN_CATALOGUE = ("IN-01",)


def catalogue_event(code: str, in_catalogue: bool, **extra: Any) -> CatalogueItemPublished:
    fields: dict[str, Any] = {
        "version_id": f"{code}:any:2026-01-01",
        "code": code,
        "name": f"item {code}",
        "kind": "drug",
        "in_catalogue": in_catalogue,
        "region": "any",
        "effective_from": date(2026, 1, 1),
        "example": True,
        "published_at": clock.now(),
        **extra,
    }
    return CatalogueItemPublished(**fields)


async def load_catalogue(svc: ServiceHarness) -> None:
    for code in OUT_OF_CATALOGUE:
        await feed(svc, catalogue_event(code, False))
    for code in IN_CATALOGUE:
        await feed(svc, catalogue_event(code, True))


def trusteeship(hospital: str = "H001") -> Trusteeship:
    return Trusteeship(
        agreement_hospital_id=hospital,
        disease_category="mental_disorder",
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
    )


async def setup_person(
    svc: ServiceHarness,
    person_id: str = "P1",
    *,
    centralized: bool = True,
    admission_id: str | None = "A1",
    facility_id: str = "H001",
    emergency: bool = False,
    **person_fields: Any,
) -> None:
    """A person, their facility, the catalogue and (by default) an admission in the read model."""
    await load_catalogue(svc)
    await feed(svc, facility_event(facility_id))
    await feed(svc, person_event(person_id, centralized=centralized, **person_fields))
    if admission_id:
        await feed(
            svc,
            admission_event(
                admission_id, person_id, facility_id=facility_id, centralized=centralized, emergency=emergency
            ),
        )
