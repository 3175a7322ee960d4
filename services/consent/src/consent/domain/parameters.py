"""The consent service's versioned parameters: the LJ-7 self-pay thresholds and the LJ-11.2
major-treatment interpretations.

Each is a kind of the kernel's versioned parameters (:mod:`medaid_shared.parameters`): the
seed's values (and the interpretations SPEC leaves open) are the kinds' defaults; an
administrator loads a version for a region and facility level with effective dates through
``POST /admin/parameters`` (or ``medaid parameters load --service consent``), and every
decision stores the id of the version it applied. SPEC 0.6: LJ-7's 200 / 1,000 / 2,000 CNY
are the district's current policy, not statutory floors, so no version is bounded.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from medaid_shared.parameters import ParameterCatalogue, ParameterKind, ParameterValues

Threshold = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]


class CumulativeScope(StrEnum):
    """LJ-7.3 interpretation: cumulative self-pay over the same admission (default) or the
    person's calendar year (Asia/Shanghai)."""

    ADMISSION = "admission"
    CALENDAR_YEAR = "calendar_year"


class SelfPayReview(ParameterValues):
    """LJ-7.0 / LJ-7.3: when an out-of-catalogue item is reviewed and filed with civil affairs."""

    # LJ-7.0: a single cost ≥ this (inclusive: 200.00 is reviewed) needs the double review.
    review_threshold: Threshold = Decimal("200.00")
    # LJ-7.3: a single estimate > this is filed with civil affairs.
    civil_affairs_single_threshold: Threshold = Decimal("1000.00")
    # LJ-7.3: a cumulative self-pay > this is filed with civil affairs.
    civil_affairs_cumulative_threshold: Threshold = Decimal("2000.00")
    # LJ-7.3 (interpretation): the cumulative runs over the admission, or the calendar year.
    cumulative_scope: CumulativeScope = CumulativeScope.ADMISSION
    # LJ-7.3 (interpretation): items below the review threshold count toward the cumulative,
    # and an item that takes it over the threshold is reviewed and filed whatever its size —
    # so splitting a cost into items under 200 does not escape the filing.
    below_threshold_counts: bool = True
    # LJ-7.0 (interpretation): proposals of the same item code in one admission within this
    # many hours are one single cost for the thresholds (0: each proposal alone).
    same_item_window_hours: int = Field(default=24, ge=0, le=24 * 366)


# ICD-9-CM-3 (the base of the national clinical version of the operation and procedure codes,
# 手术操作分类代码国家临床版): chapters 01–86 are operations, 87–99 other procedures.
ICD9CM3_OPERATION_CHAPTERS = tuple(f"{n:02d}" for n in range(1, 87))
ProcedurePrefix = Annotated[str, Field(pattern=r"^[0-9]{2}(\.[0-9A-Za-z]{1,6})?$")]


class MajorTreatment(ParameterValues):
    """LJ-11.2: what makes a treatment major by data, and how the evaluation is run."""

    # LJ-11.2 (interpretation): the third-party expert is not from the treating hospital.
    expert_from_other_hospital: bool = True
    # LJ-11.2: a procedure whose code starts with one of these is surgery — major whatever
    # the hospital's label (default: the ICD-9-CM-3 operation chapters).
    surgery_code_prefixes: tuple[ProcedurePrefix, ...] = ICD9CM3_OPERATION_CHAPTERS
    # LJ-11.2: procedures the district lists as high-risk (none until a version lists them).
    high_risk_code_prefixes: tuple[ProcedurePrefix, ...] = ()
    # LJ-11.2 (interpretation): a self-pay item whose single cost is ≥ this is a high
    # self-pay item — a major treatment with its evaluation first. The seed names no amount.
    high_self_pay_threshold: Threshold = Decimal("5000.00")


SELF_PAY_REVIEW = ParameterKind(
    "self_pay_review",
    SelfPayReview,
    rule="LJ-7.0",
    default=SelfPayReview(),
    description="self-pay review and civil-affairs filing thresholds, cumulative scope, no splitting (LJ-7.0, LJ-7.3)",
)
MAJOR_TREATMENT = ParameterKind(
    "major_treatment",
    MajorTreatment,
    rule="LJ-11.2",
    default=MajorTreatment(),
    description="major treatment by data (procedure codes, high self-pay) and the expert's independence (LJ-11.2)",
)


class Rank4Filing(ParameterValues):
    """LJ-10: a rank-4 signature is filed with civil affairs (报民政局备案); the seed names no
    time for civil affairs to take note of it."""

    # LJ-10 (interpretation): civil affairs acknowledges a rank-4 signature on its work list
    # within this many working days (official calendar, SPEC 0.1); later it is flagged overdue.
    acknowledgement_working_days: int = Field(default=3, ge=1, le=60)


RANK4_FILING = ParameterKind(
    "rank4_filing",
    Rank4Filing,
    rule="LJ-10",
    default=Rank4Filing(),
    description="the working days civil affairs has to acknowledge a rank-4 signature on its work list (LJ-10)",
)


class EmergencySelfPay(ParameterValues):
    """LJ-11.3 / LJ-7.4: when a self-pay item may be decided "emergency" (no prior review)."""

    # LJ-11.3 (interpretation): an item is an emergency item only within this many hours of
    # the emergency admission (or of the first recorded rescue); the LJ seed names no period,
    # the default follows GD-13.3's "normally within 72 hours".
    emergency_period_hours: int = Field(default=72, ge=1, le=24 * 30)


EMERGENCY_SELF_PAY = ParameterKind(
    "emergency_self_pay",
    EmergencySelfPay,
    rule="LJ-11.3",
    default=EmergencySelfPay(),
    description="the emergency period within which a self-pay item may be decided emergency (LJ-11.3, LJ-7.4)",
)


class SelfPaySteps(ParameterValues):
    """LJ-7.2 / LJ-7.3: how long each review step of a self-pay item may wait for the office
    whose step it is. The seed names no time for any of them; the item waits, undecided, at
    the patient's bedside meanwhile."""

    # LJ-7.2 (interpretation): the institution head, or the village committee head with the
    # guardian or agent, reviews within this many working days of the signed consent form.
    initial_review_working_days: int = Field(default=2, ge=1, le=60)
    # LJ-7.3 (interpretation): the town government files a decentralized person's item with
    # civil affairs within this many working days of the initial review.
    civil_affairs_filing_working_days: int = Field(default=2, ge=1, le=60)
    # LJ-7.3 (interpretation): civil affairs reviews a filed item within this many working days.
    civil_affairs_review_working_days: int = Field(default=3, ge=1, le=60)


SELF_PAY_STEPS = ParameterKind(
    "self_pay_steps",
    SelfPaySteps,
    rule="LJ-7.3",
    default=SelfPaySteps(),
    description="the working days each self-pay review step may wait: initial review, town filing, "
    "civil-affairs review (LJ-7.2, LJ-7.3)",
)
CATALOGUE = ParameterCatalogue([SELF_PAY_REVIEW, MAJOR_TREATMENT, RANK4_FILING, EMERGENCY_SELF_PAY, SELF_PAY_STEPS])
