"""Living costs and the emergency period from facts (GD-13.3, GD-13.5, SPEC 0.5).

Issue scenarios: "a patient who dies 6 hours after admission still yields 3 days" and "an
adult tagged critically_ill_newborn at 720 hours makes 30 days of emergency costs and 30
days of living allowance" — both now refused or counted from the facts.
"""

from __future__ import annotations

from datetime import timedelta

import time_machine

from medaid_shared.testing import ServiceHarness

from .helpers import (
    ADMITTED,
    NOW,
    VALID_ID,
    VALID_ID_2,
    add_costs,
    call,
    deliver,
    ok,
    open_case,
    overdue_event,
    prepare_city,
)

CLAIM = {"medical_amount": "1000.00", "declaration": "属实"}


async def test_gd_13_5_a_patient_who_died_after_6_hours_yields_one_day(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc))["case_id"]
        await add_costs(svc, cid, (1, "1000.00"))
        await deliver(svc, overdue_event("P-1"))
        # no end of stay recorded yet: the stay lasts (NOW is 98 hours after admission) — 3 days
        a = await ok(svc, "GET", f"/cases/{cid}/assessment", "hospital")
        assert (a["living_days"], a["living_max"]) == (3, "90.00")
        await ok(svc, "POST", f"/cases/{cid}/claim", "hospital", {**CLAIM, "living_amount": "90.00"})

        stay_end = f"/cases/{cid}/stay-end"
        died = {"outcome": "died", "at": (ADMITTED + timedelta(hours=6)).isoformat(), "note": "抢救无效死亡"}
        for bad in (
            {**died, "at": (ADMITTED - timedelta(minutes=1)).isoformat()},
            {**died, "at": (NOW + timedelta(minutes=1)).isoformat()},
            {**died, "outcome": "vanished"},
        ):
            assert (await call(svc, "POST", stay_end, "hospital", bad)).status_code == 422
        assert (await call(svc, "POST", stay_end, "agency", died)).status_code == 403
        assert (await ok(svc, "GET", f"/cases/{cid}", "hospital"))["stay_ended_at"] is None  # nothing changed
        view = await ok(svc, "POST", stay_end, "hospital", died)
        # the claim rested on 3 days: recording the death withdraws it
        assert view["state"] == "open" and view["stay_end_outcome"] == "died" and view["claim_living"] is None
        a = await ok(svc, "GET", f"/cases/{cid}/assessment", "hospital")
        assert (a["living_days"], a["living_max"]) == (1, "30.00") and "GD-13.5" in a["rules"]
        r = await call(svc, "POST", f"/cases/{cid}/claim", "hospital", {**CLAIM, "living_amount": "90.00"})
        assert r.status_code == 422 and (r.json()["rule"], r.json()["field"]) == ("GD-13.5", "/living_amount")
        await ok(svc, "POST", f"/cases/{cid}/claim", "hospital", {**CLAIM, "living_amount": "30.00"})


async def test_gd_13_5_a_claim_during_the_stay_counts_the_days_so_far(svc: ServiceHarness) -> None:
    with time_machine.travel(ADMITTED + timedelta(hours=30), tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc))["case_id"]
        await add_costs(svc, cid, (1, "1000.00"))
        await deliver(svc, overdue_event("P-1"))
        a = await ok(svc, "GET", f"/cases/{cid}/assessment", "hospital")
        assert a["living_days"] == 2  # two started days so far, not the whole 72 hours in advance
        r = await call(svc, "POST", f"/cases/{cid}/claim", "hospital", {**CLAIM, "living_amount": "90.00"})
        assert r.status_code == 422 and r.json()["rule"] == "GD-13.5"


