"""Policy parameters, versioned by effective date, region and facility level (LJ-6.1, LJ-6.2).

Basic medical insurance and critical-illness insurance parameters are not in the seeds:
they are loaded from data (admin API / CLI), and the values the project ships are marked as
examples. Medical aid for destitute persons follows LJ-6.2 (no deductible, 100 %,
60,000 CNY per person per calendar year), also as a versioned parameter so a policy change
is a new version, not a code change.

A version applies to a ``region`` and a ``facility_level`` (or ``any`` of either) from
``effective_from`` (inclusive) to ``effective_to`` (exclusive, open when absent). Two
versions of the same kind, region and level must not overlap in time; for a settlement the
most specific version in force wins (exact region beats ``any``, then exact level).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from medaid_shared.contracts.common import FacilityLevel, Region

ANY = "any"

NonNegativeMoney = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
Ratio = Annotated[Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4)]


class ParameterKind(StrEnum):
    BASIC_INSURANCE = "basic_insurance"  # 城乡居民基本医保 (LJ-6.1 step 1)
    CRITICAL_ILLNESS = "critical_illness"  # 大病保险 (LJ-6.1 step 2)
    MEDICAL_AID = "medical_aid"  # 医疗救助 (LJ-6.1 step 3, LJ-6.2)


class _Values(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BasicInsuranceValues(_Values):
    """Basic medical insurance: a deductible per admission (起付线), the fund's ratio of the
    compliant cost above it, an annual ceiling per person (年度最高支付限额)."""

    deductible: NonNegativeMoney
    ratio: Ratio
    annual_ceiling: PositiveMoney


class Tier(_Values):
    """A band of the cumulative yearly amount above the threshold, from ``from_amount``."""

    from_amount: NonNegativeMoney
    ratio: Ratio


class CriticalIllnessValues(_Values):
    """Critical-illness insurance: pays, in tiers, the part of the yearly compliant personal
    burden (after basic insurance) above the threshold, up to an annual ceiling."""

    threshold: NonNegativeMoney
    tiers: list[Tier] = Field(min_length=1)
    annual_ceiling: PositiveMoney

    @model_validator(mode="after")
    def _tiers_ascending_from_zero(self) -> CriticalIllnessValues:
        if self.tiers[0].from_amount != 0:
            raise ValueError("the first tier must start at 0")
        bounds = [t.from_amount for t in self.tiers]
        if any(b <= a for a, b in pairwise(bounds)):
            raise ValueError("tiers must be in strictly ascending order of from_amount")
        return self


class MedicalAidValues(_Values):
    """LJ-6.2: no deductible, 100 % of the amount eligible for aid, 60,000 CNY per person per
    calendar year (the seed's values are the defaults)."""

    deductible: NonNegativeMoney = Decimal("0.00")
    ratio: Ratio = Decimal("1")
    annual_ceiling: PositiveMoney = Decimal("60000.00")


VALUE_MODELS: dict[ParameterKind, type[_Values]] = {
    ParameterKind.BASIC_INSURANCE: BasicInsuranceValues,
    ParameterKind.CRITICAL_ILLNESS: CriticalIllnessValues,
    ParameterKind.MEDICAL_AID: MedicalAidValues,
}

REGIONS = frozenset({ANY, *(r.value for r in Region)})
LEVELS = frozenset({ANY, *(level.value for level in FacilityLevel)})


class ParameterVersion(BaseModel):
    """One version of one kind of parameters for one region and facility level."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ParameterKind
    region: str = ANY
    facility_level: str = ANY
    effective_from: date
    effective_to: date | None = None
    values: dict[str, Any]
    example: bool = False
    source: str = Field(default="", max_length=300)

    @model_validator(mode="after")
    def _check(self) -> ParameterVersion:
        if self.region not in REGIONS:
            raise ValueError(f"region must be one of {sorted(REGIONS)}")
        if self.facility_level not in LEVELS:
            raise ValueError(f"facility_level must be one of {sorted(LEVELS)}")
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise ValueError("effective_to must be after effective_from")
        VALUE_MODELS[self.kind].model_validate(self.values)
        return self

    @property
    def version_id(self) -> str:
        return f"{self.kind.value}:{self.region}:{self.facility_level}:{self.effective_from.isoformat()}"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind.value, self.region, self.facility_level)

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    def typed(self) -> Any:
        return VALUE_MODELS[self.kind].model_validate(self.values)


def overlaps(a: ParameterVersion, b: ParameterVersion) -> bool:
    """Same kind, region and level, and their validity periods intersect."""
    if a.key != b.key:
        return False
    a_end = a.effective_to or date.max
    b_end = b.effective_to or date.max
    return a.effective_from < b_end and b.effective_from < a_end


def find_overlaps(existing: Iterable[ParameterVersion], new: Sequence[ParameterVersion]) -> list[tuple[str, str]]:
    """Pairs of version ids that would overlap if ``new`` were added (also within ``new``)."""
    clashes: list[tuple[str, str]] = []
    pool = list(existing)
    for candidate in new:
        clashes.extend((candidate.version_id, other.version_id) for other in pool if overlaps(candidate, other))
        pool.append(candidate)
    return clashes


@dataclass(frozen=True)
class Applied:
    """A parameter version chosen for a settlement: its id (cited by every explanation
    line), whether its values are examples, and its typed values."""

    version_id: str
    example: bool
    values: Any


def select_version(
    versions: Iterable[ParameterVersion], kind: ParameterKind, region: Region, level: FacilityLevel, on: date
) -> Applied | None:
    """The most specific version of ``kind`` in force on ``on`` for ``region`` and ``level``."""
    best: tuple[int, ParameterVersion] | None = None
    for v in versions:
        if v.kind != kind or not v.in_force(on):
            continue
        if v.region not in (ANY, region.value) or v.facility_level not in (ANY, level.value):
            continue
        specificity = (2 if v.region != ANY else 0) + (1 if v.facility_level != ANY else 0)
        if best is None or specificity > best[0]:
            best = (specificity, v)
    if best is None:
        return None
    chosen = best[1]
    return Applied(chosen.version_id, chosen.example, chosen.typed())
