"""Fakes for the fast use-case test tier: a unit of work that records what a use case
decided (events, deadlines started and closed, decision-log entries) instead of writing it,
so a use case runs against an in-memory repository in milliseconds.

A service's in-memory repository lives beside its use-case tests; this module holds what
every service shares. The HTTP and journey tests keep proving the real wiring.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Generic, TypeVar

from medaid_shared.authz import Principal
from medaid_shared.calendar import Due
from medaid_shared.events import Event
from medaid_shared.record_table import Key

R = TypeVar("R")


@dataclass(frozen=True)
class Scheduled:
    """A deadline a use case started."""

    kind: str
    subject: str
    due: Due
    basis: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Audited:
    """A decision-log entry a use case wrote."""

    actor: str | None
    action: str
    subject: str
    reason: str | None
    details: dict[str, Any]


@dataclass
class FakeUnitOfWork:
    """Records instead of writing; the same methods as :class:`medaid_shared.db.UnitOfWork`
    that use cases call (``emit``, ``schedule``, ``lock_deadline``, ``close_deadline``, ``audit``)."""

    service_name: str = "test"
    events: list[Event] = field(default_factory=list)
    deadlines: dict[tuple[str, str], Scheduled] = field(default_factory=dict)
    closed: list[tuple[str, str, str]] = field(default_factory=list)
    audits: list[Audited] = field(default_factory=list)

    async def emit(self, event: Event, *, subject: str | None = None) -> uuid.UUID:
        """Record an event the use case published."""
        self.events.append(event)
        return uuid.uuid4()

    async def schedule(
        self, kind: str, subject: str, due: Due, *, basis: str, payload: dict[str, Any] | None = None
    ) -> None:
        """Record a started deadline (the first one of a kind and subject stands, as in the table)."""
        self.deadlines.setdefault((kind, subject), Scheduled(kind, subject, due, basis, dict(payload or {})))

    async def lock_deadline(self, kind: str, subject: str) -> None:
        """Nothing to order in memory: one use case runs at a time (the real one takes the
        scheduler's lock order, deadline then subject)."""

    async def close_deadline(self, kind: str, subject: str, state: str = "met") -> bool:
        """Close an open deadline; True if one was open."""
        if (kind, subject) not in self.deadlines or any(c[:2] == (kind, subject) for c in self.closed):
            return False
        self.closed.append((kind, subject, state))
        return True

    async def audit(
        self,
        principal: Principal | None,
        action: str,
        subject: str,
        *,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> str:
        """Record a decision-log entry."""
        actor = principal.subject if principal else None
        self.audits.append(Audited(actor, action, subject, reason, dict(details or {})))
        return uuid.uuid4().hex

    def published(self, event_type: type[Event]) -> list[Any]:
        """The recorded events of one type, in order."""
        return [e for e in self.events if isinstance(e, event_type)]

    def open_deadlines(self) -> set[tuple[str, str]]:
        """The (kind, subject) of every deadline started and not closed."""
        closed = {c[:2] for c in self.closed}
        return {k for k in self.deadlines if k not in closed}


class MemoryRecords(Generic[R]):
    """:class:`medaid_shared.record_table.Records` in memory, for the fast tier: records by
    key, in the order added (a service's in-memory repository answers its named queries by
    filtering :meth:`where`)."""

    def __init__(self, key: Sequence[str] | str) -> None:
        self._key_fields = (key,) if isinstance(key, str) else tuple(key)
        self._rows: dict[tuple[Any, ...], R] = {}
        self._numbered = 0

    def _key_of(self, record: R) -> tuple[Any, ...]:
        return tuple(getattr(record, k) for k in self._key_fields)

    @staticmethod
    def _key(key: Key) -> tuple[Any, ...]:
        return key if isinstance(key, tuple) else (key,)

    def _numbered_record(self, record: R) -> R:
        """Number an identity key the database would number (a key left None)."""
        if len(self._key_fields) == 1 and getattr(record, self._key_fields[0]) is None:
            self._numbered += 1
            return replace(record, **{self._key_fields[0]: self._numbered})  # type: ignore[type-var]
        return record

    def __iter__(self) -> Iterator[R]:
        return iter(list(self._rows.values()))

    def where(self, test: Callable[[R], bool]) -> list[R]:
        """The records that pass ``test``, in the order added."""
        return [r for r in self._rows.values() if test(r)]

    async def get(self, key: Key, *, for_update: bool = False) -> R | None:
        """As :class:`~medaid_shared.record_table.Records`."""
        return self._rows.get(self._key(key))

    async def add(self, record: R) -> None:
        """As :class:`~medaid_shared.record_table.Records`."""
        record = self._numbered_record(record)
        if self._key_of(record) in self._rows:
            raise KeyError(f"a record with key {self._key_of(record)} exists")
        self._rows[self._key_of(record)] = record

    async def add_new(self, record: R) -> bool:
        """As :class:`~medaid_shared.record_table.Records`."""
        if self._key_of(record) in self._rows:
            return False
        await self.add(record)
        return True

    async def put(self, record: R, *, on: Sequence[str] = ()) -> None:
        """As :class:`~medaid_shared.record_table.Records`."""
        unique = tuple(on) or self._key_fields
        same = [k for k, r in self._rows.items() if all(getattr(r, f) == getattr(record, f) for f in unique)]
        for k in same:
            del self._rows[k]
        self._rows[self._key_of(self._numbered_record(record))] = record

    async def update(self, key: Key, **changes: object) -> int:
        """As :class:`~medaid_shared.record_table.Records`."""
        k = self._key(key)
        if k not in self._rows:
            return 0
        known = {f.name for f in fields(self._rows[k])}  # type: ignore[arg-type]
        unknown = set(changes) - known
        if unknown:
            raise TypeError(f"no fields {sorted(unknown)}")
        self._rows[k] = replace(self._rows[k], **changes)  # type: ignore[type-var]
        return 1