async def test_gd_13_3_an_adult_tagged_newborn_at_720_hours_is_refused(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc))["case_id"]
        path = f"/cases/{cid}/emergency-extension"
        tagged = {"hours": 720, "category": "critically_ill_newborn", "reason": "病情危重"}
        r = await call(svc, "POST", path, "hospital", tagged)
        assert r.status_code == 422 and (r.json()["rule"], r.json()["field"]) == ("GD-13.3", "/evidence/date_of_birth")
        adult = {**tagged, "evidence": {"date_of_birth": "1990-01-01"}}
        r = await call(svc, "POST", path, "hospital", adult)
        assert r.status_code == 422 and (r.json()["rule"], r.json()["field"]) == ("GD-13.3", "/evidence/date_of_birth")
        wrong = {**tagged, "evidence": {"pregnancy_record": "母子健康手册 0031"}}
        assert (await call(svc, "POST", path, "hospital", wrong)).status_code == 422
        bad = await call(svc, "POST", path, "hospital", {"hours": 120, "category": "adult_male", "reason": "ICU"})
        assert bad.status_code == 422 and bad.json()["rule"] == "GD-13.3"
        view = await ok(svc, "GET", f"/cases/{cid}", "hospital")
        assert (view["emergency_hours"], view["extension_status"]) == (72, None)  # nothing changed


async def test_gd_13_3_an_extension_counts_once_approved(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc))["case_id"]
        await add_costs(svc, cid, (1, "1000.00"), (80, "500.00"))
        await deliver(svc, overdue_event("P-1"))
        path = f"/cases/{cid}/emergency-extension"
        newborn = {
            "hours": 120,
            "category": "critically_ill_newborn",
            "reason": "新生儿窒息复苏后",
            "evidence": {"date_of_birth": (ADMITTED - timedelta(days=2)).date().isoformat()},
        }
        assert (await call(svc, "POST", path, "agency", newborn)).status_code == 403
        requested = await ok(svc, "POST", path, "hospital", newborn)
        assert (requested["extension_status"], requested["emergency_hours"], requested["extension_hours"]) == (
            "requested",
            72,
            120,
        )
        # the hospital's request alone extends nothing, and the claim waits for the decision
        a = await ok(svc, "GET", f"/cases/{cid}/assessment", "hospital")
        assert a["emergency_hours"] == 72 and a["excluded"] == {"after_emergency_period": "500.00"}
        r = await call(svc, "POST", f"/cases/{cid}/claim", "hospital", {**CLAIM, "living_amount": "90.00"})
        assert r.status_code == 422 and "GD-13.3" in {b["rule"] for b in r.json()["blockers"]}
        queue = await ok(svc, "GET", "/emergency-extensions", "health")
        assert [(i["case_id"], i["hours"], i["category"]) for i in queue["items"]] == [
            (cid, 120, "critically_ill_newborn")
        ]
        assert (await call(svc, "GET", "/emergency-extensions", "hospital")).status_code == 403

        decision = f"{path}/decision"
        assert (
            await call(svc, "POST", decision, "hospital", {"decision": "approved", "reason": "x"})
        ).status_code == 403
        assert (
            await call(svc, "POST", decision, "finance", {"decision": "approved", "reason": "x"})
        ).status_code == 403
        approved = await ok(svc, "POST", decision, "health", {"decision": "approved", "reason": "符合新生儿危重救治"})
        assert (approved["extension_status"], approved["emergency_hours"], approved["extension_decided_role"]) == (
            "approved",
            120,
            "health_bureau",
        )
        again = await call(svc, "POST", decision, "agency", {"decision": "rejected", "reason": "x"})
        assert again.status_code == 409 and again.json()["rule"] == "GD-13.3"
        a = await ok(svc, "GET", f"/cases/{cid}/assessment", "hospital")
        # NOW is 98 hours after admission and the baby is still in hospital: 5 started days so far
        assert a["emergency_hours"] == 120 and a["excluded"] == {} and a["eligible_medical"] == "1500.00"
        assert (a["living_days"], a["living_max"]) == (5, "150.00")
        assert (await ok(svc, "GET", "/emergency-extensions", "agency"))["items"] == []

        # a second request replaces the approval until decided; the agency rejects it
        await ok(svc, "POST", path, "hospital", {**newborn, "hours": 240})
        assert (await ok(svc, "GET", f"/cases/{cid}", "hospital"))["emergency_hours"] == 72
        rejected = await ok(svc, "POST", decision, "agency", {"decision": "rejected", "reason": "证据不足"})
        assert (rejected["extension_status"], rejected["emergency_hours"]) == ("rejected", 72)


