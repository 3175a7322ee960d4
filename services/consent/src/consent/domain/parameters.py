"""Versioned policy parameters (SPEC: interpretations are parameters with effective dates).

A version applies from its ``effective_from`` instant until the next version starts; a
decision records the version it was made under."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class CumulativeScope(StrEnum):
    """LJ-7.3 interpretation: cumulative self-pay over the same admission (default) or the
    person's calendar year (Asia/Shanghai)."""

    ADMISSION = "admission"
    CALENDAR_YEAR = "calendar_year"


@dataclass(frozen=True)
class PolicyParameters:
    version: str
    effective_from: datetime
    review_threshold: Decimal  # LJ-7.0: single cost ≥ this needs the double review
    civil_affairs_single_threshold: Decimal  # LJ-7.3: single estimate > this → civil affairs
    civil_affairs_cumulative_threshold: Decimal  # LJ-7.3: cumulative > this → civil affairs
    cumulative_scope: CumulativeScope  # LJ-7.3 interpretation
    expert_from_other_hospital: bool  # LJ-11.2 interpretation: expert not from the treating hospital
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["cumulative_scope"] = self.cumulative_scope.value
        return d

    def as_json(self) -> dict[str, Any]:
        """JSON-safe: amounts as 2-decimal strings, the instant in ISO 8601."""
        d = self.as_dict()
        d["effective_from"] = self.effective_from.isoformat()
        for k in ("review_threshold", "civil_affairs_single_threshold", "civil_affairs_cumulative_threshold"):
            d[k] = f"{d[k]:.2f}"
        return d


def effective(versions: Iterable[PolicyParameters], at: datetime, default: PolicyParameters) -> PolicyParameters:
    """The version in force at ``at``: the latest ``effective_from`` not after ``at``."""
    current = default
    for v in sorted(versions, key=lambda v: v.effective_from):
        if v.effective_from <= at:
            current = v
    return current
