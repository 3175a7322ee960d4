"""Policy parameters: kernel kinds, typed and validated, with defaults from the settings
(SPEC interpretations, SPEC 0.6)."""

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from emergency_fund.domain.parameters import CATALOGUE
from emergency_fund.domain.params import resolve
from emergency_fund.settings import EmergencyFundSettings
from medaid_shared.parameters import ParameterVersion


def defaults() -> dict[str, object]:
    return EmergencyFundSettings().param_values()


def test_defaults_follow_the_seed() -> None:
    p = resolve(defaults())
    assert p.emergency_period_hours == 72  # GD-13.3
    assert p.notice_working_days == 3  # GD-21
    assert (p.agency_review_working_days, p.health_forward_working_days, p.finance_disburse_working_days) == (10, 5, 20)
    assert p.preallocation_min_share == Decimal("0.80")  # GD-7
    assert p.version_of("notice_working_days") == "public_notice:any:any:default"


def test_gd_17_unable_to_pay_criteria_are_configurable() -> None:
    p = resolve(defaults(), {"unable_to_pay_criteria": ["minimum_living", "no_income"]})
    assert p.unable_to_pay_criteria == ["minimum_living", "no_income"]


def _version(kind: str, **values: object) -> ParameterVersion:
    base = {k: v for k, v in defaults().items() if k in CATALOGUE.kind(kind).values.model_fields}
    return CATALOGUE.version_model(kind=kind, effective_from=date(2027, 1, 1), values={**base, **values})


@pytest.mark.parametrize(
    ("kind", "name", "value"),
    [
        ("emergency_period", "emergency_period_hours", 0),
        ("emergency_period", "emergency_period_hours", "72"),
        ("emergency_period", "emergency_period_hours", True),
        ("preallocation", "preallocation_min_share", "1.5"),
        ("preallocation", "preallocation_min_share", "NaN"),
        ("preallocation", "preallocation_min_share", "0.123456"),
        ("unable_to_pay", "unable_to_pay_criteria", []),
        ("unable_to_pay", "unable_to_pay_criteria", ["a", "a"]),
        ("training", "training_reminder_day", "13-01"),
        ("training", "training_reminder_day", "02-30"),
        ("living_cost", "living_cost_day_counting", "half"),
        ("living_cost", "no_such_parameter", 1),
    ],
)
def test_bad_parameter_values_are_refused(kind: str, name: str, value: object) -> None:
    with pytest.raises(ValidationError):
        _version(kind, **{name: value})


def test_a_version_of_a_kind_is_typed() -> None:
    typed = CATALOGUE.typed(_version("living_cost", living_cost_day_counting="completed"))
    assert typed.model_dump() == {"living_cost_days_per_month": 30, "living_cost_day_counting": "completed"}
