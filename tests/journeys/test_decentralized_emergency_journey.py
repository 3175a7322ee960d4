"""Journey 2 (October 2026): a decentralized person (分散供养, LJ-2.1) living at home in a
village is rushed to the district hospital at night. The hospital treats first with no prior
signature (LJ-11.3); the village committee reports to the town government, which passes the
filing to district civil affairs, all within 24 hours of the person being sent to hospital
(LJ-4.2c, LJ-11.3); the guardian signs afterwards (LJ-11.3, LJ-10 rank 2). The bill is so
large that, after basic and critical-illness insurance (LJ-6.1), medical aid reaches the
60,000 CNY yearly ceiling (LJ-6.2) and the support fund pays the compliant rest (LJ-6.1).

Driven only over HTTP against the five running services, waiting on the events they publish;
time moves with the services' clock, never by sleeping through days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .conftest import Stack
from .steps import (
    assert_statement_adds_up,
    event_types,
    id_number,
    issue_discharge_documents,
    load_catalogue,
    load_settlement_parameters,
    local,
    no_violations_after,
    record_emergency_basis,
    register_facility,
    register_person,
    when_known,
)

HOSPITAL = "J2-DISTRICT"
VILLAGE = "J2-V01"
TOWN = "J2-T01"
GUARDIAN = "J2-G01"
HOSPITAL_SCOPE = (f"facility:{HOSPITAL}",)


async def test_decentralized_emergency_without_signature_reaches_the_aid_ceiling(stack: Stack) -> None:
    await stack.set_clock(local(2026, 10, 12, 1, 0))  # Monday after the National Day holidays
    await load_settlement_parameters(stack)
    await load_catalogue(  # SPEC 0.5: what the final bill names, all in the catalogue
        stack,
        [
            ("ICU-BED", "重症监护床位费", "service", True),
            ("PCI-STENT", "经皮冠状动脉支架置入术", "service", True),
            ("ICU-NURSE", "重症监护护理", "service", True),
            ("LAB-CARDIAC", "心肌标志物检测", "test", True),
            ("ECMO-KIT", "体外膜肺氧合套包", "consumable", True),
            ("DRUG-ICU", "重症用药", "drug", True),
        ],
    )
    await register_facility(stack, HOSPITAL, "柳江区中医医院", "district")

    # LJ-2.1: decentralized — village committee and town; LJ-10: assessed not fully capable,
    # so the legal guardian (rank 2) signs for the person.
    person = await register_person(
        stack,
        {
            "id_number": id_number(date(1958, 11, 2), 207),
            "name": "覃月娥",
            "support_type": "decentralized",
            "village_id": VILLAGE,
            "town_id": TOWN,
            "capacity": {
                "full_capacity_and_lucid": False,
                "assessed_at": local(2026, 6, 3, 9).isoformat(),
                "assessed_by": "town health centre",
            },
            "guardian": {"guardian_id": GUARDIAN, "name": "覃建国", "relation": "son"},
            "disability_level": "self_care",
        },
    )
    pid = person["person_id"]

    # LJ-11.3: sent to hospital at 02:10, admitted as an emergency at 02:30 — no referral
    # asked (emergency_exempt_from_referral), the 24 hours run from being sent.
    sent = local(2026, 10, 12, 2, 10)
    await stack.set_clock(local(2026, 10, 12, 2, 35))
    admission = await stack.call(
        "referral",
        "POST",
        "/admissions",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        subject="er-desk",
        json={
            "person_id": pid,
            "facility_id": HOSPITAL,
            "admitted_at": local(2026, 10, 12, 2, 30).isoformat(),
            "sent_to_hospital_at": sent.isoformat(),
            "emergency": True,
        },
        expect=201,
    )
    aid = admission["admission_id"]
    assert admission["filing_rule"] == "LJ-11.3"
    assert datetime.fromisoformat(admission["filing_due_at"]) == sent + timedelta(hours=24)
    filed = await stack.wait_event("AdmissionFiled", admission_id=aid)
    assert filed["data"]["emergency"] is True
    assert filed["data"]["referral_compliance"]["compliant"] is True
    assert filed["data"]["filing_state"] == "pending"
    # SPEC 0.5: the emergency rests on a basis recorded within the window — a condition of the
    # national list (example data), the arrival channel, the onset; without it the exemptions go.
    basis = await record_emergency_basis(stack, aid, HOSPITAL_SCOPE, "JW-01", "ambulance", sent)
    assert basis["emergency_status"] == "determined"
    await stack.wait_event("EmergencyDetermined", admission_id=aid)

    # LJ-11.3: the hospital treats first; the rescue is recorded with no signature.
    rescue = await when_known(
        stack,
        "consent",
        "POST",
        f"/admissions/{aid}/treatments",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        subject="dr-lan",
        json={
            "kind": "emergency",
            "description": "急性心肌梗死，急诊介入",
            "attending_doctor": "dr-lan",
            "emergency_reason": "意识不清，无家属在场，须立即抢救",
        },
        expect=(201,),
    )
    assert rescue["status"] == "emergency_treated" and rescue["consent_required"] is False
    await stack.wait_event("TreatmentRecorded", treatment_id=rescue["treatment_id"])

    # LJ-4.2c / LJ-11.3: the village committee reports (form to the town government) …
    await stack.set_clock(local(2026, 10, 12, 16, 0))
    filing = await stack.call(
        "referral",
        "POST",
        "/filings",
        role="village_committee",
        scopes=(f"village:{VILLAGE}",),
        subject="village-head-qin",
        json={
            "person_id": pid,
            "facility_id": HOSPITAL,
            "admission_id": aid,
            "reason": "急症送医（胸痛、意识不清）",
            "notes": "抢救记录已留存",
        },
        expect=201,
    )
    assert filing["route"] == "decentralized" and filing["complete"] is False
    assert filing["filing_state"] == "pending"
    inbox = await stack.call(
        "referral",
        "GET",
        "/filings",
        role="town_government",
        scopes=(f"town:{TOWN}",),
        params={"awaiting_forward": "true"},
    )
    assert [f["filing_id"] for f in inbox["items"]] == [filing["filing_id"]]

    # … and the town government passes it to district civil affairs before the 24 hours end:
    # the filing is complete, filed_in_time (FilingCompleted).
    await stack.set_clock(local(2026, 10, 13, 1, 30))
    forwarded = await stack.call(
        "referral",
        "POST",
        f"/filings/{filing['filing_id']}/forward",
        role="town_government",
        scopes=(f"town:{TOWN}",),
        subject="town-assistance-office",
        json={"opinion": "情况属实，同意备案"},
    )
    assert forwarded["complete"] is True and forwarded["filing_state"] == "filed_in_time"
    completed = await stack.wait_event("FilingCompleted", admission_id=aid)
    assert completed["data"]["filing_state"] == "filed_in_time"
    at_civil_affairs = await stack.call("referral", "GET", f"/filings/{filing['filing_id']}", role="civil_affairs")
    assert at_civil_affairs["complete"] is True and at_civil_affairs["town_opinion"] == "情况属实，同意备案"

    # LJ-11.3 / LJ-10: the guardian signs afterwards; the late signature is accepted.
    await stack.set_clock(local(2026, 10, 13, 9, 0))
    consent = await stack.call(
        "consent",
        "POST",
        f"/treatments/{rescue['treatment_id']}/consent",
        role="guardian",
        subject=GUARDIAN,
        json={"signature_ref": "SIG-J2-GUARDIAN"},
        expect=201,
    )
    assert consent["decision"] == "emergency_followup"
    assert consent["signer"]["rank"] == 2 and consent["signer"]["signer_id"] == GUARDIAN
    assert [s["rank"] for s in consent["skipped_ranks"]] == [1]  # not fully capable or lucid
    signed = await stack.wait_event("ConsentSigned", treatment_id=rescue["treatment_id"])
    assert signed["data"]["decision"] == "emergency_followup"
    treatment = await stack.call("consent", "GET", f"/treatments/{rescue['treatment_id']}", role="civil_affairs")
    assert treatment["status"] == "consented"

    # The 24 hours passed long ago: the filing was never overdue.
    await stack.set_clock(local(2026, 10, 14, 9, 0))

    # LJ-12: fit for discharge, discharged (DischargeRecorded).
    await stack.set_clock(local(2026, 10, 30, 9, 0))
    await stack.call(
        "referral",
        "POST",
        f"/admissions/{aid}/fitness",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={"doctor": "dr-lan"},
    )
    await stack.set_clock(local(2026, 10, 30, 10, 5))
    await stack.call(
        "referral",
        "POST",
        f"/admissions/{aid}/discharge",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={"discharged_at": local(2026, 10, 30, 10, 0).isoformat(), "diagnosis_group": "I21"},
    )
    await stack.wait_event("DischargeRecorded", admission_id=aid)

    # The final bill: 500,000.00, all in the insurance catalogue (ICU, surgery, drugs, …).
    first = date(2026, 10, 12)
    lines = [
        ("ICU-BED", "bed", "18", "3000.00", "54000.00", first),
        ("PCI-STENT", "surgery", "1", "186000.00", "186000.00", first),
        ("ICU-NURSE", "nursing", "18", "500.00", "9000.00", first),
        ("LAB-CARDIAC", "test", "1", "43000.00", "43000.00", first + timedelta(days=1)),
        ("ECMO-KIT", "consumable", "1", "120000.00", "120000.00", first),
        ("DRUG-ICU", "drug", "1", "88000.00", "88000.00", first + timedelta(days=2)),
    ]
    await stack.set_clock(local(2026, 10, 30, 10, 20))
    bill = await when_known(
        stack,
        "settlement",
        "POST",
        "/bills",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        subject="billing",
        json={
            "bill_number": "J2-FINAL-0001",
            "admission_id": aid,
            "kind": "final",
            "lines": [
                {
                    "item_code": code,
                    "category": category,
                    "quantity": qty,
                    "unit_price": price,
                    "amount": amount,
                    "service_date": served.isoformat(),
                }
                for code, category, qty, price, amount, served in lines
            ],
        },
        expect=(201,),
    )
    assert bill["total"] == "500000.00"

    # LJ-13.1: one-stop settlement at the designated hospital (an emergency needs no
    # referral for it). The example district parameters (LJ-6.1) and the seed's aid (LJ-6.2):
    #   basic insurance: (500,000 − 400) × 80 % = 399,680, capped at the yearly 200,000;
    #   critical illness on the 300,000 left above the 7,500 threshold (292,500), tiered
    #     50,000 × 65 % + 50,000 × 75 % + 192,500 × 85 % = 32,500 + 37,500 + 163,625 = 233,625;
    #   medical aid: 100 % of the 66,375 left, capped at the 60,000 yearly ceiling;
    #   the support fund pays the 6,375 of compliant cost still left.
    await stack.set_clock(local(2026, 10, 30, 10, 30))
    statement = await when_known(
        stack,
        "settlement",
        "POST",
        f"/admissions/{aid}/settlement",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        subject="billing",
        expect=(201,),
        waiting=(404, 409),
    )
    assert statement["mode"] == "one_stop" and statement["gates_applied"] == []
    assert statement["total"] == "500000.00"
    assert statement["in_catalogue_total"] == "500000.00"
    assert statement["deductible_applied"] == "400.00"
    assert statement["amounts"] == {
        "basic_insurance": "200000.00",
        "critical_illness": "233625.00",
        "medical_aid": "60000.00",
        "support_fund": "6375.00",
        "self_pay_support": "0.00",
        "hospital_borne": "0.00",
        "personal_cash": "0.00",
    }
    assert_statement_adds_up(statement)
    assert [(ln["payer"], ln["rule"], ln["amount"]) for ln in statement["lines"]] == [
        ("basic_insurance", "LJ-6.1", "200000.00"),
        ("critical_illness", "LJ-6.1", "233625.00"),
        ("medical_aid", "LJ-6.2", "60000.00"),
        ("support_fund", "LJ-6.1", "6375.00"),
    ]
    aid_line = statement["lines"][2]
    assert aid_line["parameter_version"] == "medical_aid:any:any:2026-01-01"
    assert "60000.00" in aid_line["basis"]
    assert statement["national_fields"]["maf_pay"] == "60000.00"
    assert statement["national_fields"]["oth_pay"] == "6375.00"
    assert statement["national_fields"]["psn_cash_pay"] == "0.00"  # LJ-3.4: nothing for the person

    settled = await stack.wait_event("SettlementCompleted", admission_id=aid)
    assert settled["data"]["medical_aid"] == "60000.00" and settled["data"]["support_fund"] == "6375.00"

    # LJ-6.2: the person's 2026 medical-aid ledger is exhausted.
    ledger = await stack.call("settlement", "GET", f"/ledger/{pid}/2026", role="civil_affairs")
    assert ledger["aid_used"] == "60000.00"
    assert ledger["aid_ceiling"] == "60000.00"
    assert ledger["aid_remaining"] == "0.00"

    # LJ-12: the three documents within 24 hours; a day later no violation (LJ-17) and no
    # overdue filing (LJ-4.2c, LJ-11.3).
    await stack.set_clock(local(2026, 10, 30, 14, 0))
    await issue_discharge_documents(stack, aid, HOSPITAL, "J2")
    await stack.set_clock(local(2026, 10, 31, 11, 0))
    await no_violations_after(stack, HOSPITAL)
    seen = event_types(stack, admission_id=aid)
    assert "FilingOverdue" not in seen and "DischargeDocumentsOverdue" not in seen, seen
    assert "EmergencyAssistanceReferred" not in seen  # able to pay through the chain (LJ-11.4 not needed)
    final = await stack.call("referral", "GET", f"/admissions/{aid}", role="civil_affairs")
    assert final["filing_state"] == "filed_in_time"

    # LJ-15.3: civil affairs sees the chain in the person's file — the emergency admission,
    # the village committee's report and the town's forwarding, the guardian's later
    # signature, the discharge and the settlement.
    async def care_file_kinds() -> list[str] | None:
        body = await stack.call("referral", "GET", f"/persons/{pid}/care-file", role="civil_affairs")
        kinds = [e["kind"] for e in body["entries"]]
        return kinds if "settlement_completed" in kinds else None

    kinds = await stack.wait_until(care_file_kinds)
    assert kinds == [
        "admission",
        "emergency_determined",
        "filing_submitted",
        "filing_forwarded",
        "consent_signed",
        "fit_for_discharge",
        "discharge",
        "settlement_completed",
        "discharge_document",
        "discharge_document",
        "discharge_document",
    ], kinds
