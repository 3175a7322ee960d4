"""The payer chain (SPEC §5): who pays how much of an admission's bills. Pure: no I/O.

In-catalogue (compliant) cost, in order (LJ-6.1):
  1. basic medical insurance, 2. critical-illness insurance, 3. medical aid (LJ-6.2),
  4. the support fund for whatever compliant cost is still left.
Out-of-catalogue cost, per bill line, by the self-pay decision of its item:
  approved (or below the review threshold) → support money / temporary assistance (LJ-14.1);
  emergency → paid as approved (interpretation of LJ-7.4's "non-emergency"): an item consent
    decided as emergency, or a line the hospital claims as emergency rescue served within the
    period of an emergency referral determined (SPEC 0.5: the claim alone pays nothing);
  unapproved or rejected, non-emergency → borne by the hospital that proposed it (LJ-7.4).
Gates from the admission's compliance (§2):
  unfiled → medical aid and support fund pay nothing, the rest falls on the adviser civil
    affairs recorded for the care, or else the person (LJ-4.3c: 建议方或当事人);
  out of Guangxi without approval → medical aid pays nothing (LJ-4.3b);
  non-designated facility, or level-2+ without referral from primary care → manual
  reimbursement after review instead of one-stop settlement (LJ-3.2b, LJ-13.1, LJ-13.2).

Every amount is an :class:`Explanation` naming the payer, the rule id and the parameter
version; the amounts of each bill line and of the compliant cost add up exactly (SPEC 0.2):
each payer's share is rounded to the fen and the last payer takes the exact rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from medaid_shared.contracts.common import PRIMARY_LEVELS, FacilityLevel, FilingState, Region
from settlement.domain.money import ZERO, cents, non_negative
from settlement.domain.parameters import (
    Applied,
    BasicInsuranceValues,
    CriticalIllnessValues,
    MedicalAidValues,
)


class Payer(StrEnum):
    BASIC_INSURANCE = "basic_insurance"
    CRITICAL_ILLNESS = "critical_illness"
    MEDICAL_AID = "medical_aid"
    SUPPORT_FUND = "support_fund"
    SELF_PAY_SUPPORT = "self_pay_support"
    HOSPITAL_BORNE = "hospital_borne"
    PERSONAL_CASH = "personal_cash"


# LJ-6.1: the order in which payers meet compliant cost.
CHAIN_ORDER: tuple[Payer, ...] = (
    Payer.BASIC_INSURANCE,
    Payer.CRITICAL_ILLNESS,
    Payer.MEDICAL_AID,
    Payer.SUPPORT_FUND,
    Payer.PERSONAL_CASH,
)


class Mode(StrEnum):
    ONE_STOP = "one_stop"  # LJ-13.1
    MANUAL = "manual"  # LJ-13.2


class SelfPayOutcome(StrEnum):
    """Consent's final word on a self-pay item (SelfPayDecided.outcome)."""

    APPROVED = "approved"
    REJECTED = "rejected"
    EMERGENCY = "emergency"
    BELOW_THRESHOLD = "below_threshold"


@dataclass(frozen=True)
class Line:
    """A bill line as the engine sees it."""

    line_no: int
    item_code: str
    in_catalogue: bool
    amount: Decimal
    self_pay_item_id: str | None = None
    # SPEC 0.5: the hospital's claim that the line was used in the emergency rescue. It pays
    # nothing by itself: only within a determined emergency's period (Gates.emergency_until).
    emergency: bool = False
    service_date: date | None = None


@dataclass(frozen=True)
class SelfPayDecision:
    outcome: SelfPayOutcome
    amount: Decimal


@dataclass(frozen=True)
class Gates:
    """What settlement needs to know about the admission (from referral's events)."""

    filing_state: FilingState
    facility_designated: bool
    facility_level: FacilityLevel
    facility_region: Region
    primary_first_visit: bool
    referral_slip: bool
    out_of_region_approved: bool | None
    # SPEC 0.5 / LJ-11.3: an emergency admission determined (basis recorded) and not withdrawn
    emergency: bool
    admitted_on: date
    basic_insurance_enrolled: bool = True
    # LJ-11.3 / LJ-7.4: the last service day within the determined emergency's period (None:
    # no emergency stands, so no claimed line is paid as approved)
    emergency_until: date | None = None
    # LJ-4.3c: the unit civil affairs recorded as having advised the unfiled outside care
    # (建议方); it bears what the gate refuses, otherwise the person does (当事人)
    unfiled_care_adviser: str | None = None


