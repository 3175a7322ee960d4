"""Statements through the API: one-stop at discharge, manual reimbursement, reversal and
re-settlement, scope and bad input (SPEC §5)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import time_machine

from medaid_shared.contracts.common import FacilityLevel, FilingState, SupportType
from medaid_shared.testing import ServiceHarness
from tests_settlement.world import (
    admin,
    admit,
    bill,
    compliance,
    decide,
    discharge,
    hospital,
    insurance,
    line,
    load_parameters,
    register_person,
    settled,
)

D = Decimal


async def test_lj_13_1_lj_3_4_one_stop_settlement_at_discharge(svc: ServiceHarness) -> None:
    """LJ-13.1 / LJ-3.4 / LJ-6.1: at a designated facility one statement settles basic
    insurance, critical illness and aid; the patient pays only the personal share (none)."""
    await load_parameters(svc)
    await register_person(svc)
    await decide(svc, "SP1", "300.00", "approved")
    st = await settled(
        svc, [line("20000.00"), line("300.00", in_catalogue=False, item="SP1"), line("99.99", in_catalogue=False)]
    )
    assert st["mode"] == "one_stop"
    assert st["amounts"] == {
        "basic_insurance": "15600.00",
        "critical_illness": "0.00",
        "medical_aid": "4400.00",
        "support_fund": "0.00",
        "self_pay_support": "300.00",
        "hospital_borne": "99.99",
        "personal_cash": "0.00",
    }
    f = st["national_fields"]
    assert (f["medfee_sumamt"], f["hifp_pay"], f["maf_pay"], f["oth_pay"], f["hosp_part_amt"], f["psn_cash_pay"]) == (
        "20399.99", "15600.00", "4400.00", "300.00", "99.99", "0.00",
    )  # fmt: skip
    assert st["example_parameters"] is True
    rules = {(ln["payer"], ln["rule"]) for ln in st["lines"]}
    assert {("basic_insurance", "LJ-6.1"), ("medical_aid", "LJ-6.2"), ("self_pay_support", "LJ-14.1")} <= rules
    assert ("hospital_borne", "LJ-7.4") in rules
    assert any(ln["bill_ref"] == "B-A1#2" for ln in st["lines"])
    (event,) = await svc.published("SettlementCompleted")
    assert event["payload"]["medical_aid"] == "4400.00"
    assert event["payload"]["statement_id"] == st["statement_id"]
    ledger = await svc.client.get("/ledger/P1/2026", headers=svc.token("civil_affairs"))
    assert ledger.json()["aid_used"] == "4400.00"
    assert ledger.json()["aid_remaining"] == "55600.00"


async def test_re_settling_the_same_admission_changes_nothing(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    st = await settled(svc, [line("5000.00")])
    again = await svc.client.post("/admissions/A1/settlement", headers=hospital(svc))
    assert again.status_code == 200
    assert again.json()["statement_id"] == st["statement_id"]
    assert len(await svc.published("SettlementCompleted")) == 1
    ledger = (await svc.client.get("/ledger/P1/2026", headers=insurance(svc))).json()
    assert ledger["aid_used"] == st["amounts"]["medical_aid"]


async def test_lj_13_1_settlement_waits_for_discharge_and_a_final_bill(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    await admit(svc)
    r = await svc.client.post("/bills", json=bill("B1", [line("100.00")], kind="interim"), headers=hospital(svc))
    assert r.status_code == 201
    r = await svc.client.post("/admissions/A1/settlement", headers=hospital(svc))
    assert r.status_code == 409
    assert r.json()["rule"] == "LJ-13.1"
    await discharge(svc)
    r = await svc.client.post("/admissions/A1/settlement", headers=hospital(svc))
    assert r.status_code == 409
    assert "final bill" in r.json()["detail"]
    assert (await svc.client.post("/admissions/NOPE/settlement", headers=hospital(svc))).status_code == 404
    assert await svc.published("SettlementCompleted") == []


async def test_settlement_without_parameters_in_force_is_a_rule_violation(svc: ServiceHarness) -> None:
    await admit(svc)
    await discharge(svc)
    await svc.client.post("/bills", json=bill("B1", [line("100.00")]), headers=hospital(svc))
    r = await svc.client.post("/admissions/A1/settlement", headers=hospital(svc))
    assert r.status_code == 422
    assert r.json()["rule"] == "LJ-6.1"
    ledger = (await svc.client.get("/ledger/P1/2026", headers=insurance(svc))).json()
    assert ledger["aid_ceiling"] is None  # nothing changed, not even a ledger row


async def test_settlement_scope_and_roles(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    st = await settled(svc, [line("100.00")])
    await admit(svc, "A2", facility_id="H002")
    await discharge(svc, "A2", facility_id="H002")
    r = await svc.client.post(
        "/bills", json=bill("B2", [line("10.00")], admission_id="A2"), headers=hospital(svc, "H002")
    )
    assert r.status_code == 201
    assert (await svc.client.post("/admissions/A2/settlement", headers=hospital(svc))).status_code == 403
    for role in ("civil_affairs", "auditor", "institution"):
        r = await svc.client.post("/admissions/A2/settlement", headers=svc.token(role, "institution:I01"))
        assert r.status_code == 403, role
    assert (await svc.client.get(f"/statements/{st['statement_id']}", headers=hospital(svc, "H002"))).status_code == 403
    assert (
        await svc.client.get(f"/statements/{st['statement_id']}", headers=svc.token("civil_affairs"))
    ).status_code == 200
    assert (await svc.client.get("/statements", headers=hospital(svc, "H002"))).json()["items"] == []
    assert len((await svc.client.get("/statements?person_id=P1", headers=insurance(svc))).json()["items"]) == 1
    assert (await svc.client.get("/ledger/P1/2026", headers=hospital(svc))).status_code == 403
    assert (await svc.client.get("/statements/none", headers=insurance(svc))).status_code == 404
    # medical insurance may settle any facility's admission (e.g. at the district office)
    r = await svc.client.post("/admissions/A2/settlement", headers=insurance(svc))
    assert r.status_code == 201


async def test_lj_4_3c_unfiled_admission_settles_without_aid_or_support_fund(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    await admit(svc)
    await compliance(svc, "A1", FilingState.UNFILED)
    await discharge(svc)
    await svc.client.post("/bills", json=bill("B1", [line("20000.00")]), headers=hospital(svc))
    st = (await svc.client.post("/admissions/A1/settlement", headers=hospital(svc))).json()
    assert st["amounts"]["medical_aid"] == "0.00"
    assert st["amounts"]["support_fund"] == "0.00"
    assert st["amounts"]["personal_cash"] == "4400.00"
    assert st["gates_applied"] == ["LJ-4.3c"]


async def test_lj_3_2b_lj_13_2_non_designated_is_manual_with_15_working_day_deadline(svc: ServiceHarness) -> None:
    """LJ-3.2b / LJ-13.2: the patient pays first; a centralized person's institution applies
    within 15 working days after discharge (2026-03-10 → 2026-03-31), or it is overdue."""
    await load_parameters(svc)
    st = await settled(svc, [line("20000.00")], designated=False)
    assert st["mode"] == "manual"
    assert st["national_fields"]["maf_pay"] == "0.00"
    assert st["national_fields"]["psn_cash_pay"] == "4400.00" == st["patient_advance"]
    (req,) = await svc.published("ManualReimbursementRequested")
    assert req["payload"]["application_due_at"].startswith("2026-03-31T15:59:59")
    assert req["payload"]["reimbursable"] == "4400.00"
    assert "LJ-3.2b" in req["payload"]["reason"]
    with time_machine.travel(datetime(2026, 3, 31, 15, 0, tzinfo=UTC), tick=False):
        assert await svc.runtime.scheduler.fire_due() == 0  # type: ignore[union-attr]
    with time_machine.travel(datetime(2026, 3, 31, 16, 0, 1, tzinfo=UTC), tick=False):
        assert await svc.runtime.scheduler.fire_due() == 1  # type: ignore[union-attr]
    (overdue,) = await svc.published("ManualReimbursementOverdue")
    assert overdue["payload"]["statement_id"] == st["statement_id"]
    assert overdue["payload"]["institution_id"] == "I01"
    pending = await svc.client.get("/reimbursements?pending=true", headers=insurance(svc))
    assert [m["statement_id"] for m in pending.json()["items"]] == [st["statement_id"]]


async def test_lj_13_2_recording_the_application_closes_the_deadline(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    st = await settled(svc, [line("1000.00")], referred=False)  # district hospital without referral
    assert st["manual_reasons"] == [
        "LJ-3.2b: level-2+ facility without referral from primary care (referral_route:any:any:default)"
    ]
    sid = st["statement_id"]
    assert (await svc.client.post(f"/reimbursements/{sid}/application", headers=hospital(svc))).status_code == 403
    wrong = svc.token("institution", "institution:I99")
    assert (await svc.client.post(f"/reimbursements/{sid}/application", headers=wrong)).status_code == 403
    with time_machine.travel(datetime(2026, 3, 20, 2, 0, tzinfo=UTC), tick=False):
        ok = await svc.client.post(
            f"/reimbursements/{sid}/application", headers=svc.token("institution", "institution:I01")
        )
    assert ok.status_code == 200, ok.text
    assert ok.json()["state"] == "applied"
    again = await svc.client.post(f"/reimbursements/{sid}/application", headers=insurance(svc))
    assert again.status_code == 409
    with time_machine.travel(datetime(2026, 5, 1, tzinfo=UTC), tick=False):
        await svc.runtime.scheduler.fire_due()  # type: ignore[union-attr]  # (2026Q1's analysis, LJ-15.4)
    assert await svc.published("ManualReimbursementOverdue") == []
    assert (await svc.client.get("/reimbursements?pending=true", headers=insurance(svc))).json()["items"] == []
    assert (await svc.client.post("/reimbursements/none/application", headers=insurance(svc))).status_code == 404


async def test_lj_13_2_decentralized_manual_reimbursement_has_a_window_too(svc: ServiceHarness) -> None:
    """LJ-13.2 is silent for decentralized persons: the versioned interpretation gives them
    the same 15 working days (2026-03-10 → 2026-03-31)."""
    await load_parameters(svc)
    await settled(svc, [line("1000.00")], designated=False, support=SupportType.DECENTRALIZED)
    (req,) = await svc.published("ManualReimbursementRequested")
    assert req["payload"]["application_due_at"].startswith("2026-03-31T15:59:59")
    assert req["payload"]["support_type"] == "decentralized"


async def test_correction_is_a_reversal_plus_a_new_statement(svc: ServiceHarness) -> None:
    """SPEC §5: a statement is immutable; a correction reverses it (releasing the aid it
    consumed from the LJ-6.2 ledger) and a new statement follows the corrected bill."""
    await load_parameters(svc)
    st = await settled(svc, [line("20000.00")])
    sid = st["statement_id"]
    fix = bill("B-A1-c", [line("10000.00")], replaces="B-A1", reason="double-billed surgery")
    assert (await svc.client.post("/bills", json=fix, headers=hospital(svc))).status_code == 409  # settled
    assert (
        await svc.client.post(f"/statements/{sid}/reversal", json={"reason": "x"}, headers=hospital(svc))
    ).status_code == 422
    assert (
        await svc.client.post(
            f"/statements/{sid}/reversal", json={"reason": "wrong bill"}, headers=svc.token("civil_affairs")
        )
    ).status_code == 403
    assert (
        await svc.client.post(
            f"/statements/{sid}/reversal", json={"reason": "wrong bill"}, headers=hospital(svc, "H002")
        )
    ).status_code == 403
    rev = await svc.client.post(
        f"/statements/{sid}/reversal", json={"reason": "double-billed surgery"}, headers=hospital(svc)
    )
    assert rev.status_code == 201, rev.text
    r = rev.json()
    assert (r["kind"], r["reverses_statement_id"], r["total"]) == ("reversal", sid, "-20000.00")
    assert r["amounts"]["medical_aid"] == "-4400.00"
    assert r["amounts"]["critical_illness"] == "0.00"
    assert (await svc.client.get("/ledger/P1/2026", headers=insurance(svc))).json()["aid_used"] == "0.00"
    (reversed_event,) = await svc.published("SettlementReversed")
    assert reversed_event["payload"]["medical_aid_released"] == "4400.00"
    again = await svc.client.post(f"/statements/{sid}/reversal", json={"reason": "twice"}, headers=hospital(svc))
    assert again.status_code == 409
    of_reversal = await svc.client.post(
        f"/statements/{r['statement_id']}/reversal", json={"reason": "undo"}, headers=insurance(svc)
    )
    assert of_reversal.status_code == 409
    original = (await svc.client.get(f"/statements/{sid}", headers=hospital(svc))).json()
    assert original["total"] == "20000.00"  # untouched
    assert original["reversed_by_statement_id"] == r["statement_id"]
    assert (await svc.client.post("/bills", json=fix, headers=hospital(svc))).status_code == 201
    new = await svc.client.post("/admissions/A1/settlement", headers=hospital(svc))
    assert new.status_code == 201
    assert new.json()["statement_id"] != sid
    assert new.json()["total"] == "10000.00"
    assert new.json()["amounts"]["medical_aid"] == "2400.00"  # 10000 − (10000 − 500) × 80 %
    assert (await svc.client.get("/ledger/P1/2026", headers=insurance(svc))).json()["aid_used"] == "2400.00"
    assert (
        await svc.client.post("/statements/none/reversal", json={"reason": "none"}, headers=insurance(svc))
    ).status_code == 404


async def test_lj_7_4_lj_14_1_self_pay_decisions_from_consent_drive_the_split(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    await decide(svc, "SP1", "1500.00", "approved")
    await decide(svc, "SP2", "800.00", "rejected")
    await decide(svc, "SP3", "150.00", "below_threshold")
    lines = [
        line("1500.00", in_catalogue=False, item="SP1"),
        line("800.00", in_catalogue=False, item="SP2"),
        line("150.00", in_catalogue=False, item="SP3"),
        line("400.00", in_catalogue=False),  # never proposed
    ]
    st = await settled(svc, lines)
    assert st["amounts"]["self_pay_support"] == "1650.00"
    assert st["amounts"]["hospital_borne"] == "1200.00"
    assert st["national_fields"]["fulamt_ownpay_amt"] == "2850.00"


async def test_read_endpoints_deny_roles_outside_the_policy(svc: ServiceHarness) -> None:
    police = svc.token("police", "jurisdiction:PSB01")
    for path in ("/statements", "/statements/x", "/reimbursements", "/ledger/P1/2026", "/bills", "/parameters"):
        assert (await svc.client.get(path, headers=police)).status_code == 403, path
        assert (await svc.client.get(path)).status_code == 401, path
    assert (await svc.client.get("/reimbursements", headers=hospital(svc))).status_code == 403
    assert (await svc.client.get("/ledger/P1/1999", headers=insurance(svc))).status_code == 422


async def test_an_idempotency_key_repeats_the_first_answer(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    await admit(svc)
    await discharge(svc)
    h = {**hospital(svc), "Idempotency-Key": "bill-B1-once"}
    first = await svc.client.post("/bills", json=bill("B1", [line("100.00")]), headers=h)
    again = await svc.client.post("/bills", json=bill("B1", [line("100.00")]), headers=h)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    other = await svc.client.post("/bills", json=bill("B2", [line("1.00")]), headers=h)
    assert other.status_code == 409
    s = {**hospital(svc), "Idempotency-Key": "settle-A1"}
    one = await svc.client.post("/admissions/A1/settlement", headers=s)
    two = await svc.client.post("/admissions/A1/settlement", headers=s)
    assert one.status_code == two.status_code == 201
    assert one.json()["statement_id"] == two.json()["statement_id"]
    assert len(await svc.published("SettlementCompleted")) == 1


async def test_bills_too_large_to_settle_are_refused_and_nothing_changes(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    await admit(svc)
    await discharge(svc)
    big = bill("B1", [line("999999999999.99")], kind="interim")
    assert (await svc.client.post("/bills", json=big, headers=hospital(svc))).status_code == 201
    assert (await svc.client.post("/bills", json=bill("B2", [line("1.00")]), headers=hospital(svc))).status_code == 201
    r = await svc.client.post("/admissions/A1/settlement", headers=hospital(svc))
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert await svc.published("SettlementCompleted") == []
    assert (await svc.client.get("/statements", headers=insurance(svc))).json()["items"] == []


ROUTE = "LJ-3.2b: level-2+ facility without referral from primary care"


async def test_lj_3_2b_an_unreferred_admission_above_primary_follows_the_referral_route_in_force(
    svc: ServiceHarness,
) -> None:
    """LJ-3.2b (seed: 未经过基层医疗卫生机构转诊到二级及以上医保定点医疗机构就医的，由患者先行结算):
    from 2026-01-01 an admission at a level-2+ designated hospital without a referral from
    primary care is settled by manual reimbursement, citing the versioned ``referral_route``
    it applied; one admitted before that date settles one-stop. An administrator's version
    (which levels count as level 2 and above, whether a determined emergency is exempt)
    decides the admissions from its effective date; a primary level is refused in it."""
    await load_parameters(svc)
    st = await settled(svc, [line("1000.00")], "A1", person_id="P1", referred=False)
    assert (st["mode"], st["manual_reasons"]) == ("manual", [f"{ROUTE} (referral_route:any:any:default)"])
    assert "referral_route:any:any:default" in st["parameter_versions"]
    early = datetime(2025, 12, 20, 1, 0, tzinfo=UTC)
    st = await settled(svc, [line("1000.00")], "A2", person_id="P2", referred=False, admitted_at=early)
    assert (st["mode"], st["manual_reasons"]) == ("one_stop", [])
    assert not any(v.startswith("referral_route") for v in st["parameter_versions"])
    referred = await settled(svc, [line("1000.00")], "A3", person_id="P3")
    assert referred["mode"] == "one_stop"

    version = {
        "kind": "referral_route",
        "region": "any",
        "facility_level": "any",
        "effective_from": "2026-03-01",
        "values": {"referral_levels": ["city", "provincial", "out_of_region"], "emergency_exempt": False},
        "example": True,
        "source": "test: the district counts its district hospitals below level 2",
    }
    bad = {**version, "values": {"referral_levels": ["township_health_centre"]}, "effective_from": "2026-06-01"}
    r = await svc.client.post("/admin/parameters", json={"versions": [bad]}, headers=admin(svc))
    assert r.status_code == 422 and "referral_levels" in r.text
    r = await svc.client.post("/admin/parameters", json={"versions": [version]}, headers=admin(svc))
    assert r.status_code == 201, r.text
    district = await settled(svc, [line("1000.00")], "A4", person_id="P4", referred=False)
    assert (district["mode"], district["manual_reasons"]) == ("one_stop", [])
    city = await settled(
        svc, [line("1000.00")], "A5", person_id="P5", referred=False, level=FacilityLevel.CITY, emergency=True
    )
    assert city["mode"] == "manual"  # a determined emergency is not exempt under this version
    assert city["manual_reasons"] == [f"{ROUTE} (referral_route:any:any:2026-03-01)"]
    assert "referral_route:any:any:2026-03-01" in city["parameter_versions"]
