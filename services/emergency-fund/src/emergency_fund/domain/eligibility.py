"""Who and what the fund pays for (GD-12 … GD-14, GD-16.3, GD-17, GD-18, GD-22.3, GD-23).

Pure rules: the service layer loads the facts (case, cost lines, reference tables, signals
from identity-check, channel payments) and these functions decide.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from emergency_fund.domain.money import ZERO, cents
from emergency_fund.domain.params import Params
from medaid_shared.errors import RuleViolation


class IdentityStatus(StrEnum):
    UNIDENTIFIED = "unidentified"  # GD-13.1
    IDENTIFIED = "identified"  # GD-13.2


class Channel(StrEnum):
    """GD-18.1: the existing channels that pay before the fund (the fund pays only the gap)."""

    LIABLE_PARTY = "liable_party"  # 责任人
    WORK_INJURY_INSURANCE = "work_injury_insurance"  # 工伤保险
    BASIC_MEDICAL_INSURANCE = "basic_medical_insurance"  # 基本医疗保险
    PUBLIC_HEALTH_FUNDS = "public_health_funds"  # 公共卫生经费
    MEDICAL_AID = "medical_aid"  # 医疗救助
    ROAD_TRAFFIC_ACCIDENT_FUND = "road_traffic_accident_fund"  # 道路交通事故社会救助基金
    RED_CROSS = "red_cross"  # 红十字疾病医疗救助基金


class CivilAffairsStatus(StrEnum):
    """GD-22.3: the statuses civil affairs checks for a patient."""

    DESTITUTE = "destitute"  # 特困人员 (the LJ population)
    ORPHAN = "orphan"  # 孤儿
    DE_FACTO_UNSUPPORTED_CHILD = "de_facto_unsupported_child"  # 事实无人抚养儿童
    MINIMUM_LIVING = "minimum_living"  # 最低生活保障对象
    MARGINAL_FAMILY = "marginal_family"  # 低保边缘家庭成员
    HARDSHIP_FAMILY = "hardship_family"  # 刚性支出困难家庭成员
    NONE = "none"  # none of the above


HOMELESS_VAGRANT = "homeless_vagrant"  # GD-18.2, confirmed by civil affairs' registration


class ItemExclusion(StrEnum):
    """GD-14 (and GD-13.3 / GD-18.2 for costs after the emergency period): not payable."""

    BEYOND_TREATMENT_NEED = "beyond_treatment_need"  # 超出疾病救治需要的不合理费用
    STABLE_LONG_STAY = "stable_long_stay_non_emergency"  # 病情平稳但长期住院的非急救费用
    AFTER_EMERGENCY_PERIOD = "after_emergency_period"  # paid by the normal channels (GD-18.2)


class CaseExclusion(StrEnum):
    """GD-14: a whole case is not payable."""

    ABLE_TO_PAY_REFUSES = "able_to_pay_refuses"  # 经查实身份、有负担能力但拒绝付费


# ---------------------------------------------------------------- emergency period (GD-13.3)


def emergency_period_end(admitted_at: datetime, hours: int) -> datetime:
    """GD-13.3: the emergency period runs ``hours`` (72 by default) from admission."""
    return admitted_at + timedelta(hours=hours)


# GD-13.3: the evidence that fits each category an extension may name (an extension for any
# other configured category has no fitting evidence and is refused).
EXTENSION_EVIDENCE = {
    "critically_ill_newborn": "date_of_birth",  # the newborn's date of birth (出生医学证明)
    "poor_critically_ill_pregnant_woman": "pregnancy_record",  # the pregnancy record (母子健康手册)
}


@dataclass(frozen=True)
class ExtensionEvidence:
    date_of_birth: date | None = None
    pregnancy_record: str | None = None


@dataclass(frozen=True)
class BirthFacts:
    """What the resident ID number the fund holds says of the patient (GB 11643: the birth
    date in characters 7-14, the sex in character 17, odd for a man) — a fact, where the
    hospital's date of birth is its claim (SPEC 0.5)."""

    born: date
    female: bool

    @classmethod
    def from_id_number(cls, id_number: str) -> BirthFacts:
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        return cls(born, int(id_number[16]) % 2 == 0)

    @classmethod
    def parse(cls, stored: str) -> BirthFacts:
        born, _, sex = stored.partition("|")
        return cls(date.fromisoformat(born), sex == "F")

    def stored(self) -> str:
        return f"{self.born.isoformat()}|{'F' if self.female else 'M'}"