@dataclass(frozen=True)
class GateRules:
    """Interpretations around the gates (configurable in the service settings)."""

    designated_required_from: date = date(2026, 1, 1)  # LJ-3.2b
    emergency_exempt_from_referral: bool = True  # an emergency admission needs no referral slip
    support_fund_when_aid_refused_out_of_guangxi: bool = True  # LJ-4.3b only stops medical aid
    # LJ-3.2b: the levels that count as level 2 and above (二级及以上), and the version of the
    # referral_route parameter these three came from (cited when it sends a case to manual)
    referral_levels: frozenset[FacilityLevel] = frozenset(FacilityLevel) - PRIMARY_LEVELS
    route_version: str | None = None


@dataclass(frozen=True)
class YearToDate:
    """The person's running totals of the calendar year, before this settlement."""

    basic_paid: Decimal = ZERO
    critical_base: Decimal = ZERO  # compliant burden after basic insurance, the CI base
    critical_paid: Decimal = ZERO
    aid_used: Decimal = ZERO

    def plus(self, other: YearToDate) -> YearToDate:
        return YearToDate(
            self.basic_paid + other.basic_paid,
            self.critical_base + other.critical_base,
            self.critical_paid + other.critical_paid,
            self.aid_used + other.aid_used,
        )


@dataclass(frozen=True)
class Parameters:
    basic: Applied
    critical: Applied
    aid: Applied


@dataclass(frozen=True)
class PlatformResult:
    """LJ-13.1 / SPEC 0.5: the hospital's one-stop settlement on the national medical-security
    platform (一站式结算, interface 2207 output), named as the platform names it. Basic
    insurance, critical illness and medical aid are taken from it as the fact; medical aid is
    checked against LJ-6.2 and the yearly ceiling of this service's ledger."""

    setl_id: str
    medfee_sumamt: Decimal
    inscp_scp_amt: Decimal
    fulamt_ownpay_amt: Decimal
    act_pay_dedc: Decimal
    hifp_pay: Decimal
    hifmi_pay: Decimal
    maf_pay: Decimal
    psn_cash_pay: Decimal


@dataclass(frozen=True)
class Difference:
    """A field where the platform's result differs from this service's own computation."""

    field: str
    platform: Decimal
    computed: Decimal
    rule: str
    note: str


@dataclass(frozen=True)
class Explanation:
    payer: Payer
    amount: Decimal
    rule: str
    parameter_version: str | None
    basis: str
    line_no: int | None = None


@dataclass(frozen=True)
class Settlement:
    mode: Mode
    manual_reasons: tuple[str, ...]
    total: Decimal
    in_catalogue_total: Decimal
    out_of_catalogue_total: Decimal
    deductible_applied: Decimal
    amounts: Mapping[Payer, Decimal]
    explanations: tuple[Explanation, ...]
    year_delta: YearToDate
    parameter_versions: tuple[str, ...]
    example_parameters: bool
    gates_applied: tuple[str, ...] = field(default_factory=tuple)
    platform_setl_id: str | None = None
    differences: tuple[Difference, ...] = field(default_factory=tuple)

    def amount(self, payer: Payer) -> Decimal:
        return self.amounts.get(payer, ZERO)

    @property
    def patient_advance(self) -> Decimal:
        return patient_advance(self.mode, self.amounts)

    def national_fields(self) -> dict[str, Decimal]:
        return national_fields(
            self.mode,
            self.total,
            self.in_catalogue_total,
            self.out_of_catalogue_total,
            self.deductible_applied,
            self.amounts,
        )


def patient_advance(mode: Mode, amounts: Mapping[Payer, Decimal]) -> Decimal:
    """LJ-3.4: one-stop at a designated facility, the patient advances nothing (no deposit)
    and pays only the personal share. LJ-3.2b: in manual reimbursement the patient pays
    first what aid, the support fund and support money will reimburse after review (LJ-13.2)."""
    if mode is Mode.ONE_STOP:
        return ZERO
    return (
        amounts.get(Payer.MEDICAL_AID, ZERO)
        + amounts.get(Payer.SUPPORT_FUND, ZERO)
        + amounts.get(Payer.SELF_PAY_SUPPORT, ZERO)
    )


