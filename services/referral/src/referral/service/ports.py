"""What the use cases need from storage, as a port. The adapters implement it on
PostgreSQL (``adapters.store``); bootstrap wires the two together.

Records are plain dicts keyed by column name. ``find`` filters: a scalar means equality,
a set/list/tuple means "one of", ``None`` means "is null"; a ``__gte`` / ``__lte`` / ``__ne``
suffix on the field name compares instead; ``page`` reads one page of such rows in SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from medaid_shared.pagination import PageRequest
from medaid_shared.parameters import ParameterVersion

Record = dict[str, Any]


class Store(Protocol):
    async def parameter_versions(self) -> list[ParameterVersion]: ...

    async def get(self, entity: str, key: str, *, for_update: bool = False) -> Record | None: ...

    async def insert(self, entity: str, values: Mapping[str, Any]) -> None: ...

    async def update(self, entity: str, key: str, values: Mapping[str, Any]) -> None: ...

    async def find(
        self,
        entity: str,
        where: Mapping[str, Any] | None = None,
        *,
        order_by: Sequence[str] = (),
        limit: int | None = None,
        for_update: bool = False,
    ) -> list[Record]: ...

    async def page(
        self,
        entity: str,
        where: Mapping[str, Any],
        page: PageRequest,
        key: Sequence[str],
        *,
        descending: bool = False,
    ) -> list[Record]: ...

    async def exists(self, entity: str, where: Mapping[str, Any]) -> bool: ...