async def test_gd_13_5_referrals_discharge_ends_the_stay_of_a_person_referral_knows(svc: ServiceHarness) -> None:
    """SPEC 0.5: for a destitute person referral knows, the end of the stay is referral's
    discharge record, not the hospital's word."""
    from medaid_shared.contracts.referral import DischargeRecorded, EmergencyAssistanceReferred, PersonRegistered
    from medaid_shared.crypto import seal
    from medaid_shared.settings import DEV_PERSON_MATCHING_PUBLIC_KEY, PERSON_MATCHING_PURPOSE

    from .helpers import CITY, H1, VALID_ID_2

    def discharge(at: timedelta, facility: str = H1) -> DischargeRecorded:
        return DischargeRecorded(
            admission_id="ADM-D",
            person_id="PER-D",
            facility_id=facility,
            admitted_at=ADMITTED,
            discharged_at=ADMITTED + at,
            documents_due_at=ADMITTED + at + timedelta(hours=24),
        )

    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        sealed = seal(DEV_PERSON_MATCHING_PUBLIC_KEY, VALID_ID_2, PERSON_MATCHING_PURPOSE)
        await deliver(
            svc,
            PersonRegistered(
                person_id="PER-D",
                name_masked="李*四",
                id_number_masked="1101**********0038",
                id_number_sealed=sealed,
                support_type="centralized",
            ),
        )
        await deliver(
            svc,
            EmergencyAssistanceReferred(
                admission_id="ADM-D",
                person_id="PER-D",
                facility_id=H1,
                admitted_at=ADMITTED,
                id_number_sealed=sealed,
                name_masked="李*四",
                city=CITY,
            ),
        )
        [case] = (await ok(svc, "GET", "/cases", "hospital"))["items"]
        cid = case["case_id"]
        await add_costs(svc, cid, (1, "1000.00"))
        # the hospital's record first: its claim of a 60-hour stay
        end = {"outcome": "discharged", "at": (ADMITTED + timedelta(hours=60)).isoformat()}
        await ok(svc, "POST", f"/cases/{cid}/stay-end", "hospital", end)
        assert (await ok(svc, "GET", f"/cases/{cid}/assessment", "hospital"))["living_days"] == 3
        await deliver(svc, discharge(timedelta(hours=30), facility="H999"))  # another hospital's: nothing
        assert (await ok(svc, "GET", f"/cases/{cid}", "hospital"))["stay_end_source"] == "hospital"
        await deliver(svc, discharge(timedelta(hours=30)))
        view = await ok(svc, "GET", f"/cases/{cid}", "agency")
        assert (view["stay_end_source"], view["stay_end_recorded_by"], view["stay_end_outcome"]) == (
            "referral",
            "referral",
            "discharged",
        )
        assert (await ok(svc, "GET", f"/cases/{cid}/assessment", "hospital"))["living_days"] == 2
        again = await call(svc, "POST", f"/cases/{cid}/stay-end", "hospital", end)
        assert again.status_code == 409 and (again.json()["rule"], again.json()["field"]) == ("GD-13.5", "/at")
        assert (await ok(svc, "GET", f"/cases/{cid}/assessment", "hospital"))["living_days"] == 2