def national_fields(
    mode: Mode,
    total: Decimal,
    in_catalogue_total: Decimal,
    out_of_catalogue_total: Decimal,
    deductible_applied: Decimal,
    amounts: Mapping[Payer, Decimal],
) -> dict[str, Decimal]:
    """The fields of a national medical-security platform settlement (2207 output), so HIS
    integrators map the statement without guesswork: medfee_sumamt = fund_pay_sumamt +
    psn_part_amt + hosp_part_amt. In manual mode (LJ-13.2) aid and support are not settled
    at the counter: the patient advances them and is reimbursed after review."""
    one_stop = mode is Mode.ONE_STOP
    hifp = amounts.get(Payer.BASIC_INSURANCE, ZERO)
    hifmi = amounts.get(Payer.CRITICAL_ILLNESS, ZERO)
    maf = amounts.get(Payer.MEDICAL_AID, ZERO) if one_stop else ZERO
    oth = (amounts.get(Payer.SUPPORT_FUND, ZERO) + amounts.get(Payer.SELF_PAY_SUPPORT, ZERO)) if one_stop else ZERO
    cash = amounts.get(Payer.PERSONAL_CASH, ZERO) + patient_advance(mode, amounts)
    return {
        "medfee_sumamt": total,
        "inscp_scp_amt": in_catalogue_total,
        "fulamt_ownpay_amt": out_of_catalogue_total,
        "act_pay_dedc": deductible_applied,
        "hifp_pay": hifp,
        "hifmi_pay": hifmi,
        "maf_pay": maf,
        "oth_pay": oth,
        "fund_pay_sumamt": hifp + hifmi + maf + oth,
        "hosp_part_amt": amounts.get(Payer.HOSPITAL_BORNE, ZERO),
        "psn_part_amt": cash,
        "psn_cash_pay": cash,
    }


def settlement_mode(gates: Gates, rules: GateRules) -> tuple[Mode, tuple[str, ...]]:
    """LJ-13.1 one-stop at a designated facility; otherwise LJ-13.2 manual reimbursement.
    LJ-3.2b: from 2026-01-01 (the versioned ``referral_route``) aid recipients use designated
    facilities, and a level-2+ facility (the route's levels) needs a referral from primary care
    — a primary first visit and the first-visit doctor's slip; otherwise the patient pays
    first and aid follows after review. A determined emergency is exempt when the route says so."""
    reasons: list[str] = []
    if not gates.facility_designated:
        reasons.append("LJ-3.2b: the facility is not medical-aid designated")
    if unreferred_above_primary(gates, rules):
        cited = f" ({rules.route_version})" if rules.route_version else ""
        reasons.append(f"LJ-3.2b: level-2+ facility without referral from primary care{cited}")
    return (Mode.MANUAL if reasons else Mode.ONE_STOP), tuple(reasons)


def unreferred_above_primary(gates: Gates, rules: GateRules) -> bool:
    """LJ-3.2b: admitted on or after the route's date at a level it names (二级及以上) with no
    referral from primary care, and no determined emergency exempting it."""
    referred = gates.primary_first_visit and gates.referral_slip
    exempt = gates.emergency and rules.emergency_exempt_from_referral
    return (
        gates.facility_level in rules.referral_levels
        and not referred
        and not exempt
        and gates.admitted_on >= rules.designated_required_from
    )


def _tiered(amount_above: Decimal, values: CriticalIllnessValues) -> Decimal:
    """Critical-illness pay (unrounded) on a cumulative amount above the threshold."""
    total = Decimal(0)
    tiers = values.tiers
    for i, tier in enumerate(tiers):
        upper = tiers[i + 1].from_amount if i + 1 < len(tiers) else None
        if amount_above <= tier.from_amount:
            break
        band_top = amount_above if upper is None else min(amount_above, upper)
        total += (band_top - tier.from_amount) * tier.ratio
    return total


@lru_cache(maxsize=256)
def _pct(ratio: Decimal) -> str:
    return f"{(ratio * 100).normalize():f} %"


@lru_cache(maxsize=64)
def _tiers_text(tiers: tuple[tuple[str, Decimal], ...]) -> str:
    # keyed by the tier starts as written: equal Decimals may print differently
    return ", ".join(f"from {start}: {_pct(ratio)}" for start, ratio in tiers)


