"""The storage port (``service.ports.Repository``) on PostgreSQL, with SQLAlchemy Core: rows map
to records by name (``domain.records``); the read model is assembled into ``domain.model``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, Table, exists, false, func, insert, or_, select, text, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from consent.adapters import tables as t
from consent.domain.access import ListScope, Reach
from consent.domain.model import (
    Admission,
    Capacity,
    Expert,
    Facility,
    Guardian,
    GuardianAbsence,
    Person,
    Trusteeship,
    WrittenAgent,
)
from consent.domain.parameters import CATALOGUE
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
from medaid_shared import statements
from medaid_shared.pagination import PageRequest, keyset
from medaid_shared.parameter_store import ParameterStore
from medaid_shared.parameters import ParameterVersion

R = TypeVar("R")


def _record(kind: type[R], row: Any) -> R:
    """A row as its record: a record's fields are its table's columns."""
    return kind(**{f.name: row[f.name] for f in fields(kind)})  # type: ignore[arg-type]


def _values(record: Any) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in fields(record)}


def _dt(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _d(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _scope_condition(record: Table, scope: ListScope) -> ColumnElement[bool]:
    """SPEC 0.3 in SQL: the records of ``record`` (with ``facility_id`` and ``person_id``
    columns) that ``scope`` lets the caller see, as a condition of the list's own query."""
    p = t.person
    ids = sorted(scope.ids)
    if scope.reach is Reach.EVERYONE:
        return true()
    if scope.reach is Reach.FACILITY:
        return record.c.facility_id.in_(ids)
    by_person: dict[Reach, Any] = {
        Reach.INSTITUTION: p.c.institution_id,
        Reach.VILLAGE: p.c.village_id,
        Reach.TOWN: p.c.town_id,
        Reach.PERSON: p.c.person_id,
        Reach.GUARDIAN: p.c.guardian["guardian_id"].astext,
    }
    if scope.reach in by_person:
        condition: ColumnElement[bool] = by_person[scope.reach].in_(ids)
    elif scope.reach is Reach.AGENT and ids:
        condition = or_(*(p.c.agents.contains([{"agent_id": i}]) for i in ids))
    else:
        return false()
    return exists().where(p.c.person_id == record.c.person_id, condition)


def person_from_row(row: Any, absence: GuardianAbsence | None) -> Person:
    """The read model's person row (JSON documents as referral's events carry them) as the
    domain's person, with the latest verified absence of a guardian."""
    cap = row["capacity"]
    g = row["guardian"]
    tr = row["trusteeship"]
    return Person(
        person_id=row["person_id"],
        name_masked=row["name_masked"],
        name_sealed=row["name_sealed"],
        support_type=row["support_type"],
        institution_id=row["institution_id"],
        village_id=row["village_id"],
        town_id=row["town_id"],
        capacity=Capacity(bool(cap["full_capacity_and_lucid"]), _dt(cap["assessed_at"]), str(cap["assessed_by"]))
        if cap
        else None,
        guardian=Guardian(
            guardian_id=g.get("guardian_id"),
            name_masked=g.get("name_masked"),
            relation=g.get("relation"),
            verified_none=bool(g.get("verified_none")),
            evidence_ref=g.get("evidence_ref"),
            name_sealed=g.get("name_sealed"),
        )
        if g
        else None,
        agents=tuple(
            WrittenAgent(
                agent_id=a["agent_id"],
                name_masked=a["name_masked"],
                delegated_by=a["delegated_by"],
                document_ref=a["document_ref"],
                valid_from=_d(a["valid_from"]),
                valid_until=_d(a["valid_until"]),
                name_sealed=a.get("name_sealed"),
            )
            for a in row["agents"] or []
        ),
        trusteeship=Trusteeship(
            agreement_hospital_id=tr["agreement_hospital_id"],
            disease_category=tr["disease_category"],
            valid_from=_d(tr["valid_from"]),
            valid_until=_d(tr["valid_until"]),
        )
        if tr
        else None,
        absence=absence,
    )


