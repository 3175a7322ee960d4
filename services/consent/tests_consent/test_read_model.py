"""The local read model, fed by referral's events through the consumers registered in
bootstrap (each handler called inside a unit of work with a built EventMeta)."""

from __future__ import annotations

from datetime import timedelta

from consent.adapters.repository import SqlRepository
from consent.consumers.read_model import CONSUMER_NAME
from medaid_shared import clock
from medaid_shared.contracts.referral import AdmissionFiled, FacilityUpdated, PersonRegistered, PersonUpdated
from medaid_shared.testing import ServiceHarness

from .helpers import (
    admission_event,
    agent,
    capacity,
    facility_event,
    feed,
    guardian,
    meta_for,
    no_guardian_verified,
    person_event,
    trusteeship,
)


async def test_consumers_are_registered_for_referral_events(svc: ServiceHarness) -> None:
    consumer = svc.runtime.consumers[0]
    assert consumer.name == CONSUMER_NAME
    assert set(consumer.handlers) >= {
        PersonRegistered.event_type,
        PersonUpdated.event_type,
        AdmissionFiled.event_type,
        FacilityUpdated.event_type,
    }


async def test_person_registered_builds_the_full_person(svc: ServiceHarness) -> None:
    await feed(
        svc,
        person_event(
            "P1",
            capacity=capacity(False),
            guardian=guardian("g-9"),
            agents=[agent("a-1")],
            trusteeship=trusteeship("H009"),
        ),
    )
    async with svc.runtime.db.unit_of_work() as uow:
        p = await uow.repository(SqlRepository).person("P1")
    assert p is not None
    assert p.support_type == "centralized" and p.institution_id == "I01" and p.town_id == "T01"
    assert p.capacity is not None and p.capacity.full_capacity_and_lucid is False
    assert p.guardian_id == "g-9"
    assert [a.agent_id for a in p.agents] == ["a-1"] and p.agents[0].valid_until.isoformat() == "2026-12-31"
    assert p.trusteeship is not None and p.trusteeship.agreement_hospital_id == "H009"


async def test_person_updated_replaces_state_and_stale_events_are_ignored(svc: ServiceHarness) -> None:
    now = clock.now()
    await feed(svc, person_event("P1", guardian=guardian("g-1")), time=now)
    await feed(svc, person_event("P1", updated=True, guardian=no_guardian_verified("EV-7")), time=now + timedelta(1))
    # An older event delivered late does not overwrite the newer state.
    await feed(svc, person_event("P1", updated=True, guardian=guardian("g-old")), time=now - timedelta(1))
    async with svc.runtime.db.unit_of_work() as uow:
        p = await uow.repository(SqlRepository).person("P1")
    assert p is not None and p.guardian is not None
    assert p.guardian_id is None and p.guardian.verified_none and p.guardian.evidence_ref == "EV-7"


async def test_decentralized_person_admission_and_facility(svc: ServiceHarness) -> None:
    await feed(svc, facility_event("H002", "柳江区中医医院"))
    await feed(svc, person_event("P2", centralized=False))
    await feed(svc, admission_event("A2", "P2", facility_id="H002", centralized=False, emergency=True))
    await feed(svc, FacilityUpdated(**{**facility_event("H002").model_dump(), "name": "renamed"}))
    async with svc.runtime.db.unit_of_work() as uow:
        repo = uow.repository(SqlRepository)
        p = await repo.person("P2")
        a = await repo.admission("A2")
        f = await repo.facility("H002")
        facilities = await repo.person_facilities("P2")
    assert p is not None and p.village_id == "V01" and not p.centralized
    assert a is not None and a.emergency and a.facility_id == "H002" and a.village_id == "V01"
    assert f is not None and f.name == "renamed"
    assert facilities == {"H002"}


async def test_a_redelivered_event_is_applied_once(svc: ServiceHarness) -> None:
    """Through the kernel inbox: the same event id twice → applied, then duplicate."""
    consumer = svc.runtime.consumers[0]
    event = person_event("P3")
    meta = meta_for(event)
    assert await consumer._apply(event, meta) == "applied"
    assert await consumer._apply(event, meta) == "duplicate"
