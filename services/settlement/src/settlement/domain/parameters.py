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
from typing import Annotated, Any

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
    "ConsentCheckValues",
    "CriticalIllnessValues",
    "EmergencyPeriodValues",
    "ManualWindowValues",
    "MedicalAidValues",
    "ParameterKind",
    "ParameterVersion",
    "QuarterlyAnalysisValues",
    "ReferralRouteValues",
    "Tier",
    "find_overlaps",
    "select_version",
    "window_defaults",
]

NonNegativeMoney = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
Ratio = Annotated[Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4)]


class ParameterKind(StrEnum):
    BASIC_INSURANCE = "basic_insurance"  # 城乡居民基本医保 (LJ-6.1 step 1)
    CRITICAL_ILLNESS = "critical_illness"  # 大病保险 (LJ-6.1 step 2)
    MEDICAL_AID = "medical_aid"  # 医疗救助 (LJ-6.1 step 3, LJ-6.2)
    MANUAL_REIMBURSEMENT_WINDOW = "manual_reimbursement_window"  # 手工报销申请期限 (LJ-13.2)
    EMERGENCY_PERIOD = "emergency_period"  # 急救期 (LJ-11.3, LJ-7.4)
    QUARTERLY_ANALYSIS = "quarterly_analysis"  # 季度分析 (LJ-15.4)
    CONSENT_CHECK = "consent_check"  # 知情同意核对 (LJ-11.1)
    REFERRAL_ROUTE = "referral_route"  # 基层转诊与结算方式 (LJ-3.2b)


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


class ManualWindowValues(ParameterValues):
    """LJ-13.2: the working days after discharge within which a manual reimbursement is
    applied for (Chinese official calendar, SPEC 0.1). The seed gives 15 for centralized
    persons; for decentralized persons it is silent (**interpretation**, the same 15)."""

    centralized_working_days: int = Field(default=15, ge=1, le=250)
    decentralized_working_days: int = Field(default=15, ge=1, le=250)


class EmergencyPeriodValues(ParameterValues):
    """LJ-11.3 / LJ-7.4 (**interpretation**): how long after admission a determined emergency
    lasts for settlement — a bill line the hospital claims as emergency rescue is paid as
    approved (without a self-pay decision) only when served within it. The Liujiang measures
    name no period; the default follows the emergency period of the Guangdong fund (GD-13.3,
    72 hours)."""

    hours: int = Field(default=72, ge=1, le=24 * 30)


class QuarterlyAnalysisValues(ParameterValues):
    """LJ-15.4 (**interpretation**): the scheduler runs a quarter's analysis this many days
    after the quarter closes (Shanghai midnight), so bills of its last days are in. The seed
    says only "quarterly"."""

    days_after_close: int = Field(default=1, ge=0, le=90)


class ConsentCheckValues(ParameterValues):
    """LJ-11.1 (**interpretation**): bill lines of these categories bill a treatment that needs
    a consent, so a line of them that names no recorded treatment is flagged as unconsented
    like a line of a treatment never consented. A line of any category naming a treatment is
    checked against that treatment's consent."""

    treatment_categories: list[str] = Field(default_factory=lambda: ["surgery"], max_length=20)


ABOVE_PRIMARY = (FacilityLevel.DISTRICT, FacilityLevel.CITY, FacilityLevel.PROVINCIAL, FacilityLevel.OUT_OF_REGION)


