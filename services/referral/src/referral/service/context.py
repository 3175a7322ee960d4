"""What every use case works with: the repository, the unit of work (for commands), the
settings, the live working calendar and the field cipher."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from medaid_shared import ids
from medaid_shared.calendar import WorkingCalendar
from medaid_shared.crypto import FieldCipher
from medaid_shared.db import Session, UnitOfWork
from medaid_shared.errors import RuleViolation, ValidationFailed
from medaid_shared.runtime import Runtime
from referral.domain.persons import PersonRuleError
from referral.service.ports import Repository, RepositoryFactory
from referral.settings import ReferralSettings


@dataclass
class Ctx:
    repo: Repository
    settings: ReferralSettings
    calendar: WorkingCalendar
    cipher: FieldCipher
    _uow: UnitOfWork | None = None

    @property
    def uow(self) -> UnitOfWork:
        if self._uow is None:
            raise RuntimeError("a command needs a unit of work")
        return self._uow


@dataclass(frozen=True)
class Wiring:
    """Built once in bootstrap: how to get a repository for a session."""

    repository_factory: RepositoryFactory

    def command(self, runtime: Runtime, uow: UnitOfWork) -> Ctx:
        repo = uow.repository(_on(self.repository_factory, runtime.cipher))
        return Ctx(repo, _settings(runtime), runtime.calendar, runtime.cipher, uow)

    def query(self, runtime: Runtime, session: Session) -> Ctx:
        repo = self.repository_factory(session, runtime.cipher)
        return Ctx(repo, _settings(runtime), runtime.calendar, runtime.cipher)


@cache
def _on(factory: RepositoryFactory, cipher: FieldCipher) -> Callable[[Session], Repository]:
    """The factory bound to the service's cipher, the same one each time, so the unit of
    work keeps one repository per transaction."""
    return lambda session: factory(session, cipher)


def _settings(runtime: Runtime) -> ReferralSettings:
    return cast(ReferralSettings, runtime.settings)


def new_id() -> str:
    return ids.new_id()


def rule_problem(error: PersonRuleError) -> ValidationFailed | RuleViolation:
    """A domain rule error as a problem-details answer (422, naming field and rule)."""
    if error.rule:
        return RuleViolation(error.detail, field=error.field, rule=error.rule)
    return ValidationFailed(error.detail, field=error.field)


def jsonable(value: Any) -> Any:
    """Pydantic models and dates as JSON-ready values for JSONB columns."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value