@dataclass(frozen=True)
class _Gate:
    """The gates of §2 that change who pays (LJ-4.3b, LJ-4.3c), decided once per settlement."""

    unfiled: bool
    out_of_guangxi_unapproved: bool
    adviser: str | None = None  # LJ-4.3c: who bears what the unfiled gate refuses, when known

    @classmethod
    def of(cls, gates: Gates) -> _Gate:
        return cls(
            gates.filing_state is FilingState.UNFILED,
            gates.facility_region is Region.OUTSIDE_GUANGXI and gates.out_of_region_approved is not True,
            gates.unfiled_care_adviser,
        )

    @property
    def unfiled_bearer(self) -> str:
        """LJ-4.3c: the cost falls on whoever advised the unfiled care or the person (建议方或当事人)."""
        if self.adviser:
            return f"borne by the adviser {self.adviser} (建议方), recorded by civil affairs"
        return "borne by the person (当事人)"

    def applied(self) -> tuple[str, ...]:
        return (("LJ-4.3c",) if self.unfiled else ()) + (("LJ-4.3b",) if self.out_of_guangxi_unapproved else ())


def settle(
    lines: Sequence[Line],
    decisions: Mapping[str, SelfPayDecision],
    gates: Gates,
    ytd: YearToDate,
    params: Parameters,
    rules: GateRules | None = None,
    platform: PlatformResult | None = None,
) -> Settlement:
    """Split an admission's bill lines among the payers. Deterministic: the same input gives
    the same settlement (re-settling changes nothing). One step per payer of LJ-6.1, then
    the out-of-catalogue lines. With the national platform's one-stop result (LJ-13.1, SPEC
    0.5), basic insurance, critical illness and medical aid are its figures, aid checked
    against LJ-6.2, and every difference from the own computation is listed."""
    rules = rules or _DEFAULT_RULES
    mode, manual_reasons = settlement_mode(gates, rules)
    book = _Book()
    gate = _Gate.of(gates)
    in_cat = out_cat = ZERO
    for ln in lines:
        if ln.in_catalogue:
            in_cat += ln.amount
        else:
            out_cat += ln.amount
    enrolled = gates.basic_insurance_enrolled
    deductible_applied = min(in_cat, params.basic.values.deductible) if enrolled else ZERO
    basic_pay = _basic_insurance(book, params.basic, in_cat, ytd, enrolled)
    rest = in_cat - basic_pay
    ci_pay = _critical_illness(book, params.critical, rest, ytd, enrolled)
    ci_base_delta = rest if enrolled else ZERO
    rest -= ci_pay
    differences: tuple[Difference, ...] = ()
    if platform is None:
        aid_pay = _medical_aid(book, params.aid, rest, ytd, gate)
    else:
        own = _Own(in_cat + out_cat, in_cat, out_cat, deductible_applied, basic_pay, ci_pay)
        book = _Book()
        deductible_applied = platform.act_pay_dedc
        basic_pay, ci_pay = _insurance_from_platform(book, platform, own, params)
        ci_base_delta = in_cat - basic_pay
        rest = in_cat - basic_pay - ci_pay
        allowed = _medical_aid(_Book(), params.aid, rest, ytd, gate)  # LJ-6.2 on the platform's figures
        aid_pay = _aid_from_platform(book, params.aid, platform, rest, ytd, gate, mode, allowed)
        differences = _differences(platform, own, aid_pay, allowed, gate, mode)
    _support_fund(book, rest - aid_pay, gate, rules)
    _out_of_catalogue(book, lines, decisions, gates.emergency_until if gates.emergency else None, gate)
    return Settlement(
        mode=mode,
        manual_reasons=manual_reasons,
        total=in_cat + out_cat,
        in_catalogue_total=in_cat,
        out_of_catalogue_total=out_cat,
        deductible_applied=deductible_applied,
        amounts=book.amounts,
        explanations=tuple(book.explanations),
        year_delta=YearToDate(basic_pay, ci_base_delta, ci_pay, aid_pay),
        parameter_versions=(params.basic.version_id, params.critical.version_id, params.aid.version_id)
        + ((rules.route_version,) if rules.route_version and unreferred_above_primary(gates, rules) else ()),
        example_parameters=params.basic.example or params.critical.example or params.aid.example,
        gates_applied=gate.applied(),
        platform_setl_id=platform.setl_id if platform else None,
        differences=differences,
    )


_DEFAULT_RULES = GateRules()