def check_extension(
    category: str,
    reason: str,
    hours: int,
    params: Params,
    *,
    evidence: ExtensionEvidence,
    admitted_on: date,
    held: BirthFacts | None = None,
) -> None:
    """GD-13.3: only poor critically ill pregnant women and newborns (configurable) may have
    the period extended, with a recorded reason and the evidence that fits the category —
    a newborn's date of birth (at most ``newborn_max_age_days`` before admission), a
    pregnancy record — beyond the normal period. Where the fund holds the patient's ID number
    (``held``), the category must match it: a newborn's age counts from the ID's birth date
    (the hospital's date of birth must agree with it), and a pregnant woman's ID is a woman's."""
    if category not in params.emergency_extension_categories:
        raise RuleViolation(
            f"the emergency period may be extended only for {', '.join(params.emergency_extension_categories)}",
            rule="GD-13.3",
            field="category",
        )
    if not reason.strip():
        raise RuleViolation("an extension needs a recorded reason", rule="GD-13.3", field="reason")
    if hours <= params.emergency_period_hours:
        raise RuleViolation(
            f"an extension must exceed the normal {params.emergency_period_hours} hours", rule="GD-13.3", field="hours"
        )
    if hours > params.emergency_extension_max_hours:
        raise RuleViolation(
            f"an extended period may not exceed {params.emergency_extension_max_hours} hours",
            rule="GD-13.3",
            field="hours",
        )
    _check_evidence(category, evidence, admitted_on, params, held)


def _check_evidence(
    category: str, evidence: ExtensionEvidence, admitted_on: date, params: Params, held: BirthFacts | None
) -> None:
    kind = EXTENSION_EVIDENCE.get(category)
    if kind is None:
        raise RuleViolation(f"no evidence is defined for an extension of {category}", rule="GD-13.3", field="category")
    given = getattr(evidence, kind)
    if kind == "date_of_birth" and held is not None:
        if given is not None and given != held.born:
            raise RuleViolation(
                "the date of birth does not match the ID number the fund holds for the patient",
                rule="GD-13.3",
                field="evidence.date_of_birth",
            )
        given = held.born  # the fact; the hospital need not repeat it
    if given is None or (isinstance(given, str) and not given.strip()):
        raise RuleViolation(f"an extension of {category} rests on the {kind}", rule="GD-13.3", field=f"evidence.{kind}")
    if kind == "pregnancy_record" and held is not None and not held.female:
        raise RuleViolation(
            "the ID number the fund holds for the patient is a man's: not a pregnant woman",
            rule="GD-13.3",
            field="category",
        )
    if kind == "date_of_birth":
        age = (admitted_on - given).days
        if not 0 <= age <= params.newborn_max_age_days:
            raise RuleViolation(
                f"born {given}: {age} days old at admission, not a newborn "
                f"(at most {params.newborn_max_age_days} days)",
                rule="GD-13.3",
                field="evidence.date_of_birth",
            )


# ---------------------------------------------------------------- living cost (GD-13.5)


def living_days(hours: float, counting: str = "started") -> int:
    """GD-13.5 (interpretation, parameter ``living_cost_day_counting``): every started 24 hours
    spent in hospital within the emergency period is a day (``started``), or only every
    completed 24 hours (``completed``); at least one day."""
    days = math.ceil(hours / 24) if counting == "started" else math.floor(hours / 24)
    return max(1, days)


def daily_living_amount(monthly_standard: Decimal, days_per_month: int) -> Decimal:
    """GD-13.5: the city's urban minimum-living standard converted to a daily amount."""
    return cents(monthly_standard / days_per_month)


# ---------------------------------------------------------------- diseases (GD-12)


@dataclass(frozen=True)
class DiseaseEntry:
    code: str
    scope: str  # "national" or a city code
    urgent_critical: bool
    effective_from: date
    effective_to: date | None


def disease_eligible(code: str, city: str, on: date, entries: Iterable[DiseaseEntry]) -> bool:
    """GD-12: the national list (国卫办医发〔2013〕32号) plus the city's own "urgent, critical"
    additions, in force on the admission day."""
    for e in entries:
        if e.code != code or e.scope not in ("national", city):
            continue
        if e.effective_from <= on and (e.effective_to is None or on <= e.effective_to) and e.urgent_critical:
            return True
    return False


# ---------------------------------------------------------------- identity path (GD-16.3)


@dataclass(frozen=True)
class IdentitySignal:
    """What identity-check told us about one police letter for this patient."""

    overdue: bool
    outcome: str | None  # identified | not_identified | None (no reply yet)
    late: bool = False


