"""SQLAlchemy Core implementation of the use cases' table gateway (service.ports.Store)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, String, Table, and_, extract, func, literal, select, text, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from emergency_fund.adapters.tables import (
    TABLES,
    application,
    application_step,
    case,
    cost_item,
    disbursement,
    kernel,
    ledger_entry,
    ledger_txn,
)
from emergency_fund.domain.parameters import CATALOGUE
from emergency_fund.service.ports import Within
from medaid_shared.crypto import ColumnCipher, EncryptedField, FieldCipher
from medaid_shared.pagination import PageRequest, keyset
from medaid_shared.parameter_store import ParameterStore
from medaid_shared.parameters import ParameterVersion

# SPEC 0.4: a case's disease code rests encrypted; no query filters cases by it, so it has
# no blind index (the catalogue and the cost references are not personal and stay in clear).
ENCRYPTED = (
    EncryptedField("case", "disease_code", "disease_code_enc", "id"),
    # SPEC 0.4 / GD-13.3: the birth date and sex an ID number says (never filtered on).
    EncryptedField("case", "birth_facts", "birth_facts_enc", "id"),
    EncryptedField("identity_signal", "birth_facts", "birth_facts_enc", "request_id"),
    # SPEC 0.4: a delivered registration file carries diagnoses; it rests encrypted.
    EncryptedField("registration_batch", "content", "content_enc", "id"),
)

_OPS = {
    "in": lambda c, v: c.in_(list(v)),
    "ne": lambda c, v: c != v,
    "lt": lambda c, v: c < v,
    "le": lambda c, v: c <= v,
    "gt": lambda c, v: c > v,
    "ge": lambda c, v: c >= v,
    "isnull": lambda c, v: c.is_(None) if v else c.is_not(None),
}


def _table(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"no table {name!r}") from None


def _conditions(table: Table, where: Mapping[str, Any] | None) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    for key, value in (where or {}).items():
        name, _, op = key.partition("__")
        column = table.c[name]
        out.append(_OPS[op](column, value) if op else column == value)
    return out


class SqlStore:
    def __init__(self, session: AsyncSession, cipher: FieldCipher | None = None) -> None:
        self.session = session
        self._columns = ColumnCipher(cipher, ENCRYPTED)

    async def insert(self, table: str, row: Mapping[str, Any]) -> None:
        await self.session.execute(_table(table).insert().values(**self._columns.seal(table, row)))

    async def insert_ignore(self, table: str, row: Mapping[str, Any]) -> bool:
        t = _table(table)
        pk = next(iter(t.primary_key.columns))
        sealed = self._columns.seal(table, row)
        result = await self.session.execute(pg_insert(t).values(**sealed).on_conflict_do_nothing().returning(pk))
        return result.first() is not None

    async def upsert(self, table: str, row: Mapping[str, Any], keys: Sequence[str]) -> None:
        t = _table(table)
        row = self._columns.seal(table, row)
        values = {k: v for k, v in row.items() if k not in keys}
        stmt = pg_insert(t).values(**row)
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=values) if values else stmt
        await self.session.execute(stmt)

    async def one(self, table: str, where: Mapping[str, Any], *, lock: bool = False) -> dict[str, Any] | None:
        rows = await self.many(table, where, limit=2, lock=lock)
        if len(rows) > 1:
            raise LookupError(f"more than one {table} row matches {dict(where)}")
        return rows[0] if rows else None

    async def many(
        self,
        table: str,
        where: Mapping[str, Any] | None = None,
        *,
        order_by: Sequence[str] = (),
        limit: int | None = None,
        lock: bool = False,
    ) -> list[dict[str, Any]]:
        t = _table(table)
        self._columns.refuse_filter(table, where)
        query = select(t).where(and_(True, *_conditions(t, where)))
        for key in order_by:
            query = query.order_by(t.c[key[1:]].desc() if key.startswith("-") else t.c[key])
        if limit is not None:
            query = query.limit(limit)
        if lock:
            query = query.with_for_update()
        return [self._columns.open(table, dict(r)) for r in (await self.session.execute(query)).mappings().all()]

    async def page(
        self,
        table: str,
        where: Mapping[str, Any],
        page: PageRequest,
        key: Sequence[str],
        *,
        descending: bool = False,
        within: Within | None = None,
    ) -> list[dict[str, Any]]:
        t = _table(table)
        self._columns.refuse_filter(table, where)
        query = select(t).where(and_(True, *_conditions(t, where)))
        if within is not None:
            query = query.where(self._within(t, within))
        query = keyset(query, page, *(t.c[k] for k in key), descending=descending)
        return [self._columns.open(table, dict(r)) for r in (await self.session.execute(query)).mappings().all()]

    def _within(self, t: Table, within: Within) -> ColumnElement[bool]:
        other = _table(within.table)
        self._columns.refuse_filter(within.table, within.where)
        ids = select(other.c[within.their_column]).where(and_(True, *_conditions(other, within.where)))
        return t.c[within.column].in_(ids)

    async def exclusion_proposal_page(
        self, case_where: Mapping[str, Any], item_status: str, page: PageRequest
    ) -> list[tuple[str, str | None]]:
        scoped = select(case.c.id).where(and_(True, *_conditions(case, case_where)))
        proposals = union_all(
            select(case.c.id.label("case_id"), literal("", String).label("cost_item_id")).where(
                case.c.id.in_(scoped), case.c.exclusion_proposed.is_not(None)
            ),
            select(cost_item.c.case_id, cost_item.c.id).where(
                cost_item.c.case_id.in_(scoped), cost_item.c.exclusion_status == item_status
            ),
        ).subquery()
        query = keyset(select(proposals), page, proposals.c.case_id, proposals.c.cost_item_id)
        return [(str(c), str(i) or None) for c, i in (await self.session.execute(query)).all()]

    async def update(self, table: str, where: Mapping[str, Any], values: Mapping[str, Any]) -> int:
        t = _table(table)
        if not where:
            raise ValueError(f"an update of {table} needs a condition")
        self._columns.refuse_filter(table, where)
        sealed = self._columns.seal(table, values, where.get("id"))
        result = await self.session.execute(update(t).where(*_conditions(t, where)).values(**sealed))
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def parameter_versions(self) -> list[ParameterVersion]:
        return await ParameterStore(self.session, kernel.parameter_version, CATALOGUE).versions()

    async def lock(self, key: str) -> None:
        await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"emergency_fund.{key}"})

    async def balances(self, city: str, accounts: Sequence[str] | None = None) -> dict[str, Decimal]:
        e = ledger_entry
        query = select(e.c.account, func.sum(e.c.amount)).where(e.c.city == city).group_by(e.c.account)
        if accounts is not None:
            query = query.where(e.c.account.in_(list(accounts)))
        return {str(a): Decimal(s) for a, s in (await self.session.execute(query)).all()}

    async def txn_totals(self, city: str, kind: str, fiscal_year: int | None = None) -> dict[str, Decimal]:
        e, t = ledger_entry, ledger_txn
        query = (
            select(e.c.account, func.sum(e.c.amount))
            .join(t, t.c.id == e.c.txn_id)
            .where(t.c.city == city, t.c.kind == kind)
            .group_by(e.c.account)
        )
        if fiscal_year is not None:
            query = query.where(t.c.fiscal_year == fiscal_year)
        return {str(a): Decimal(s) for a, s in (await self.session.execute(query)).all()}

    async def fund_use(self, cities: Sequence[str], year: int) -> list[dict[str, Any]]:
        d = disbursement
        local = func.timezone("Asia/Shanghai", d.c.disbursed_at)
        month = extract("month", local)
        query = (
            select(
                d.c.city,
                d.c.facility_id,
                month.label("month"),
                func.count().label("applications"),
                func.sum(d.c.amount).label("amount"),
                func.sum(d.c.from_preallocation).label("from_preallocation"),
                func.sum(d.c.from_fund_cash).label("from_fund_cash"),
            )
            .where(d.c.city.in_(list(cities)), extract("year", local) == year)
            .group_by(d.c.city, d.c.facility_id, month)
            .order_by(d.c.city, d.c.facility_id, month)
        )
        return [dict(r) for r in (await self.session.execute(query)).mappings().all()]

    async def overdue_steps(
        self, cities: Sequence[str] | None, now: datetime, page: PageRequest
    ) -> list[dict[str, Any]]:
        s, a = application_step, application
        query = (
            select(
                s.c.application_id,
                s.c.step,
                s.c.started_at,
                s.c.due_at,
                s.c.calendar_provisional,
                s.c.decided_at,
                s.c.late,
                a.c.city,
                a.c.facility_id,
                a.c.state,
            )
            .join(a, a.c.id == s.c.application_id)
            .where((s.c.decided_at.is_(None) & (s.c.due_at < now)) | s.c.late)
        )
        if cities is not None:
            query = query.where(a.c.city.in_(list(cities)))
        # An application has one step of each kind: (due, application, step) orders totally.
        query = keyset(query, page, s.c.due_at, s.c.application_id, s.c.step)
        return [dict(r) for r in (await self.session.execute(query)).mappings().all()]
