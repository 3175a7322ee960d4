"""Properties of the payer chain, checked with Hypothesis over random bills, gates, year
totals and parameters (SPEC 0.2, LJ-6.1, LJ-6.2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from medaid_shared.contracts.common import FacilityLevel, FilingState, Region
from settlement.domain.engine import (
    CHAIN_ORDER,
    GateRules,
    Gates,
    Line,
    Parameters,
    Payer,
    SelfPayDecision,
    SelfPayOutcome,
    Settlement,
    YearToDate,
    settle,
)
from settlement.domain.parameters import Applied, BasicInsuranceValues, CriticalIllnessValues, MedicalAidValues

ITEMS = ["SP1", "SP2", "SP3", None]


def money(max_value: str = "200000.00", min_value: str = "0.01") -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(min_value), max_value=Decimal(max_value), places=2)


ratios = st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=4)


@st.composite
def lines(draw: st.DrawFn) -> list[Line]:
    n = draw(st.integers(min_value=0, max_value=15))
    return [
        Line(
            i + 1,
            f"I{i}",
            draw(st.booleans()),
            draw(money("50000.00")),
            draw(st.sampled_from(ITEMS)),
            draw(st.booleans()),
        )
        for i in range(n)
    ]


decisions = st.dictionaries(
    st.sampled_from(["SP1", "SP2", "SP3"]),
    st.builds(SelfPayDecision, st.sampled_from(list(SelfPayOutcome)), money("30000.00")),
)

gates = st.builds(
    Gates,
    filing_state=st.sampled_from(list(FilingState)),
    facility_designated=st.booleans(),
    facility_level=st.sampled_from(list(FacilityLevel)),
    facility_region=st.sampled_from(list(Region)),
    primary_first_visit=st.booleans(),
    referral_slip=st.booleans(),
    out_of_region_approved=st.sampled_from([None, True, False]),
    emergency=st.booleans(),
    admitted_on=st.dates(min_value=date(2025, 6, 1), max_value=date(2027, 12, 31)),
    basic_insurance_enrolled=st.booleans(),
)

year_totals = st.builds(
    YearToDate,
    basic_paid=money("250000.00", "0.00"),
    critical_base=money("250000.00", "0.00"),
    critical_paid=money("450000.00", "0.00"),
    aid_used=money("70000.00", "0.00"),
)


@st.composite
def parameters(draw: st.DrawFn) -> Parameters:
    bounds = sorted(draw(st.sets(money("300000.00"), max_size=3)))
    tiers = [{"from_amount": "0", "ratio": str(draw(ratios))}] + [
        {"from_amount": str(b), "ratio": str(draw(ratios))} for b in bounds
    ]
    return Parameters(
        basic=Applied(
            "basic",
            True,
            BasicInsuranceValues(
                deductible=draw(money("2000.00", "0.00")), ratio=draw(ratios), annual_ceiling=draw(money())
            ),
        ),
        critical=Applied(
            "critical",
            True,
            CriticalIllnessValues.model_validate(
                {"threshold": draw(money("30000.00", "0.00")), "tiers": tiers, "annual_ceiling": draw(money())}
            ),
        ),
        aid=Applied(
            "aid",
            False,
            MedicalAidValues(
                deductible=draw(st.sampled_from([Decimal("0.00"), Decimal("100.00")])),
                ratio=draw(st.sampled_from([Decimal("1"), Decimal("0.9")])),
                annual_ceiling=draw(money("80000.00", "1.00")),
            ),
        ),
    )


rule_sets = st.builds(
    GateRules,
    emergency_exempt_from_referral=st.booleans(),
    support_fund_when_aid_refused_out_of_guangxi=st.booleans(),
)

CASE = (lines(), decisions, gates, year_totals, parameters(), rule_sets)


def _aid_refused(g: Gates) -> bool:
    return g.filing_state is FilingState.UNFILED or (
        g.facility_region is Region.OUTSIDE_GUANGXI and g.out_of_region_approved is not True
    )


@settings(max_examples=300, deadline=None)
@given(*CASE)
def test_property_payer_amounts_sum_exactly_to_the_total(
    ls: list[Line], ds: dict[str, SelfPayDecision], g: Gates, ytd: YearToDate, p: Parameters, r: GateRules
) -> None:
    """SPEC 0.2: every split sums exactly: the whole bill, each out-of-catalogue line, and
    the compliant cost through the chain (LJ-6.1)."""
    s = settle(ls, ds, g, ytd, p, r)
    assert sum(s.amounts.values()) == s.total == sum((ln.amount for ln in ls), Decimal(0))
    for ln in ls:
        if not ln.in_catalogue:
            assert sum(e.amount for e in s.explanations if e.line_no == ln.line_no) == ln.amount
    chain = sum(e.amount for e in s.explanations if e.line_no is None)
    assert chain == s.in_catalogue_total
    for payer in Payer:
        assert sum((e.amount for e in s.explanations if e.payer is payer), Decimal(0)) == s.amount(payer)
    f = s.national_fields()
    assert f["medfee_sumamt"] == f["fund_pay_sumamt"] + f["psn_part_amt"] + f["hosp_part_amt"]


@settings(max_examples=300, deadline=None)
@given(*CASE)
def test_property_no_payer_amount_is_negative_and_all_are_in_fen(
    ls: list[Line], ds: dict[str, SelfPayDecision], g: Gates, ytd: YearToDate, p: Parameters, r: GateRules
) -> None:
    s = settle(ls, ds, g, ytd, p, r)
    for amount in [*s.amounts.values(), *(e.amount for e in s.explanations)]:
        assert amount >= 0
        assert amount == amount.quantize(Decimal("0.01"))


@settings(max_examples=300, deadline=None)
@given(*CASE)
def test_property_lj_6_1_payers_are_applied_in_order(
    ls: list[Line], ds: dict[str, SelfPayDecision], g: Gates, ytd: YearToDate, p: Parameters, r: GateRules
) -> None:
    """LJ-6.1: the chain's explanation lines follow the payer order, each payer only meets
    what the earlier ones left, and the support fund pays only once aid is exhausted."""
    s = settle(ls, ds, g, ytd, p, r)
    chain = [e.payer for e in s.explanations if e.line_no is None and e.amount > 0]
    assert chain == sorted(chain, key=CHAIN_ORDER.index)
    assert len(chain) == len(set(chain))
    basic, ci, aid = (s.amount(Payer.BASIC_INSURANCE), s.amount(Payer.CRITICAL_ILLNESS), s.amount(Payer.MEDICAL_AID))
    assert basic + ci + aid <= s.in_catalogue_total
    aid_room = max(Decimal(0), p.aid.values.annual_ceiling - ytd.aid_used)
    if (
        s.amount(Payer.SUPPORT_FUND) > 0
        and not _aid_refused(g)
        and p.aid.values.ratio == 1
        and p.aid.values.deductible == 0
    ):
        assert aid == aid_room


@settings(max_examples=300, deadline=None)
@given(*CASE)
def test_property_lj_6_2_aid_never_exceeds_the_remaining_ceiling(
    ls: list[Line], ds: dict[str, SelfPayDecision], g: Gates, ytd: YearToDate, p: Parameters, r: GateRules
) -> None:
    s = settle(ls, ds, g, ytd, p, r)
    assert s.amount(Payer.MEDICAL_AID) <= max(Decimal(0), p.aid.values.annual_ceiling - ytd.aid_used)
    assert s.year_delta.aid_used == s.amount(Payer.MEDICAL_AID)
    if _aid_refused(g):
        assert s.amount(Payer.MEDICAL_AID) == 0


@settings(max_examples=200, deadline=None)
@given(*CASE)
def test_property_re_settling_the_same_bill_changes_nothing(
    ls: list[Line], ds: dict[str, SelfPayDecision], g: Gates, ytd: YearToDate, p: Parameters, r: GateRules
) -> None:
    first: Settlement = settle(ls, ds, g, ytd, p, r)
    again: Settlement = settle(list(ls), dict(ds), g, ytd, p, r)
    assert again == first
