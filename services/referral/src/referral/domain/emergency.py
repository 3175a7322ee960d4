"""The emergency as a recorded determination (LJ-11.3, SPEC 0.5). Pure functions.

An emergency admission starts ``claimed``; the hospital records its basis (``determined``);
civil affairs or medical insurance may contest it (upheld → ``contested``, dismissed →
``confirmed``); a basis never recorded within the window makes it ``lapsed``. The exemptions
hold while it is claimed, determined or confirmed; they are withdrawn exactly once, on the
first transition to a status where they no longer hold — whatever the order of a lapse and an
upheld contest.
"""

from __future__ import annotations

from dataclasses import dataclass

CLAIMED, DETERMINED = "claimed", "determined"
LAPSED, CONTESTED, CONFIRMED = "lapsed", "contested", "confirmed"

WITHOUT_EXEMPTIONS = frozenset({LAPSED, CONTESTED})
REVIEWED = frozenset({CONTESTED, CONFIRMED})


def exemptions_hold(status: str | None) -> bool:
    """SPEC 0.5: an emergency exempts (LJ-3.2a, LJ-4.2a, LJ-3.2b, LJ-7.4) while its basis is
    due or on record; one whose basis never came or whose contest was upheld does not."""
    return status not in WITHOUT_EXEMPTIONS


@dataclass(frozen=True)
class Transition:
    """A new emergency status, and whether this transition withdraws the exemptions."""

    status: str
    withdraws: bool


class AlreadyReviewed(Exception):
    """One review decision per emergency (SPEC 0.5)."""


class NoBasisToConfirm(Exception):
    """LJ-11.3: an emergency with no basis on record cannot be confirmed."""


def _to(before: str | None, after: str) -> Transition:
    # LJ-11.3 / SPEC 0.5: the exemptions are withdrawn once — when they held before and not after.
    return Transition(after, withdraws=exemptions_hold(before) and not exemptions_hold(after))


def on_review(before: str | None, upheld: bool) -> Transition:
    """SPEC 0.5: a contest upheld → ``contested``; dismissed → ``confirmed`` (refused for an
    emergency that lapsed with no basis, LJ-11.3). An already lapsed emergency lost its
    exemptions then: an upheld contest records the decision and withdraws nothing again."""
    if before in REVIEWED:
        raise AlreadyReviewed(before)
    if before == LAPSED and not upheld:
        raise NoBasisToConfirm(before)
    return _to(before, CONTESTED if upheld else CONFIRMED)


def on_basis_due(before: str | None) -> Transition | None:
    """LJ-11.3 (interpretation): the window passed. Only a basis still due (``claimed``)
    lapses; any other status (determined, reviewed, lapsed) is left as it is."""
    if before != CLAIMED:
        return None
    return _to(before, LAPSED)
