"""The storage port (``service.ports.Repository``) on PostgreSQL, with SQLAlchemy Core.

A record's fields are its table's columns, so a row maps to a record by name; the two
diagnoses are sealed on the way in and opened on the way out (SPEC 0.4)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import fields
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, Table, exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medaid_shared.contracts.common import SupportType
from medaid_shared.crypto import ColumnCipher, EncryptedField, FieldCipher
from medaid_shared.pagination import PageRequest, keyset
from medaid_shared.parameter_store import ParameterStore
from medaid_shared.parameters import ParameterVersion
from referral.adapters.tables import (
    admission,
    discharge_document,
    facility,
    filing,
    followup,
    health_plan,
    parameter_version,
    person,
    referral,
    timeline_entry,
    urgent_condition,
    violation,
    visit,
)
from referral.domain.parameters import CATALOGUE
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

# SPEC 0.4: diagnoses rest encrypted; no query filters on them, so no blind index.
ENCRYPTED = (
    EncryptedField("admission", "diagnosis_group", "diagnosis_group_enc", "admission_id"),
    EncryptedField("admission", "emergency_condition", "emergency_condition_enc", "admission_id"),
)

R = TypeVar("R")


def _scoped(table: Table, scope: Scope) -> list[ColumnElement[bool]]:
    return [] if scope.field is None else [table.c[scope.field].in_(list(scope.ids))]


def _recorded(table: Table, period: tuple[datetime, datetime] | None) -> list[ColumnElement[bool]]:
    if period is None:
        return []
    return [table.c.recorded_at >= period[0], table.c.recorded_at <= period[1]]


class SqlRepository:
    """One repository per unit of work (or read session)."""

    def __init__(self, session: AsyncSession, cipher: FieldCipher | None = None) -> None:
        self.session = session
        self._columns = ColumnCipher(cipher, ENCRYPTED)

    # ---- row ↔ record -------------------------------------------------------------------

    def _record(self, kind: type[R], table: Table, row: Any) -> R:
        opened = self._columns.open(table.name, dict(row))
        return kind(**{f.name: opened[f.name] for f in fields(kind)})  # type: ignore[arg-type]

    async def _all(self, kind: type[R], table: Table, query: Select[Any]) -> list[R]:
        rows = (await self.session.execute(query)).mappings().all()
        return [self._record(kind, table, r) for r in rows]

    async def _first(self, kind: type[R], table: Table, query: Select[Any]) -> R | None:
        found = await self._all(kind, table, query.limit(1))
        return found[0] if found else None

    async def _get(self, kind: type[R], table: Table, key: str, for_update: bool) -> R | None:
        (column,) = table.primary_key.columns
        query = select(table).where(column == key)
        return await self._first(kind, table, query.with_for_update() if for_update else query)

    async def _add(self, table: Table, record: Any) -> None:
        values = {f.name: getattr(record, f.name) for f in fields(record)}
        await self.session.execute(insert(table).values(**self._columns.seal(table.name, values)))

    async def _update(self, table: Table, key: str, changes: Mapping[str, object]) -> None:
        (column,) = table.primary_key.columns
        sealed = self._columns.seal(table.name, changes, key)
        await self.session.execute(update(table).where(column == key).values(**sealed))

    async def _exists(self, *conditions: ColumnElement[bool]) -> bool:
        return bool((await self.session.execute(select(exists().where(*conditions)))).scalar())

    async def parameter_versions(self) -> list[ParameterVersion]:
        return await ParameterStore(self.session, parameter_version, CATALOGUE).versions()

    # ---- facilities ---------------------------------------------------------------------

    async def get_facility(self, facility_id: str, *, for_update: bool = False) -> Facility | None:
        return await self._get(Facility, facility, facility_id, for_update)

    async def add_facility(self, record: Facility) -> None:
        await self._add(facility, record)

    async def update_facility(self, facility_id: str, **changes: object) -> None:
        await self._update(facility, facility_id, changes)

    async def facilities(self, facility_ids: Collection[str]) -> list[Facility]:
        return await self._all(Facility, facility, select(facility).where(facility.c.facility_id.in_(facility_ids)))

    async def facility_page(
        self, page: PageRequest, *, level: str | None, region: str | None, designated: bool | None
    ) -> list[Facility]:
        c = facility.c
        query = select(facility)
        if level is not None:
            query = query.where(c.level == level)
        if region is not None:
            query = query.where(c.region == region)
        if designated is not None:
            query = query.where(c.designated == designated)
        return await self._all(Facility, facility, keyset(query, page, c.facility_id))

    # ---- persons ------------------------------------------------------------------------

    async def get_person(self, person_id: str, *, for_update: bool = False) -> Person | None:
        return await self._get(Person, person, person_id, for_update)

    async def add_person(self, record: Person) -> None:
        await self._add(person, record)

    async def update_person(self, person_id: str, **changes: object) -> None:
        await self._update(person, person_id, changes)

    async def person_by_id_index(self, id_index: str) -> Person | None:
        return await self._first(Person, person, select(person).where(person.c.id_index == id_index))

    async def persons(self, person_ids: Collection[str]) -> list[Person]:
        return await self._all(Person, person, select(person).where(person.c.person_id.in_(person_ids)))

    async def person_page(self, scope: Scope, page: PageRequest, *, support_type: str | None) -> list[Person]:
        query = select(person).where(*_scoped(person, scope))
        if support_type is not None:
            query = query.where(person.c.support_type == support_type)
        return await self._all(Person, person, keyset(query, page, person.c.person_id))

    async def unassessed_persons(self, scope: Scope, page: PageRequest | None) -> list[Person]:
        c = person.c
        query = select(person).where(
            *_scoped(person, scope), c.support_type == SupportType.DECENTRALIZED.value, c.disability_level.is_(None)
        )
        if page is None:
            return await self._all(Person, person, query.order_by(c.town_id, c.person_id))
        return await self._all(Person, person, keyset(query, page, c.town_id, c.person_id))

    async def known_to_facilities(self, person_id: str, facility_ids: Collection[str]) -> bool:
        ids = list(facility_ids)
        a, r = admission.c, referral.c
        return (
            await self._exists(a.person_id == person_id, a.facility_id.in_(ids))
            or await self._exists(r.person_id == person_id, r.from_facility_id.in_(ids))
            or await self._exists(r.person_id == person_id, r.to_facility_id.in_(ids))
        )

    # ---- referrals ----------------------------------------------------------------------

    async def get_referral(self, referral_id: str, *, for_update: bool = False) -> Referral | None:
        return await self._get(Referral, referral, referral_id, for_update)

    async def add_referral(self, record: Referral) -> None:
        await self._add(referral, record)

    async def update_referral(self, referral_id: str, **changes: object) -> None:
        await self._update(referral, referral_id, changes)

    async def latest_referral(
        self, person_id: str, to_facility_id: str, first_visit_since: datetime
    ) -> Referral | None:
        c = referral.c
        query = (
            select(referral)
            .where(c.person_id == person_id, c.to_facility_id == to_facility_id, c.first_visit_at >= first_visit_since)
            .order_by(c.created_at.desc())
        )
        return await self._first(Referral, referral, query)

    async def referral_page(
        self, page: PageRequest, *, person_id: str | None, approval_states: Collection[str] | None
    ) -> list[Referral]:
        c = referral.c
        query = select(referral)
        if person_id is not None:
            query = query.where(c.person_id == person_id)
        if approval_states is not None:
            query = query.where(c.approval_state.in_(list(approval_states)))
        return await self._all(Referral, referral, keyset(query, page, c.referral_id, descending=True))

    # ---- admissions ---------------------------------------------------------------------

    async def get_admission(self, admission_id: str, *, for_update: bool = False) -> Admission | None:
        return await self._get(Admission, admission, admission_id, for_update)

    async def add_admission(self, record: Admission) -> None:
        await self._add(admission, record)

    async def update_admission(self, admission_id: str, **changes: object) -> None:
        await self._update(admission, admission_id, changes)

    async def open_admissions(
        self, person_id: str, *, facility_id: str | None = None, for_update: bool = False
    ) -> list[Admission]:
        c = admission.c
        query = select(admission).where(c.person_id == person_id, c.discharged_at.is_(None), c.disputed_at.is_(None))
        if facility_id is not None:
            query = query.where(c.facility_id == facility_id)
        return await self._all(Admission, admission, query.with_for_update() if for_update else query)

    async def admissions_of_referral(self, referral_id: str, *, for_update: bool = False) -> list[Admission]:
        query = select(admission).where(admission.c.referral_id == referral_id)
        return await self._all(Admission, admission, query.with_for_update() if for_update else query)

    async def admission_page(
        self,
        scope: Scope,
        page: PageRequest,
        *,
        person_id: str | None,
        filing_state: str | None,
        open_only: bool | None,
    ) -> list[Admission]:
        c = admission.c
        query = select(admission).where(*_scoped(admission, scope))
        if person_id is not None:
            query = query.where(c.person_id == person_id)
        if filing_state is not None:
            query = query.where(c.filing_state == filing_state)
        if open_only is not None:
            query = query.where(c.discharged_at.is_(None) if open_only else c.discharged_at.is_not(None))
        return await self._all(
            Admission, admission, keyset(query, page, c.admitted_at, c.admission_id, descending=True)
        )

    async def discharged_admissions(self, scope: Scope, *, support_type: str | None, limit: int) -> list[Admission]:
        c = admission.c
        query = select(admission).where(
            *_scoped(admission, scope), c.discharged_at.is_not(None), c.disputed_at.is_(None)
        )
        if support_type is not None:
            query = query.where(c.support_type == support_type)
        return await self._all(Admission, admission, query.order_by(c.discharged_at).limit(limit))

    # ---- filings ------------------------------------------------------------------------

    async def get_filing(self, filing_id: str, *, for_update: bool = False) -> Filing | None:
        return await self._get(Filing, filing, filing_id, for_update)

    async def add_filing(self, record: Filing) -> None:
        await self._add(filing, record)

    async def update_filing(self, filing_id: str, **changes: object) -> None:
        await self._update(filing, filing_id, changes)

    async def unmatched_filing(
        self, person_id: str, facility_id: str, submitted_since: datetime, *, for_update: bool = False
    ) -> Filing | None:
        c = filing.c
        query = (
            select(filing)
            .where(
                c.person_id == person_id,
                c.facility_id == facility_id,
                c.admission_id.is_(None),
                c.submitted_at >= submitted_since,
            )
            .order_by(c.submitted_at.desc())
        )
        return await self._first(Filing, filing, query.with_for_update() if for_update else query)

    async def filing_page(self, scope: Scope, page: PageRequest, *, awaiting_forward: bool) -> list[Filing]:
        c = filing.c
        query = select(filing).where(*_scoped(filing, scope))
        if awaiting_forward:
            query = query.where(c.route == SupportType.DECENTRALIZED.value, c.forwarded_at.is_(None))
        return await self._all(Filing, filing, keyset(query, page, c.filing_id, descending=True))

    # ---- discharge documents and violations ---------------------------------------------

    async def add_document(self, document: IssuedDocument) -> None:
        await self._add(discharge_document, document)

    async def documents(self, admission_id: str) -> list[IssuedDocument]:
        c = discharge_document.c
        query = select(discharge_document).where(c.admission_id == admission_id).order_by(c.issued_at)
        return await self._all(IssuedDocument, discharge_document, query)

    async def admissions_with_document(self, admission_ids: Collection[str], kind: str) -> set[str]:
        c = discharge_document.c
        query = select(c.admission_id).where(c.admission_id.in_(list(admission_ids)), c.kind == kind)
        return {str(r) for r in (await self.session.execute(query)).scalars()}

    async def add_violation(self, record: Violation) -> None:
        await self._add(violation, record)

    async def violation_recorded(self, admission_id: str, kind: str) -> bool:
        return await self._exists(violation.c.admission_id == admission_id, violation.c.kind == kind)

    async def violation_page(
        self,
        scope: Scope,
        page: PageRequest,
        *,
        facility_id: str | None,
        kind: str | None,
        recorded: tuple[datetime, datetime] | None,
    ) -> list[Violation]:
        c = violation.c
        query = select(violation).where(*_scoped(violation, scope), *_recorded(violation, recorded))
        if facility_id is not None:
            query = query.where(c.facility_id == facility_id)
        if kind is not None:
            query = query.where(c.kind == kind)
        return await self._all(Violation, violation, keyset(query, page, c.recorded_at, c.violation_id))

    async def violations(self, recorded: tuple[datetime, datetime] | None) -> list[Violation]:
        return await self._all(Violation, violation, select(violation).where(*_recorded(violation, recorded)))

    # ---- after discharge ----------------------------------------------------------------

    async def add_health_plan(self, plan: HealthPlan) -> None:
        await self._add(health_plan, plan)

    async def planned_admissions(self, admission_ids: Collection[str]) -> set[str]:
        c = health_plan.c
        query = select(c.admission_id).where(c.admission_id.in_(list(admission_ids)))
        return {str(r) for r in (await self.session.execute(query)).scalars()}

    async def health_plan_page(self, person_id: str, page: PageRequest) -> list[HealthPlan]:
        c = health_plan.c
        query = select(health_plan).where(c.person_id == person_id)
        return await self._all(HealthPlan, health_plan, keyset(query, page, c.made_at, c.plan_id))

    async def health_plans_due(self, scope: Scope, page: PageRequest, *, support_type: str | None) -> list[Admission]:
        c = admission.c
        planned = exists().where(health_plan.c.admission_id == c.admission_id)
        query = select(admission).where(
            *_scoped(admission, scope), c.discharged_at.is_not(None), c.disputed_at.is_(None), ~planned
        )
        if support_type is not None:
            query = query.where(c.support_type == support_type)
        due = func.coalesce(c.health_plan_due_at, c.discharged_at)
        return await self._all(Admission, admission, keyset(query, page, due, c.admission_id))

    async def get_followup(self, person_id: str, *, for_update: bool = False) -> Followup | None:
        return await self._get(Followup, followup, person_id, for_update)

    async def add_followup(self, record: Followup) -> None:
        await self._add(followup, record)

    async def update_followup(self, person_id: str, **changes: object) -> None:
        await self._update(followup, person_id, changes)

    async def active_followups(
        self, scope: Scope, page: PageRequest | None, *, town_id: str | None, overdue: bool | None
    ) -> list[Followup]:
        c = followup.c
        query = select(followup).where(*_scoped(followup, scope), c.active.is_(True))
        if town_id is not None:
            query = query.where(c.town_id == town_id)
        if overdue is not None:
            query = query.where(c.overdue == overdue)
        key = (c.town_id, c.due_at, c.person_id)
        if page is None:
            return await self._all(Followup, followup, query.order_by(*key))
        return await self._all(Followup, followup, keyset(query, page, *key))

    async def add_visit(self, record: Visit) -> None:
        await self._add(visit, record)

    # ---- reference data and the external-care file --------------------------------------

    async def get_urgent_condition(self, code: str) -> UrgentCondition | None:
        return await self._get(UrgentCondition, urgent_condition, code, False)

    async def put_urgent_condition(self, condition: UrgentCondition) -> None:
        values = {f.name: getattr(condition, f.name) for f in fields(condition)}
        ins = pg_insert(urgent_condition).values(**values)
        await self.session.execute(
            ins.on_conflict_do_update(
                index_elements=[urgent_condition.c.code], set_={k: ins.excluded[k] for k in values if k != "code"}
            )
        )

    async def urgent_condition_page(self, page: PageRequest) -> list[UrgentCondition]:
        query = keyset(select(urgent_condition), page, urgent_condition.c.code)
        return await self._all(UrgentCondition, urgent_condition, query)

    async def add_timeline_entry(self, entry: TimelineEntry) -> None:
        values = {f.name: getattr(entry, f.name) for f in fields(entry) if f.name != "seq"}
        await self.session.execute(insert(timeline_entry).values(**values))

    async def timeline(self, person_id: str) -> list[TimelineEntry]:
        c = timeline_entry.c
        query = select(timeline_entry).where(c.person_id == person_id).order_by(c.at, c.seq)
        return await self._all(TimelineEntry, timeline_entry, query)