async def test_gd_13_5_a_claim_filed_on_the_hospitals_stay_end_is_withdrawn_by_referrals_discharge(
    svc: ServiceHarness,
) -> None:
    from medaid_shared.contracts.referral import DischargeRecorded

    from .helpers import CHANNELS, H1, VALID_ID, confirm_channels

    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc, identity="identified", id_number=VALID_ID, admission_id="ADM-C"))["case_id"]
        await add_costs(svc, cid, (1, "1000.00"))
        await ok(svc, "POST", f"/cases/{cid}/unable-to-pay", "hospital", {"criteria": ["minimum_living"]})
        for channel in CHANNELS:
            await ok(svc, "POST", f"/cases/{cid}/channel-payments", "hospital", {"channel": channel, "amount": "0.00"})
        await confirm_channels(svc, cid)
        await ok(svc, "POST", f"/cases/{cid}/civil-affairs-check", "civil", {"statuses": ["minimum_living"]})
        end = {"outcome": "discharged", "at": (ADMITTED + timedelta(hours=60)).isoformat()}
        await ok(svc, "POST", f"/cases/{cid}/stay-end", "hospital", end)
        claim = {"medical_amount": "1000.00", "living_amount": "90.00", "declaration": "属实"}
        assert (await ok(svc, "POST", f"/cases/{cid}/claim", "hospital", claim))["state"] == "claimed"
        await deliver(
            svc,
            DischargeRecorded(
                admission_id="ADM-C",
                person_id="PER-C",
                facility_id=H1,
                admitted_at=ADMITTED,
                discharged_at=ADMITTED + timedelta(hours=30),
                documents_due_at=ADMITTED + timedelta(hours=54),
            ),
        )
        case = await ok(svc, "GET", f"/cases/{cid}", "hospital")
        assert (case["state"], case["claim_living"], case["stay_end_source"]) == ("open", None, "referral")
        assert (await ok(svc, "GET", f"/cases/{cid}/assessment", "hospital"))["living_max"] == "60.00"
        refused = await call(svc, "POST", f"/cases/{cid}/claim", "hospital", claim)
        assert refused.status_code == 422 and refused.json()["rule"] == "GD-13.5"  # 90.00 > two days' 60.00


def id_born(born: str, seq: str = "002") -> str:
    """A valid resident ID number of someone born on ``born`` (YYYYMMDD); ``seq``'s last
    digit odd for a man, even for a woman (GB 11643)."""
    from medaid_shared.crypto import id_number_check_char

    first17 = f"110105{born}{seq}"
    return first17 + id_number_check_char(first17)


