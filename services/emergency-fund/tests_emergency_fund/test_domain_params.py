"""Policy parameters: typed, validated, versioned (SPEC interpretations)."""

from decimal import Decimal

import pytest

from emergency_fund.domain.params import PARAMS, Params, coerce
from emergency_fund.settings import EmergencyFundSettings
from medaid_shared.errors import ValidationFailed


def defaults() -> dict[str, object]:
    s = EmergencyFundSettings()
    return {n: getattr(s, f"param_{n}") for n in PARAMS}


def test_defaults_follow_the_seed() -> None:
    p = Params.resolve(defaults(), {})
    assert p.emergency_period_hours == 72  # GD-13.3
    assert p.notice_working_days == 3  # GD-21
    assert (p.agency_review_working_days, p.health_forward_working_days, p.finance_disburse_working_days) == (10, 5, 20)
    assert p.preallocation_min_share == Decimal("0.80")  # GD-7


def test_gd_17_unable_to_pay_criteria_are_configurable() -> None:
    p = Params.resolve(defaults(), {"unable_to_pay_criteria": ["minimum_living", "no_income"]})
    assert p.unable_to_pay_criteria == ["minimum_living", "no_income"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("emergency_period_hours", 0),
        ("emergency_period_hours", "72"),
        ("emergency_period_hours", True),
        ("preallocation_min_share", "1.5"),
        ("preallocation_min_share", "NaN"),
        ("preallocation_min_share", "0.123456"),
        ("unable_to_pay_criteria", []),
        ("unable_to_pay_criteria", ["a", "a"]),
        ("training_reminder_day", "13-01"),
        ("training_reminder_day", "02-30"),
        ("living_cost_day_counting", "half"),
        ("no_such_parameter", 1),
    ],
)
def test_bad_parameter_values_are_refused(name: str, value: object) -> None:
    with pytest.raises(ValidationFailed):
        coerce(name, value)
