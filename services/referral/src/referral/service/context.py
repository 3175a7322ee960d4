"""What every use case works with: the store, the unit of work (for commands), the
settings, the live working calendar and the field cipher."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from medaid_shared import ids
from medaid_shared.calendar import WorkingCalendar
from medaid_shared.crypto import FieldCipher
from medaid_shared.db import Session, UnitOfWork
from medaid_shared.errors import RuleViolation, ValidationFailed
from medaid_shared.runtime import Runtime
from referral.domain.persons import PersonRuleError
from referral.service.ports import Store
from referral.settings import ReferralSettings

StoreFactory = Callable[[Session, FieldCipher], Store]


@dataclass
class Ctx:
    store: Store
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
    """Built once in bootstrap: how to get a store for a session."""

    store_factory: StoreFactory

    def command(self, runtime: Runtime, uow: UnitOfWork) -> Ctx:
        return Ctx(
            self.store_factory(uow.session, runtime.cipher), _settings(runtime), runtime.calendar, runtime.cipher, uow
        )

    def query(self, runtime: Runtime, session: Session) -> Ctx:
        return Ctx(self.store_factory(session, runtime.cipher), _settings(runtime), runtime.calendar, runtime.cipher)


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
