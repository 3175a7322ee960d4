"""LJ-11.3 / SPEC 0.5: the emergency's statuses, pure. The exemptions are withdrawn exactly
once, whatever the order of a lapse (no basis in the window) and an upheld contest."""

from __future__ import annotations

import pytest

from referral.domain import emergency as e


@pytest.mark.parametrize("before", [e.CLAIMED, e.DETERMINED])
def test_lj_11_3_an_upheld_contest_withdraws_the_exemptions_that_held(before: str) -> None:
    assert e.on_review(before, upheld=True) == e.Transition(e.CONTESTED, withdraws=True)
    assert e.on_review(before, upheld=False) == e.Transition(e.CONFIRMED, withdraws=False)


def test_lj_11_3_a_contest_upheld_after_the_lapse_withdraws_nothing_again() -> None:
    lapse = e.on_basis_due(e.CLAIMED)
    assert lapse == e.Transition(e.LAPSED, withdraws=True)
    assert e.on_review(lapse.status, upheld=True) == e.Transition(e.CONTESTED, withdraws=False)
    with pytest.raises(e.NoBasisToConfirm):
        e.on_review(lapse.status, upheld=False)


def test_lj_11_3_the_window_passing_after_an_upheld_contest_does_not_lapse_it() -> None:
    contest = e.on_review(e.CLAIMED, upheld=True)
    assert contest.withdraws
    assert e.on_basis_due(contest.status) is None
    for status in (e.DETERMINED, e.CONFIRMED, e.LAPSED):
        assert e.on_basis_due(status) is None


@pytest.mark.parametrize("before", [e.CONTESTED, e.CONFIRMED])
def test_spec_0_5_one_review_per_emergency(before: str) -> None:
    with pytest.raises(e.AlreadyReviewed):
        e.on_review(before, upheld=True)


def test_spec_0_5_exemptions_hold_while_the_basis_is_due_or_on_record() -> None:
    assert [s for s in (e.CLAIMED, e.DETERMINED, e.CONFIRMED, e.LAPSED, e.CONTESTED) if e.exemptions_hold(s)] == [
        e.CLAIMED,
        e.DETERMINED,
        e.CONFIRMED,
    ]