def unidentified_gate(signals: Sequence[IdentitySignal]) -> str | None:
    """GD-16.3: an unidentified patient's application is allowed only once the police's
    3 working days have passed without a result (IdentityCheckOverdue) or the reply says
    "not identified". Returns the basis, or None while the check is still running."""
    if any(s.outcome == "not_identified" for s in signals):
        return "not_identified"
    if any(s.overdue for s in signals):
        return "identity_check_overdue"
    return None


# ---------------------------------------------------------------- assessment (GD-13, GD-14, GD-18.1, GD-23)


@dataclass(frozen=True)
class CostLine:
    occurred_at: datetime
    amount: Decimal
    exclusion: str | None = None


@dataclass(frozen=True)
class Assessment:
    """The most the fund may pay for one case, and why."""

    identity_status: IdentityStatus
    emergency_hours: int
    period_end: datetime
    living_until: datetime  # GD-13.5: the end of the stay within the period (or now, while it lasts)
    billed: Decimal
    excluded: dict[str, Decimal]
    waiver: Decimal
    eligible_medical: Decimal
    channels_paid: Decimal
    medical_gap: Decimal
    average_cost_cap: Decimal | None
    medical_max: Decimal
    living_daily: Decimal | None
    living_days: int
    living_max: Decimal
    total_max: Decimal
    rules: list[str] = field(default_factory=list)


def assess(
    *,
    identity_status: IdentityStatus,
    lines: Sequence[CostLine],
    admitted_at: datetime,
    emergency_hours: int,
    waiver: Decimal,
    channels_paid: Decimal,
    average_cost: Decimal | None,
    living_daily: Decimal | None,
    day_counting: str = "started",
    living_until: datetime | None = None,
) -> Assessment:
    """GD-13 … GD-23: the caps of one case. ``living_until`` is when the patient's stay ended
    (discharge, death, transfer) or now while it lasts; living days count only the stay
    within the emergency period (GD-13.5); without it, the whole period."""
    period_end = emergency_period_end(admitted_at, emergency_hours)
    until = period_end if living_until is None else max(admitted_at, min(period_end, living_until))
    rules = ["GD-13.3"]
    excluded: dict[str, Decimal] = {}
    eligible = ZERO
    billed = ZERO
    for line in lines:
        billed += line.amount
        reason = line.exclusion
        if reason is None and line.occurred_at > period_end:
            reason = ItemExclusion.AFTER_EMERGENCY_PERIOD.value  # GD-13.3 / GD-18.2
        if reason is not None:
            excluded[reason] = cents(excluded.get(reason, ZERO) + line.amount)  # GD-14
        else:
            eligible += line.amount
    if excluded:
        rules.append("GD-14")
    after_waiver = max(ZERO, eligible - waiver)  # GD-23: a waiver reduces the claim
    if waiver > 0:
        rules.append("GD-23")
    if identity_status is IdentityStatus.IDENTIFIED:
        rules += ["GD-13.2", "GD-18.1"]  # existing channels first; the fund pays the gap
        gap = max(ZERO, after_waiver - channels_paid)
    else:
        rules.append("GD-13.1")
        gap = max(ZERO, after_waiver - channels_paid)
    medical_max = gap if average_cost is None else min(gap, average_cost)  # GD-13.4
    rules.append("GD-13.4")
    days = living_days((until - admitted_at).total_seconds() / 3600, day_counting)
    living_max = cents(living_daily * days) if living_daily is not None else ZERO  # GD-13.5
    rules.append("GD-13.5")
    return Assessment(
        identity_status=identity_status,
        emergency_hours=emergency_hours,
        period_end=period_end,
        living_until=until,
        billed=cents(billed),
        excluded=excluded,
        waiver=cents(waiver),
        eligible_medical=cents(eligible),
        channels_paid=cents(channels_paid),
        medical_gap=cents(gap),
        average_cost_cap=average_cost,
        medical_max=cents(medical_max),
        living_daily=living_daily,
        living_days=days,
        living_max=living_max,
        total_max=cents(medical_max + living_max),
        rules=rules,
    )


# ---------------------------------------------------------------- readiness of a claim


@dataclass(frozen=True)
class CaseFacts:
    identity_status: IdentityStatus
    identity_gate: str | None
    disease_code: str | None
    disease_eligible: bool
    excluded: str | None
    unable_to_pay_basis: list[str]
    channels_recorded: set[str]
    civil_affairs_statuses: set[str] | None  # None: civil affairs has not checked yet
    vagrant_registered: bool
    has_cost_reference: bool
    has_living_standard: bool
    blacklisted: bool = False
    exclusion_proposed: str | None = None  # GD-14: the hospital's proposal, until the agency decides
    extension_requested: str | None = None  # GD-13.3: an extension awaiting its decision


