"""Journey 1 (September 2026): a centralized person (集中供养, LJ-2.1) of a welfare institution
falls ill, is seen first at the institution clinic (LJ-3.2a), referred with a referral slip
to the district hospital (LJ-4.2a), admitted; the institution files the outside-care form
within 24 hours (LJ-4.2b); a 1,500 CNY out-of-catalogue drug goes through the informed-consent
form (LJ-7.1, signed per LJ-10), the institution head's initial review (LJ-7.2), the
civil-affairs filing and approval (LJ-7.3); the hospital discharges and issues the three
documents in time (LJ-12); one-stop settlement (LJ-13.1, LJ-3.4) splits the bill among basic
insurance, critical illness, medical aid (LJ-6.1, LJ-6.2) and support money for the approved
self-pay item (LJ-14.1); the one-person external-care file shows every step (LJ-15.3).

Driven only over HTTP against the five running services, waiting on the events they publish;
time moves with the services' clock, never by sleeping through days."""

from __future__ import annotations

from datetime import date, timedelta

from .conftest import Stack
from .steps import (
    assert_statement_adds_up,
    event_types,
    id_number,
    issue_discharge_documents,
    load_catalogue,
    load_settlement_parameters,
    local,
    money,
    no_violations_after,
    register_facility,
    register_person,
    send,
    when_known,
)

CLINIC = "J1-CLINIC"  # the welfare institution's clinic (primary level)
HOSPITAL = "J1-DISTRICT"  # the district hospital, medical-aid designated
INSTITUTION = "J1-INST"
HOSPITAL_SCOPE = (f"facility:{HOSPITAL}",)
INSTITUTION_SCOPE = (f"institution:{INSTITUTION}",)


