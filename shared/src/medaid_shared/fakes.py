"""Fakes for the fast use-case test tier: a unit of work that records what a use case
decided (events, deadlines started and closed, decision-log entries) instead of writing it,
so a use case runs against an in-memory repository in milliseconds.

A service's in-memory repository lives beside its use-case tests; this module holds what
every service shares. The HTTP and journey tests keep proving the real wiring.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from medaid_shared.authz import Principal
from medaid_shared.calendar import Due
from medaid_shared.events import Event


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
