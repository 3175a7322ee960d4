"""The referral use cases' storage port in memory (same filter language as the adapter:
a scalar is equality, a set/list/tuple "one of", None "is null", ``__gte`` / ``__lte`` /
``__ne`` compare), and a use-case context around it with a recording unit of work."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from medaid_shared.calendar import WorkingCalendar
from medaid_shared.crypto import FieldCipher
from medaid_shared.fakes import FakeUnitOfWork
from medaid_shared.parameters import ParameterVersion
from referral.adapters.tables import TABLES
from referral.service.context import Ctx
from referral.settings import ReferralSettings

Record = dict[str, Any]


def _matches(row: Record, where: Mapping[str, Any]) -> bool:
    for key, value in where.items():
        name, _, op = key.partition("__")
        have = row.get(name)
        if op == "gte":
            ok = have is not None and have >= value
        elif op == "lte":
            ok = have is not None and have <= value
        elif op == "ne":
            ok = have is not None if value is None else have != value
        elif value is None:
            ok = have is None
        elif isinstance(value, (set, frozenset, list, tuple)):
            ok = have in value
        else:
            ok = have == value
        if not ok:
            return False
    return True


class InMemoryStore:
    """Rows per entity keyed by the table's primary key; every column defaults to None."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Record]] = {entity: {} for entity in TABLES}
        self.versions: list[ParameterVersion] = []

    @staticmethod
    def _key(entity: str) -> str:
        (column,) = TABLES[entity].primary_key.columns
        return column.name

    async def parameter_versions(self) -> list[ParameterVersion]:
        return list(self.versions)

    async def get(self, entity: str, key: str, *, for_update: bool = False) -> Record | None:
        row = self.rows[entity].get(key)
        return copy.deepcopy(row) if row is not None else None

    async def insert(self, entity: str, values: Mapping[str, Any]) -> None:
        row = {c.name: None for c in TABLES[entity].columns} | dict(values)
        key = row[self._key(entity)]
        if key is None:  # an identity column
            key = len(self.rows[entity]) + 1
            row[self._key(entity)] = key
        if key in self.rows[entity]:
            raise KeyError(f"duplicate {entity} {key}")
        self.rows[entity][key] = copy.deepcopy(row)

    async def update(self, entity: str, key: str, values: Mapping[str, Any]) -> None:
        if key in self.rows[entity]:
            self.rows[entity][key].update(copy.deepcopy(dict(values)))

    async def find(
        self,
        entity: str,
        where: Mapping[str, Any] | None = None,
        *,
        order_by: Sequence[str] = (),
        limit: int | None = None,
        for_update: bool = False,
    ) -> list[Record]:
        found = [copy.deepcopy(r) for r in self.rows[entity].values() if _matches(r, where or {})]
        for name in reversed(order_by):
            column = name.lstrip("-")
            found.sort(key=lambda r: (r[column] is None, r[column]), reverse=name.startswith("-"))
        return found[:limit] if limit is not None else found

    async def exists(self, entity: str, where: Mapping[str, Any]) -> bool:
        return any(_matches(r, where) for r in self.rows[entity].values())


def context(store: InMemoryStore | None = None, **settings: Any) -> tuple[Ctx, FakeUnitOfWork]:
    """A command's context on an in-memory store, and the unit of work that records."""
    s = ReferralSettings(**settings)
    uow = FakeUnitOfWork("referral")
    ctx = Ctx(
        store or InMemoryStore(),
        s,
        WorkingCalendar(),
        FieldCipher(s.encryption_key.get_secret_value()),
        uow,  # type: ignore[arg-type]
    )
    return ctx, uow
