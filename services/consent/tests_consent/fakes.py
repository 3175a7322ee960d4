"""The consent use cases' storage port (``service.ports.Repository``) in memory, and a
use-case context around it with a recording unit of work. Each query is the adapter's,
written over lists; the read model's rows become domain objects through the adapter's own
mapping, so an event fed here reads back as it does from PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from consent.adapters.repository import admission_from_row, facility_from_row, person_from_row
from consent.domain.access import ListScope, Reach
from consent.domain.model import Admission, Expert, Facility, GuardianAbsence, Person
from consent.domain.records import (
    AdmissionState,
    CatalogueEntry,
    CivilAffairsFiling,
    Consent,
    Evaluation,
    ExpertAssignment,
    ExpertRecord,
    FacilityState,
    FilingUnit,
    ItemReview,
    PersonState,
    PublicInterestConfirmation,
    SelfPayItem,
    Treatment,
)
from consent.domain.treatment import TreatmentStatus
from consent.service.ports import Ctx
from consent.settings import ConsentSettings
from medaid_shared.calendar import WorkingCalendar
from medaid_shared.crypto import FieldCipher
from medaid_shared.fakes import FakeUnitOfWork
from medaid_shared.pagination import PageRequest, sort_key
from medaid_shared.parameters import ParameterVersion
from medaid_shared.settings import DEV_ENCRYPTION_KEY
from medaid_shared.usecase import UseCaseContext

R = TypeVar("R")


def _change(table: dict[str, R], key: str, changes: Mapping[str, object]) -> None:
    if key in table:
        table[key] = replace(table[key], **changes)  # type: ignore[type-var]


def _add(table: dict[str, R], key: str, record: R) -> None:
    if key in table:
        raise KeyError(f"duplicate {key}")
    table[key] = record


def _page(records: list[R], page: PageRequest, key: Any) -> list[R]:
    ordered = sorted(records, key=lambda r: sort_key(*key(r)))
    if page.after is not None:
        ordered = [r for r in ordered if sort_key(*key(r)) > tuple(page.after)]
    return ordered[: page.limit + 1]


class InMemoryRepository:
    def __init__(self) -> None:
        self.versions: list[ParameterVersion] = []
        self.person_rows: dict[str, Mapping[str, Any]] = {}
        self.admission_rows: dict[str, Mapping[str, Any]] = {}
        self.facility_rows: dict[str, Mapping[str, Any]] = {}
        self.unit_names: dict[str, str] = {}
        self.catalogue: dict[str, CatalogueEntry] = {}
        self.absences: list[GuardianAbsence] = []
        self.treatment: dict[str, Treatment] = {}
        self.consent: dict[str, Consent] = {}
        self.filing: dict[str, CivilAffairsFiling] = {}
        self.confirmations: dict[str, PublicInterestConfirmation] = {}
        self.expert: dict[str, ExpertRecord] = {}
        self.assignment: dict[str, ExpertAssignment] = {}
        self.evaluation: dict[str, Evaluation] = {}
        self.item: dict[str, SelfPayItem] = {}
        self.review: list[ItemReview] = []

    # ---- the read model: each record kept as the row it maps to, read back by the adapter's mapping
    async def upsert_person(self, person: PersonState) -> bool:
        stored = self.person_rows.get(person.person_id)
        newer = stored is not None and stored["source_time"] and person.source_time
        if newer and stored["source_time"] > person.source_time:
            return False  # an older event never overwrites a newer one
        self.person_rows[person.person_id] = asdict(person)
        return True

    async def upsert_admission(self, admission: AdmissionState) -> None:
        kept = self.admission_rows.get(admission.admission_id, {})
        withdrawn = {k: kept.get(k) for k in ("emergency_withdrawn_at", "emergency_withdrawn_reason")}
        self.admission_rows[admission.admission_id] = {**withdrawn, **asdict(admission)}

    async def upsert_facility(self, facility: FacilityState) -> None:
        self.facility_rows[facility.facility_id] = asdict(facility)

    async def upsert_catalogue_item(self, entry: CatalogueEntry) -> None:
        self.catalogue[entry.version_id] = entry

    async def upsert_unit(self, unit: FilingUnit) -> None:
        self.unit_names[unit.unit_id] = unit.name

    async def person(self, person_id: str, *, lock: bool = False) -> Person | None:
        row = self.person_rows.get(person_id)
        if row is None:
            return None
        mine = [a for a in self.absences if a.person_id == person_id]
        return person_from_row(row, max(mine, key=lambda a: a.verified_at, default=None))

    async def admission(self, admission_id: str) -> Admission | None:
        row = self.admission_rows.get(admission_id)
        return admission_from_row(row) if row is not None else None

    async def facility(self, facility_id: str) -> Facility | None:
        row = self.facility_rows.get(facility_id)
        return facility_from_row(row) if row is not None else None

    async def person_facilities(self, person_id: str) -> set[str]:
        return {a["facility_id"] for a in self.admission_rows.values() if a["person_id"] == person_id}

    async def unit_name(self, unit_id: str) -> str | None:
        return self.unit_names.get(unit_id)

    async def withdraw_emergency(self, admission_id: str, at: datetime, reason: str) -> None:
        row = self.admission_rows[admission_id]
        self.admission_rows[admission_id] = {
            **row,
            "emergency_withdrawn_at": at,
            "emergency_withdrawn_reason": reason,
        }

    async def catalogue_entries(self, code: str) -> list[CatalogueEntry]:
        return sorted((e for e in self.catalogue.values() if e.code == code), key=lambda e: e.version_id)

    async def add_guardian_absence(self, absence: GuardianAbsence, evidence_note: bytes | None) -> None:
        self.absences.append(absence)

    # ---- treatments and signatures
    async def get_treatment(self, treatment_id: str, *, lock: bool = False) -> Treatment | None:
        return self.treatment.get(treatment_id)

    async def add_treatment(self, treatment: Treatment) -> None:
        _add(self.treatment, treatment.treatment_id, treatment)

    async def update_treatment(self, treatment_id: str, **changes: object) -> None:
        _change(self.treatment, treatment_id, changes)

    async def treatments(
        self, admission_id: str, *, kind: str | None = None, status: str | None = None
    ) -> list[Treatment]:
        found = [
            t
            for t in self.treatment.values()
            if t.admission_id == admission_id and kind in (None, t.kind) and status in (None, t.status)
        ]
        return sorted(found, key=lambda t: (t.recorded_at, t.treatment_id))

    async def refused_treatment(self, admission_id: str, procedure_code: str) -> Treatment | None:
        refused = TreatmentStatus.NOT_TO_PROCEED.value
        found = [
            t
            for t in self.treatment.values()
            if t.admission_id == admission_id and t.procedure_code == procedure_code and t.status == refused
        ]
        return min(found, key=lambda t: t.treatment_id, default=None)

    async def treatments_for_item(self, item_id: str) -> list[Treatment]:
        return sorted((t for t in self.treatment.values() if t.item_id == item_id), key=lambda t: t.treatment_id)

    async def add_consent(self, consent: Consent) -> None:
        _add(self.consent, consent.consent_id, consent)

    async def get_consent(self, consent_id: str) -> Consent | None:
        return self.consent.get(consent_id)

    async def consents_for(self, *, treatment_id: str | None = None, item_id: str | None = None) -> list[Consent]:
        found = [
            c
            for c in self.consent.values()
            if ((c.treatment_id == treatment_id) if treatment_id is not None else (c.item_id == item_id))
        ]
        return sorted(found, key=lambda c: c.consent_id)

    async def consents(self, admission_id: str) -> list[Consent]:
        found = [c for c in self.consent.values() if c.admission_id == admission_id]
        return sorted(found, key=lambda c: (c.signed_at, c.consent_id))

    # ---- LJ-10 rank 4 and civil affairs
    async def add_filing(self, filing: CivilAffairsFiling) -> None:
        _add(self.filing, filing.consent_id, filing)

    async def get_filing(self, consent_id: str, *, lock: bool = False) -> CivilAffairsFiling | None:
        return self.filing.get(consent_id)

    async def update_filing(self, consent_id: str, **changes: object) -> None:
        _change(self.filing, consent_id, changes)

    async def filing_page(
        self, page: PageRequest, *, acknowledged: bool, overdue_only: bool
    ) -> list[CivilAffairsFiling]:
        found = [
            f
            for f in self.filing.values()
            if (f.acknowledged_at is not None) == acknowledged and (not overdue_only or f.overdue_at is not None)
        ]
        return _page(found, page, lambda f: (f.filed_at, f.consent_id))

    async def add_confirmation(self, confirmation: PublicInterestConfirmation) -> None:
        _add(self.confirmations, confirmation.subject_id, confirmation)

    async def confirmation(self, subject_id: str) -> PublicInterestConfirmation | None:
        return self.confirmations.get(subject_id)

    # ---- LJ-11.2
    async def get_expert(self, expert_id: str, *, lock: bool = False) -> ExpertRecord | None:
        return self.expert.get(expert_id)

    async def add_expert(self, expert: ExpertRecord) -> None:
        _add(self.expert, expert.expert_id, expert)

    async def update_expert(self, expert_id: str, **changes: object) -> None:
        _change(self.expert, expert_id, changes)

    async def expert_pool(self) -> list[Expert]:
        return [self._with_load(e) for e in sorted(self.expert.values(), key=lambda e: e.expert_id)]

    async def expert_page(self, page: PageRequest) -> list[Expert]:
        return _page(await self.expert_pool(), page, lambda e: (e.expert_id,))

    def _with_load(self, e: ExpertRecord) -> Expert:
        mine = [a.assigned_at for a in self.assignment.values() if a.expert_id == e.expert_id]
        return Expert(
            expert_id=e.expert_id,
            name=e.name,
            hospital_id=e.hospital_id,
            specialty=e.specialty,
            active=e.active,
            assignments=len(mine),
            last_assigned_at=max(mine, default=None),
        )

    async def lock_rotation(self) -> None:
        return None  # one use case at a time in memory

    async def get_assignment(self, treatment_id: str) -> ExpertAssignment | None:
        return self.assignment.get(treatment_id)

    async def add_assignment(self, assignment: ExpertAssignment) -> None:
        _add(self.assignment, assignment.treatment_id, assignment)

    async def get_evaluation(self, treatment_id: str, *, lock: bool = False) -> Evaluation | None:
        return self.evaluation.get(treatment_id)

    async def add_evaluation(self, evaluation: Evaluation) -> None:
        _add(self.evaluation, evaluation.treatment_id, evaluation)

    async def update_evaluation(self, treatment_id: str, **changes: object) -> None:
        _change(self.evaluation, treatment_id, changes)

    # ---- LJ-7
    async def get_item(self, item_id: str, *, lock: bool = False) -> SelfPayItem | None:
        return self.item.get(item_id)

    async def add_item(self, item: SelfPayItem) -> None:
        _add(self.item, item.item_id, item)

    async def update_item(self, item_id: str, **changes: object) -> None:
        _change(self.item, item_id, changes)

    async def items(self, admission_id: str, *, status: str | None = None) -> list[SelfPayItem]:
        found = [i for i in self.item.values() if i.admission_id == admission_id and status in (None, i.status)]
        return sorted(found, key=lambda i: (i.proposed_at, i.item_id))

    async def item_page(self, page: PageRequest, scope: ListScope, *, status: str | None) -> list[SelfPayItem]:
        found = [i for i in self.item.values() if self._sees(scope, i) and status in (None, i.status)]
        return _page(found, page, lambda i: (i.proposed_at, i.item_id))

    async def item_step_page(self, page: PageRequest, scope: ListScope, *, status: str) -> list[SelfPayItem]:
        found = [i for i in self.item.values() if i.status == status and self._sees(scope, i)]
        return _page(found, page, lambda i: (i.step_due_at or i.proposed_at, i.item_id))

    def _sees(self, scope: ListScope, item: SelfPayItem) -> bool:
        if scope.reach is Reach.EVERYONE:
            return True
        if scope.reach is Reach.FACILITY:
            return item.facility_id in scope.ids
        person = self.person_rows.get(item.person_id, {})
        by_person = {
            Reach.INSTITUTION: person.get("institution_id"),
            Reach.VILLAGE: person.get("village_id"),
            Reach.TOWN: person.get("town_id"),
            Reach.PERSON: person.get("person_id"),
            Reach.GUARDIAN: (person.get("guardian") or {}).get("guardian_id"),
        }
        if scope.reach in by_person:
            return by_person[scope.reach] in scope.ids
        if scope.reach is Reach.AGENT:
            return any(a["agent_id"] in scope.ids for a in person.get("agents") or [])
        return False

    async def add_review(self, review: ItemReview) -> None:
        if any(
            (r.item_id, r.stage, r.participant) == (review.item_id, review.stage, review.participant)
            for r in self.review
        ):
            raise KeyError("duplicate review")  # the table's unique constraint
        self.review.append(replace(review, seq=len(self.review) + 1))

    async def reviews(
        self, item_id: str, *, stage: str | None = None, participant: str | None = None
    ) -> list[ItemReview]:
        return [
            r
            for r in self.review
            if r.item_id == item_id and stage in (None, r.stage) and participant in (None, r.participant)
        ]

    def _sum(self, items: list[SelfPayItem], *, reviewed_only: bool) -> Decimal:
        counted = [i.amount for i in items if i.status != "rejected" and (i.needs_review or not reviewed_only)]
        return sum(counted, Decimal("0"))

    async def cumulative_for_admission(self, admission_id: str, *, reviewed_only: bool) -> Decimal:
        mine = [i for i in self.item.values() if i.admission_id == admission_id]
        return self._sum(mine, reviewed_only=reviewed_only)

    async def cumulative_for_year(self, person_id: str, year: int, *, reviewed_only: bool) -> Decimal:
        mine = [i for i in self.item.values() if i.person_id == person_id and i.local_year == year]
        return self._sum(mine, reviewed_only=reviewed_only)

    async def same_item_since(self, admission_id: str, item_code: str, since: datetime) -> Decimal:
        mine = [
            i
            for i in self.item.values()
            if i.admission_id == admission_id and i.item_code == item_code and i.proposed_at >= since
        ]
        return self._sum(mine, reviewed_only=False)

    async def parameter_versions(self) -> list[ParameterVersion]:
        return list(self.versions)


def context(repo: InMemoryRepository) -> tuple[Ctx, FakeUnitOfWork]:
    """A command's context on the in-memory repository, and the unit of work that records."""
    uow = FakeUnitOfWork("consent")
    ctx: Ctx = UseCaseContext(
        settings=ConsentSettings(),
        repo=repo,
        calendar=WorkingCalendar(),
        cipher=FieldCipher(DEV_ENCRYPTION_KEY),
        _uow=uow,  # type: ignore[arg-type]
    )
    return ctx, uow
