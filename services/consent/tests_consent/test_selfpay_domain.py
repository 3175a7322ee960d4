"""LJ-7 thresholds as pure domain: 199.99 / 200.00 / 1000.00 / 1000.01 and the cumulative 2,000."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from consent.domain.parameters import CATALOGUE, SELF_PAY_REVIEW, SelfPayReview
from consent.domain.selfpay import (
    Participant,
    Status,
    after_initial,
    check_money,
    estimate,
    initial_status,
    require_open,
    triage,
)
from medaid_shared.errors import Conflict, ValidationFailed

P = SelfPayReview()  # the seed's values: 200 / 1,000 / 2,000, over the admission
ZERO = Decimal("0.00")


def test_lj_7_0_199_99_is_recorded_without_review() -> None:
    t = triage(Decimal("199.99"), ZERO, P)
    assert not t.needs_review and not t.needs_civil_affairs
    assert initial_status(t, emergency=False) == Status.RECORDED_BELOW_THRESHOLD


def test_lj_7_0_200_00_needs_the_double_review() -> None:
    t = triage(Decimal("200.00"), ZERO, P)
    assert t.needs_review and not t.needs_civil_affairs
    assert initial_status(t, emergency=False) == Status.AWAITING_CONSENT_FORM
    assert t.rules == ("LJ-7.0", "LJ-7.1", "LJ-7.2")


def test_lj_7_3_single_1000_00_does_not_need_civil_affairs() -> None:
    assert not triage(Decimal("1000.00"), ZERO, P).needs_civil_affairs


def test_lj_7_3_single_1000_01_needs_civil_affairs() -> None:
    t = triage(Decimal("1000.01"), ZERO, P)
    assert t.needs_civil_affairs and "LJ-7.3" in t.rules


def test_lj_7_3_cumulative_crossing_2000() -> None:
    assert not triage(Decimal("200.00"), Decimal("1800.00"), P).needs_civil_affairs  # exactly 2,000.00
    t = triage(Decimal("200.00"), Decimal("1800.01"), P)
    assert t.needs_civil_affairs and t.cumulative_after == Decimal("2000.01")


def test_lj_7_3_below_threshold_items_crossing_the_cumulative_are_reviewed_and_filed() -> None:
    """LJ-7.3 (interpretation, default on): an item under 200 that takes the cumulative over
    2,000 is reviewed and filed; with the interpretation off it is recorded as before."""
    t = triage(Decimal("150.00"), Decimal("1900.00"), P)
    assert t.needs_review and t.needs_civil_affairs and t.rules == ("LJ-7.0", "LJ-7.1", "LJ-7.2", "LJ-7.3")
    assert initial_status(t, emergency=False) == Status.AWAITING_CONSENT_FORM
    off = P.model_copy(update={"below_threshold_counts": False})
    assert not triage(Decimal("150.00"), Decimal("1900.00"), off).needs_review
    assert not triage(Decimal("50.00"), Decimal("1950.00"), P).needs_civil_affairs  # exactly 2,000.00


def test_lj_7_0_the_same_items_recent_proposals_are_one_single_cost() -> None:
    """LJ-7.0 / LJ-7.3: 199.99 after 199.99 of the same item is a single cost of 399.98."""
    t = triage(Decimal("199.99"), Decimal("199.99"), P, same_item_before=Decimal("199.99"))
    assert t.single_cost == Decimal("399.98") and t.needs_review and not t.needs_civil_affairs
    assert "199.99 of the same item" in t.reasons[0]
    big = triage(Decimal("199.99"), Decimal("999.95"), P, same_item_before=Decimal("999.95"))
    assert big.needs_civil_affairs and big.single_cost == Decimal("1199.94")


def test_lj_11_3_emergency_item_is_not_held_for_review() -> None:
    assert initial_status(triage(Decimal("5000.00"), ZERO, P), emergency=True) == Status.EMERGENCY


def test_money_edge_rejects_zero_negative_and_three_decimals() -> None:
    for bad in ("0", "-1.00", "10.001", "NaN"):
        with pytest.raises(ValidationFailed):
            check_money(Decimal(bad), "unit_price")
    assert estimate(Decimal("66.67"), 3) == Decimal("200.01")
    with pytest.raises(ValidationFailed):
        estimate(Decimal("10.00"), 0)


def test_lj_7_2_initial_review_completion() -> None:
    both = {Participant.VILLAGE_COMMITTEE_HEAD, Participant.GUARDIAN_OR_AGENT}
    one = {Participant.VILLAGE_COMMITTEE_HEAD}
    assert after_initial(both, one, needs_civil_affairs=False, centralized=False) == Status.AWAITING_INITIAL_REVIEW
    assert after_initial(both, both, needs_civil_affairs=False, centralized=False) == Status.APPROVED
    assert (
        after_initial(both, both, needs_civil_affairs=True, centralized=False) == Status.AWAITING_CIVIL_AFFAIRS_FILING
    )
    inst = {Participant.INSTITUTION_HEAD}
    assert after_initial(inst, inst, needs_civil_affairs=True, centralized=True) == Status.AWAITING_CIVIL_AFFAIRS_REVIEW


def test_second_decision_on_a_decided_item_is_a_conflict() -> None:
    with pytest.raises(Conflict, match="already decided"):
        require_open(Status.APPROVED, Status.AWAITING_INITIAL_REVIEW, "the initial review")
    with pytest.raises(Conflict, match="needs it to be"):
        require_open(Status.AWAITING_INITIAL_REVIEW, Status.AWAITING_CIVIL_AFFAIRS_REVIEW, "the review")


def test_parameter_versions_by_effective_date_and_region() -> None:
    """LJ-7.0: a version applies from its effective date; a region's own version beats
    ``any``; before any version the seed's default applies and is cited as the default."""
    model = CATALOGUE.version_model
    later = model(kind="self_pay_review", effective_from="2026-07-01", values={"review_threshold": "300.00"})
    guangxi = model(
        kind="self_pay_review", region="guangxi", effective_from="2026-06-01", values={"review_threshold": "250.00"}
    )
    before = CATALOGUE.require([later, guangxi], SELF_PAY_REVIEW.name, on=date(2026, 6, 30), region="liujiang")
    assert before.version_id == "self_pay_review:any:any:default" and before.values == P
    july = CATALOGUE.require([later, guangxi], SELF_PAY_REVIEW.name, on=date(2026, 7, 1), region="liujiang")
    assert july.version_id == "self_pay_review:any:any:2026-07-01"
    assert july.values.review_threshold == Decimal("300.00") and july.values.civil_affairs_single_threshold == 1000
    region = CATALOGUE.require([later, guangxi], SELF_PAY_REVIEW.name, on=date(2026, 7, 1), region="guangxi")
    assert region.version_id == "self_pay_review:guangxi:any:2026-06-01"
