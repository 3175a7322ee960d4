"""The policy parameters in force on one day, flattened for the rules, with the version ids
they rest on (SPEC "interpretation"; the kinds are in :mod:`emergency_fund.domain.parameters`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from emergency_fund.domain.parameters import CATALOGUE, KINDS
from medaid_shared.errors import RuleViolation
from medaid_shared.parameters import Applied, ParameterValues

# Every field of every kind (the settings' ``param_<field>`` gives its default).
FIELDS: dict[str, str] = {name: kind.name for kind in KINDS for name in kind.values.model_fields}


@dataclass(frozen=True)
class Params:
    """The parameter values in force on one day; ``versions`` names, per kind, the version
    id a decision on them cites."""

    emergency_period_hours: int
    emergency_extension_categories: list[str]
    emergency_extension_max_hours: int
    newborn_max_age_days: int
    living_cost_days_per_month: int
    living_cost_day_counting: str
    cost_reference_fallback_years: int
    channels_zero_needs_department: list[str]
    unable_to_pay_criteria: list[str]
    agency_review_working_days: int
    health_forward_working_days: int
    finance_disburse_working_days: int
    notice_working_days: int
    preallocation_min_share: Decimal
    preallocation_ratio: Decimal
    preallocation_check_day: str
    preallocation_refunds_reduce: str
    registration_export_time: str
    training_reminder_day: str
    public_notice_history_days: int
    refund_due_working_days: int
    versions: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_applied(cls, applied: Mapping[str, Applied]) -> Params:
        """The flat set from the version of each kind a decision applies."""
        values: dict[str, Any] = {}
        for a in applied.values():
            values.update(dict(a.values))
        return cls(**values, versions={kind: a.version_id for kind, a in applied.items()})

    def version_of(self, field_name: str) -> str:
        """The version id the value ``field_name`` came from (cited by decisions)."""
        return self.versions.get(FIELDS[field_name], f"{FIELDS[field_name]}:any:any:default")


def defaults_from(values: Mapping[str, Any]) -> dict[str, ParameterValues]:
    """The kinds' defaults from ``{field: value}`` (the settings' ``param_*``), checked
    against the statutory bounds too (SPEC 0.6: a configured default is never weaker)."""
    out: dict[str, ParameterValues] = {}
    for kind in KINDS:
        typed = kind.values.model_validate({name: values[name] for name in kind.values.model_fields})
        for bound in kind.bounds:
            why = bound.breach(typed)
            if why is not None:
                raise RuleViolation(f"{why}; it may be stricter, never weaker", rule=bound.rule, field=bound.field)
        out[kind.name] = typed
    return out


def resolve(defaults: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> Params:
    """The defaults (``{field: value}``) with some fields replaced — for pure tests."""
    kinds = defaults_from({**defaults, **(overrides or {})})
    catalogue = CATALOGUE.with_defaults(kinds)
    return Params.from_applied(
        {k.name: Applied(k.default_id, False, k.default, default=True) for k in catalogue.kinds if k.default}
    )
