"""SPEC 0.6: values the provincial rules fix as a minimum or a maximum can be made stricter,
never weaker — GD-21 (notice ≥ 3 working days), GD-7 (pre-allocation ≥ 80 %), GD-20.2
(review within 10 / 5 / 20 working days); the refusal names the rule, nothing is stored,
and the public page quotes the term in force."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from emergency_fund.settings import EmergencyFundSettings
from medaid_shared import clock
from medaid_shared.errors import RuleViolation
from medaid_shared.testing import ServiceHarness

from .helpers import load_parameters, ok, parameter_version

WEAKER = [
    ("public_notice", "notice_working_days", 1, "GD-21"),
    ("public_notice", "notice_working_days", 2, "GD-21"),
    ("preallocation", "preallocation_min_share", "0.79", "GD-7"),
    ("review_limits", "agency_review_working_days", 11, "GD-20.2"),
    ("review_limits", "health_forward_working_days", 6, "GD-20.2"),
    ("review_limits", "finance_disburse_working_days", 21, "GD-20.2"),
]
STRICTER = [
    ("public_notice", "notice_working_days", 5),
    ("preallocation", "preallocation_min_share", "0.90"),
    ("review_limits", "agency_review_working_days", 8),
    ("review_limits", "health_forward_working_days", 3),
    ("review_limits", "finance_disburse_working_days", 15),
]
TOMORROW = (clock.to_local(clock.now()) + timedelta(days=1)).date().isoformat()


@pytest.mark.parametrize(("kind", "name", "value", "rule"), WEAKER)
async def test_spec_0_6_a_weaker_statutory_value_is_refused_naming_the_rule(
    svc: ServiceHarness, kind: str, name: str, value: object, rule: str
) -> None:
    r = await load_parameters(svc, parameter_version(kind, TOMORROW, **{name: value}))
    problem = r.json()
    assert r.status_code == 422 and problem["rule"] == rule, problem
    assert problem["field"] == f"/versions/0/values/{name}" and "never weaker" in problem["detail"]
    assert (await ok(svc, "GET", "/parameters", "admin"))["items"] == []  # nothing stored


@pytest.mark.parametrize(("kind", "name", "value"), STRICTER)
async def test_spec_0_6_a_stricter_statutory_value_is_accepted(
    svc: ServiceHarness, kind: str, name: str, value: object
) -> None:
    r = await load_parameters(svc, parameter_version(kind, TOMORROW, **{name: value}))
    assert r.status_code == 201, r.text
    [stored] = (await ok(svc, "GET", "/parameters", "admin"))["items"]
    assert str(stored["values"][name]) == str(value)


def test_spec_0_6_a_configured_default_cannot_be_weaker_either() -> None:
    with pytest.raises(RuleViolation) as refused:
        EmergencyFundSettings(param_notice_working_days=1, environment="test")
    assert refused.value.rule == "GD-21"


async def test_gd_21_the_public_page_quotes_the_notice_term_in_force(svc: ServiceHarness) -> None:
    await ok(
        svc,
        "POST",
        "/admin/parameters",
        "admin",
        {"versions": [parameter_version("public_notice", TOMORROW, notice_working_days=5)]},
    )
    r = await svc.client.get("/public/notices.html")
    assert "公示期不少于 3 个工作日" in r.text
    start = clock.to_local(clock.now()).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1, hours=1)
    with time_machine.travel(start, tick=False):
        page = (await svc.client.get("/public/notices.html")).text
        assert "公示期不少于 5 个工作日" in page and "不少于 3 个" not in page
        # The JSON board is a list of notices, each with its own term; the page quotes the term in force.
        assert set((await svc.client.get("/public/notices")).json()) == {"items", "next_cursor"}
