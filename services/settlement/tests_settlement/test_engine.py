"""The payer chain engine, worked examples (pure domain, no I/O)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from medaid_shared.contracts.common import FacilityLevel, FilingState, Region
from settlement.domain.engine import (
    CHAIN_ORDER,
    GateRules,
    Mode,
    Payer,
    PlatformResult,
    SelfPayDecision,
    SelfPayOutcome,
    YearToDate,
    settle,
)
from tests_settlement.factories import gates, in_cat, out_cat, params

D = Decimal


def test_lj_6_1_compliant_cost_goes_basic_then_critical_then_aid_then_support_fund() -> None:
    """LJ-6.1: 20,000 compliant at a district hospital, the person already carrying 8,000 of
    critical-illness base this year, 59,000 of aid used."""
    ytd = YearToDate(critical_base=D("8000.00"), aid_used=D("59000.00"))
    s = settle([in_cat("20000.00")], {}, gates(), ytd, params())
    # basic: (20000 − 500) × 80 % = 15600; rest 4400
    assert s.amount(Payer.BASIC_INSURANCE) == D("15600.00")
    # critical illness: yearly base 8000 + 4400 = 12400, 2400 above 10000, × 60 % = 1440
    assert s.amount(Payer.CRITICAL_ILLNESS) == D("1440.00")
    # aid: 100 % of 2960, but only 1000 of the 60,000 ceiling left
    assert s.amount(Payer.MEDICAL_AID) == D("1000.00")
    # support fund: the rest
    assert s.amount(Payer.SUPPORT_FUND) == D("1960.00")
    assert s.amount(Payer.PERSONAL_CASH) == 0
    assert sum(s.amounts.values()) == s.total == D("20000.00")
    chain = [e.payer for e in s.explanations]
    assert chain == sorted(chain, key=CHAIN_ORDER.index)
    assert s.year_delta == YearToDate(D("15600.00"), D("4400.00"), D("1440.00"), D("1000.00"))


def test_lj_6_2_aid_has_no_deductible_pays_100_percent_up_to_60000_a_year() -> None:
    """LJ-6.2: no deductible, 100 %, 60,000 per person per calendar year."""
    s = settle([in_cat("1000.00")], {}, gates(), YearToDate(), params(deductible="0.00", ratio="0.50"))
    assert s.amount(Payer.BASIC_INSURANCE) == D("500.00")
    assert s.amount(Payer.MEDICAL_AID) == D("500.00")
    aid_line = next(e for e in s.explanations if e.payer is Payer.MEDICAL_AID)
    assert aid_line.rule == "LJ-6.2"
    assert aid_line.parameter_version == "medical_aid:any:any:2026-01-01"
    big = settle([in_cat("500000.00")], {}, gates(), YearToDate(), params(deductible="0.00", ratio="0.50"))
    assert big.amount(Payer.MEDICAL_AID) == D("60000.00")
    spent = settle([in_cat("1000.00")], {}, gates(), YearToDate(aid_used=D("60000.00")), params())
    assert spent.amount(Payer.MEDICAL_AID) == 0
    assert spent.amount(Payer.SUPPORT_FUND) == D("600.00")  # (1000 − 500) × 80 % = 400 by basic


def test_lj_6_1_basic_insurance_respects_its_annual_ceiling_and_tiers_of_critical_illness() -> None:
    ytd = YearToDate(basic_paid=D("199000.00"), critical_base=D("105000.00"))
    s = settle([in_cat("10500.00")], {}, gates(), ytd, params())
    assert s.amount(Payer.BASIC_INSURANCE) == D("1000.00")  # ceiling 200,000 − 199,000
    # base 105,000 → 114,500 above 10,000: 95,000 → 104,500: 5,000 × 60 % + 4,500 × 70 % = 6,150
    assert s.amount(Payer.CRITICAL_ILLNESS) == D("6150.00")
    assert s.amount(Payer.MEDICAL_AID) == D("3350.00")


def test_lj_14_1_approved_self_pay_is_paid_from_support_money() -> None:
    decisions = {"SP1": SelfPayDecision(SelfPayOutcome.APPROVED, D("800.00"))}
    s = settle([in_cat("600.00", 1), out_cat("800.00", "SP1", 2)], decisions, gates(), YearToDate(), params())
    assert s.amount(Payer.SELF_PAY_SUPPORT) == D("800.00")
    line = next(e for e in s.explanations if e.payer is Payer.SELF_PAY_SUPPORT)
    assert (line.rule, line.line_no) == ("LJ-14.1", 2)


def test_lj_7_4_unapproved_non_emergency_self_pay_is_borne_by_the_hospital() -> None:
    decisions = {"SP1": SelfPayDecision(SelfPayOutcome.REJECTED, D("800.00"))}
    lines = [out_cat("800.00", "SP1", 1), out_cat("300.00", None, 2), out_cat("250.00", "UNKNOWN", 3)]
    s = settle(lines, decisions, gates(), YearToDate(), params())
    assert s.amount(Payer.HOSPITAL_BORNE) == D("1350.00")
    assert {e.rule for e in s.explanations if e.payer is Payer.HOSPITAL_BORNE} == {"LJ-7.4"}
    assert s.amount(Payer.SELF_PAY_SUPPORT) == 0


def test_lj_7_4_billed_above_the_approved_amount_the_excess_is_hospital_borne() -> None:
    decisions = {"SP1": SelfPayDecision(SelfPayOutcome.APPROVED, D("1000.00"))}
    lines = [out_cat("700.00", "SP1", 1), out_cat("700.00", "SP1", 2)]
    s = settle(lines, decisions, gates(), YearToDate(), params())
    assert s.amount(Payer.SELF_PAY_SUPPORT) == D("1000.00")
    assert s.amount(Payer.HOSPITAL_BORNE) == D("400.00")


def test_lj_7_4_emergency_out_of_catalogue_is_paid_as_approved() -> None:
    """Emergency items (decided as emergency, or a line claimed as emergency rescue within the
    period of a determined emergency) are paid as approved (interpretation of LJ-7.4)."""
    decisions = {"SP1": SelfPayDecision(SelfPayOutcome.EMERGENCY, D("900.00"))}
    lines = [out_cat("900.00", "SP1", 1), out_cat("400.00", None, 2, emergency=True)]
    s = settle(lines, decisions, gates(emergency=True, emergency_until=date(2026, 3, 5)), YearToDate(), params())
    assert s.amount(Payer.SELF_PAY_SUPPORT) == D("1300.00")
    assert s.amount(Payer.HOSPITAL_BORNE) == 0
    # the same emergency-flagged line in a non-emergency admission is unapproved
    s2 = settle([out_cat("400.00", None, 2, emergency=True)], {}, gates(), YearToDate(), params())
    assert s2.amount(Payer.HOSPITAL_BORNE) == D("400.00")


def test_spec_0_5_lj_11_3_the_hospitals_emergency_claim_alone_pays_nothing() -> None:
    """The issue: ``emergency: true`` on a bill line unlocked payment from the person's support
    money. A claimed line is paid as approved only within a determined emergency's period
    (LJ-11.3, LJ-7.4); otherwise it is an unapproved non-emergency item the hospital bears."""
    claimed = out_cat("400.00", None, 2, emergency=True, served=date(2026, 3, 8))
    undetermined = settle([claimed], {}, gates(emergency=True), YearToDate(), params())
    assert undetermined.amount(Payer.HOSPITAL_BORNE) == D("400.00")
    (line,) = [e for e in undetermined.explanations if e.payer is Payer.HOSPITAL_BORNE]
    assert line.rule == "LJ-7.4" and "no emergency determination" in line.basis
    after_period = settle(
        [claimed], {}, gates(emergency=True, emergency_until=date(2026, 3, 5)), YearToDate(), params()
    )
    assert after_period.amount(Payer.HOSPITAL_BORNE) == D("400.00")
    assert "after the emergency period (until 2026-03-05)" in after_period.explanations[-1].basis
    within = settle([claimed], {}, gates(emergency=True, emergency_until=date(2026, 3, 8)), YearToDate(), params())
    assert within.amount(Payer.SELF_PAY_SUPPORT) == D("400.00")
    assert within.amount(Payer.HOSPITAL_BORNE) == 0


def test_lj_4_3c_unfiled_outside_care_gets_no_aid_and_no_support_fund() -> None:
    decisions = {"SP1": SelfPayDecision(SelfPayOutcome.APPROVED, D("500.00"))}
    lines = [in_cat("20000.00", 1), out_cat("500.00", "SP1", 2)]
    s = settle(lines, decisions, gates(filing_state=FilingState.UNFILED), YearToDate(), params())
    assert s.amount(Payer.BASIC_INSURANCE) == D("15600.00")
    assert s.amount(Payer.MEDICAL_AID) == 0
    assert s.amount(Payer.SUPPORT_FUND) == 0
    assert s.amount(Payer.SELF_PAY_SUPPORT) == 0
    assert s.amount(Payer.PERSONAL_CASH) == D("4900.00")
    assert "LJ-4.3c" in s.gates_applied
    assert any(e.rule == "LJ-4.3c" and e.payer is Payer.MEDICAL_AID for e in s.explanations)
    assert s.year_delta.aid_used == 0


def test_lj_4_3b_out_of_guangxi_without_approval_gets_no_aid() -> None:
    g = gates(facility_region=Region.OUTSIDE_GUANGXI, out_of_region_approved=False)
    s = settle([in_cat("20000.00")], {}, g, YearToDate(), params())
    assert s.amount(Payer.MEDICAL_AID) == 0
    assert s.amount(Payer.SUPPORT_FUND) == D("4400.00")  # only aid is refused (configurable)
    strict = settle(
        [in_cat("20000.00")],
        {},
        g,
        YearToDate(),
        params(),
        GateRules(support_fund_when_aid_refused_out_of_guangxi=False),
    )
    assert strict.amount(Payer.PERSONAL_CASH) == D("4400.00")
    approved = settle(
        [in_cat("20000.00")], {}, gates(facility_region=Region.OUTSIDE_GUANGXI, out_of_region_approved=True),
        YearToDate(), params(),
    )  # fmt: skip
    assert approved.amount(Payer.MEDICAL_AID) == D("4400.00")


def test_lj_3_2b_non_designated_or_unreferred_means_manual_reimbursement() -> None:
    non_designated = settle([in_cat("100.00")], {}, gates(facility_designated=False), YearToDate(), params())
    assert non_designated.mode is Mode.MANUAL
    assert non_designated.manual_reasons == ("LJ-3.2b: the facility is not medical-aid designated",)
    unreferred = settle([in_cat("100.00")], {}, gates(referral_slip=False), YearToDate(), params())
    assert unreferred.mode is Mode.MANUAL
    assert unreferred.manual_reasons == ("LJ-3.2b: level-2+ facility without referral from primary care",)
    primary = gates(facility_level=FacilityLevel.TOWNSHIP_HEALTH_CENTRE, referral_slip=False, primary_first_visit=False)
    assert settle([in_cat("100.00")], {}, primary, YearToDate(), params()).mode is Mode.ONE_STOP
    emergency = gates(referral_slip=False, emergency=True)
    assert settle([in_cat("100.00")], {}, emergency, YearToDate(), params()).mode is Mode.ONE_STOP
    before = gates(referral_slip=False, admitted_on=date(2025, 12, 30))
    assert settle([in_cat("100.00")], {}, before, YearToDate(), params()).mode is Mode.ONE_STOP


def test_lj_3_2b_manual_patient_advances_aid_and_support_in_national_fields() -> None:
    s = settle([in_cat("20000.00")], {}, gates(facility_designated=False), YearToDate(), params())
    assert s.amount(Payer.MEDICAL_AID) == D("4400.00")  # still owed, after review
    fields = s.national_fields()
    assert fields["maf_pay"] == 0
    assert fields["psn_cash_pay"] == D("4400.00") == s.patient_advance


def test_lj_13_1_lj_3_4_one_stop_patient_pays_only_the_personal_share() -> None:
    """LJ-13.1 / LJ-3.4: at a designated facility basic insurance, critical illness and aid
    settle in one statement; the patient's cash is only the personal share (here nothing)."""
    decisions = {"SP1": SelfPayDecision(SelfPayOutcome.APPROVED, D("300.00"))}
    lines = [in_cat("20000.00", 1), out_cat("300.00", "SP1", 2), out_cat("99.99", None, 3)]
    s = settle(lines, decisions, gates(), YearToDate(), params())
    assert s.mode is Mode.ONE_STOP
    f = s.national_fields()
    assert f["psn_cash_pay"] == 0
    assert f["hifp_pay"] == D("15600.00")
    assert f["maf_pay"] == D("4400.00")
    assert f["oth_pay"] == D("300.00")
    assert f["hosp_part_amt"] == D("99.99")
    assert f["medfee_sumamt"] == f["fund_pay_sumamt"] + f["psn_part_amt"] + f["hosp_part_amt"] == D("20399.99")
    assert f["fulamt_ownpay_amt"] == D("399.99")