async def test_gd_13_3_the_category_must_match_the_id_number_the_fund_holds(svc: ServiceHarness) -> None:
    """SPEC 0.5: for an identified patient the birth date and sex come from the ID number, not
    from the hospital's evidence: an adult is no newborn whatever date of birth the hospital
    writes, a man is no pregnant woman, and a real newborn needs no date the ID already says."""
    two_days_old = (ADMITTED - timedelta(days=2)).date()
    newborn = {"hours": 120, "category": "critically_ill_newborn", "reason": "新生儿窒息复苏后"}
    pregnant = {
        "hours": 120,
        "category": "poor_critically_ill_pregnant_woman",
        "reason": "妊娠高血压危象",
        "evidence": {"pregnancy_record": "母子健康手册 0031"},
    }
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        adult_woman = (await open_case(svc, identity="identified", id_number=VALID_ID, patient_ref="P-A"))["case_id"]
        path = f"/cases/{adult_woman}/emergency-extension"
        claimed_young = {**newborn, "evidence": {"date_of_birth": two_days_old.isoformat()}}
        r = await call(svc, "POST", path, "hospital", claimed_young)
        assert r.status_code == 422 and (r.json()["rule"], r.json()["field"]) == ("GD-13.3", "/evidence/date_of_birth")
        assert "1949" not in r.text  # the problem does not repeat the patient's birth date
        r = await call(svc, "POST", path, "hospital", newborn)  # no date: the ID's says 1949
        assert r.status_code == 422 and (r.json()["rule"], r.json()["field"]) == ("GD-13.3", "/evidence/date_of_birth")
        assert (await ok(svc, "GET", f"/cases/{adult_woman}", "hospital"))["extension_status"] is None
        assert (await ok(svc, "POST", path, "hospital", pregnant))["extension_status"] == "requested"

        man = (await open_case(svc, identity="identified", id_number=VALID_ID_2, patient_ref="P-M"))["case_id"]
        r = await call(svc, "POST", f"/cases/{man}/emergency-extension", "hospital", pregnant)
        assert r.status_code == 422 and (r.json()["rule"], r.json()["field"]) == ("GD-13.3", "/category")

        baby_id = id_born(two_days_old.strftime("%Y%m%d"), "001")
        baby = (await open_case(svc, identity="identified", id_number=baby_id, patient_ref="P-B"))["case_id"]
        path = f"/cases/{baby}/emergency-extension"
        wrong = {**newborn, "evidence": {"date_of_birth": (two_days_old - timedelta(days=1)).isoformat()}}
        r = await call(svc, "POST", path, "hospital", wrong)
        assert r.status_code == 422 and r.json()["field"] == "/evidence/date_of_birth"
        assert (await ok(svc, "POST", path, "hospital", newborn))["extension_status"] == "requested"
        approved = await ok(svc, "POST", f"{path}/decision", "agency", {"decision": "approved", "reason": "新生儿"})
        assert (approved["extension_status"], approved["emergency_hours"]) == ("approved", 120)
        assert "birth_facts" not in approved  # SPEC 0.4: the facts decide, no answer carries them


async def test_gd_13_3_an_extension_contradicted_by_the_police_identification_is_rejected(
    svc: ServiceHarness,
) -> None:
    """SPEC 0.5: an unidentified "newborn" whose extension was approved on the hospital's date
    of birth turns out, once the police identify the patient, to be a man born in 1949: the
    extension is rejected on the facts, the normal period applies, the claim that rested on
    the longer period is withdrawn."""
    from .helpers import verified_event

    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc))["case_id"]
        await add_costs(svc, cid, (1, "1000.00"), (80, "500.00"))
        path = f"/cases/{cid}/emergency-extension"
        newborn = {
            "hours": 120,
            "category": "critically_ill_newborn",
            "reason": "新生儿窒息复苏后",
            "evidence": {"date_of_birth": (ADMITTED - timedelta(days=2)).date().isoformat()},
        }
        await ok(svc, "POST", path, "hospital", newborn)
        await ok(svc, "POST", f"{path}/decision", "agency", {"decision": "approved", "reason": "新生儿"})
        assert (await ok(svc, "GET", f"/cases/{cid}/assessment", "hospital"))["eligible_medical"] == "1500.00"
        # the police identify the patient in time: VALID_ID_2, a man born 1949-12-31
        await deliver(svc, verified_event("identified"))
        view = await ok(svc, "GET", f"/cases/{cid}", "agency")
        assert (view["identity_status"], view["extension_status"], view["emergency_hours"]) == (
            "identified",
            "rejected",
            72,
        )
        assert view["extension_decision_reason"].startswith("GD-13.3: the date of birth does not match")
        a = await ok(svc, "GET", f"/cases/{cid}/assessment", "hospital")
        assert a["excluded"] == {"after_emergency_period": "500.00"}