@dataclass(frozen=True)
class _Own:
    """This service's own computation, beside which the platform's result is checked."""

    total: Decimal
    in_catalogue: Decimal
    out_of_catalogue: Decimal
    deductible: Decimal
    basic: Decimal
    critical: Decimal


def _insurance_from_platform(
    book: _Book, platform: PlatformResult, own: _Own, params: Parameters
) -> tuple[Decimal, Decimal]:
    """LJ-13.1 / SPEC 0.5: basic insurance and critical illness as the national platform paid
    them (the fact); the own computation from the versioned parameters is named beside."""
    ref = f"national one-stop settlement {platform.setl_id}"
    book.pay(
        Payer.BASIC_INSURANCE,
        platform.hifp_pay,
        "LJ-6.1",
        None,
        f"hifp_pay of the {ref} (own computation with {params.basic.version_id}: {own.basic})",
    )
    book.pay(
        Payer.CRITICAL_ILLNESS,
        platform.hifmi_pay,
        "LJ-6.1",
        None,
        f"hifmi_pay of the {ref} (own computation with {params.critical.version_id}: {own.critical})",
    )
    return platform.hifp_pay, platform.hifmi_pay


def _aid_from_platform(
    book: _Book,
    applied: Applied,
    platform: PlatformResult,
    rest: Decimal,
    ytd: YearToDate,
    gate: _Gate,
    mode: Mode,
    allowed: Decimal,
) -> Decimal:
    """LJ-6.2 checked on the platform's medical aid: at most 100 % of the compliant cost the
    insurances left, within the yearly ceiling of this service's ledger and the gates
    (LJ-4.3c, LJ-4.3b). In manual reimbursement (LJ-3.2b, LJ-13.2) aid is not paid at the
    counter: it is computed here and reimbursed after review."""
    if mode is Mode.MANUAL:
        return _medical_aid(book, applied, rest, ytd, gate)
    pay = min(platform.maf_pay, allowed)
    if gate.unfiled or gate.out_of_guangxi_unapproved:
        _medical_aid(book, applied, rest, ytd, gate)  # the note of the gate that refuses aid
        return ZERO
    room = non_negative(applied.values.annual_ceiling - ytd.aid_used)
    book.pay(
        Payer.MEDICAL_AID,
        pay,
        "LJ-6.2",
        applied.version_id,
        f"maf_pay {platform.maf_pay} of the national one-stop settlement {platform.setl_id}, checked against "
        f"{_pct(applied.values.ratio)} of {rest}, yearly ceiling {applied.values.annual_ceiling} (remaining {room})",
    )
    return pay


def _differences(
    platform: PlatformResult, own: _Own, aid_pay: Decimal, allowed: Decimal, gate: _Gate, mode: Mode
) -> tuple[Difference, ...]:
    """SPEC 0.5: every field where the platform's result differs from the own computation."""
    found: list[Difference] = []

    def compare(name: str, theirs: Decimal, ours: Decimal, rule: str, note: str) -> None:
        if theirs != ours:
            found.append(Difference(name, theirs, ours, rule, note))

    compare("medfee_sumamt", platform.medfee_sumamt, own.total, "LJ-13.1", "total differs from the bills")
    compare(
        "inscp_scp_amt",
        platform.inscp_scp_amt,
        own.in_catalogue,
        "LJ-6.1",
        "compliant cost differs from the insurance catalogue's",
    )
    compare(
        "fulamt_ownpay_amt",
        platform.fulamt_ownpay_amt,
        own.out_of_catalogue,
        "LJ-7.0",
        "out-of-catalogue cost differs from the insurance catalogue's",
    )
    compare(
        "act_pay_dedc",
        platform.act_pay_dedc,
        own.deductible,
        "LJ-6.1",
        "deductible differs from the versioned parameters",
    )
    compare("hifp_pay", platform.hifp_pay, own.basic, "LJ-6.1", "basic insurance differs from the versioned parameters")
    compare(
        "hifmi_pay",
        platform.hifmi_pay,
        own.critical,
        "LJ-6.1",
        "critical illness differs from the versioned parameters",
    )
    if mode is Mode.MANUAL:
        compare(
            "maf_pay",
            platform.maf_pay,
            ZERO,
            "LJ-3.2b",
            "aid paid at the counter, but the admission is settled by manual reimbursement (LJ-13.2)",
        )
    elif platform.maf_pay > aid_pay:
        rule = "LJ-4.3c" if gate.unfiled else "LJ-4.3b" if gate.out_of_guangxi_unapproved else "LJ-6.2"
        found.append(
            Difference(
                "maf_pay",
                platform.maf_pay,
                aid_pay,
                rule,
                f"aid above what {rule} allows: {platform.maf_pay - aid_pay} not accepted",
            )
        )
    else:
        compare(
            "maf_pay",
            platform.maf_pay,
            allowed,
            "LJ-6.2",
            "aid below 100 % of the compliant cost left: the support fund pays the rest",
        )
    return tuple(found)


