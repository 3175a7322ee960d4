"""Policy parameters: versioned by effective date, defaults from settings (SPEC "interpretation").

Each parameter has a kind that validates a new value, the rule it serves, and whether the
SPEC marks it as an interpretation. :class:`Params` is the resolved set at one instant.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from medaid_shared.errors import RuleViolation, ValidationFailed
from medaid_shared.parameters import Bound


@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: str  # int | decimal_share | str_list | month_day | choice:a,b
    rule: str
    interpretation: bool
    description: str
    # SPEC 0.6: a statutory floor or ceiling (the kernel's bound): stricter, never weaker.
    bound: Bound | None = None


PARAMS: dict[str, ParamSpec] = {
    p.name: p
    for p in (
        ParamSpec("emergency_period_hours", "int", "GD-13.3", False, "Emergency period from admission, hours"),
        ParamSpec(
            "emergency_extension_categories",
            "str_list",
            "GD-13.3",
            False,
            "Patient categories whose emergency period may be extended",
        ),
        ParamSpec("emergency_extension_max_hours", "int", "GD-13.3", True, "Upper bound of an extended period, hours"),
        ParamSpec("living_cost_days_per_month", "int", "GD-13.5", True, "Days a monthly living standard is divided by"),
        ParamSpec(
            "living_cost_day_counting",
            "choice:started,completed",
            "GD-13.5",
            True,
            "Days of the period: every started (or only every completed) 24 hours",
        ),
        ParamSpec(
            "cost_reference_fallback_years",
            "int",
            "GD-13.4",
            True,
            "Years back the average-cost reference may come from",
        ),
        ParamSpec("unable_to_pay_criteria", "str_list", "GD-17", False, "Locally set criteria of 'unable to pay'"),
        ParamSpec(
            "agency_review_working_days",
            "int",
            "GD-20.2",
            False,
            "Agency review, working days",
            Bound("agency_review_working_days", ceiling=10, rule="GD-20.2"),
        ),
        ParamSpec(
            "health_forward_working_days",
            "int",
            "GD-20.2",
            False,
            "Health forwards to finance, working days",
            Bound("health_forward_working_days", ceiling=5, rule="GD-20.2"),
        ),
        ParamSpec(
            "finance_disburse_working_days",
            "int",
            "GD-20.2",
            False,
            "Finance disburses, working days",
            Bound("finance_disburse_working_days", ceiling=20, rule="GD-20.2"),
        ),
        ParamSpec(
            "notice_working_days",
            "int",
            "GD-21",
            False,
            "Minimum public notice term, working days",
            Bound("notice_working_days", floor=3, rule="GD-21"),
        ),
        ParamSpec(
            "preallocation_min_share",
            "decimal_share",
            "GD-7",
            False,
            "Pre-allocations / upper transfers",
            Bound("preallocation_min_share", floor=Decimal("0.80"), rule="GD-7"),
        ),
        ParamSpec("preallocation_ratio", "decimal_share", "GD-7", True, "Suggested share of last cycle's use"),
        ParamSpec("training_reminder_day", "month_day", "GD-8", True, "Yearly training reminder day (MM-DD)"),
        ParamSpec("public_notice_history_days", "int", "GD-21", True, "Days an ended notice stays on the public page"),
    )
}

_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


class _One:
    """One value seen as the kernel bound's values object."""

    def __init__(self, name: str, value: Any) -> None:
        setattr(self, name, value)


def check_bound(name: str, value: Any) -> None:
    """SPEC 0.6: a value the provincial rules fix as a minimum or a maximum may be made
    stricter, never weaker (GD-21 ≥ 3 working days, GD-7 ≥ 80 %, GD-20.2 ≤ 10 / 5 / 20
    working days); the refusal names the rule."""
    spec = PARAMS[name]
    if spec.bound is None:
        return
    why = spec.bound.breach(_One(name, value))  # type: ignore[arg-type]
    if why is not None:
        raise RuleViolation(f"{why}; it may be stricter, never weaker", rule=spec.bound.rule, field="value")


def coerce(name: str, value: Any) -> Any:
    """Validate and normalise a parameter value; raises ValidationFailed (field ``value``),
    or RuleViolation naming the rule for a value weaker than its statutory bound."""
    spec = PARAMS.get(name)
    if spec is None:
        raise ValidationFailed(f"unknown parameter {name!r}", field="name")
    value = _coerce(spec, name, value)
    check_bound(name, value)
    return value


def _coerce(spec: ParamSpec, name: str, value: Any) -> Any:
    if spec.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000:
            raise ValidationFailed(f"{name} must be an integer between 1 and 100000", field="value")
        return value
    if spec.kind == "decimal_share":
        try:
            share = Decimal(str(value))
        except (InvalidOperation, ValueError) as exc:
            raise ValidationFailed(f"{name} must be a decimal share", field="value") from exc
        exponent = share.as_tuple().exponent
        if (
            isinstance(value, bool)
            or not share.is_finite()
            or not isinstance(exponent, int)
            or exponent < -4
            or not Decimal("0") < share <= Decimal("1")
        ):
            raise ValidationFailed(f"{name} must be in (0, 1] with at most 4 decimals", field="value")
        return share
    if spec.kind == "str_list":
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and 0 < len(v) <= 60 for v in value)
            or len(set(value)) != len(value)
        ):
            raise ValidationFailed(f"{name} must be a non-empty list of distinct short strings", field="value")
        return list(value)
    if spec.kind.startswith("choice:"):
        choices = spec.kind.split(":", 1)[1].split(",")
        if value not in choices:
            raise ValidationFailed(f"{name} must be one of {', '.join(choices)}", field="value")
        return value
    if spec.kind == "month_day":
        if not isinstance(value, str) or not _MONTH_DAY.match(value):
            raise ValidationFailed(f"{name} must be MM-DD", field="value")
        try:
            date(2023, int(value[:2]), int(value[3:]))  # a day every year has (no 02-29)
        except ValueError as exc:
            raise ValidationFailed(f"{name}: {value} is not a day of every year", field="value") from exc
        return value
    raise AssertionError(spec.kind)  # pragma: no cover - every kind is handled above


def to_json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


@dataclass(frozen=True)
class Params:
    """The parameter values in force at one instant."""

    emergency_period_hours: int
    emergency_extension_categories: list[str]
    emergency_extension_max_hours: int
    living_cost_days_per_month: int
    living_cost_day_counting: str
    cost_reference_fallback_years: int
    unable_to_pay_criteria: list[str]
    agency_review_working_days: int
    health_forward_working_days: int
    finance_disburse_working_days: int
    notice_working_days: int
    preallocation_min_share: Decimal
    preallocation_ratio: Decimal
    training_reminder_day: str
    public_notice_history_days: int

    @classmethod
    def resolve(cls, defaults: Mapping[str, Any], overrides: Mapping[str, Any]) -> Params:
        values = {name: coerce(name, overrides[name]) if name in overrides else defaults[name] for name in PARAMS}
        return cls(**values)


def check_defaults(defaults: Mapping[str, Any]) -> None:
    """SPEC 0.6: the configured defaults (``MEDAID_PARAM_*``) obey the statutory bounds too."""
    for name in PARAMS:
        check_bound(name, defaults[name])
