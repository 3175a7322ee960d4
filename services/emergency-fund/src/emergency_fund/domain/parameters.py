"""The fund's policy parameters as kinds of the kernel's versioned parameters
(:mod:`medaid_shared.parameters`): an administrator loads versions with effective dates
through ``POST /admin/parameters``; the defaults come from the settings (``MEDAID_PARAM_*``);
statutory floors and ceilings are the kinds' bounds (SPEC 0.6: stricter, never weaker).
:class:`emergency_fund.domain.params.Params` is the set in force on one day, with the id of
every version it rests on, which decisions cite.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from medaid_shared.parameters import Bound, ParameterCatalogue, ParameterKind, ParameterValues

Count = Annotated[int, Field(ge=1, le=100_000, strict=True)]
Share = Annotated[Decimal, Field(gt=0, le=1, decimal_places=4, allow_inf_nan=False)]


def _distinct(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("the list names a value twice")
    return values


def _month_day(value: str) -> str:
    date(2023, int(value[:2]), int(value[3:]))  # a day every year has (no 02-29); ValueError otherwise
    return value


Names = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=60)]], Field(min_length=1), AfterValidator(_distinct)
]
MonthDay = Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"), AfterValidator(_month_day)]


class EmergencyPeriod(ParameterValues):
    """GD-13.3: the emergency period, who may have it extended, and how far."""

    emergency_period_hours: Count
    emergency_extension_categories: Names
    emergency_extension_max_hours: Count  # interpretation
    newborn_max_age_days: Count  # interpretation: a newborn (新生儿) is at most this old


class LivingCost(ParameterValues):
    """GD-13.5 (interpretation): the daily amount and how part days count."""

    living_cost_days_per_month: Count
    living_cost_day_counting: Literal["started", "completed"]


ChannelName = Literal[
    "liable_party",
    "work_injury_insurance",
    "basic_medical_insurance",
    "public_health_funds",
    "medical_aid",
    "road_traffic_accident_fund",
    "red_cross",
]


class ChannelConfirmation(ParameterValues):
    """GD-18.1 (interpretation): the channels whose 0.00 the agency may not waive — the
    hospital's "nothing paid" there stands only on the department's confirmation (the police
    for the liable party and the road-traffic fund, human resources and social security for
    work-injury insurance), since a zero there is what makes the fund pay the whole gap."""

    channels_zero_needs_department: Annotated[list[ChannelName], AfterValidator(_distinct)]


class CostReference(ParameterValues):
    """GD-13.4 (interpretation): years back the average-cost reference may come from."""

    cost_reference_fallback_years: Count


class UnableToPay(ParameterValues):
    """GD-17: the locally set criteria of 'unable to pay'."""

    unable_to_pay_criteria: Names


class ReviewLimits(ParameterValues):
    """GD-20.2: the agency reviews, health forwards, finance disburses within working days."""

    agency_review_working_days: Count
    health_forward_working_days: Count
    finance_disburse_working_days: Count


class PublicNotice(ParameterValues):
    """GD-21: the notice term; how long an ended notice stays on the public page."""

    notice_working_days: Count
    public_notice_history_days: Count  # interpretation


class Preallocation(ParameterValues):
    """GD-7: the statutory minimum share and the suggested share of last cycle's use."""

    preallocation_min_share: Share
    preallocation_ratio: Share  # interpretation


class PreallocationCheck(ParameterValues):
    """GD-7 (interpretation): when the year-end check of the minimum runs (the end of this day,
    MM-DD, Asia/Shanghai, of the year it checks), and which cycle's use money returned after a
    late identification (GD-16.4) comes off: the cycle that paid it or the one it came back in."""

    preallocation_check_day: MonthDay
    preallocation_refunds_reduce: Literal["disbursement_cycle", "refund_cycle"]


class RefundDue(ParameterValues):
    """GD-16.4 (interpretation): the hospital returns demanded money within working days."""

    refund_due_working_days: Count


def _hh_mm(value: str) -> str:
    hour, minute = (int(x) for x in value.split(":"))
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError("a time of day HH:MM")
    return value


HhMm = Annotated[str, Field(pattern=r"^\d{2}:\d{2}$"), AfterValidator(_hh_mm)]


class RegistrationExport(ParameterValues):
    """GD-19 (interpretation): the registration records are delivered to the national
    platform every day at this time (HH:MM, Asia/Shanghai)."""

    registration_export_time: HhMm


class Training(ParameterValues):
    """GD-8 (interpretation): the yearly training reminder day (MM-DD, Asia/Shanghai)."""

    training_reminder_day: MonthDay


EMERGENCY_PERIOD = ParameterKind("emergency_period", EmergencyPeriod, rule="GD-13.3", description="GD-13.3")
LIVING_COST = ParameterKind("living_cost", LivingCost, rule="GD-13.5", description="GD-13.5")
CHANNEL_CONFIRMATION = ParameterKind(
    "channel_confirmation",
    ChannelConfirmation,
    rule="GD-18.1",
    description="GD-18.1: channels whose zero only the department confirms",
)
COST_REFERENCE = ParameterKind("cost_reference", CostReference, rule="GD-13.4", description="GD-13.4")
UNABLE_TO_PAY = ParameterKind("unable_to_pay", UnableToPay, rule="GD-17", description="GD-17")
REVIEW_LIMITS = ParameterKind(
    "review_limits",
    ReviewLimits,
    rule="GD-20.2",
    bounds=(
        Bound("agency_review_working_days", ceiling=10, rule="GD-20.2"),
        Bound("health_forward_working_days", ceiling=5, rule="GD-20.2"),
        Bound("finance_disburse_working_days", ceiling=20, rule="GD-20.2"),
    ),
    description="GD-20.2: at most 10 / 5 / 20 working days",
)
PUBLIC_NOTICE = ParameterKind(
    "public_notice",
    PublicNotice,
    rule="GD-21",
    bounds=(Bound("notice_working_days", floor=3, rule="GD-21"),),
    description="GD-21: at least 3 working days",
)
PREALLOCATION = ParameterKind(
    "preallocation",
    Preallocation,
    rule="GD-7",
    bounds=(Bound("preallocation_min_share", floor=Decimal("0.80"), rule="GD-7"),),
    description="GD-7: at least 80 %",
)
PREALLOCATION_CHECK = ParameterKind(
    "preallocation_check", PreallocationCheck, rule="GD-7", description="GD-7: the year-end check; refunds"
)
REGISTRATION_EXPORT = ParameterKind(
    "registration_export", RegistrationExport, rule="GD-19", description="GD-19: the daily delivery time"
)
TRAINING = ParameterKind("training", Training, rule="GD-8", description="GD-8")
REFUND_DUE = ParameterKind("refund_due", RefundDue, rule="GD-16.4", description="GD-16.4")

KINDS = (
    EMERGENCY_PERIOD,
    LIVING_COST,
    COST_REFERENCE,
    CHANNEL_CONFIRMATION,
    UNABLE_TO_PAY,
    REVIEW_LIMITS,
    PUBLIC_NOTICE,
    PREALLOCATION,
    PREALLOCATION_CHECK,
    REGISTRATION_EXPORT,
    TRAINING,
    REFUND_DUE,
)
CATALOGUE = ParameterCatalogue(KINDS)
