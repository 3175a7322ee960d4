"""What every use case works with: one context of settings, repository, unit of work,
working calendar, field cipher, principal and the instant of the call.

A command's context carries the unit of work (state, events, deadlines and audit entries
commit together); a query's has none, and asking for it is a programming error. The
repository is made by the service's repository factory: a command's is the one its unit of
work owns (``uow.repository(factory)``, the same for every context of that unit of work), a
query's is made on the read session; use cases never see the session itself. A service
names the context with its own types as a type alias
(``Ctx = UseCaseContext[ReferralSettings, Repository]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from medaid_shared import clock
from medaid_shared.authz import SYSTEM, Principal
from medaid_shared.calendar import WorkingCalendar
from medaid_shared.crypto import FieldCipher
from medaid_shared.db import Session, UnitOfWork

SettingsT = TypeVar("SettingsT")
RepoT = TypeVar("RepoT")

RepositoryFactory = Callable[[Session], Any]
# SPEC 0.4: a repository that seals columns with the service's field cipher.
SealedRepositoryFactory = Callable[[Session, FieldCipher], Any]


@dataclass
class UseCaseContext(Generic[SettingsT, RepoT]):
    """The context of one command or query."""

    settings: SettingsT
    repo: RepoT
    calendar: WorkingCalendar
    cipher: FieldCipher
    principal: Principal = SYSTEM
    now: datetime = field(default_factory=clock.now)
    _uow: UnitOfWork | None = None

    @property
    def uow(self) -> UnitOfWork:
        """The command's unit of work."""
        if self._uow is None:
            raise RuntimeError("a command needs a unit of work")
        return self._uow

    @property
    def is_command(self) -> bool:
        """Whether this context belongs to a command."""
        return self._uow is not None