async def test_gd_13_3_a_claim_on_an_extension_the_hospital_then_contradicts_is_withdrawn(
    svc: ServiceHarness,
) -> None:
    """The hospital itself reports the identity (GD-18) of an unidentified patient whose
    pregnant-woman extension was approved and claimed on: the ID number is a man's, so the
    extension is rejected on the facts and the claim withdrawn."""
    from .helpers import verified_event

    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc))["case_id"]
        await add_costs(svc, cid, (1, "1000.00"), (80, "500.00"))
        await deliver(svc, verified_event("not_identified"))
        path = f"/cases/{cid}/emergency-extension"
        pregnant = {
            "hours": 120,
            "category": "poor_critically_ill_pregnant_woman",
            "reason": "妊娠高血压危象",
            "evidence": {"pregnancy_record": "母子健康手册 0031"},
        }
        await ok(svc, "POST", path, "hospital", pregnant)
        await ok(svc, "POST", f"{path}/decision", "health", {"decision": "approved", "reason": "孕产妇"})
        claimed = await ok(
            svc,
            "POST",
            f"/cases/{cid}/claim",
            "hospital",
            {**CLAIM, "medical_amount": "1500.00", "living_amount": "90.00"},
        )
        assert claimed["state"] == "claimed"
        body = {"name": "李四", "id_number": VALID_ID_2, "how": "患者清醒后自述"}
        view = await ok(svc, "POST", f"/cases/{cid}/identity", "hospital", body)
        assert (view["state"], view["claim_medical"], view["extension_status"], view["emergency_hours"]) == (
            "open",
            None,
            "rejected",
            72,
        )
        assert view["extension_decision_reason"] == (
            "GD-13.3: the ID number the fund holds for the patient is a man's: not a pregnant woman"
        )


async def identified_in_application_on_an_open_stay(svc: ServiceHarness, admission_id: str) -> tuple[str, str]:
    """At SUBMIT (98 hours after admission): an identified patient of referral's admission
    ``admission_id``, no end of stay recorded, claimed on three days of living cost and
    gathered into an application with the hospital's notice."""
    from .helpers import CHANNELS, H1, SUBMIT, VALID_ID, confirm_channels

    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc, identity="identified", id_number=VALID_ID, admission_id=admission_id))["case_id"]
        await add_costs(svc, cid, (1, "1000.00"))
        await ok(svc, "POST", f"/cases/{cid}/unable-to-pay", "hospital", {"criteria": ["minimum_living"]})
        for channel in CHANNELS:
            await ok(svc, "POST", f"/cases/{cid}/channel-payments", "hospital", {"channel": channel, "amount": "0.00"})
        await confirm_channels(svc, cid)
        await ok(svc, "POST", f"/cases/{cid}/civil-affairs-check", "civil", {"statuses": ["minimum_living"]})
        await ok(svc, "POST", f"/cases/{cid}/claim", "hospital", {**CLAIM, "living_amount": "90.00"})
        app = await ok(svc, "POST", "/applications", "hospital", {"facility_id": H1, "case_ids": [cid]})
    return cid, app["application_id"]


def discharged_after(admission_id: str, hours: int) -> object:
    from medaid_shared.contracts.referral import DischargeRecorded

    from .helpers import H1

    return DischargeRecorded(
        admission_id=admission_id,
        person_id="PER-X",
        facility_id=H1,
        admitted_at=ADMITTED,
        discharged_at=ADMITTED + timedelta(hours=hours),
        documents_due_at=ADMITTED + timedelta(hours=hours + 24),
    )


async def test_gd_13_5_a_discharge_after_payment_demands_the_living_days_not_spent_back(svc: ServiceHarness) -> None:
    """SPEC 0.5: the fund paid three days of living cost on an open stay; referral's discharge
    record then says the patient left 6 hours after admission — one day. The two days paid
    for nothing are demanded back from the hospital, due like any refund (GD-16.4)."""
    from .helpers import PAY, through_review

    cid, app_id = await identified_in_application_on_an_open_stay(svc, "ADM-P")
    await through_review(svc, app_id)
    with time_machine.travel(PAY, tick=False):
        await ok(svc, "POST", f"/applications/{app_id}/disbursement", "finance")
    with time_machine.travel(PAY + timedelta(days=2), tick=False):
        await deliver(svc, discharged_after("ADM-P", 6))
        case = await ok(svc, "GET", f"/cases/{cid}", "agency")
        assert (case["state"], case["stay_end_source"]) == ("refund_demanded", "referral")
        [demand] = await svc.published("FundRefundDemanded")
        assert demand["payload"]["amount"] == "60.00" and demand["payload"]["reason"].startswith("GD-13.5")
        await deliver(svc, discharged_after("ADM-P", 6), event_id="again")  # the same fact again: nothing more
        assert len(await svc.published("FundRefundDemanded")) == 1