def test_every_amount_is_explained_by_payer_rule_and_parameter_version() -> None:
    decisions = {"SP1": SelfPayDecision(SelfPayOutcome.APPROVED, D("300.00"))}
    s = settle([in_cat("20000.00", 1), out_cat("300.00", "SP1", 2)], decisions, gates(), YearToDate(), params())
    for payer in Payer:
        assert sum((e.amount for e in s.explanations if e.payer is payer), D(0)) == s.amount(payer)
    for e in s.explanations:
        assert e.rule.startswith("LJ-")
        if e.payer in (Payer.BASIC_INSURANCE, Payer.CRITICAL_ILLNESS, Payer.MEDICAL_AID):
            assert e.parameter_version
    assert s.example_parameters is True


def test_not_enrolled_in_basic_insurance_skips_both_insurances() -> None:
    s = settle([in_cat("1000.00")], {}, gates(basic_insurance_enrolled=False), YearToDate(), params())
    assert s.amount(Payer.BASIC_INSURANCE) == s.amount(Payer.CRITICAL_ILLNESS) == 0
    assert s.amount(Payer.MEDICAL_AID) == D("1000.00")


def test_rounding_to_the_fen_keeps_the_split_exact() -> None:
    s = settle([in_cat("1000.01")], {}, gates(), YearToDate(), params(ratio="0.3333"))
    assert s.amount(Payer.BASIC_INSURANCE) == D("166.65")  # 500.01 × 0.3333 = 166.653…
    assert sum(s.amounts.values()) == D("1000.01")