def admission_from_row(row: Any) -> Admission:
    return Admission(
        admission_id=row["admission_id"],
        person_id=row["person_id"],
        facility_id=row["facility_id"],
        admitted_at=row["admitted_at"],
        emergency=row["emergency"],
        support_type=row["support_type"],
        institution_id=row["institution_id"],
        village_id=row["village_id"],
        town_id=row["town_id"],
        hospital_admission_no=row["hospital_admission_no"],
        psn_no=row["psn_no"],
        mdtrt_id=row["mdtrt_id"],
        setl_id=row["setl_id"],
        emergency_withdrawn_at=row["emergency_withdrawn_at"],
    )


def facility_from_row(row: Any) -> Facility:
    return Facility(row["facility_id"], row["name"], row["level"], row["designated"], row["region"])


class SqlRepository:
    """One repository per unit of work (or read session)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _all(self, kind: type[R], query: Select[Any]) -> list[R]:
        return [_record(kind, r) for r in (await self.session.execute(query)).mappings().all()]

    async def _first(self, kind: type[R], query: Select[Any]) -> R | None:
        found = await self._all(kind, query.limit(1))
        return found[0] if found else None

    async def _get(self, kind: type[R], column: Any, key: str, lock: bool = False) -> R | None:
        query = select(column.table).where(column == key)
        return await self._first(kind, query.with_for_update() if lock else query)

    async def _add(self, table: Table, record: Any) -> None:
        await self.session.execute(insert(table).values(**_values(record)))

    async def _update(self, column: Any, key: str, changes: Mapping[str, object]) -> None:
        await self.session.execute(update(column.table).where(column == key).values(**changes))

    # -- read model ---------------------------------------------------------------------
    async def upsert_person(self, person: PersonState) -> bool:
        """Insert or replace the person's state; an event older than the stored one is ignored."""
        values = _values(person)
        stmt = statements.upsert(t.person, "person_id", values, newer_by="source_time", returning="person_id")
        return (await self.session.execute(stmt, values)).first() is not None

    async def upsert_admission(self, admission: AdmissionState) -> None:
        """The record's columns only: the emergency's withdrawal beside them is kept."""
        await self._upsert(t.admission, "admission_id", admission)

    async def upsert_catalogue_item(self, entry: CatalogueEntry) -> None:
        await self._upsert(t.catalogue_item, "version_id", entry)

    async def upsert_unit(self, unit: FilingUnit) -> None:
        await self._upsert(t.unit, "unit_id", unit)

    async def upsert_facility(self, facility: FacilityState) -> None:
        await self._upsert(t.facility, "facility_id", facility)

    async def _upsert(self, table: Table, key: str, record: Any) -> None:
        """Insert the record's row, or replace the columns it has on the row of its key."""
        values = _values(record)
        await self.session.execute(statements.upsert(table, key, values), values)

    async def person(self, person_id: str, *, lock: bool = False) -> Person | None:
        q = select(t.person).where(t.person.c.person_id == person_id)
        if lock:
            q = q.with_for_update()
        row = (await self.session.execute(q)).mappings().first()
        if row is None:
            return None
        a = t.guardian_absence
        latest = select(a).where(a.c.person_id == person_id).order_by(a.c.verified_at.desc())
        return person_from_row(row, await self._first(GuardianAbsence, latest))

    async def admission(self, admission_id: str) -> Admission | None:
        query = select(t.admission).where(t.admission.c.admission_id == admission_id)
        row = (await self.session.execute(query)).mappings().first()
        return admission_from_row(row) if row is not None else None

    async def facility(self, facility_id: str) -> Facility | None:
        query = select(t.facility).where(t.facility.c.facility_id == facility_id)
        row = (await self.session.execute(query)).mappings().first()
        return facility_from_row(row) if row is not None else None

    async def person_facilities(self, person_id: str) -> set[str]:
        rows = await self.session.execute(
            select(t.admission.c.facility_id).where(t.admission.c.person_id == person_id).distinct()
        )
        return {str(r) for r in rows.scalars()}

    # -- LJ-11.2 expert pool ----------------------------------------------------------
    async def expert_pool(self) -> list[Expert]:
        return await self._experts(self._expert_query().order_by(t.expert.c.expert_id))

    async def expert_page(self, page: PageRequest) -> list[Expert]:
        """One page of the pool by expert id, with each one's assignment load."""
        return await self._experts(keyset(self._expert_query(), page, t.expert.c.expert_id))

    @staticmethod
    def _expert_query() -> Select[Any]:
        a = t.expert_assignment
        load = (
            select(a.c.expert_id, func.count().label("n"), func.max(a.c.assigned_at).label("last"))
            .group_by(a.c.expert_id)
            .subquery()
        )
        return select(t.expert, load.c.n, load.c.last).select_from(
            t.expert.outerjoin(load, load.c.expert_id == t.expert.c.expert_id)
        )

    async def _experts(self, query: Select[Any]) -> list[Expert]:
        rows = await self.session.execute(query)
        return [
            Expert(
                expert_id=r["expert_id"],
                name=r["name"],
                hospital_id=r["hospital_id"],
                specialty=r["specialty"],
                active=r["active"],
                assignments=int(r["n"] or 0),
                last_assigned_at=r["last"],
            )
            for r in rows.mappings().all()
        ]

    async def lock_rotation(self) -> None:
        """Serialise expert assignments so two at once never pick the same "next" expert."""
        await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext('consent.expert_rotation'))"))

    # -- versioned parameters (the kernel's) --------------------------------------------
    async def parameter_versions(self) -> list[ParameterVersion]:
        return await ParameterStore(self.session, t.parameter_version, CATALOGUE).versions()

    # -- LJ-7.3 cumulative self-pay -----------------------------------------------------
    async def cumulative_for_admission(self, admission_id: str, *, reviewed_only: bool) -> Decimal:
        i = t.self_pay_item
        return await self._sum(i.c.admission_id == admission_id, reviewed_only=reviewed_only)

    async def cumulative_for_year(self, person_id: str, year: int, *, reviewed_only: bool) -> Decimal:
        i = t.self_pay_item
        return await self._sum(i.c.person_id == person_id, i.c.local_year == year, reviewed_only=reviewed_only)

    async def same_item_since(self, admission_id: str, item_code: str, since: datetime) -> Decimal:
        i = t.self_pay_item
        return await self._sum(
            i.c.admission_id == admission_id, i.c.item_code == item_code, i.c.proposed_at >= since, reviewed_only=False
        )

    async def _sum(self, *where: Any, reviewed_only: bool) -> Decimal:
        """The amount of the items not rejected (only those reviewed, when ``reviewed_only``)."""
        i = t.self_pay_item
        q = select(func.coalesce(func.sum(i.c.amount), 0)).where(*where, i.c.status != "rejected")
        if reviewed_only:
            q = q.where(i.c.needs_review.is_(True))
        return Decimal((await self.session.execute(q)).scalar_one())

    # -- the read model's own writes and reads ------------------------------------------
    async def unit_name(self, unit_id: str) -> str | None:
        value = (await self.session.execute(select(t.unit.c.name).where(t.unit.c.unit_id == unit_id))).scalar()
        return str(value) if value is not None else None

    async def withdraw_emergency(self, admission_id: str, at: datetime, reason: str) -> None:
        await self._update(
            t.admission.c.admission_id,
            admission_id,
            {"emergency_withdrawn_at": at, "emergency_withdrawn_reason": reason},
        )

    async def catalogue_entries(self, code: str) -> list[CatalogueEntry]:
        c = t.catalogue_item.c
        return await self._all(CatalogueEntry, select(t.catalogue_item).where(c.code == code).order_by(c.version_id))

    async def add_guardian_absence(self, absence: GuardianAbsence, evidence_note: bytes | None) -> None:
        values = {**_values(absence), "evidence_note": evidence_note}
        await self.session.execute(insert(t.guardian_absence).values(**values))

    # -- treatments and signatures ---------------------------------------------------------
    async def get_treatment(self, treatment_id: str, *, lock: bool = False) -> Treatment | None:
        return await self._get(Treatment, t.treatment.c.treatment_id, treatment_id, lock)

    async def add_treatment(self, treatment: Treatment) -> None:
        await self._add(t.treatment, treatment)

    async def update_treatment(self, treatment_id: str, **changes: object) -> None:
        await self._update(t.treatment.c.treatment_id, treatment_id, changes)

    async def treatments(
        self, admission_id: str, *, kind: str | None = None, status: str | None = None
    ) -> list[Treatment]:
        c = t.treatment.c
        query = select(t.treatment).where(c.admission_id == admission_id)
        if kind is not None:
            query = query.where(c.kind == kind)
        if status is not None:
            query = query.where(c.status == status)
        return await self._all(Treatment, query.order_by(c.recorded_at, c.treatment_id))

    async def refused_treatment(self, admission_id: str, procedure_code: str) -> Treatment | None:
        c = t.treatment.c
        query = select(t.treatment).where(
            c.admission_id == admission_id,
            c.procedure_code == procedure_code,
            c.status == TreatmentStatus.NOT_TO_PROCEED.value,
        )
        return await self._first(Treatment, query.order_by(c.treatment_id))

    async def treatments_for_item(self, item_id: str) -> list[Treatment]:
        c = t.treatment.c
        return await self._all(Treatment, select(t.treatment).where(c.item_id == item_id).order_by(c.treatment_id))

    async def add_consent(self, consent: Consent) -> None:
        await self._add(t.consent, consent)

    async def get_consent(self, consent_id: str) -> Consent | None:
        return await self._get(Consent, t.consent.c.consent_id, consent_id)

    async def consents_for(self, *, treatment_id: str | None = None, item_id: str | None = None) -> list[Consent]:
        c = t.consent.c
        subject = c.treatment_id == treatment_id if treatment_id is not None else c.item_id == item_id
        return await self._all(Consent, select(t.consent).where(subject).order_by(c.consent_id))

    async def consents(self, admission_id: str) -> list[Consent]:
        c = t.consent.c
        query = select(t.consent).where(c.admission_id == admission_id).order_by(c.signed_at, c.consent_id)
        return await self._all(Consent, query)

    # -- LJ-10 rank 4 and civil affairs -----------------------------------------------------
    async def add_filing(self, filing: CivilAffairsFiling) -> None:
        await self._add(t.rank4_filing, filing)

    async def get_filing(self, consent_id: str, *, lock: bool = False) -> CivilAffairsFiling | None:
        return await self._get(CivilAffairsFiling, t.rank4_filing.c.consent_id, consent_id, lock)

    async def update_filing(self, consent_id: str, **changes: object) -> None:
        await self._update(t.rank4_filing.c.consent_id, consent_id, changes)

    async def filing_page(
        self, page: PageRequest, *, acknowledged: bool, overdue_only: bool
    ) -> list[CivilAffairsFiling]:
        f = t.rank4_filing
        query = select(f).where(f.c.acknowledged_at.is_not(None) if acknowledged else f.c.acknowledged_at.is_(None))
        if overdue_only:
            query = query.where(f.c.overdue_at.is_not(None))
        return await self._all(CivilAffairsFiling, keyset(query, page, f.c.filed_at, f.c.consent_id))

    async def add_confirmation(self, confirmation: PublicInterestConfirmation) -> None:
        await self._add(t.public_interest_confirmation, confirmation)

    async def confirmation(self, subject_id: str) -> PublicInterestConfirmation | None:
        c = t.public_interest_confirmation.c
        query = select(t.public_interest_confirmation).where(c.subject_id == subject_id)
        return await self._first(PublicInterestConfirmation, query)

    # -- LJ-11.2 assignments and evaluation records ----------------------------------------
    async def get_expert(self, expert_id: str, *, lock: bool = False) -> ExpertRecord | None:
        return await self._get(ExpertRecord, t.expert.c.expert_id, expert_id, lock)

    async def add_expert(self, expert: ExpertRecord) -> None:
        await self._add(t.expert, expert)

    async def update_expert(self, expert_id: str, **changes: object) -> None:
        await self._update(t.expert.c.expert_id, expert_id, changes)

    async def get_assignment(self, treatment_id: str) -> ExpertAssignment | None:
        return await self._get(ExpertAssignment, t.expert_assignment.c.treatment_id, treatment_id)

    async def add_assignment(self, assignment: ExpertAssignment) -> None:
        await self._add(t.expert_assignment, assignment)

    async def get_evaluation(self, treatment_id: str, *, lock: bool = False) -> Evaluation | None:
        return await self._get(Evaluation, t.evaluation.c.treatment_id, treatment_id, lock)

    async def add_evaluation(self, evaluation: Evaluation) -> None:
        await self._add(t.evaluation, evaluation)

    async def update_evaluation(self, treatment_id: str, **changes: object) -> None:
        await self._update(t.evaluation.c.treatment_id, treatment_id, changes)

    # -- LJ-7 self-pay items and their reviews ----------------------------------------------
    async def get_item(self, item_id: str, *, lock: bool = False) -> SelfPayItem | None:
        return await self._get(SelfPayItem, t.self_pay_item.c.item_id, item_id, lock)

    async def add_item(self, item: SelfPayItem) -> None:
        await self._add(t.self_pay_item, item)

    async def update_item(self, item_id: str, **changes: object) -> None:
        await self._update(t.self_pay_item.c.item_id, item_id, changes)

    async def items(self, admission_id: str, *, status: str | None = None) -> list[SelfPayItem]:
        i = t.self_pay_item.c
        query = select(t.self_pay_item).where(i.admission_id == admission_id)
        if status is not None:
            query = query.where(i.status == status)
        return await self._all(SelfPayItem, query.order_by(i.proposed_at, i.item_id))

    async def item_page(self, page: PageRequest, scope: ListScope, *, status: str | None) -> list[SelfPayItem]:
        """At most ``page.limit + 1`` items, the caller's scope a condition of the query."""
        i = t.self_pay_item
        query = select(i).where(_scope_condition(i, scope))
        if status is not None:
            query = query.where(i.c.status == status)
        return await self._all(SelfPayItem, keyset(query, page, i.c.proposed_at, i.c.item_id))

    async def item_step_page(self, page: PageRequest, scope: ListScope, *, status: str) -> list[SelfPayItem]:
        """At most ``page.limit + 1`` items (an item whose step began before steps had a due
        instant sorts by its proposal)."""
        i = t.self_pay_item
        due = func.coalesce(i.c.step_due_at, i.c.proposed_at)
        query = select(i).where(i.c.status == status, _scope_condition(i, scope))
        return await self._all(SelfPayItem, keyset(query, page, due, i.c.item_id))

    async def add_review(self, review: ItemReview) -> None:
        values = {k: v for k, v in _values(review).items() if k != "seq"}  # the recording order
        await self.session.execute(insert(t.self_pay_review).values(**values))

    async def reviews(
        self, item_id: str, *, stage: str | None = None, participant: str | None = None
    ) -> list[ItemReview]:
        r = t.self_pay_review.c
        query = select(t.self_pay_review).where(r.item_id == item_id)
        if stage is not None:
            query = query.where(r.stage == stage)
        if participant is not None:
            query = query.where(r.participant == participant)
        return await self._all(ItemReview, query.order_by(r.seq))