def _basic_insurance(book: _Book, applied: Applied, in_cat: Decimal, ytd: YearToDate, enrolled: bool) -> Decimal:
    """LJ-6.1 step 1: basic medical insurance, after its deductible, up to its ceiling."""
    if not enrolled:
        return ZERO
    basic: BasicInsuranceValues = applied.values
    room = non_negative(basic.annual_ceiling - ytd.basic_paid)
    pay = min(cents(non_negative(in_cat - basic.deductible) * basic.ratio), room, in_cat)
    book.pay(
        Payer.BASIC_INSURANCE,
        pay,
        "LJ-6.1",
        applied.version_id,
        f"max(0, {in_cat} − deductible {basic.deductible}) × {_pct(basic.ratio)}, "
        f"annual ceiling {basic.annual_ceiling} (remaining {room})",
    )
    return pay


def _critical_illness(book: _Book, applied: Applied, rest: Decimal, ytd: YearToDate, enrolled: bool) -> Decimal:
    """LJ-6.1 step 2: critical-illness insurance, tiered on the yearly burden above its threshold."""
    if not enrolled:
        return ZERO
    ci: CriticalIllnessValues = applied.values
    before = non_negative(ytd.critical_base - ci.threshold)
    after = non_negative(ytd.critical_base + rest - ci.threshold)
    room = non_negative(ci.annual_ceiling - ytd.critical_paid)
    pay = min(cents(_tiered(after, ci) - _tiered(before, ci)), room, rest)
    tiers = _tiers_text(tuple((str(t.from_amount), t.ratio) for t in ci.tiers))
    book.pay(
        Payer.CRITICAL_ILLNESS,
        pay,
        "LJ-6.1",
        applied.version_id,
        f"yearly burden {ytd.critical_base} + {rest} above threshold {ci.threshold}, tiered "
        f"{tiers}, ceiling remaining {room}",
    )
    return pay


def _medical_aid(book: _Book, applied: Applied, rest: Decimal, ytd: YearToDate, gate: _Gate) -> Decimal:
    """LJ-6.1 step 3 / LJ-6.2: medical aid, unless a gate refuses it (LJ-4.3c, LJ-4.3b)."""
    if gate.unfiled:
        book.note(Payer.MEDICAL_AID, "LJ-4.3c", applied.version_id, "outside care without filing: no aid")
        return ZERO
    if gate.out_of_guangxi_unapproved:
        book.note(
            Payer.MEDICAL_AID,
            "LJ-4.3b",
            applied.version_id,
            "out of Guangxi without the medical insurance department's approval: no aid",
        )
        return ZERO
    aid: MedicalAidValues = applied.values
    room = non_negative(aid.annual_ceiling - ytd.aid_used)
    pay = min(cents(non_negative(rest - aid.deductible) * aid.ratio), room, rest)
    book.pay(
        Payer.MEDICAL_AID,
        pay,
        "LJ-6.2",
        applied.version_id,
        f"{_pct(aid.ratio)} of {rest} after deductible {aid.deductible}, "
        f"yearly ceiling {aid.annual_ceiling} (remaining {room})",
    )
    return pay


def _support_fund(book: _Book, rest: Decimal, gate: _Gate, rules: GateRules) -> None:
    """LJ-6.1 step 4: the support fund for the compliant cost left, or the person when a gate refuses it."""
    if gate.unfiled:
        book.pay(Payer.PERSONAL_CASH, rest, "LJ-4.3c", None, f"outside care without filing: {gate.unfiled_bearer}")
    elif gate.out_of_guangxi_unapproved and not rules.support_fund_when_aid_refused_out_of_guangxi:
        book.pay(Payer.PERSONAL_CASH, rest, "LJ-4.3b", None, "out of Guangxi without approval: not supported")
    else:
        book.pay(Payer.SUPPORT_FUND, rest, "LJ-6.1", None, "compliant cost left after insurance and aid")


