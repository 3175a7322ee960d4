"""Policy parameters, versioned by effective date, region and facility level (LJ-6.1, LJ-6.2).

Basic medical insurance and critical-illness insurance parameters are not in the seeds:
they are loaded from data (admin API / CLI), and the values the project ships are marked as
examples. Medical aid for destitute persons follows LJ-6.2 (no deductible, 100 %,
60,000 CNY per person per calendar year), also as a versioned parameter so a policy change
is a new version, not a code change.

The mechanism is the kernel's (:mod:`medaid_shared.parameters`): a version applies to a
``region`` and a ``facility_level`` (or ``any`` of either) from ``effective_from``
(inclusive) to ``effective_to`` (exclusive, open when absent). Two versions of the same
kind, region and level must not overlap in time; for a settlement the most specific version
in force wins (exact region beats ``any``, then exact level). No kind has a default: a
settlement is refused until an administrator loads the versions it needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Annotated

from pydantic import Field, model_validator

from medaid_shared.contracts.common import FacilityLevel, Region
from medaid_shared.parameters import ANY, Applied, ParameterCatalogue, ParameterValues, find_overlaps
from medaid_shared.parameters import ParameterKind as ParameterKind_
from medaid_shared.parameters import ParameterVersion as KernelParameterVersion

__all__ = [
    "ANY",
    "CATALOGUE",
    "Applied",
    "BasicInsuranceValues",
    "CriticalIllnessValues",
    "MedicalAidValues",
    "ParameterKind",
    "ParameterVersion",
    "Tier",
    "find_overlaps",
    "select_version",
]

NonNegativeMoney = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
Ratio = Annotated[Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4)]


class ParameterKind(StrEnum):
    BASIC_INSURANCE = "basic_insurance"  # 城乡居民基本医保 (LJ-6.1 step 1)
    CRITICAL_ILLNESS = "critical_illness"  # 大病保险 (LJ-6.1 step 2)
    MEDICAL_AID = "medical_aid"  # 医疗救助 (LJ-6.1 step 3, LJ-6.2)


class BasicInsuranceValues(ParameterValues):
    """Basic medical insurance: a deductible per admission (起付线), the fund's ratio of the
    compliant cost above it, an annual ceiling per person (年度最高支付限额)."""

    deductible: NonNegativeMoney
    ratio: Ratio
    annual_ceiling: PositiveMoney


class Tier(ParameterValues):
    """A band of the cumulative yearly amount above the threshold, from ``from_amount``."""

    from_amount: NonNegativeMoney
    ratio: Ratio


class CriticalIllnessValues(ParameterValues):
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


class MedicalAidValues(ParameterValues):
    """LJ-6.2: no deductible, 100 % of the amount eligible for aid, 60,000 CNY per person per
    calendar year (the seed's values are the defaults)."""

    deductible: NonNegativeMoney = Decimal("0.00")
    ratio: Ratio = Decimal("1")
    annual_ceiling: PositiveMoney = Decimal("60000.00")


CATALOGUE = ParameterCatalogue(
    [
        ParameterKind_("basic_insurance", BasicInsuranceValues, rule="LJ-6.1"),
        ParameterKind_("critical_illness", CriticalIllnessValues, rule="LJ-6.1"),
        # No default: medical aid is refused until an administrator loads a version.
        ParameterKind_("medical_aid", MedicalAidValues, rule="LJ-6.2"),
    ],
    enum=ParameterKind,
)


class ParameterVersion(KernelParameterVersion):
    """One version of one kind of settlement parameters for one region and facility level."""

    kind: ParameterKind


CATALOGUE.bind(ParameterVersion)


def select_version(
    versions: Iterable[KernelParameterVersion], kind: ParameterKind, region: Region, level: FacilityLevel, on: date
) -> Applied | None:
    """The most specific version of ``kind`` in force on ``on`` for ``region`` and ``level``."""
    return CATALOGUE.select(versions, kind, on=on, region=region.value, level=level.value)
