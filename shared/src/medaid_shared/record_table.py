"""Typed access to one table's records: the frozen dataclasses a repository hands its use
cases, read and written by key.

A record's fields are its table's columns, so a row maps to a record by name. Encrypted
fields (SPEC 0.4) are sealed on the way in and opened on the way out by the repository's
:class:`~medaid_shared.crypto.ColumnCipher`; a use case sees them in clear and the database
only as ciphertext. A change is named (``update(key, status="approved")``), never made in
place. Queries beyond the key are the repository's own named methods, which use
:meth:`SqlRecords.all` and :meth:`SqlRecords.first` to turn their rows into records.

The in-memory twin for the fast use-case tier is :class:`medaid_shared.fakes.MemoryRecords`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import ColumnElement, Select, Table, and_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medaid_shared.crypto import ColumnCipher

R = TypeVar("R")

Key = str | tuple[Any, ...]
"""A record's primary key: its one column's value, or a tuple in the key's column order."""


class Records(Protocol[R]):
    """One kind of record, by primary key (the port use cases see)."""

    async def get(self, key: Key, *, for_update: bool = False) -> R | None:
        """The record with this key (``for_update``: locked until the transaction ends)."""
        ...

    async def add(self, record: R) -> None:
        """Add a new record (a duplicate key is an integrity error, as in the table)."""
        ...

    async def add_new(self, record: R) -> bool:
        """Add the record unless one with the same key exists; True if it was added."""
        ...

    async def put(self, record: R, *, on: Sequence[str] = ()) -> None:
        """Add the record, or replace the one that holds the same ``on`` unique columns
        (the primary key when empty)."""
        ...

    async def update(self, key: Key, **changes: object) -> int:
        """Change the named fields of the record with this key; the number changed (0 or 1)."""
        ...


class SqlRecords(Generic[R]):
    """:class:`Records` on one table in a session."""

    def __init__(self, session: AsyncSession, table: Table, kind: type[R], columns: ColumnCipher) -> None:
        self.session = session
        self.table = table
        self.kind = kind
        self._columns = columns
        self._key = list(table.primary_key.columns)
        # Columns the database numbers (identity): left out of an insert while unset.
        self._numbered = {c.name for c in table.columns if c.identity is not None}

    def record(self, row: Mapping[str, Any]) -> R:
        """A row as a record (encrypted fields opened)."""
        opened = self._columns.open(self.table.name, dict(row))
        return self.kind(**{f.name: opened[f.name] for f in fields(self.kind)})  # type: ignore[arg-type]

    def row(self, record: R) -> dict[str, Any]:
        """A record as the row to write (encrypted fields sealed)."""
        values = {f.name: getattr(record, f.name) for f in fields(record)}  # type: ignore[arg-type]
        values = {k: v for k, v in values.items() if not (v is None and k in self._numbered)}
        return self._columns.seal(self.table.name, values)

    def matching(self, key: Key) -> ColumnElement[bool]:
        """The condition selecting the record with this key."""
        values = key if isinstance(key, tuple) else (key,)
        if len(values) != len(self._key):
            raise ValueError(f"{self.table.name}'s key has {len(self._key)} columns, not {len(values)}")
        return and_(*(c == v for c, v in zip(self._key, values, strict=True)))

    async def all(self, query: Select[Any]) -> list[R]:
        """The records a query of this table's rows selects."""
        rows = (await self.session.execute(query)).mappings().all()
        return [self.record(dict(r)) for r in rows]

    async def first(self, query: Select[Any]) -> R | None:
        """The first record a query selects, or None."""
        found = await self.all(query.limit(1))
        return found[0] if found else None

    async def get(self, key: Key, *, for_update: bool = False) -> R | None:
        """As :class:`Records`."""
        query = select(self.table).where(self.matching(key))
        return await self.first(query.with_for_update() if for_update else query)

    async def add(self, record: R) -> None:
        """As :class:`Records`."""
        await self.session.execute(self.table.insert().values(**self.row(record)))

    async def add_new(self, record: R) -> bool:
        """As :class:`Records`."""
        statement = pg_insert(self.table).values(**self.row(record)).on_conflict_do_nothing()
        result = await self.session.execute(statement.returning(*self._key))
        return result.first() is not None

    async def put(self, record: R, *, on: Sequence[str] = ()) -> None:
        """As :class:`Records`."""
        row = self.row(record)
        conflict = list(on) or [c.name for c in self._key]
        changed = {k: v for k, v in row.items() if k not in conflict and k not in self._numbered}
        statement = pg_insert(self.table).values(**row)
        if changed:
            statement = statement.on_conflict_do_update(index_elements=conflict, set_=changed)
        else:
            statement = statement.on_conflict_do_nothing(index_elements=conflict)
        await self.session.execute(statement)

    async def update(self, key: Key, **changes: object) -> int:
        """As :class:`Records`."""
        if not changes:
            return 0
        row_key = key if not isinstance(key, tuple) else None
        sealed = self._columns.seal(self.table.name, changes, row_key)
        result = await self.session.execute(update(self.table).where(self.matching(key)).values(**sealed))
        return int(result.rowcount)  # type: ignore[attr-defined]
