"""The storage port (``service.ports.Store``) on PostgreSQL, with SQLAlchemy Core."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from medaid_shared.crypto import ColumnCipher, EncryptedField, FieldCipher
from medaid_shared.pagination import PageRequest, keyset
from medaid_shared.parameter_store import ParameterStore
from medaid_shared.parameters import ParameterVersion
from referral.adapters.tables import TABLES, parameter_version
from referral.domain.parameters import CATALOGUE
from referral.service.ports import Record

# SPEC 0.4: diagnoses rest encrypted; no query filters on them, so no blind index.
ENCRYPTED = (
    EncryptedField("admission", "diagnosis_group", "diagnosis_group_enc", "admission_id"),
    EncryptedField("admission", "emergency_condition", "emergency_condition_enc", "admission_id"),
)


def _conditions(table: Table, where: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for key, value in where.items():
        name, _, op = key.partition("__")
        column = table.c[name]
        if op == "gte":
            conditions.append(column >= value)
        elif op == "lte":
            conditions.append(column <= value)
        elif op == "ne":
            conditions.append(column.is_not(None) if value is None else column != value)
        elif op:
            raise ValueError(f"unknown filter operator {op!r}")
        elif value is None:
            conditions.append(column.is_(None))
        elif isinstance(value, (set, frozenset, list, tuple)):
            conditions.append(column.in_(list(value)))
        else:
            conditions.append(column == value)
    return conditions


def _primary_key(table: Table) -> Any:
    (column,) = table.primary_key.columns
    return column


class SqlStore:
    """One store per unit of work (or read session)."""

    def __init__(self, session: AsyncSession, cipher: FieldCipher | None = None) -> None:
        self.session = session
        self._columns = ColumnCipher(cipher, ENCRYPTED)

    async def parameter_versions(self) -> list[ParameterVersion]:
        return await ParameterStore(self.session, parameter_version, CATALOGUE).versions()

    async def get(self, entity: str, key: str, *, for_update: bool = False) -> Record | None:
        table = TABLES[entity]
        query = select(table).where(_primary_key(table) == key)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).mappings().first()
        return self._columns.open(entity, dict(row)) if row is not None else None

    async def insert(self, entity: str, values: Mapping[str, Any]) -> None:
        await self.session.execute(insert(TABLES[entity]).values(**self._columns.seal(entity, values)))

    async def update(self, entity: str, key: str, values: Mapping[str, Any]) -> None:
        table = TABLES[entity]
        sealed = self._columns.seal(entity, values, key)
        await self.session.execute(update(table).where(_primary_key(table) == key).values(**sealed))

    async def find(
        self,
        entity: str,
        where: Mapping[str, Any] | None = None,
        *,
        order_by: Sequence[str] = (),
        limit: int | None = None,
        for_update: bool = False,
    ) -> list[Record]:
        table = TABLES[entity]
        self._columns.refuse_filter(entity, where)
        query = select(table).where(*_conditions(table, where or {}))
        for name in order_by:
            query = query.order_by(table.c[name[1:]].desc() if name.startswith("-") else table.c[name])
        if limit is not None:
            query = query.limit(limit)
        if for_update:
            query = query.with_for_update()
        return [self._columns.open(entity, dict(r)) for r in (await self.session.execute(query)).mappings().all()]

    async def page(
        self,
        entity: str,
        where: Mapping[str, Any],
        page: PageRequest,
        key: Sequence[str],
        *,
        descending: bool = False,
    ) -> list[Record]:
        """One page of the rows matching ``where``, paged in SQL on the ``key`` columns (see
        :func:`medaid_shared.pagination.keyset`): at most ``page.limit + 1`` rows."""
        table = TABLES[entity]
        self._columns.refuse_filter(entity, where)
        query = keyset(
            select(table).where(*_conditions(table, where)), page, *(table.c[k] for k in key), descending=descending
        )
        return [self._columns.open(entity, dict(r)) for r in (await self.session.execute(query)).mappings().all()]

    async def exists(self, entity: str, where: Mapping[str, Any]) -> bool:
        table = TABLES[entity]
        self._columns.refuse_filter(entity, where)
        return bool((await self.session.execute(select(exists().where(*_conditions(table, where))))).scalar())
