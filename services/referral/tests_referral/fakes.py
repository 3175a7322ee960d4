"""The referral use cases' storage port (``service.ports.Repository``) in memory, and a
use-case context around it with a recording unit of work. Each query is the adapter's,
written over lists: the same records in, the same records and order out."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from medaid_shared.calendar import WorkingCalendar
from medaid_shared.contracts.common import SupportType
from medaid_shared.crypto import FieldCipher
from medaid_shared.fakes import FakeUnitOfWork
from medaid_shared.pagination import PageRequest, sort_key
from medaid_shared.parameters import ParameterVersion
from medaid_shared.usecase import UseCaseContext
from referral.domain.records import (
    Admission,
    Facility,
    Filing,
    Followup,
    HealthPlan,
    IssuedDocument,
    Person,
    Referral,
    Scope,
    TimelineEntry,
    UrgentCondition,
    Violation,
    Visit,
)
from referral.service.context import Ctx
from referral.settings import ReferralSettings

R = TypeVar("R")


def _in(scope: Scope, record: Any) -> bool:
    return scope.field is None or getattr(record, scope.field) in scope.ids


def _page(
    records: Iterable[R], page: PageRequest, key: Callable[[R], tuple[Any, ...]], descending: bool = False
) -> list[R]:
    """The keyset page the adapter reads: after the cursor's key, at most one row more."""
    ordered = sorted(records, key=lambda r: sort_key(*key(r)), reverse=descending)
    if page.after is not None:
        after = tuple(page.after)
        ordered = [r for r in ordered if (sort_key(*key(r)) < after if descending else sort_key(*key(r)) > after)]
    return ordered[: page.limit + 1]


def _recorded(period: tuple[datetime, datetime] | None, at: datetime) -> bool:
    return period is None or period[0] <= at <= period[1]


class _Table(dict[str, R]):
    """Records by key; an update replaces the record with the changed fields."""

    def add(self, key: str, record: R) -> None:
        if key in self:
            raise KeyError(f"duplicate {key}")
        self[key] = record

    def change(self, key: str, changes: dict[str, object]) -> None:
        if key in self:
            self[key] = replace(self[key], **changes)  # type: ignore[type-var]