async def test_gd_13_5_a_discharge_after_the_agencys_decision_takes_it_again(svc: ServiceHarness) -> None:
    """Not yet paid: the case leaves its application (withdrawn, being its only case) and is
    open for the hospital's new claim on the real days; a stay no shorter than the claim
    assumed leaves the decision standing."""
    from .helpers import AGENCY, SUBMIT

    cid, app_id = await identified_in_application_on_an_open_stay(svc, "ADM-Q")
    with time_machine.travel(SUBMIT, tick=False):
        await ok(svc, "POST", f"/applications/{app_id}/notices", "hospital")
    with time_machine.travel(AGENCY, tick=False):
        await ok(svc, "POST", f"/applications/{app_id}/agency-review", "agency", {"outcome": "approved"})
        await deliver(svc, discharged_after("ADM-Q", 80))  # beyond the 72 hours: three days all the same
        assert (await ok(svc, "GET", f"/cases/{cid}", "agency"))["state"] == "in_application"
        await deliver(svc, discharged_after("ADM-Q", 30))  # a corrected record: two days
        case = await ok(svc, "GET", f"/cases/{cid}", "agency")
        assert (case["state"], case["claim_living"]) == ("open", None)
        app = await ok(svc, "GET", f"/applications/{app_id}", "agency")
        assert app["state"] == "withdrawn" and app["cases"][0]["withdrawn_reason"].startswith("GD-13.5")
        assert (await ok(svc, "GET", f"/cases/{cid}/assessment", "hospital"))["living_max"] == "60.00"


async def test_spec_0_4_an_extensions_evidence_is_shown_only_to_those_who_ask_and_decide(svc: ServiceHarness) -> None:
    """Issue 16: an extension's evidence can hold a newborn's date of birth. The hospital that
    asks, the agency and the health department that decide read it (the case, the list, the
    work queue); every other reader of cases or of the queue gets it empty."""
    born = (ADMITTED - timedelta(days=2)).date().isoformat()
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc))["case_id"]
        newborn = {
            "hours": 120,
            "category": "critically_ill_newborn",
            "reason": "新生儿窒息复苏后",
            "evidence": {"date_of_birth": born},
        }
        requested = await ok(svc, "POST", f"/cases/{cid}/emergency-extension", "hospital", newborn)
        assert requested["extension_evidence"] == {"date_of_birth": born}
        for role, seen in {
            "hospital": {"date_of_birth": born},
            "agency": {"date_of_birth": born},
            "health": {"date_of_birth": born},
            "finance": None,
            "auditor": None,
            "civil": None,
            "police": None,
            "insurance": None,
            "hrss": None,
        }.items():
            case = await ok(svc, "GET", f"/cases/{cid}", role)
            [listed] = (await ok(svc, "GET", "/cases", role))["items"]
            assert (case["extension_evidence"], listed["extension_evidence"]) == (seen, seen), role
            assert seen is not None or born not in str(case) + str(listed), role
        for role, seen in {
            "agency": {"date_of_birth": born},
            "health": {"date_of_birth": born},
            "auditor": None,
        }.items():
            [queued] = (await ok(svc, "GET", "/emergency-extensions", role))["items"]
            assert (queued["case_id"], queued["evidence"]) == (cid, seen), role
        # the category and the hours stay readable: the auditor follows the decision without the birth date
        assert (queued["category"], queued["hours"]) == ("critically_ill_newborn", 120)
