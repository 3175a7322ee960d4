"""Eligibility rules, pure (GD-12, GD-13.1 … GD-13.5, GD-14, GD-16.3, GD-17, GD-18.1, GD-18.2, GD-22.3, GD-23)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from emergency_fund.domain import eligibility as el
from emergency_fund.domain.params import resolve
from emergency_fund.settings import EmergencyFundSettings
from medaid_shared.errors import RuleViolation

ADMITTED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
PARAMS_NOW = resolve(EmergencyFundSettings().param_values())


def line(hours: float, amount: str, exclusion: str | None = None) -> el.CostLine:
    return el.CostLine(ADMITTED + timedelta(hours=hours), Decimal(amount), exclusion)


def assess(**kw: object) -> el.Assessment:
    args: dict[str, object] = {
        "identity_status": el.IdentityStatus.UNIDENTIFIED,
        "lines": [line(1, "15000.00"), line(80, "3000.00")],
        "admitted_at": ADMITTED,
        "emergency_hours": 72,
        "waiver": Decimal("0"),
        "channels_paid": Decimal("0"),
        "average_cost": Decimal("20000.00"),
        "living_daily": Decimal("30.00"),
    }
    args.update(kw)
    return el.assess(**args)  # type: ignore[arg-type]


def test_gd_13_3_costs_after_72_hours_are_not_the_funds() -> None:
    a = assess()
    assert a.period_end == ADMITTED + timedelta(hours=72)
    assert a.eligible_medical == Decimal("15000.00")
    assert a.excluded == {"after_emergency_period": Decimal("3000.00")}


def test_gd_13_1_unknown_identity_medical_and_living_costs() -> None:
    a = assess()
    assert (a.medical_max, a.living_max, a.total_max) == (Decimal("15000.00"), Decimal("90.00"), Decimal("15090.00"))
    assert "GD-13.1" in a.rules


def test_gd_13_4_medical_cost_capped_at_the_hospitals_average() -> None:
    a = assess(average_cost=Decimal("12000.00"))
    assert a.medical_max == Decimal("12000.00")
    with pytest.raises(RuleViolation) as exc:
        el.check_claim(Decimal("12000.01"), Decimal("0"), a)
    assert exc.value.rule == "GD-13.4"
    el.check_claim(Decimal("12000.00"), Decimal("90.00"), a)


def test_gd_13_5_living_cost_daily_standard_times_days() -> None:
    assert el.daily_living_amount(Decimal("1000.00"), 30) == Decimal("33.33")
    assert el.living_days(72) == 3 and el.living_days(73) == 4 and el.living_days(1) == 1
    assert el.living_days(73, "completed") == 3 and el.living_days(5, "completed") == 1
    a = assess(living_daily=Decimal("33.33"), emergency_hours=120)
    assert a.living_max == Decimal("166.65")
    with pytest.raises(RuleViolation) as exc:
        el.check_claim(Decimal("0"), Decimal("166.66"), a)
    assert exc.value.rule == "GD-13.5"


def test_gd_13_2_and_gd_18_1_identified_fund_pays_only_the_gap() -> None:
    a = assess(identity_status=el.IdentityStatus.IDENTIFIED, channels_paid=Decimal("11000.00"))
    assert a.medical_gap == Decimal("4000.00") and a.medical_max == Decimal("4000.00")
    assert {"GD-13.2", "GD-18.1"} <= set(a.rules)
    with pytest.raises(RuleViolation) as exc:
        el.check_claim(Decimal("4000.01"), Decimal("0"), a)
    assert exc.value.rule == "GD-18.1"
    assert assess(identity_status=el.IdentityStatus.IDENTIFIED, channels_paid=Decimal("20000")).medical_max == 0


def test_gd_14_excluded_items_with_reasons() -> None:
    a = assess(
        lines=[
            line(1, "1000.00"),
            line(2, "200.00", "beyond_treatment_need"),
            line(3, "50.00", "stable_long_stay_non_emergency"),
        ]
    )
    assert a.eligible_medical == Decimal("1000.00")
    assert a.excluded == {
        "beyond_treatment_need": Decimal("200.00"),
        "stable_long_stay_non_emergency": Decimal("50.00"),
    }
    assert "GD-14" in a.rules


def test_gd_23_waiver_reduces_the_claim() -> None:
    a = assess(waiver=Decimal("5000.00"))
    assert a.medical_max == Decimal("10000.00") and "GD-23" in a.rules


def test_gd_13_3_extension_only_for_pregnant_women_and_newborns_with_reason_and_evidence() -> None:
    admitted_on = date(2026, 3, 2)
    newborn = el.ExtensionEvidence(date_of_birth=date(2026, 2, 20))
    pregnant = el.ExtensionEvidence(pregnancy_record="柳江母子健康手册 LJ-2026-0031")
    el.check_extension("critically_ill_newborn", "NICU", 120, PARAMS_NOW, evidence=newborn, admitted_on=admitted_on)
    el.check_extension(
        "poor_critically_ill_pregnant_woman", "产后大出血", 96, PARAMS_NOW, evidence=pregnant, admitted_on=admitted_on
    )
    adult = el.ExtensionEvidence(date_of_birth=date(1990, 1, 1))
    for category, reason, hours, evidence, field in [
        ("adult", "x", 120, newborn, "category"),
        ("critically_ill_newborn", " ", 120, newborn, "reason"),
        ("critically_ill_newborn", "x", 72, newborn, "hours"),
        ("critically_ill_newborn", "x", 10_000, newborn, "hours"),
        # issue scenario: an adult tagged critically_ill_newborn at 720 hours
        ("critically_ill_newborn", "x", 720, adult, "evidence.date_of_birth"),
        ("critically_ill_newborn", "x", 720, el.ExtensionEvidence(), "evidence.date_of_birth"),
        (
            "critically_ill_newborn",
            "x",
            720,
            el.ExtensionEvidence(date_of_birth=date(2026, 3, 3)),
            "evidence.date_of_birth",
        ),
        ("critically_ill_newborn", "x", 720, pregnant, "evidence.date_of_birth"),
        ("poor_critically_ill_pregnant_woman", "x", 96, newborn, "evidence.pregnancy_record"),
    ]:
        with pytest.raises(RuleViolation) as exc:
            el.check_extension(category, reason, hours, PARAMS_NOW, evidence=evidence, admitted_on=admitted_on)
        assert (exc.value.rule, exc.value.field) == ("GD-13.3", field)
    # 28 days old at admission is still a newborn (newborn_max_age_days), 29 is not
    el.check_extension(
        "critically_ill_newborn",
        "x",
        120,
        PARAMS_NOW,
        evidence=el.ExtensionEvidence(date_of_birth=date(2026, 2, 2)),
        admitted_on=admitted_on,
    )
    with pytest.raises(RuleViolation):
        el.check_extension(
            "critically_ill_newborn",
            "x",
            120,
            PARAMS_NOW,
            evidence=el.ExtensionEvidence(date_of_birth=date(2026, 2, 1)),
            admitted_on=admitted_on,
        )


def test_gd_13_5_living_days_are_the_days_spent_within_the_period() -> None:
    # issue scenario: a patient who dies 6 hours after admission yields one day, not three
    died = assess(living_until=ADMITTED + timedelta(hours=6))
    assert (died.living_days, died.living_max, died.living_until) == (
        1,
        Decimal("30.00"),
        ADMITTED + timedelta(hours=6),
    )
    # a stay longer than the period counts the period only
    assert assess(living_until=ADMITTED + timedelta(days=10)).living_days == 3
    # while the stay lasts, the days so far (49 hours: 3 started days, 2 completed)
    assert assess(living_until=ADMITTED + timedelta(hours=49)).living_days == 3
    assert assess(living_until=ADMITTED + timedelta(hours=49), day_counting="completed").living_days == 2
    assert assess(living_until=ADMITTED + timedelta(hours=6), day_counting="completed").living_days == 1


def test_gd_12_disease_list_national_plus_city_additions() -> None:
    entries = [
        el.DiseaseEntry("I21", "national", True, date(2013, 1, 1), None),
        el.DiseaseEntry("T71", "liuzhou", True, date(2026, 1, 1), date(2026, 12, 31)),
    ]
    assert el.disease_eligible("I21", "guilin", date(2026, 3, 2), entries)
    assert el.disease_eligible("T71", "liuzhou", date(2026, 3, 2), entries)
    assert not el.disease_eligible("T71", "guilin", date(2026, 3, 2), entries)
    assert not el.disease_eligible("T71", "liuzhou", date(2027, 1, 1), entries)
    assert not el.disease_eligible("J18", "liuzhou", date(2026, 3, 2), entries)


def test_gd_16_3_unidentified_path_opens_after_overdue_or_not_identified() -> None:
    assert el.unidentified_gate([]) is None
    assert el.unidentified_gate([el.IdentitySignal(False, None)]) is None
    assert el.unidentified_gate([el.IdentitySignal(True, None)]) == "identity_check_overdue"
    assert el.unidentified_gate([el.IdentitySignal(False, "not_identified")]) == "not_identified"


def facts(**kw: object) -> el.CaseFacts:
    base: dict[str, object] = {
        "identity_status": el.IdentityStatus.IDENTIFIED,
        "identity_gate": None,
        "disease_code": "I21",
        "disease_eligible": True,
        "excluded": None,
        "unable_to_pay_basis": ["minimum_living"],
        "channels_recorded": {c.value for c in el.Channel},
        "civil_affairs_statuses": {"minimum_living"},
        "vagrant_registered": False,
        "has_cost_reference": True,
        "has_living_standard": True,
    }
    base.update(kw)
    return el.CaseFacts(**base)  # type: ignore[arg-type]


def rules(f: el.CaseFacts) -> list[str]:
    return [b.rule for b in el.claim_blockers(f, PARAMS_NOW)]


def test_identified_path_blockers() -> None:
    assert rules(facts()) == []
    assert rules(facts(unable_to_pay_basis=[])) == ["GD-17"]
    assert rules(facts(unable_to_pay_basis=["rich"])) == ["GD-17"]
    assert rules(facts(channels_recorded={"liable_party"})) == ["GD-18.1"]
    assert rules(facts(civil_affairs_statuses=None)) == ["GD-22.3"]
    assert rules(facts(civil_affairs_statuses={"none"})) == ["GD-22.3"]
    assert rules(facts(unable_to_pay_basis=["homeless_vagrant"])) == ["GD-18.2"]
    assert rules(facts(unable_to_pay_basis=["homeless_vagrant"], vagrant_registered=True)) == []
    assert rules(facts(excluded="able_to_pay_refuses")) == ["GD-14"]
    assert rules(facts(disease_eligible=False)) == ["GD-12"]
    assert rules(facts(has_cost_reference=False, has_living_standard=False)) == ["GD-13.4", "GD-13.5"]


def test_gd_16_3_unidentified_blocked_until_the_gate_opens() -> None:
    f = facts(
        identity_status=el.IdentityStatus.UNIDENTIFIED,
        unable_to_pay_basis=[],
        civil_affairs_statuses=None,
        channels_recorded=set(),
    )
    assert rules(f) == ["GD-16.3"]
    assert (
        rules(
            facts(
                identity_status=el.IdentityStatus.UNIDENTIFIED, identity_gate="not_identified", channels_recorded=set()
            )
        )
        == []
    )


def test_gd_13_3_birth_facts_from_the_id_number() -> None:
    from emergency_fund.domain.eligibility import BirthFacts

    woman = BirthFacts.from_id_number("11010519491231002X")
    assert (woman.born, woman.female) == (date(1949, 12, 31), True)
    man = BirthFacts.from_id_number("110105194912310038")
    assert man.female is False and BirthFacts.parse(man.stored()) == man