class InMemoryRepository:
    def __init__(self) -> None:
        self.versions: list[ParameterVersion] = []
        self.facility: _Table[Facility] = _Table()
        self.person: _Table[Person] = _Table()
        self.referral: _Table[Referral] = _Table()
        self.admission: _Table[Admission] = _Table()
        self.filing: _Table[Filing] = _Table()
        self.document: list[IssuedDocument] = []
        self.violation: list[Violation] = []
        self.health_plan: list[HealthPlan] = []
        self.followup: _Table[Followup] = _Table()
        self.visit: list[Visit] = []
        self.urgent_condition: dict[str, UrgentCondition] = {}
        self.timeline_entry: list[TimelineEntry] = []

    async def parameter_versions(self) -> list[ParameterVersion]:
        return list(self.versions)

    # ---- facilities
    async def get_facility(self, facility_id: str, *, for_update: bool = False) -> Facility | None:
        return self.facility.get(facility_id)

    async def add_facility(self, facility: Facility) -> None:
        self.facility.add(facility.facility_id, facility)

    async def update_facility(self, facility_id: str, **changes: object) -> None:
        self.facility.change(facility_id, changes)

    async def facilities(self, facility_ids: Collection[str]) -> list[Facility]:
        return [f for k, f in self.facility.items() if k in facility_ids]

    async def facility_page(
        self, page: PageRequest, *, level: str | None, region: str | None, designated: bool | None
    ) -> list[Facility]:
        found = [
            f
            for f in self.facility.values()
            if level in (None, f.level) and region in (None, f.region) and designated in (None, f.designated)
        ]
        return _page(found, page, lambda f: (f.facility_id,))

    # ---- persons
    async def get_person(self, person_id: str, *, for_update: bool = False) -> Person | None:
        return self.person.get(person_id)

    async def add_person(self, person: Person) -> None:
        if await self.person_by_id_index(person.id_index) is not None:
            raise KeyError("duplicate id_index")  # the table's unique index
        self.person.add(person.person_id, person)

    async def update_person(self, person_id: str, **changes: object) -> None:
        self.person.change(person_id, changes)

    async def person_by_id_index(self, id_index: str) -> Person | None:
        return next((p for p in self.person.values() if p.id_index == id_index), None)

    async def persons(self, person_ids: Collection[str]) -> list[Person]:
        return [p for k, p in self.person.items() if k in person_ids]

    async def person_page(self, scope: Scope, page: PageRequest, *, support_type: str | None) -> list[Person]:
        found = [p for p in self.person.values() if _in(scope, p) and support_type in (None, p.support_type)]
        return _page(found, page, lambda p: (p.person_id,))

    async def unassessed_persons(self, scope: Scope, page: PageRequest | None) -> list[Person]:
        found = [
            p
            for p in self.person.values()
            if _in(scope, p) and p.support_type == SupportType.DECENTRALIZED.value and p.disability_level is None
        ]
        key: Callable[[Person], tuple[Any, ...]] = lambda p: (p.town_id, p.person_id)  # noqa: E731
        return _page(found, page, key) if page is not None else sorted(found, key=lambda p: sort_key(*key(p)))

    async def known_to_facilities(self, person_id: str, facility_ids: Collection[str]) -> bool:
        return any(a.person_id == person_id and a.facility_id in facility_ids for a in self.admission.values()) or any(
            r.person_id == person_id and (r.from_facility_id in facility_ids or r.to_facility_id in facility_ids)
            for r in self.referral.values()
        )

    # ---- referrals
    async def get_referral(self, referral_id: str, *, for_update: bool = False) -> Referral | None:
        return self.referral.get(referral_id)

    async def add_referral(self, referral: Referral) -> None:
        self.referral.add(referral.referral_id, referral)

    async def update_referral(self, referral_id: str, **changes: object) -> None:
        self.referral.change(referral_id, changes)

    async def latest_referral(
        self, person_id: str, to_facility_id: str, first_visit_since: datetime
    ) -> Referral | None:
        found = [
            r
            for r in self.referral.values()
            if r.person_id == person_id and r.to_facility_id == to_facility_id and r.first_visit_at >= first_visit_since
        ]
        return max(found, key=lambda r: r.created_at, default=None)

    async def referral_page(
        self, page: PageRequest, *, person_id: str | None, approval_states: Collection[str] | None
    ) -> list[Referral]:
        found = [
            r
            for r in self.referral.values()
            if person_id in (None, r.person_id) and (approval_states is None or r.approval_state in approval_states)
        ]
        return _page(found, page, lambda r: (r.referral_id,), descending=True)

    # ---- admissions
    async def get_admission(self, admission_id: str, *, for_update: bool = False) -> Admission | None:
        return self.admission.get(admission_id)

    async def add_admission(self, admission: Admission) -> None:
        self.admission.add(admission.admission_id, admission)

    async def update_admission(self, admission_id: str, **changes: object) -> None:
        self.admission.change(admission_id, changes)

    async def open_admissions(
        self, person_id: str, *, facility_id: str | None = None, for_update: bool = False
    ) -> list[Admission]:
        return [
            a
            for a in self.admission.values()
            if a.person_id == person_id
            and facility_id in (None, a.facility_id)
            and a.discharged_at is None
            and a.disputed_at is None
        ]

    async def admissions_of_referral(self, referral_id: str, *, for_update: bool = False) -> list[Admission]:
        return [a for a in self.admission.values() if a.referral_id == referral_id]

    async def admission_page(
        self,
        scope: Scope,
        page: PageRequest,
        *,
        person_id: str | None,
        filing_state: str | None,
        open_only: bool | None,
    ) -> list[Admission]:
        found = [
            a
            for a in self.admission.values()
            if _in(scope, a)
            and person_id in (None, a.person_id)
            and filing_state in (None, a.filing_state)
            and (open_only is None or (a.discharged_at is None) == open_only)
        ]
        return _page(found, page, lambda a: (a.admitted_at, a.admission_id), descending=True)

    async def discharged_admissions(self, scope: Scope, *, support_type: str | None, limit: int) -> list[Admission]:
        found = [
            a
            for a in self.admission.values()
            if _in(scope, a)
            and a.discharged_at is not None
            and a.disputed_at is None
            and support_type in (None, a.support_type)
        ]
        return sorted(found, key=lambda a: sort_key(a.discharged_at))[:limit]

    # ---- filings
    async def get_filing(self, filing_id: str, *, for_update: bool = False) -> Filing | None:
        return self.filing.get(filing_id)

    async def add_filing(self, filing: Filing) -> None:
        self.filing.add(filing.filing_id, filing)

    async def update_filing(self, filing_id: str, **changes: object) -> None:
        self.filing.change(filing_id, changes)

    async def unmatched_filing(
        self, person_id: str, facility_id: str, submitted_since: datetime, *, for_update: bool = False
    ) -> Filing | None:
        found = [
            f
            for f in self.filing.values()
            if f.person_id == person_id
            and f.facility_id == facility_id
            and f.admission_id is None
            and f.submitted_at >= submitted_since
        ]
        return max(found, key=lambda f: f.submitted_at, default=None)

    async def filing_page(self, scope: Scope, page: PageRequest, *, awaiting_forward: bool) -> list[Filing]:
        found = [
            f
            for f in self.filing.values()
            if _in(scope, f)
            and (not awaiting_forward or (f.route == SupportType.DECENTRALIZED.value and f.forwarded_at is None))
        ]
        return _page(found, page, lambda f: (f.filing_id,), descending=True)

    # ---- discharge documents and violations
    async def add_document(self, document: IssuedDocument) -> None:
        if any((d.admission_id, d.kind) == (document.admission_id, document.kind) for d in self.document):
            raise KeyError("duplicate document")
        self.document.append(document)

    async def documents(self, admission_id: str) -> list[IssuedDocument]:
        return sorted((d for d in self.document if d.admission_id == admission_id), key=lambda d: d.issued_at)

    async def admissions_with_document(self, admission_ids: Collection[str], kind: str) -> set[str]:
        return {d.admission_id for d in self.document if d.admission_id in admission_ids and d.kind == kind}

    async def add_violation(self, violation: Violation) -> None:
        self.violation.append(violation)

    async def violation_recorded(self, admission_id: str, kind: str) -> bool:
        return any(v.admission_id == admission_id and v.kind == kind for v in self.violation)

    async def violation_page(
        self,
        scope: Scope,
        page: PageRequest,
        *,
        facility_id: str | None,
        kind: str | None,
        recorded: tuple[datetime, datetime] | None,
    ) -> list[Violation]:
        found = [
            v
            for v in self.violation
            if _in(scope, v)
            and facility_id in (None, v.facility_id)
            and kind in (None, v.kind)
            and _recorded(recorded, v.recorded_at)
        ]
        return _page(found, page, lambda v: (v.recorded_at, v.violation_id))

    async def violations(self, recorded: tuple[datetime, datetime] | None) -> list[Violation]:
        return [v for v in self.violation if _recorded(recorded, v.recorded_at)]

    # ---- after discharge
    async def add_health_plan(self, plan: HealthPlan) -> None:
        self.health_plan.append(plan)

    async def planned_admissions(self, admission_ids: Collection[str]) -> set[str]:
        return {p.admission_id for p in self.health_plan if p.admission_id in admission_ids}

    async def health_plan_page(self, person_id: str, page: PageRequest) -> list[HealthPlan]:
        found = [p for p in self.health_plan if p.person_id == person_id]
        return _page(found, page, lambda p: (p.made_at, p.plan_id))

    async def health_plans_due(self, scope: Scope, page: PageRequest, *, support_type: str | None) -> list[Admission]:
        planned = {p.admission_id for p in self.health_plan}
        found = [
            a
            for a in self.admission.values()
            if _in(scope, a)
            and a.discharged_at is not None
            and a.disputed_at is None
            and a.admission_id not in planned
            and support_type in (None, a.support_type)
        ]
        return _page(found, page, lambda a: (a.health_plan_due_at or a.discharged_at, a.admission_id))

    async def get_followup(self, person_id: str, *, for_update: bool = False) -> Followup | None:
        return self.followup.get(person_id)

    async def add_followup(self, followup: Followup) -> None:
        self.followup.add(followup.person_id, followup)

    async def update_followup(self, person_id: str, **changes: object) -> None:
        self.followup.change(person_id, changes)

    async def active_followups(
        self, scope: Scope, page: PageRequest | None, *, town_id: str | None, overdue: bool | None
    ) -> list[Followup]:
        found = [
            f
            for f in self.followup.values()
            if _in(scope, f) and f.active and town_id in (None, f.town_id) and overdue in (None, f.overdue)
        ]
        key: Callable[[Followup], tuple[Any, ...]] = lambda f: (f.town_id, f.due_at, f.person_id)  # noqa: E731
        return _page(found, page, key) if page is not None else sorted(found, key=lambda f: sort_key(*key(f)))

    async def add_visit(self, visit: Visit) -> None:
        self.visit.append(visit)

    # ---- reference data and the external-care file
    async def get_urgent_condition(self, code: str) -> UrgentCondition | None:
        return self.urgent_condition.get(code)

    async def put_urgent_condition(self, condition: UrgentCondition) -> None:
        self.urgent_condition[condition.code] = condition

    async def urgent_condition_page(self, page: PageRequest) -> list[UrgentCondition]:
        return _page(self.urgent_condition.values(), page, lambda c: (c.code,))

    async def add_timeline_entry(self, entry: TimelineEntry) -> None:
        self.timeline_entry.append(replace(entry, seq=len(self.timeline_entry) + 1))

    async def timeline(self, person_id: str) -> list[TimelineEntry]:
        found = [e for e in self.timeline_entry if e.person_id == person_id]
        return sorted(found, key=lambda e: (e.at, e.seq or 0))


def context(repo: InMemoryRepository | None = None, **settings: Any) -> tuple[Ctx, FakeUnitOfWork]:
    """A command's context on an in-memory repository, and the unit of work that records."""
    s = ReferralSettings(**settings)
    uow = FakeUnitOfWork("referral")
    ctx: Ctx = UseCaseContext(
        settings=s,
        repo=repo or InMemoryRepository(),
        calendar=WorkingCalendar(),
        cipher=FieldCipher(s.encryption_key.get_secret_value()),
        _uow=uow,  # type: ignore[arg-type]
    )
    return ctx, uow