class ReferralRouteValues(ParameterValues):
    """LJ-3.2b: from 2026-01-01 an aid recipient admitted to a level-2-and-above designated
    hospital (二级及以上医保定点医疗机构) without a referral from primary care (未经过基层医疗
    卫生机构转诊: a primary first visit and the first-visit doctor's slip) pays first and the aid
    follows after review (manual reimbursement, LJ-13.2) instead of one-stop settlement
    (LJ-13.1). **Interpretations**: the registry records administrative levels, not hospital
    grades, so which levels count as level 2 and above is data (every level above primary by
    default); an emergency determined by referral (LJ-11.3, treat first) needs no referral."""

    required_from: date = date(2026, 1, 1)
    referral_levels: list[FacilityLevel] = Field(default_factory=lambda: list(ABOVE_PRIMARY), max_length=10)
    emergency_exempt: bool = True

    @model_validator(mode="after")
    def _above_primary_only(self) -> ReferralRouteValues:
        primary = [lv.value for lv in self.referral_levels if lv not in ABOVE_PRIMARY]
        if primary:
            raise ValueError(f"referral_levels: {', '.join(primary)} is the primary care a referral starts from")
        return self


CATALOGUE = ParameterCatalogue(
    [
        ParameterKind_("basic_insurance", BasicInsuranceValues, rule="LJ-6.1"),
        ParameterKind_("critical_illness", CriticalIllnessValues, rule="LJ-6.1"),
        # No default: medical aid is refused until an administrator loads a version.
        ParameterKind_("medical_aid", MedicalAidValues, rule="LJ-6.2"),
        ParameterKind_(
            "manual_reimbursement_window",
            ManualWindowValues,
            rule="LJ-13.2",
            default=ManualWindowValues(),
            description="working days after discharge to apply for manual reimbursement (LJ-13.2)",
        ),
        ParameterKind_(
            "emergency_period",
            EmergencyPeriodValues,
            rule="LJ-11.3",
            default=EmergencyPeriodValues(),
            description="hours after admission within which a determined emergency's claimed lines are "
            "paid as approved (LJ-11.3, LJ-7.4)",
        ),
        ParameterKind_(
            "quarterly_analysis",
            QuarterlyAnalysisValues,
            rule="LJ-15.4",
            default=QuarterlyAnalysisValues(),
            description="days after a quarter closes when the scheduler runs its analysis (LJ-15.4)",
        ),
        ParameterKind_(
            "consent_check",
            ConsentCheckValues,
            rule="LJ-11.1",
            default=ConsentCheckValues(),
            description="bill-line categories that bill a treatment needing consent (LJ-11.1)",
        ),
        ParameterKind_(
            "referral_route",
            ReferralRouteValues,
            rule="LJ-3.2b",
            default=ReferralRouteValues(),
            description="from when, and at which facility levels, an admission without a referral from primary "
            "care is settled by manual reimbursement instead of one-stop (LJ-3.2b)",
        ),
    ],
    enum=ParameterKind,
)


def window_defaults(settings: Any) -> dict[str, ParameterValues]:
    """LJ-13.2: the window an operator sets by configuration (``MEDAID_MANUAL_APPLICATION_WORKING_DAYS``);
    LJ-3.2b: the referral route's date and emergency exemption (``MEDAID_DESIGNATED_REQUIRED_FROM``,
    ``MEDAID_EMERGENCY_EXEMPT_FROM_REFERRAL``) until an administrator loads a version."""
    return {
        ParameterKind.MANUAL_REIMBURSEMENT_WINDOW.value: ManualWindowValues(
            centralized_working_days=settings.manual_application_working_days
        ),
        ParameterKind.REFERRAL_ROUTE.value: ReferralRouteValues(
            required_from=settings.designated_required_from,
            emergency_exempt=settings.emergency_exempt_from_referral,
        ),
    }


class ParameterVersion(KernelParameterVersion):
    """One version of one kind of settlement parameters for one region and facility level."""

    kind: ParameterKind


CATALOGUE.bind(ParameterVersion)


def select_version(
    versions: Iterable[KernelParameterVersion], kind: ParameterKind, region: Region, level: FacilityLevel, on: date
) -> Applied | None:
    """The most specific version of ``kind`` in force on ``on`` for ``region`` and ``level``."""
    return CATALOGUE.select(versions, kind, on=on, region=region.value, level=level.value)
