"""The local read model of persons, admissions and facilities, fed by referral's events
(the consent service never reads referral's tables)."""

from __future__ import annotations

from consent.domain.records import AdmissionState, CatalogueEntry, FacilityState, FilingUnit, PersonState
from consent.service.ports import Repository
from medaid_shared import clock
from medaid_shared.contracts.referral import AdmissionFiled, FacilityRegistered, FilingCompleted, PersonRegistered
from medaid_shared.contracts.settlement import CatalogueItemPublished
from medaid_shared.events import EventMeta
from medaid_shared.identifiers import ADMISSION_IDENTIFIERS


async def apply_person(repo: Repository, event: PersonRegistered, meta: EventMeta) -> bool:
    """PersonRegistered / PersonUpdated carry the person's full state: replace ours, unless
    the stored state comes from a later event. Returns whether the state was applied."""
    return await repo.upsert_person(
        PersonState(
            person_id=event.person_id,
            name_masked=event.name_masked,
            name_sealed=event.name_sealed,
            support_type=event.support_type.value,
            institution_id=event.institution_id,
            village_id=event.village_id,
            town_id=event.town_id,
            capacity=event.capacity.model_dump(mode="json") if event.capacity else None,
            guardian=event.guardian.model_dump(mode="json") if event.guardian else None,
            agents=[a.model_dump(mode="json") for a in event.agents],
            trusteeship=event.trusteeship.model_dump(mode="json") if event.trusteeship else None,
            disability_level=event.disability_level.value if event.disability_level else None,
            source_event_id=meta.id,
            source_time=meta.time,
            updated_at=clock.now(),
        )
    )


async def apply_admission(repo: Repository, event: AdmissionFiled, meta: EventMeta) -> None:
    await repo.upsert_admission(
        AdmissionState(
            admission_id=event.admission_id,
            person_id=event.person_id,
            facility_id=event.facility_id,
            admitted_at=event.admitted_at,
            emergency=event.emergency,
            support_type=event.support_type.value,
            institution_id=event.institution_id,
            village_id=event.village_id,
            town_id=event.town_id,
            **{name: getattr(event, name) for name in ADMISSION_IDENTIFIERS},
            updated_at=clock.now(),
        )
    )


async def apply_facility(repo: Repository, event: FacilityRegistered, meta: EventMeta) -> None:
    await repo.upsert_facility(
        FacilityState(
            facility_id=event.facility_id,
            name=event.name,
            level=event.level.value,
            designated=event.designated,
            region=event.region.value,
            updated_at=clock.now(),
        )
    )


async def apply_filing_unit(repo: Repository, event: FilingCompleted, meta: EventMeta) -> None:
    """LJ annex 3: the filing unit's name as it signed the annex-1 form (the latest wins)."""
    if event.submitted_unit and event.submitted_unit_name:
        await repo.upsert_unit(
            FilingUnit(unit_id=event.submitted_unit, name=event.submitted_unit_name, updated_at=clock.now())
        )


async def apply_catalogue_item(repo: Repository, event: CatalogueItemPublished, meta: EventMeta) -> None:
    """SPEC 0.5: the insurance catalogue as its owner (settlement) publishes it; LJ-7.0 is
    decided from it, never from the proposing hospital's word."""
    await repo.upsert_catalogue_item(
        CatalogueEntry(
            version_id=event.version_id,
            code=event.code,
            name=event.name,
            kind=event.kind,
            in_catalogue=event.in_catalogue,
            region=event.region,
            effective_from=event.effective_from,
            effective_to=event.effective_to,
            example=event.example,
            updated_at=clock.now(),
        )
    )
