"""SPEC 0.5 / LJ-11.3: the emergency settlement applies is referral's recorded determination,
not the hospital's word. A bill line's ``emergency`` is the hospital's claim, stored with the
bill; it pays as approved (LJ-7.4) only within the period (versioned ``emergency_period``)
of an emergency referral determined, and the admission's emergency exempts from referral
(LJ-3.2b) only once determined."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from medaid_shared.contracts.consent import SelfPayReopened
from medaid_shared.testing import ServiceHarness
from tests_settlement.world import (
    ADMITTED,
    admit,
    bill,
    decide,
    deliver,
    determine_emergency,
    discharge,
    hospital,
    line,
    load_parameters,
    settled,
)


async def test_lj_11_3_a_claimed_emergency_is_not_decidable_until_referral_determines_it(
    svc: ServiceHarness,
) -> None:
    """Settlement waits for the determination (or the withdrawal) instead of applying the
    claim: a problem naming the missing fact and the rule, nothing stored."""
    await load_parameters(svc)
    await admit(svc, emergency=True, determined=False, referred=False)
    await discharge(svc)
    h = hospital(svc)
    lines = [line("1000.00"), line("400.00", in_catalogue=False, emergency=True, day=date(2026, 3, 3))]
    assert (await svc.client.post("/bills", json=bill("B1", lines), headers=h)).status_code == 201
    r = await svc.client.post("/admissions/A1/settlement", headers=h)
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["missing"] == "emergency_determination" and problem["rule"] == "LJ-11.3"
    assert (await svc.client.get("/statements?admission_id=A1", headers=h)).json()["items"] == []

    await determine_emergency(svc, "A1", "P1", "H001")
    r = await svc.client.post("/admissions/A1/settlement", headers=h)
    assert r.status_code == 201, r.text
    st = r.json()
    # determined: one-stop without referral (LJ-3.2b), the claimed line paid as approved (LJ-7.4)
    assert st["mode"] == "one_stop"
    assert st["amounts"]["self_pay_support"] == "400.00"
    assert st["amounts"]["hospital_borne"] == "0.00"


async def test_spec_0_5_lj_7_4_a_claimed_line_after_the_emergency_period_is_hospital_borne(
    svc: ServiceHarness,
) -> None:
    """Admitted 2026-03-02 09:00 (Shanghai), the default 72-hour period ends on 2026-03-05: a
    line claimed as emergency on 03-08 is an unapproved non-emergency item (LJ-7.4)."""
    await load_parameters(svc)
    st = await settled(
        svc,
        [
            line("1000.00"),
            line("300.00", in_catalogue=False, emergency=True, day=date(2026, 3, 4)),
            line("500.00", in_catalogue=False, emergency=True, day=date(2026, 3, 8)),
        ],
        emergency=True,
    )
    assert st["amounts"]["self_pay_support"] == "300.00"
    assert st["amounts"]["hospital_borne"] == "500.00"
    (borne,) = [ln for ln in st["lines"] if ln["payer"] == "hospital_borne"]
    assert borne["rule"] == "LJ-7.4" and "after the emergency period (until 2026-03-05)" in borne["basis"]


async def test_spec_0_5_the_emergency_period_is_a_versioned_parameter(svc: ServiceHarness) -> None:
    """LJ-11.3 (interpretation): a version of ``emergency_period`` with 168 hours makes the
    03-08 line part of the emergency."""
    await load_parameters(
        svc,
        {
            "kind": "emergency_period",
            "region": "any",
            "facility_level": "any",
            "effective_from": "2026-01-01",
            "values": {"hours": 168},
            "example": False,
            "source": "test: a week",
        },
    )
    st = await settled(
        svc, [line("1000.00"), line("500.00", in_catalogue=False, emergency=True, day=date(2026, 3, 8))], emergency=True
    )
    assert st["amounts"]["self_pay_support"] == "500.00"
    assert st["amounts"]["hospital_borne"] == "0.00"


async def test_spec_0_5_a_claimed_line_of_a_non_emergency_admission_pays_nothing(svc: ServiceHarness) -> None:
    """The issue: ``emergency: true`` on a line of an ordinary admission is recorded as the
    hospital's claim and the line is borne by the hospital (LJ-7.4)."""
    await load_parameters(svc)
    st = await settled(svc, [line("1000.00"), line("400.00", in_catalogue=False, emergency=True)])
    assert st["amounts"]["hospital_borne"] == "400.00"
    assert st["amounts"]["self_pay_support"] == "0.00"
    bills = (await svc.client.get("/bills?admission_id=A1", headers=hospital(svc))).json()["items"]
    stored = (await svc.client.get(f"/bills/{bills[0]['bill_id']}", headers=hospital(svc))).json()
    assert stored["lines"][1]["emergency"] is True  # the claim stays on record


async def test_lj_7_4_an_emergency_item_reopened_by_consent_waits_for_its_new_outcome(svc: ServiceHarness) -> None:
    """SPEC 0.5: consent reopens an item decided "emergency" when the emergency loses its
    exemptions (SelfPayReopened). A settlement then waits for the new outcome (not decidable,
    LJ-7.4); the rejection that follows makes the hospital bear the item."""
    await load_parameters(svc)
    await decide(svc, "SP1", "400.00", "emergency")
    await admit(svc, emergency=True)
    await discharge(svc)
    h = hospital(svc)
    lines = [line("1000.00"), line("400.00", in_catalogue=False, item="SP1")]
    assert (await svc.client.post("/bills", json=bill("B1", lines), headers=h)).status_code == 201
    await deliver(
        svc,
        SelfPayReopened(
            item_id="SP1",
            admission_id="A1",
            person_id="P1",
            item_code="X-SP1",
            amount=Decimal("400.00"),
            previous_outcome="emergency",
            status="awaiting_consent_form",
            reason="contest_upheld",
            reopened_at=ADMITTED + timedelta(days=2),
        ),
    )
    r = await svc.client.post("/admissions/A1/settlement", headers=h)
    assert r.status_code == 409, r.text
    assert (r.json()["missing"], r.json()["rule"]) == ("self_pay_decision", "LJ-7.4")
    await decide(svc, "SP1", "400.00", "rejected")
    r = await svc.client.post("/admissions/A1/settlement", headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["amounts"]["hospital_borne"] == "400.00"
