"""One letter, one case (GD-16.3, GD-13.4, GD-21): an unidentified patient's case names the
identity-check request it rests on — this hospital's letter for this admission number, used
by one case only; the admission number is unique per hospital; the identity gate reads the
named letter only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import time_machine

from medaid_shared.contracts.identity_check import IdentityCheckRequested
from medaid_shared.testing import ServiceHarness

from .helpers import (
    ADMITTED,
    H1,
    H2,
    NOW,
    add_costs,
    call,
    deliver,
    local,
    ok,
    open_case,
    overdue_event,
    prepare_city,
)

CLAIM = {"medical_amount": "15000.00", "living_amount": "90.00", "declaration": "情况属实"}


def requested(request_id: str, patient_ref: str, facility: str = H1) -> IdentityCheckRequested:
    return IdentityCheckRequested(
        request_id=request_id,
        reference_number=f"IC-2026-{facility}-{request_id}",
        facility_id=facility,
        bureau_id="PSB01",
        patient_ref=patient_ref,
        received_at=local(2026, 9, 14, 9),
        reply_due_at=local(2026, 9, 17, 23, 59),
    )


def body(patient_ref: str, letter: str | None, facility: str = H1) -> dict[str, Any]:
    b: dict[str, Any] = {
        "facility_id": facility,
        "patient_ref": patient_ref,
        "admitted_at": ADMITTED.isoformat(),
        "identity": "unidentified",
        "disease_code": "I21",
    }
    if letter is not None:
        b["identity_check_request_id"] = letter
    return b


async def cases(svc: ServiceHarness) -> list[dict[str, Any]]:
    return list((await ok(svc, "GET", "/cases", "agency"))["items"])


async def test_gd_16_3_one_overdue_letter_pays_out_once(svc: ServiceHarness) -> None:
    """The scenario of the review: the letter for ZY-0007 went overdue; the hospital opens
    a case on it, then tries two more with the same admission number and the same cost list
    — each is a 409 naming the existing case, and only one case is ever paid from it."""
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        await deliver(svc, requested("R-ZY-0007", "ZY-0007"))
        await deliver(svc, overdue_event("ZY-0007", request_id="R-ZY-0007"))
        first = await open_case(svc, patient_ref="ZY-0007", letter="R-ZY-0007")
        assert first["identity_gate"] == "identity_check_overdue"
        for _ in range(2):
            r = await call(svc, "POST", "/cases", "hospital", body("ZY-0007", "R-ZY-0007"))
            problem = r.json()
            assert r.status_code == 409 and problem["rule"] == "GD-16.3", problem
            assert problem["field"] == "/patient_ref" and problem["existing_case_id"] == first["case_id"]
            assert first["case_id"] in problem["detail"]
        assert [c["case_id"] for c in await cases(svc)] == [first["case_id"]]  # nothing changed


async def test_gd_16_3_a_letter_is_used_by_one_case_only(svc: ServiceHarness) -> None:
    """Before identity-check's event arrived the letter cannot be checked, but it can still
    carry only one case: a second admission number naming it is a 409 naming the first."""
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        first = await open_case(svc, patient_ref="ZY-0100", letter="R-NEW")
        r = await call(svc, "POST", "/cases", "hospital", body("ZY-0101", "R-NEW"))
        assert r.status_code == 409 and r.json()["field"] == "/identity_check_request_id"
        assert r.json()["existing_case_id"] == first["case_id"]


async def test_gd_16_3_a_case_cannot_rest_on_another_patients_or_another_hospitals_letter(
    svc: ServiceHarness,
) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        await deliver(svc, requested("R-ZY-0007", "ZY-0007"))
        await deliver(svc, overdue_event("ZY-0007", request_id="R-ZY-0007"))
        await deliver(svc, requested("R-H2-1", "ZY-0009", facility=H2))
        other_patient = await call(svc, "POST", "/cases", "hospital", body("ZY-0008", "R-ZY-0007"))
        assert other_patient.status_code == 422 and other_patient.json()["rule"] == "GD-16.3"
        assert other_patient.json()["field"] == "/identity_check_request_id"
        assert "ZY-0007" in other_patient.json()["detail"]
        other_hospital = await call(svc, "POST", "/cases", "hospital", body("ZY-0009", "R-H2-1"))
        assert other_hospital.status_code == 422 and "another hospital" in other_hospital.json()["detail"]
        missing = await call(svc, "POST", "/cases", "hospital", body("ZY-0010", None))
        assert missing.status_code == 422 and missing.json()["field"] == "/identity_check_request_id"
        assert missing.json()["rule"] == "GD-16.3"
        assert await cases(svc) == []  # a refused command changes nothing


async def test_gd_16_3_the_gate_reads_the_named_letter_only(svc: ServiceHarness) -> None:
    """A case that named a letter before it was known, for another admission number, is
    not opened when that letter goes overdue: the letter concerns another patient."""
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        case = await open_case(svc, patient_ref="ZY-0200", letter="R-X")
        await add_costs(svc, case["case_id"], (1, "15000.00"))
        await deliver(svc, requested("R-X", "ZY-0201"))
        await deliver(svc, overdue_event("ZY-0201", request_id="R-X"))
        assert (await ok(svc, "GET", f"/cases/{case['case_id']}", "hospital"))["identity_gate"] is None
        r = await call(svc, "POST", f"/cases/{case['case_id']}/claim", "hospital", CLAIM)
        assert r.status_code == 422 and r.json()["rule"] == "GD-16.3"
        # an overdue letter for the same admission number that the case does not name opens nothing
        await deliver(svc, overdue_event("ZY-0200", request_id="R-OTHER"))
        assert (await ok(svc, "GET", f"/cases/{case['case_id']}", "hospital"))["identity_gate"] is None


async def test_gd_13_4_an_admission_number_is_unique_per_hospital_not_across_hospitals(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        await open_case(svc, patient_ref="ZY-0300")
        r = await call(svc, "POST", "/cases", "hospital", body("ZY-0300", "R-again"))
        assert r.status_code == 409 and r.json()["field"] == "/patient_ref"
        other = await open_case(svc, patient_ref="ZY-0300", facility=H2, as_="hospital2", letter="R-H2-ZY-0300")
        assert other["facility_id"] == H2


async def test_spec_0_1_a_claim_accepted_during_the_bureaus_real_reply_time_goes_on_hold(svc: ServiceHarness) -> None:
    """The letter went overdue on a provisional calendar and the claim was filed; the year's
    notice loaded later reopened the bureau's reply window (IdentityCheckReopened): the case
    is open again, its claim withdrawn, and a new claim waits for the real deadline or the
    reply."""
    from medaid_shared.contracts.identity_check import IdentityCheckReopened

    from .helpers import ready_unidentified_case

    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        case_id = await ready_unidentified_case(svc, patient_ref="ZY-0400")
        assert (await ok(svc, "GET", f"/cases/{case_id}", "hospital"))["state"] == "claimed"
        event = IdentityCheckReopened(
            request_id="R-ZY-0400",
            reference_number="LETTER-R-ZY-0400",
            facility_id=H1,
            bureau_id="PSB01",
            patient_ref="ZY-0400",
            previous_reply_due_at=local(2026, 9, 17, 23, 59, 59),
            reply_due_at=local(2026, 9, 18, 23, 59, 59),
            reopened=True,
        )
        await deliver(svc, event)
        case = await ok(svc, "GET", f"/cases/{case_id}", "hospital")
        assert case["state"] == "open" and case["identity_gate"] is None and case["claim_medical"] is None
        r = await call(svc, "POST", f"/cases/{case_id}/claim", "hospital", CLAIM)
        assert r.status_code == 422 and r.json()["rule"] == "GD-16.3"
        await deliver(svc, overdue_event("ZY-0400"))  # the real deadline passed
        assert (await ok(svc, "GET", f"/cases/{case_id}", "hospital"))["identity_gate"] == "identity_check_overdue"


async def test_gd_16_1_the_case_tells_identity_check_the_admission_its_letter_is_for(svc: ServiceHarness) -> None:
    """The letter's promptness is measured against the admission the fund case records."""
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        await deliver(svc, requested("REQ-P", "ZY-P1"))
        case = await ok(svc, "POST", "/cases", "hospital", body("ZY-P1", "REQ-P"))
        [opened] = await svc.published("FundCaseOpened")
        assert opened["payload"] | {"opened_at": None} == {
            "case_id": case["case_id"],
            "facility_id": H1,
            "patient_ref": "ZY-P1",
            "identity_check_request_id": "REQ-P",
            "city": "liuzhou",
            "admitted_at": opened["payload"]["admitted_at"],
            "opened_at": None,
        }
        assert datetime.fromisoformat(opened["payload"]["admitted_at"]) == ADMITTED
        refused = await call(svc, "POST", "/cases", "hospital", body("ZY-P1", "REQ-P"))
        assert refused.status_code == 409
        assert len(await svc.published("FundCaseOpened")) == 1  # a refused case announces nothing


