"""SQLAlchemy implementation of the service layer's :class:`~consent.service.ports.Store`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, exists, false, func, or_, select, text, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

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
from medaid_shared.db import UnitOfWork
from medaid_shared.pagination import PageRequest, keyset
from medaid_shared.parameter_store import ParameterStore
from medaid_shared.parameters import ParameterVersion

TABLES: dict[str, tuple[Table, str]] = {
    "guardian_absence": (t.guardian_absence, "absence_id"),
    "treatment": (t.treatment, "treatment_id"),
    "consent": (t.consent, "consent_id"),
    "expert": (t.expert, "expert_id"),
    "expert_assignment": (t.expert_assignment, "treatment_id"),
    "evaluation": (t.evaluation, "treatment_id"),
    "self_pay_item": (t.self_pay_item, "item_id"),
    "self_pay_review": (t.self_pay_review, "review_id"),
    "catalogue_item": (t.catalogue_item, "version_id"),
    "unit": (t.unit, "unit_id"),
    "public_interest_confirmation": (t.public_interest_confirmation, "confirmation_id"),
    "rank4_filing": (t.rank4_filing, "consent_id"),
    "admission": (t.admission, "admission_id"),
}


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


class SqlStore:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.session = uow.session

    # -- generic rows -----------------------------------------------------------------
    async def insert(self, table: str, values: Mapping[str, Any]) -> None:
        tbl, _ = TABLES[table]
        await self.session.execute(tbl.insert().values(**values))

    async def get(self, table: str, key: str, *, lock: bool = False) -> Mapping[str, Any] | None:
        tbl, pk = TABLES[table]
        q = select(tbl).where(tbl.c[pk] == key)
        if lock:
            q = q.with_for_update()
        row = (await self.session.execute(q)).mappings().first()
        return dict(row) if row is not None else None

    async def update(self, table: str, key: str, values: Mapping[str, Any]) -> None:
        tbl, pk = TABLES[table]
        await self.session.execute(update(tbl).where(tbl.c[pk] == key).values(**values))

    async def find(self, table: str, order_by: str | None = None, **equals: Any) -> list[Mapping[str, Any]]:
        tbl, pk = TABLES[table]
        q = select(tbl)
        for col, value in equals.items():
            q = q.where(tbl.c[col] == value)
        q = q.order_by(tbl.c[order_by or pk], tbl.c[pk])
        return [dict(r) for r in (await self.session.execute(q)).mappings().all()]

    # -- read model ---------------------------------------------------------------------
    async def upsert_person(self, values: Mapping[str, Any]) -> bool:
        """Insert or replace the person's state; an event older than the stored one is ignored."""
        ins = pg_insert(t.person).values(**values)
        cols = {k: ins.excluded[k] for k in values if k != "person_id"}
        stmt = ins.on_conflict_do_update(
            index_elements=["person_id"],
            set_=cols,
            where=(t.person.c.source_time.is_(None))
            | (ins.excluded.source_time.is_(None))
            | (t.person.c.source_time <= ins.excluded.source_time),
        ).returning(t.person.c.person_id)
        return (await self.session.execute(stmt)).first() is not None

    async def upsert_admission(self, values: Mapping[str, Any]) -> None:
        stmt = pg_insert(t.admission).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["admission_id"], set_={k: stmt.excluded[k] for k in values if k != "admission_id"}
        )
        await self.session.execute(stmt)

    async def upsert_catalogue_item(self, values: Mapping[str, Any]) -> None:
        stmt = pg_insert(t.catalogue_item).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["version_id"], set_={k: stmt.excluded[k] for k in values if k != "version_id"}
        )
        await self.session.execute(stmt)

    async def upsert_unit(self, values: Mapping[str, Any]) -> None:
        stmt = pg_insert(t.unit).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["unit_id"], set_={k: stmt.excluded[k] for k in values if k != "unit_id"}
        )
        await self.session.execute(stmt)

    async def upsert_facility(self, values: Mapping[str, Any]) -> None:
        stmt = pg_insert(t.facility).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["facility_id"], set_={k: stmt.excluded[k] for k in values if k != "facility_id"}
        )
        await self.session.execute(stmt)

    async def person(self, person_id: str, *, lock: bool = False) -> Person | None:
        q = select(t.person).where(t.person.c.person_id == person_id)
        if lock:
            q = q.with_for_update()
        row = (await self.session.execute(q)).mappings().first()
        if row is None:
            return None
        absence_row = (
            (
                await self.session.execute(
                    select(t.guardian_absence)
                    .where(t.guardian_absence.c.person_id == person_id)
                    .order_by(t.guardian_absence.c.verified_at.desc())
                    .limit(1)
                )
            )
            .mappings()
            .first()
        )
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
            absence=GuardianAbsence(
                absence_id=absence_row["absence_id"],
                person_id=person_id,
                evidence_ref=absence_row["evidence_ref"],
                verified_by=absence_row["verified_by"],
                verified_role=absence_row["verified_role"],
                verified_at=absence_row["verified_at"],
                finding=absence_row["finding"],
                guardian_id=absence_row["guardian_id"],
            )
            if absence_row
            else None,
        )

    async def admission(self, admission_id: str) -> Admission | None:
        row = (
            (await self.session.execute(select(t.admission).where(t.admission.c.admission_id == admission_id)))
            .mappings()
            .first()
        )
        if row is None:
            return None
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

    async def facility(self, facility_id: str) -> Facility | None:
        row = (
            (await self.session.execute(select(t.facility).where(t.facility.c.facility_id == facility_id)))
            .mappings()
            .first()
        )
        if row is None:
            return None
        return Facility(row["facility_id"], row["name"], row["level"], row["designated"], row["region"])

    async def person_facilities(self, person_id: str) -> set[str]:
        rows = await self.session.execute(
            select(t.admission.c.facility_id).where(t.admission.c.person_id == person_id).distinct()
        )
        return {str(r) for r in rows.scalars()}

    async def self_pay_page(
        self, page: PageRequest, scope: ListScope, *, status: str | None
    ) -> list[Mapping[str, Any]]:
        """One page of the self-pay items the caller may see (``scope``, in SQL), oldest
        proposal first (proposed_at, then item id): at most ``page.limit + 1`` rows."""
        i = t.self_pay_item
        query = select(i).where(_scope_condition(i, scope))
        if status is not None:
            query = query.where(i.c.status == status)
        rows = await self.session.execute(keyset(query, page, i.c.proposed_at, i.c.item_id))
        return [dict(r) for r in rows.mappings().all()]

    async def self_pay_step_page(self, page: PageRequest, scope: ListScope, *, status: str) -> list[Mapping[str, Any]]:
        """LJ-7.2 / LJ-7.3: one page of the items in ``status`` (a review step) the caller may
        see, the nearest due instant first (an item without one — its step began before steps
        had a due instant — by its proposal), then item id: at most ``page.limit + 1`` rows."""
        i = t.self_pay_item
        due = func.coalesce(i.c.step_due_at, i.c.proposed_at)
        query = select(i).where(i.c.status == status, _scope_condition(i, scope))
        rows = await self.session.execute(keyset(query, page, due, i.c.item_id))
        return [dict(r) for r in rows.mappings().all()]

    async def rank4_page(self, page: PageRequest, *, acknowledged: bool, overdue_only: bool) -> list[Mapping[str, Any]]:
        """LJ-10: one page of the rank-4 filings, oldest filed first (filed_at, then consent
        id): those acknowledged, or those not yet (``overdue_only``: and overdue)."""
        f = t.rank4_filing
        query = select(f).where(f.c.acknowledged_at.is_not(None) if acknowledged else f.c.acknowledged_at.is_(None))
        if overdue_only:
            query = query.where(f.c.overdue_at.is_not(None))
        rows = await self.session.execute(keyset(query, page, f.c.filed_at, f.c.consent_id))
        return [dict(r) for r in rows.mappings().all()]

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
