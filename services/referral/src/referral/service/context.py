"""What every use case works with: the kernel's one use-case context, typed for referral
(settings, the repository of the unit of work, the unit of work for commands, the live
working calendar, the field cipher, the principal and the instant of the call)."""

from __future__ import annotations

from typing import Any

from medaid_shared import ids
from medaid_shared.errors import RuleViolation, ValidationFailed
from medaid_shared.usecase import UseCaseContext
from referral.domain.persons import PersonRuleError
from referral.service.ports import Repository
from referral.settings import ReferralSettings

Ctx = UseCaseContext[ReferralSettings, Repository]


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
