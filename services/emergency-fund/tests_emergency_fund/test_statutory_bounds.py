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

from .helpers import call, ok

WEAKER = [
    ("notice_working_days", 1, "GD-21"),
    ("notice_working_days", 2, "GD-21"),
    ("preallocation_min_share", "0.79", "GD-7"),
    ("agency_review_working_days", 11, "GD-20.2"),
    ("health_forward_working_days", 6, "GD-20.2"),
    ("finance_disburse_working_days", 21, "GD-20.2"),
]
STRICTER = [
    ("notice_working_days", 5),
    ("preallocation_min_share", "0.90"),
    ("agency_review_working_days", 8),
    ("health_forward_working_days", 3),
    ("finance_disburse_working_days", 15),
]


@pytest.mark.parametrize(("name", "value", "rule"), WEAKER)
async def test_spec_0_6_a_weaker_statutory_value_is_refused_naming_the_rule(
    svc: ServiceHarness, name: str, value: object, rule: str
) -> None:
    body = {"value": value, "effective_from": (clock.now() + timedelta(minutes=5)).isoformat(), "reason": "试行"}
    r = await call(svc, "PUT", f"/parameters/{name}", "admin", body)
    problem = r.json()
    assert r.status_code == 422 and problem["rule"] == rule and problem["field"] == "value", problem
    assert "never weaker" in problem["detail"]
    stored = await ok(svc, "GET", "/parameters", "admin", params={"at": (clock.now() + timedelta(days=1)).isoformat()})
    assert str(stored["values"][name]["value"]) != str(value)  # nothing stored


@pytest.mark.parametrize(("name", "value"), STRICTER)
async def test_spec_0_6_a_stricter_statutory_value_is_accepted(svc: ServiceHarness, name: str, value: object) -> None:
    body = {"value": value, "effective_from": (clock.now() + timedelta(minutes=5)).isoformat(), "reason": "从严"}
    assert (await call(svc, "PUT", f"/parameters/{name}", "admin", body)).status_code == 201


def test_spec_0_6_a_configured_default_cannot_be_weaker_either() -> None:
    with pytest.raises(RuleViolation) as refused:
        EmergencyFundSettings(param_notice_working_days=1, environment="test")
    assert refused.value.rule == "GD-21"


async def test_gd_21_the_public_page_quotes_the_notice_term_in_force(svc: ServiceHarness) -> None:
    start = clock.now() + timedelta(minutes=5)
    body = {"value": 5, "effective_from": start.isoformat(), "reason": "市卫健委：公示期 5 个工作日"}
    await ok(svc, "PUT", "/parameters/notice_working_days", "admin", body)
    r = await svc.client.get("/public/notices.html")
    assert "公示期不少于 3 个工作日" in r.text
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        page = (await svc.client.get("/public/notices.html")).text
        assert "公示期不少于 5 个工作日" in page and "不少于 3 个" not in page
        assert (await svc.client.get("/public/notices")).json()["notice_working_days"] == 5