async def test_gd_16_1_a_case_on_a_letter_sent_late_is_flagged_for_the_agency(svc: ServiceHarness) -> None:
    from medaid_shared.contracts.identity_check import IdentityLetterSentLate

    def sent_late(patient_ref: str, facility: str = H1) -> IdentityLetterSentLate:
        return IdentityLetterSentLate(
            request_id="REQ-L",
            reference_number="IC-2026-H001-REQ-L",
            facility_id=facility,
            bureau_id="PSB01",
            patient_ref=patient_ref,
            admitted_at=ADMITTED,
            admission_source="emergency-fund case",
            received_at=local(2026, 9, 16, 9),
            max_hours_after_admission=24,
            parameters_version="letter_promptness:any:any:default",
        )

    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        await deliver(svc, requested("REQ-L", "ZY-L1"))
        case = await ok(svc, "POST", "/cases", "hospital", body("ZY-L1", "REQ-L"))
        assert case["letter_sent_late_at"] is None
        await deliver(svc, sent_late("ZY-OTHER"))  # another admission's: nothing
        assert (await ok(svc, "GET", f"/cases/{case['case_id']}", "agency"))["letter_sent_late_at"] is None
        await deliver(svc, sent_late("ZY-L1"))
        flagged = await ok(svc, "GET", f"/cases/{case['case_id']}", "agency")
        assert datetime.fromisoformat(flagged["letter_sent_late_at"]) == local(2026, 9, 16, 9)