async def test_centralized_referral_self_pay_and_one_stop_settlement(stack: Stack) -> None:
    await stack.set_clock(local(2026, 9, 14, 8, 0))
    parameter_versions = await load_settlement_parameters(stack)
    # SPEC 0.5: the catalogue decides what is in it, never the hospital's bill.
    await load_catalogue(
        stack,
        [
            ("BED-GEN", "普通床位费", "service", True),
            ("NURSE-L2", "Ⅱ级护理", "service", True),
            ("CT-CHEST", "胸部CT平扫", "test", True),
            ("DRUG-CEFT", "注射用头孢曲松钠", "drug", True),
            ("TREAT-RESP", "呼吸道治疗", "service", True),
            ("ZF-MEROPENEM", "美罗培南（目录外规格）", "drug", False),
        ],
    )

    # §1: the facilities (LJ-3.2a primary clinic; LJ-3.2b designated district hospital).
    await register_facility(stack, CLINIC, "柳江区社会福利院医务室", "institution_clinic")
    await register_facility(stack, HOSPITAL, "柳江区人民医院", "district")

    # LJ-2.1: a centralized person of the institution; LJ-10 rank 1: assessed fully capable
    # and lucid, so the person signs their own consent.
    person = await register_person(
        stack,
        {
            "id_number": id_number(date(1951, 3, 8), 101),
            "name": "韦桂英",
            "support_type": "centralized",
            "institution_id": INSTITUTION,
            "capacity": {
                "full_capacity_and_lucid": True,
                "assessed_at": local(2026, 9, 1, 10).isoformat(),
                "assessed_by": "institution doctor",
            },
            "guardian": {"verified_none": True, "evidence_ref": "J1-NO-GUARDIAN-2026"},
            "disability_level": "semi",
        },
    )
    pid = person["person_id"]

    # LJ-3.2a first visit at the institution clinic; LJ-4.2a the doctor's referral slip to
    # the district hospital (in the district: no LJ-4.3a approval needed).
    await stack.set_clock(local(2026, 9, 14, 9, 30))
    referral = await stack.call(
        "referral",
        "POST",
        "/referrals",
        role="hospital",
        scopes=(f"facility:{CLINIC}",),
        subject="clinic-doctor-li",
        json={
            "person_id": pid,
            "from_facility_id": CLINIC,
            "to_facility_id": HOSPITAL,
            "first_visit_at": local(2026, 9, 14, 9, 0).isoformat(),
            "slip_ref": "ZZD-J1-0914",
            "slip_doctor": "clinic-doctor-li",
        },
        expect=201,
    )
    assert referral["approval_state"] == "not_required"

    # Admission at the district hospital (AdmissionFiled): referral-compliant, not yet filed.
    await stack.set_clock(local(2026, 9, 14, 14, 5))
    admission = await stack.call(
        "referral",
        "POST",
        "/admissions",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        subject="dh-admissions",
        json={
            "person_id": pid,
            "facility_id": HOSPITAL,
            "admitted_at": local(2026, 9, 14, 14, 0).isoformat(),
            "referral_id": referral["referral_id"],
        },
        expect=201,
    )
    aid = admission["admission_id"]
    filed = await stack.wait_event("AdmissionFiled", admission_id=aid)
    assert filed["data"]["referral_compliance"] == {
        "primary_first_visit": True,
        "referral_slip": True,
        "out_of_region_approved": None,
        "compliant": True,
        "parameters_version": "referral_exemption:any:any:default",
    }
    assert filed["data"]["filing_state"] == "pending"

    # LJ-4.2b: the institution files the outside-care form with civil affairs within 24 hours
    # of the admission (20 hours later) → complete at once, filed_in_time.
    await stack.set_clock(local(2026, 9, 15, 10, 0))
    filing = await stack.call(
        "referral",
        "POST",
        "/filings",
        role="institution",
        scopes=INSTITUTION_SCOPE,
        subject="inst-head-wei",
        json={
            "person_id": pid,
            "facility_id": HOSPITAL,
            "admission_id": aid,
            "referral_id": referral["referral_id"],
            "reason": "肺部感染，需住院治疗",
            "escort": "护理员 覃某",
            "unit_name": "柳江区社会福利院",
        },
        expect=201,
    )
    assert filing["complete"] is True and filing["filing_state"] == "filed_in_time"
    completed = await stack.wait_event("FilingCompleted", admission_id=aid)
    assert completed["data"]["filing_state"] == "filed_in_time"

    # LJ-7.0 / LJ-7.3: a 1,500 CNY out-of-catalogue drug — at least 200, so it is reviewed,
    # and a single estimate above 1,000, so civil affairs must approve it too.
    await stack.set_clock(local(2026, 9, 15, 11, 0))
    item = await when_known(
        stack,
        "consent",
        "POST",
        f"/admissions/{aid}/self-pay-items",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        subject="dr-huang",
        json={
            "item_code": "ZF-MEROPENEM",
            "item_name": "美罗培南（目录外规格）",
            "category": "drug",
            "unit_price": "750.00",
            "quantity": 2,
            "necessity": "多重耐药菌感染，目录内抗生素无效",
            "attending_doctor": "dr-huang",
        },
        expect=(201,),
        waiting=(404, 422),  # consent may still be learning of the admission or the catalogue
    )
    item_id = item["item_id"]
    assert item["amount"] == "1500.00"
    assert item["needs_review"] is True and item["needs_civil_affairs"] is True
    assert item["status"] == "awaiting_consent_form"

    # LJ-10: the person ranks first (assessed fully capable and lucid) and may sign.
    authority = await stack.call(
        "consent", "GET", f"/persons/{pid}/signing-authority", role="civil_affairs", subject="ca-1"
    )
    assert authority["eligible_rank"] == 1 and authority["eligible"]["signer_ids"] == [pid], authority
    # LJ-7.1: the informed-consent form (necessity and cost) signed by the person.
    form = await stack.call(
        "consent",
        "POST",
        f"/self-pay-items/{item_id}/consent-form",
        role="patient",
        subject=pid,
        json={"signature_ref": "SIG-J1-FORM"},
        expect=201,
    )
    assert form["decision"] == "self_pay_form" and form["signer"]["rank"] == 1
    await stack.wait_event("ConsentSigned", item_id=item_id)

    # LJ-7.2: initial review by the institution head, who approves; LJ-7.3: the institution
    # files the item with the district civil-affairs social-assistance section with it.
    await stack.set_clock(local(2026, 9, 15, 15, 0))
    reviewed = await stack.call(
        "consent",
        "POST",
        f"/self-pay-items/{item_id}/initial-review",
        role="institution",
        scopes=INSTITUTION_SCOPE,
        subject="inst-head-wei",
        json={"outcome": "approved"},
    )
    assert reviewed["status"] == "awaiting_civil_affairs_review", reviewed
    await stack.wait_event("SelfPayReviewed", item_id=item_id, stage="initial")

    # LJ-7.3: civil affairs reviews and approves → SelfPayDecided approved.
    await stack.set_clock(local(2026, 9, 16, 9, 30))
    approved = await stack.call(
        "consent",
        "POST",
        f"/self-pay-items/{item_id}/civil-affairs-review",
        role="civil_affairs",
        subject="ca-social-assistance",
        json={"outcome": "approved"},
    )
    assert approved["status"] == "approved" and approved["outcome"] == "approved"
    assert [s["step"] for s in approved["trail"]] == [
        "proposed",
        "consent_form",
        "initial",
        "civil_affairs_filing",
        "civil_affairs",
        "decided",
    ]
    decided = await stack.wait_event("SelfPayDecided", item_id=item_id)

    # LJ-7.1 / SPEC 0.4: the annex-3 form printed for the institution names the patient in
    # full and the institution as it signed annex 1 (learnt from FilingCompleted).
    async def printed() -> str | None:
        page = await stack.call(
            "consent",
            "GET",
            f"/self-pay-items/{item_id}/consent-form.html",
            role="institution",
            scopes=INSTITUTION_SCOPE,
            subject="inst-head-wei",
        )
        return page if "柳江区社会福利院" in page else None

    annex_3 = await stack.wait_until(printed)
    assert "韦桂英" in annex_3 and "本人，第1顺位" in annex_3
    assert decided["data"]["outcome"] == "approved" and decided["data"]["amount"] == "1500.00"

    # LJ-12: fit for discharge, discharged promptly (DischargeRecorded).
    await stack.set_clock(local(2026, 9, 24, 9, 0))
    await stack.call(
        "referral",
        "POST",
        f"/admissions/{aid}/fitness",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={"doctor": "dr-huang"},
    )
    await stack.set_clock(local(2026, 9, 24, 10, 5))
    await stack.call(
        "referral",
        "POST",
        f"/admissions/{aid}/discharge",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={"discharged_at": local(2026, 9, 24, 10, 0).isoformat(), "diagnosis_group": "J18"},
    )
    await stack.wait_event("DischargeRecorded", admission_id=aid)

    # The itemised final bill: 12,345.60 in the insurance catalogue, the approved 1,500.00
    # self-pay drug (out of catalogue, linked to its item).
    day = date(2026, 9, 14)
    lines = [
        ("BED-GEN", "bed", True, "10", "60.00", "600.00", day),
        ("NURSE-L2", "nursing", True, "10", "35.00", "350.00", day),
        ("CT-CHEST", "test", True, "1", "480.00", "480.00", day + timedelta(days=1)),
        ("DRUG-CEFT", "drug", True, "23", "400.00", "9200.00", day + timedelta(days=2)),
        ("TREAT-RESP", "treatment", True, "1", "1715.60", "1715.60", day + timedelta(days=3)),
        ("ZF-MEROPENEM", "drug", False, "2", "750.00", "1500.00", day + timedelta(days=2)),
    ]
    await stack.set_clock(local(2026, 9, 24, 10, 20))
    bill = await when_known(
        stack,
        "settlement",
        "POST",
        "/bills",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        subject="dh-billing",
        json={
            "bill_number": "J1-FINAL-0001",
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
                    **({} if in_cat else {"self_pay_item_id": item_id}),
                }
                for code, category, in_cat, qty, price, amount, served in lines
            ],
        },
        expect=(201,),
    )
    assert bill["total"] == "13845.60"

    # LJ-13.1 / LJ-3.4: one-stop settlement at the designated hospital, at discharge; the
    # settlement service may still be learning of the discharge (409 until then).
    await stack.set_clock(local(2026, 9, 24, 10, 30))
    statement = await when_known(
        stack,
        "settlement",
        "POST",
        f"/admissions/{aid}/settlement",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        subject="dh-billing",
        expect=(201,),
        waiting=(404, 409),
    )
    assert statement["mode"] == "one_stop" and statement["manual_reasons"] == []
    assert statement["gates_applied"] == []
    assert statement["total"] == "13845.60"
    assert statement["in_catalogue_total"] == "12345.60"
    assert statement["out_of_catalogue_total"] == "1500.00"
    # LJ-6.1 example district parameters: deductible 400.00, 80 % → (12,345.60 − 400) × 0.8;
    # critical illness: the yearly burden 2,789.12 is below the 7,500 threshold → 0;
    # LJ-6.2 medical aid: 100 % of the 2,789.12 left, no deductible, well under 60,000;
    # the support fund has nothing left to pay; LJ-14.1: the approved self-pay item is paid
    # from support money / temporary assistance; nothing falls on the hospital or the person.
    assert statement["amounts"] == {
        "basic_insurance": "9556.48",
        "critical_illness": "0.00",
        "medical_aid": "2789.12",
        "support_fund": "0.00",
        "self_pay_support": "1500.00",
        "hospital_borne": "0.00",
        "personal_cash": "0.00",
    }
    assert_statement_adds_up(statement)
    assert {(ln["payer"], ln["rule"]) for ln in statement["lines"]} == {
        ("basic_insurance", "LJ-6.1"),
        ("medical_aid", "LJ-6.2"),
        ("self_pay_support", "LJ-14.1"),
    }
    self_pay_line = next(ln for ln in statement["lines"] if ln["payer"] == "self_pay_support")
    assert self_pay_line["bill_ref"] == "J1-FINAL-0001#6" and self_pay_line["amount"] == "1500.00"
    # LJ-3.4: admitted without deposit, the person pays only the personal share — here none.
    assert money(statement["national_fields"]["psn_cash_pay"]) == 0
    assert statement["patient_advance"] == "0.00"
    assert set(statement["parameter_versions"]) <= set(parameter_versions)
    assert "medical_aid:any:any:2026-01-01" in statement["parameter_versions"]
    settled = await stack.wait_event("SettlementCompleted", admission_id=aid)
    assert settled["data"]["statement_id"] == statement["statement_id"]
    assert settled["data"]["medical_aid"] == "2789.12"

    # LJ-12: the diagnosis certificate, discharge summary and itemised cost list within 24 h.
    await stack.set_clock(local(2026, 9, 24, 15, 0))
    await issue_discharge_documents(stack, aid, HOSPITAL, "J1")
    # A day later the documents' deadline has passed: no violation (LJ-17), no late flag,
    # and the filing was never overdue (LJ-4.2b).
    await stack.set_clock(local(2026, 9, 25, 11, 0))
    await no_violations_after(stack, HOSPITAL)
    seen = event_types(stack, admission_id=aid)
    assert "DischargeDocumentsOverdue" not in seen and "FilingOverdue" not in seen, seen
    final = await stack.call("referral", "GET", f"/admissions/{aid}", role="civil_affairs")
    assert final["filing_state"] == "filed_in_time"
    assert sorted(d["kind"] for d in final["documents"] if not d["late"]) == [
        "diagnosis_certificate",
        "discharge_summary",
        "itemised_cost_list",
    ]

    # LJ-15.3: the one-person external-care file, read by civil affairs, shows every step in
    # order — fed by referral itself and by the consent and settlement events it consumes.
    async def care_file_complete() -> dict | None:
        r = await send(stack, "referral", "GET", f"/persons/{pid}/care-file", role="civil_affairs", subject="ca-1")
        assert r.status_code == 200, r.text
        body = r.json()
        kinds = {e["kind"] for e in body["entries"]}
        return body if {"consent_signed", "self_pay_decided", "settlement_completed"} <= kinds else None

    care_file = await stack.wait_until(care_file_complete)
    entries = care_file["entries"]
    kinds = [e["kind"] for e in entries]
    assert kinds == [
        "referral",
        "admission",
        "filing_submitted",
        "consent_signed",
        "self_pay_decided",
        "fit_for_discharge",
        "discharge",
        "settlement_completed",
        "discharge_document",
        "discharge_document",
        "discharge_document",
    ], kinds
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    by_kind = {e["kind"]: e for e in entries}
    assert by_kind["referral"]["ref_id"] == referral["referral_id"]
    assert by_kind["filing_submitted"]["ref_id"] == filing["filing_id"]
    assert by_kind["admission"]["summary"]["referral_compliant"] is True
    assert by_kind["consent_signed"]["source"] == "consent"
    assert by_kind["consent_signed"]["summary"]["decision"] == "self_pay_form"
    assert by_kind["self_pay_decided"]["summary"]["outcome"] == "approved"
    assert by_kind["self_pay_decided"]["summary"]["amount"] == "1500.00"
    settlement_entry = by_kind["settlement_completed"]
    assert settlement_entry["source"] == "settlement"
    assert settlement_entry["ref_id"] == statement["statement_id"]
    assert settlement_entry["summary"]["mode"] == "one_stop"
    assert settlement_entry["summary"]["total"] == "13845.60"
    assert settlement_entry["summary"]["self_pay_support"] == "1500.00"
    assert all(e["admission_id"] == aid for e in entries if e["kind"] != "referral")
    # The file carries no name or full ID number (SPEC 0.4).
    text = str(care_file["entries"])
    assert "韦桂英" not in text and id_number(date(1951, 3, 8), 101) not in text