@dataclass(frozen=True)
class Blocker:
    rule: str
    detail: str
    field: str | None = None


def claim_blockers(facts: CaseFacts, params: Params) -> list[Blocker]:
    """Everything that stops an individual application (附件2) from being filed."""
    out: list[Blocker] = []
    if facts.excluded is not None:
        out.append(Blocker("GD-14", f"the case is excluded: {facts.excluded}"))
    if facts.exclusion_proposed is not None:
        out.append(
            Blocker(
                "GD-14",
                f"the hospital proposed to exclude the case ({facts.exclusion_proposed}): the agency decides first",
            )
        )
    if facts.extension_requested is not None:
        out.append(
            Blocker(
                "GD-13.3",
                f"the extension of the emergency period ({facts.extension_requested}) awaits the agency's or the "
                "health department's decision",
            )
        )
    if facts.disease_code is None:
        out.append(Blocker("GD-12", "the case has no disease code yet", "disease_code"))
    elif not facts.disease_eligible:
        out.append(
            Blocker("GD-12", f"disease {facts.disease_code} is not on the national list or the city's additions")
        )
    if facts.identity_status is IdentityStatus.UNIDENTIFIED:
        if facts.identity_gate is None:
            out.append(
                Blocker(
                    "GD-16.3",
                    "an unidentified patient may be applied for only after the police's 3 working days "
                    "passed without a result or the reply says 'not identified'",
                )
            )
    else:
        out.extend(_identified_blockers(facts, params))
    if not facts.has_cost_reference:
        out.append(Blocker("GD-13.4", "no average cost per case for this hospital, disease and year"))
    if not facts.has_living_standard:
        out.append(Blocker("GD-13.5", "no urban minimum-living standard for the city"))
    return out


def _identified_blockers(facts: CaseFacts, params: Params) -> list[Blocker]:
    out: list[Blocker] = []
    basis = facts.unable_to_pay_basis
    if not basis:
        out.append(Blocker("GD-17", "an identified patient needs an 'unable to pay' basis", "unable_to_pay_basis"))
    unknown = [b for b in basis if b not in params.unable_to_pay_criteria]
    if unknown:
        out.append(Blocker("GD-17", f"not a local 'unable to pay' criterion: {', '.join(unknown)}"))
    missing = [c.value for c in Channel if c.value not in facts.channels_recorded]
    if missing:
        out.append(Blocker("GD-18.1", f"existing channels not yet recorded: {', '.join(missing)}"))
    if facts.civil_affairs_statuses is None:
        out.append(Blocker("GD-22.3", "civil affairs has not checked the patient's status"))
    else:
        statuses = {s.value for s in CivilAffairsStatus} - {CivilAffairsStatus.NONE.value}
        unconfirmed = [b for b in basis if b in statuses and b not in facts.civil_affairs_statuses]
        if unconfirmed:
            out.append(Blocker("GD-22.3", f"civil affairs did not confirm: {', '.join(unconfirmed)}"))
    if HOMELESS_VAGRANT in basis and not facts.vagrant_registered:
        out.append(Blocker("GD-18.2", "a homeless vagrant must be registered by civil affairs' assistance agency"))
    return out


def check_claim(medical: Decimal, living: Decimal, assessment: Assessment) -> None:
    """The claimed amounts stay within the caps (GD-13.4, GD-13.5, GD-18.1)."""
    if medical > assessment.medical_max:
        rule = "GD-13.4" if assessment.average_cost_cap is not None and medical > assessment.average_cost_cap else ""
        if not rule:
            rule = "GD-18.1" if assessment.identity_status is IdentityStatus.IDENTIFIED else "GD-13.1"
        raise RuleViolation(
            f"medical amount {medical} exceeds the payable maximum {assessment.medical_max}",
            rule=rule,
            field="medical_amount",
            extra={"medical_max": str(assessment.medical_max)},
        )
    if living > assessment.living_max:
        raise RuleViolation(
            f"living amount {living} exceeds {assessment.living_max} "
            f"({assessment.living_daily} a day × {assessment.living_days} days)",
            rule="GD-13.5",
            field="living_amount",
        )
    if medical + living <= 0:
        raise RuleViolation("a claim must ask for a positive amount", field="medical_amount")