_SUPPORTED_LABEL = {
    SelfPayOutcome.APPROVED: "approved self-pay",
    SelfPayOutcome.BELOW_THRESHOLD: "self-pay below the review threshold (LJ-7.0)",
    SelfPayOutcome.EMERGENCY: "emergency item, paid as approved",
}


def _emergency_claim(ln: Line, emergency_until: date | None) -> tuple[bool, str]:
    """SPEC 0.5 / LJ-11.3: a line the hospital claims as emergency rescue is an emergency item
    only within a determined emergency's period; otherwise the claim is noted and unpaid."""
    if emergency_until is None:
        return False, "claimed as emergency, but no emergency determination stands for the admission"
    if ln.service_date is None or ln.service_date > emergency_until:
        return False, f"claimed as emergency, but served after the emergency period (until {emergency_until})"
    return True, ""


def _out_of_catalogue(
    book: _Book,
    lines: Sequence[Line],
    decisions: Mapping[str, SelfPayDecision],
    emergency_until: date | None,
    gate: _Gate,
) -> None:
    """Out-of-catalogue lines by their item's self-pay decision: LJ-14.1 / LJ-7.4."""
    approved_left: dict[str, Decimal] = {item: d.amount for item, d in decisions.items()}
    for ln in lines:
        if ln.in_catalogue:
            continue
        decision = decisions.get(ln.self_pay_item_id) if ln.self_pay_item_id else None
        if decision is None or decision.outcome is SelfPayOutcome.REJECTED:
            claim = ""
            if ln.emergency and decision is None:
                is_emergency, claim = _emergency_claim(ln, emergency_until)
                if is_emergency:
                    # Emergency items need no prior approval: paid as approved (interpretation).
                    book.support(ln, ln.amount, gate, "emergency item of the determined emergency, paid as approved")
                    continue
            reason = "rejected by review" if decision else (claim or "no approval on record")
            book.pay(
                Payer.HOSPITAL_BORNE,
                ln.amount,
                "LJ-7.4",
                None,
                f"unapproved non-emergency self-pay ({reason})",
                ln.line_no,
            )
            continue
        assert ln.self_pay_item_id is not None
        covered = min(ln.amount, approved_left[ln.self_pay_item_id])
        approved_left[ln.self_pay_item_id] -= covered
        book.support(ln, covered, gate, _SUPPORTED_LABEL[decision.outcome])
        book.pay(
            Payer.HOSPITAL_BORNE,
            ln.amount - covered,
            "LJ-7.4",
            None,
            f"billed above the amount decided for item {ln.self_pay_item_id} ({decision.amount})",
            ln.line_no,
        )


_PAYERS = tuple(Payer)


class _Book:
    """The shares being written: amounts per payer and their explanation lines."""

    def __init__(self) -> None:
        self.amounts: dict[Payer, Decimal] = dict.fromkeys(_PAYERS, ZERO)
        self.explanations: list[Explanation] = []

    def note(self, payer: Payer, rule: str, version: str | None, basis: str) -> None:
        """A payer that pays nothing, and why (a gate refused it)."""
        self.explanations.append(Explanation(payer, ZERO, rule, version, basis))

    def pay(
        self, payer: Payer, amount: Decimal, rule: str, version: str | None, basis: str, line_no: int | None = None
    ) -> None:
        if amount < 0:  # impossible by construction; a negative share would be a bug
            raise ArithmeticError(f"negative share for {payer}: {amount}")
        if amount == 0:
            return
        self.amounts[payer] += amount
        self.explanations.append(Explanation(payer, amount, rule, version, basis, line_no))

    def support(self, ln: Line, amount: Decimal, gate: _Gate, label: str) -> None:
        """LJ-14.1: approved self-pay is paid from support money / temporary assistance —
        unless the care was never filed (LJ-4.3c: then the adviser or the person bears it)."""
        if gate.unfiled:
            self.pay(
                Payer.PERSONAL_CASH,
                amount,
                "LJ-4.3c",
                None,
                f"{label}, but outside care without filing: {gate.unfiled_bearer}",
                ln.line_no,
            )
        else:
            self.pay(
                Payer.SELF_PAY_SUPPORT,
                amount,
                "LJ-14.1",
                None,
                f"{label}: support money / temporary assistance",
                ln.line_no,
            )