def _platform(**overrides: str) -> PlatformResult:
    values = {
        "setl_id": "S1",
        "medfee_sumamt": "20000.00",
        "inscp_scp_amt": "20000.00",
        "fulamt_ownpay_amt": "0.00",
        "act_pay_dedc": "500.00",
        "hifp_pay": "15600.00",
        "hifmi_pay": "0.00",
        "maf_pay": "4400.00",
        "psn_cash_pay": "0.00",
        **overrides,
    }
    return PlatformResult(values.pop("setl_id"), **{k: D(v) for k, v in values.items()})


def test_lj_13_1_lj_3_2b_platform_aid_at_the_counter_of_a_manual_settlement_is_flagged() -> None:
    """Manual reimbursement (LJ-3.2b, LJ-13.2): aid is not paid at the counter. The own aid is
    kept (reimbursed after review) and the platform's counter aid is a difference."""
    s = settle([in_cat("20000.00")], {}, gates(facility_designated=False), YearToDate(), params(), platform=_platform())
    assert s.mode is Mode.MANUAL
    assert s.amount(Payer.MEDICAL_AID) == D("4400.00")
    (diff,) = s.differences
    assert (diff.field, diff.platform, diff.computed, diff.rule) == ("maf_pay", D("4400.00"), D("0"), "LJ-3.2b")


def test_lj_6_2_platform_aid_below_100_percent_leaves_the_rest_to_the_support_fund() -> None:
    s = settle([in_cat("20000.00")], {}, gates(), YearToDate(), params(), platform=_platform(maf_pay="4000.00"))
    assert s.amount(Payer.MEDICAL_AID) == D("4000.00")
    assert s.amount(Payer.SUPPORT_FUND) == D("400.00")
    (diff,) = s.differences
    assert (diff.field, diff.computed, diff.rule) == ("maf_pay", D("4400.00"), "LJ-6.2")
    assert s.year_delta.aid_used == D("4000.00")
    assert sum(s.amounts.values()) == s.total
