"""LJ-11.2 major-treatment evaluation: the district health bureau chooses (free of charge) a
third-party expert from its quality-control expert pool; the expert must not be from the
treating hospital (**interpretation**, a policy parameter); the attending doctor and the
expert complete the evaluation record before any consent for the treatment is accepted.

Fair rotation: among eligible experts, the one least recently assigned (never assigned
first), ties broken by expert id — a round robin that survives pool changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from consent.domain.model import Expert
from medaid_shared.errors import RuleViolation

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Recommendation(StrEnum):
    PROCEED = "proceed"
    DO_NOT_PROCEED = "do_not_proceed"


@dataclass(frozen=True)
class Rotation:
    chosen: Expert
    order: tuple[str, ...]
    excluded: tuple[dict[str, str], ...]

    def record(self) -> dict[str, Any]:
        return {
            "basis": "least_recently_assigned",
            "order": list(self.order),
            "excluded": list(self.excluded),
            "chosen": self.chosen.expert_id,
        }


def pick_expert(
    pool: Sequence[Expert], treating_hospital_id: str, *, specialty: str | None, exclude_treating_hospital: bool
) -> Rotation:
    """LJ-11.2: the next expert by fair rotation, never from the treating hospital."""
    excluded: list[dict[str, str]] = []
    eligible: list[Expert] = []
    for e in sorted(pool, key=lambda e: e.expert_id):
        if not e.active:
            excluded.append({"expert_id": e.expert_id, "reason": "inactive"})
        elif exclude_treating_hospital and e.hospital_id == treating_hospital_id:
            excluded.append({"expert_id": e.expert_id, "reason": "from_treating_hospital"})
        elif specialty and e.specialty != specialty:
            excluded.append({"expert_id": e.expert_id, "reason": "other_specialty"})
        else:
            eligible.append(e)
    if not eligible:
        raise RuleViolation(
            "no eligible expert in the pool"
            + (f" for specialty {specialty}" if specialty else "")
            + " outside the treating hospital",
            rule="LJ-11.2",
        )
    eligible.sort(key=lambda e: (e.last_assigned_at is not None, e.last_assigned_at or _EPOCH, e.expert_id))
    return Rotation(eligible[0], tuple(e.expert_id for e in eligible), tuple(excluded))


def conclusion(attending: Recommendation, expert: Recommendation) -> Recommendation:
    """The record concludes "proceed" only when the attending doctor and the expert agree."""
    if attending == Recommendation.PROCEED and expert == Recommendation.PROCEED:
        return Recommendation.PROCEED
    return Recommendation.DO_NOT_PROCEED
