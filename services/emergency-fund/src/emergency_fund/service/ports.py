"""What the use cases need from storage: a small table gateway (implemented in adapters/).

Filters are ``{"column": value}`` (equality), ``{"column__in": [...]}``, ``__ne``, ``__lt``,
``__le``, ``__gt``, ``__ge``, ``__isnull`` (True/False). Rows are plain dicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from medaid_shared.parameters import ParameterVersion

Row = dict[str, Any]
Where = Mapping[str, Any]


class Store(Protocol):
    async def insert(self, table: str, row: Mapping[str, Any]) -> None: ...

    async def insert_ignore(self, table: str, row: Mapping[str, Any]) -> bool:
        """Insert unless a unique key already holds the row; True if inserted."""
        ...

    async def upsert(self, table: str, row: Mapping[str, Any], keys: Sequence[str]) -> None: ...

    async def one(self, table: str, where: Where, *, lock: bool = False) -> Row | None: ...

    async def many(
        self,
        table: str,
        where: Where | None = None,
        *,
        order_by: Sequence[str] = (),
        limit: int | None = None,
        lock: bool = False,
    ) -> list[Row]: ...

    async def update(self, table: str, where: Where, values: Mapping[str, Any]) -> int: ...

    async def parameter_versions(self) -> list[ParameterVersion]:
        """The stored versions of the fund's parameter kinds (the kernel's table)."""
        ...

    async def lock(self, key: str) -> None:
        """A transaction-scoped advisory lock (serialises e.g. one city's ledger postings)."""
        ...

    async def balances(self, city: str, accounts: Sequence[str] | None = None) -> dict[str, Decimal]:
        """Sum of ledger entries per account (the only source of a balance, GD-3)."""
        ...

    async def txn_totals(self, city: str, kind: str, fiscal_year: int | None = None) -> dict[str, Decimal]:
        """Per account: the sum of entries of one kind of transaction (optionally one fiscal year)."""
        ...

    async def fund_use(self, cities: Sequence[str], year: int) -> list[Row]:
        """Disbursed amounts per city, facility and month (Asia/Shanghai) of a year."""
        ...

    async def overdue_steps(self, cities: Sequence[str] | None, now: datetime) -> list[Row]: ...
