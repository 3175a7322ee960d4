"""LJ-11.2 as pure domain: fair rotation, never from the treating hospital, and the conclusion."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from consent.domain.major import Recommendation, conclusion, pick_expert
from consent.domain.model import Expert
from medaid_shared.errors import RuleViolation

T1 = datetime(2026, 6, 1, tzinfo=UTC)
T2 = datetime(2026, 6, 2, tzinfo=UTC)
POOL = [
    Expert("E1", "甲", "H001", "surgery"),
    Expert("E2", "乙", "H002", "surgery", last_assigned_at=T2, assignments=1),
    Expert("E3", "丙", "H003", "surgery", last_assigned_at=T1, assignments=1),
    Expert("E4", "丁", "H004", "cardiology"),
    Expert("E5", "戊", "H005", "surgery", active=False),
]


def test_lj_11_2_expert_never_from_the_treating_hospital() -> None:
    r = pick_expert(POOL, "H001", specialty="surgery", exclude_treating_hospital=True)
    assert r.chosen.expert_id == "E3"  # E1 excluded (treating hospital), E3 least recently assigned
    assert {"expert_id": "E1", "reason": "from_treating_hospital"} in r.excluded
    assert {"expert_id": "E5", "reason": "inactive"} in r.excluded
    assert r.order == ("E3", "E2")


def test_lj_11_2_fair_rotation_never_assigned_first_then_least_recent() -> None:
    r = pick_expert(POOL, "H009", specialty=None, exclude_treating_hospital=True)
    assert r.order == ("E1", "E4", "E3", "E2")
    assert r.record()["basis"] == "least_recently_assigned"


def test_lj_11_2_interpretation_can_be_switched_off_by_parameter() -> None:
    r = pick_expert(POOL, "H001", specialty="surgery", exclude_treating_hospital=False)
    assert r.chosen.expert_id == "E1"


def test_lj_11_2_no_eligible_expert_is_a_rule_violation() -> None:
    with pytest.raises(RuleViolation) as exc:
        pick_expert(POOL, "H004", specialty="cardiology", exclude_treating_hospital=True)
    assert exc.value.rule == "LJ-11.2"


def test_lj_11_2_proceed_only_when_both_agree() -> None:
    p, n = Recommendation.PROCEED, Recommendation.DO_NOT_PROCEED
    assert conclusion(p, p) == p
    assert conclusion(p, n) == n and conclusion(n, p) == n
