"""SPEC 0.5: settlement decides on final facts and follows them when they change — it refuses
as not yet decidable while the filing state or a self-pay outcome may still change, and a
statement whose facts change afterwards is reversed and issued again automatically, in the
same aid-ceiling ledger (LJ-6.2), with events and the reason."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from medaid_shared.contracts.common import FilingState, Region
from medaid_shared.contracts.consent import SelfPayProposed
from medaid_shared.contracts.referral import (
    AdmissionComplianceChanged,
    EmergencyExemptionWithdrawn,
    FilingCompleted,
    ReferralCompliance,
)
from medaid_shared.testing import ServiceHarness
from tests_settlement.world import (
    ADMITTED,
    admit,
    bill,
    compliance,
    decide,
    deliver,
    discharge,
    hospital,
    insurance,
    line,
    load_parameters,
    settled,
)


async def _bill_and_settle(svc: ServiceHarness, lines: list[dict[str, object]]) -> object:
    await discharge(svc)
    r = await svc.client.post("/bills", json=bill("B-A1", lines), headers=hospital(svc))
    assert r.status_code == 201, r.text
    return await svc.client.post("/admissions/A1/settlement", headers=hospital(svc))


async def _nothing_settled(svc: ServiceHarness) -> None:
    assert (await svc.client.get("/statements?admission_id=A1", headers=insurance(svc))).json()["items"] == []
    assert (await svc.client.get("/ledger/P1/2026", headers=insurance(svc))).json()["aid_used"] in ("0.00", "0")
    assert await svc.published("SettlementCompleted") == []


async def test_an_admission_with_nothing_filed_yet_is_not_decidable(svc: ServiceHarness) -> None:
    """The issue: an admission settled 8 hours in, with nothing filed, was still pending and
    got aid. Now settlement waits for the filing to be final (LJ-4.3c decides on it)."""
    await load_parameters(svc)
    await admit(svc, filing=FilingState.PENDING)
    r = await _bill_and_settle(svc, [line("1000.00")])
    assert r.status_code == 409, r.text  # type: ignore[attr-defined]
    problem = r.json()  # type: ignore[attr-defined]
    assert problem["type"] == "/problems/not-yet-decidable"
    assert (problem["missing"], problem["field"], problem["rule"]) == ("filing_state", "/filing_state", "LJ-4.3c")
    assert "Retry-After" not in r.headers  # type: ignore[attr-defined]  # a fact to wait for, not propagation
    await _nothing_settled(svc)


async def test_a_phone_report_never_followed_by_the_form_is_not_decidable(svc: ServiceHarness) -> None:
    """The issue: a phone pre-report never followed by the form stayed phone_reported and got
    aid. phone_reported is not final: the form may still come, in time or late (LJ-4.2d)."""
    await load_parameters(svc)
    await admit(svc, filing=FilingState.PHONE_REPORTED)
    r = await _bill_and_settle(svc, [line("1000.00")])
    assert r.status_code == 409 and r.json()["filing_state"] == "phone_reported"  # type: ignore[attr-defined]
    await _nothing_settled(svc)
    await compliance(svc, "A1", FilingState.FORM_LATE)
    r = await svc.client.post("/admissions/A1/settlement", headers=hospital(svc))
    assert r.status_code == 201, r.text


async def test_a_self_pay_item_approved_a_moment_before_settlement_waits_for_its_decision(
    svc: ServiceHarness,
) -> None:
    """The issue: an item approved a moment before settlement was counted as unapproved and
    charged to the hospital, silently. An item unknown here answers with Retry-After (its
    events are on their way); a proposed, undecided one waits for the double review (LJ-7)."""
    await load_parameters(svc)
    await admit(svc)
    r = await _bill_and_settle(svc, [line("1000.00"), line("600.00", in_catalogue=False, item="SP1")])
    assert r.status_code == 409, r.text  # type: ignore[attr-defined]
    problem = r.json()  # type: ignore[attr-defined]
    assert (problem["missing"], problem["rule"], problem["items"]) == ("self_pay_decision", "LJ-7.4", ["SP1"])
    assert r.headers["Retry-After"] == "30"  # type: ignore[attr-defined]

    await deliver(
        svc,
        SelfPayProposed(
            item_id="SP1",
            admission_id="A1",
            person_id="P1",
            item_code="SELF001",
            unit_price=Decimal("600.00"),
            quantity=1,
            amount=Decimal("600.00"),
            needs_review=True,
            needs_civil_affairs_filing=False,
            proposed_at=ADMITTED + timedelta(days=1),
        ),
    )
    r = await svc.client.post("/admissions/A1/settlement", headers=hospital(svc))
    assert r.status_code == 409 and "Retry-After" not in r.headers
    assert "not decided yet" in r.json()["detail"]
    await _nothing_settled(svc)

    await decide(svc, "SP1", "600.00", "approved")
    r = await svc.client.post("/admissions/A1/settlement", headers=hospital(svc))
    assert r.status_code == 201, r.text
    assert r.json()["amounts"]["self_pay_support"] == "600.00"  # LJ-14.1, not the hospital's
    assert r.json()["amounts"]["hospital_borne"] == "0.00"


async def test_a_filing_that_turns_unfiled_after_settlement_re_settles_in_the_same_ledger(svc: ServiceHarness) -> None:
    """The issue: when the filing turned unfiled the statement was never revisited. Now it is
    reversed and issued again without aid (LJ-4.3c), the ledger releasing what it used."""
    await load_parameters(svc)
    first = await settled(svc, [line("20000.00")])
    assert first["amounts"]["medical_aid"] == "4400.00"
    await deliver(
        svc,
        AdmissionComplianceChanged(
            admission_id="A1",
            person_id="P1",
            referral_compliance=ReferralCompliance(
                primary_first_visit=True, referral_slip=True, out_of_region_approved=None, compliant=True
            ),
            filing_state=FilingState.UNFILED,
        ),
    )
    statements = (await svc.client.get("/statements?admission_id=A1", headers=insurance(svc))).json()["items"]
    kinds = sorted((s["kind"], s["amounts"]["medical_aid"]) for s in statements)
    assert kinds == [("reversal", "-4400.00"), ("settlement", "0.00"), ("settlement", "4400.00")]
    new = next(s for s in statements if s["kind"] == "settlement" and s["statement_id"] != first["statement_id"])
    assert "filing_state filed_in_time → unfiled" in new["reason"]
    assert "LJ-4.3c" in new["gates_applied"]
    ledger = (await svc.client.get("/ledger/P1/2026", headers=insurance(svc))).json()
    assert ledger["aid_used"] == "0.00"  # the same ledger: released by the reversal, nothing used again
    reversed_event = (await svc.published("SettlementReversed"))[-1]["payload"]
    assert reversed_event["reversed_statement_id"] == first["statement_id"]
    assert reversed_event["reason"].startswith("re-settled: filing_state")
    completed = (await svc.published("SettlementCompleted"))[-1]["payload"]
    assert completed["replaces_statement_id"] == first["statement_id"] and completed["medical_aid"] == "0.00"
    # the same fact again changes nothing
    await deliver(
        svc,
        FilingCompleted(
            admission_id="A1",
            person_id="P1",
            filing_state=FilingState.UNFILED,
            completed_at=ADMITTED + timedelta(days=2),
        ),
    )
    assert len((await svc.client.get("/statements?admission_id=A1", headers=insurance(svc))).json()["items"]) == 3


async def test_an_out_of_region_approval_after_settlement_re_settles_with_aid(svc: ServiceHarness) -> None:
    """The issue: an out-of-region approval arriving after settlement did not re-settle
    (LJ-4.3a, LJ-4.3b)."""
    await load_parameters(svc)
    first = await settled(svc, [line("20000.00")], region=Region.OUTSIDE_GUANGXI, out_of_region_approved=False)
    assert first["amounts"]["medical_aid"] == "0.00" and "LJ-4.3b" in first["gates_applied"]
    await deliver(
        svc,
        AdmissionComplianceChanged(
            admission_id="A1",
            person_id="P1",
            referral_compliance=ReferralCompliance(
                primary_first_visit=True, referral_slip=True, out_of_region_approved=True, compliant=True
            ),
            filing_state=FilingState.FILED_IN_TIME,
        ),
    )
    standing = [
        s
        for s in (await svc.client.get("/statements?admission_id=A1", headers=insurance(svc))).json()["items"]
        if s["kind"] == "settlement" and s["statement_id"] != first["statement_id"]
    ]
    assert len(standing) == 1 and standing[0]["amounts"]["medical_aid"] == "4400.00"
    assert "out_of_region_approved False → True" in standing[0]["reason"]
    assert (await svc.client.get("/ledger/P1/2026", headers=insurance(svc))).json()["aid_used"] == "4400.00"


async def test_spec_0_5_an_emergency_that_loses_its_basis_re_settles_without_its_exemptions(
    svc: ServiceHarness,
) -> None:
    """The issue: a self-declared emergency paid out-of-catalogue lines flagged emergency from
    the person's support money. When referral withdraws the emergency (no basis in the window,
    or a contest upheld), the statement is reversed and issued again: the line is an
    unapproved non-emergency item the hospital bears (LJ-7.4)."""
    await load_parameters(svc)
    first = await settled(svc, [line("1000.00"), line("400.00", in_catalogue=False, emergency=True)], emergency=True)
    assert first["amounts"]["hospital_borne"] in ("0.00", "0")
    await deliver(
        svc,
        EmergencyExemptionWithdrawn(
            admission_id="A1",
            person_id="P1",
            facility_id="H001",
            reason="contest_upheld",
            withdrawn_at=ADMITTED + timedelta(days=1),
            decided_by_role="medical_insurance",
        ),
    )
    statements = (await svc.client.get("/statements?admission_id=A1", headers=insurance(svc))).json()["items"]
    new = next(s for s in statements if s["kind"] == "settlement" and s["statement_id"] != first["statement_id"])
    assert "emergency True → False" in new["reason"]
    assert new["amounts"]["hospital_borne"] == "400.00"
    assert sorted(s["kind"] for s in statements) == ["reversal", "settlement", "settlement"]
