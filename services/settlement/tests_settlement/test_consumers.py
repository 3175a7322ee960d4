"""The read model learnt from referral's and consent's events, through the service's own
consumer (inbox included): each event applied once, gates follow the latest compliance."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import select

from medaid_shared.contracts.common import FacilityLevel, FilingState, Region
from medaid_shared.contracts.referral import DischargeRecorded, FacilityUpdated, FilingCompleted, PersonUpdated
from medaid_shared.crypto import seal
from medaid_shared.settings import (
    DEV_CONSENT_FORMS_PUBLIC_KEY,
    DEV_DIAGNOSIS_GROUPS_PUBLIC_KEY,
    DIAGNOSIS_GROUPS_PURPOSE,
)
from medaid_shared.testing import ServiceHarness
from settlement.adapters import tables as t
from settlement.consumers import READ_MODEL
from settlement.service.readmodel import UnknownAdmission, diagnosis_aad
from tests_settlement.world import (
    ADMITTED,
    DISCHARGED,
    admit,
    compliance,
    decide,
    deliver,
    discharge,
    register_facility,
    register_person,
)


async def _row(svc: ServiceHarness, table: t.Table, **where: str) -> dict:  # type: ignore[type-arg]
    async with svc.runtime.db.read() as s:
        query = select(table)
        for k, v in where.items():
            query = query.where(table.c[k] == v)
        row = (await s.execute(query)).mappings().first()
    assert row is not None
    return dict(row)


async def test_the_read_model_consumer_is_registered_for_every_fact_settlement_needs(svc: ServiceHarness) -> None:
    consumer, _calendar = svc.runtime.consumers  # and the kernel's calendar consumer (SPEC 0.1)
    assert consumer.name == READ_MODEL
    assert set(consumer.handlers) == {
        "medaid.referral.PersonRegistered",
        "medaid.referral.PersonUpdated",
        "medaid.referral.FacilityRegistered",
        "medaid.referral.FacilityUpdated",
        "medaid.referral.AdmissionFiled",
        "medaid.referral.AdmissionComplianceChanged",
        "medaid.referral.FilingCompleted",
        "medaid.referral.DischargeRecorded",
        "medaid.referral.EmergencyDetermined",
        "medaid.referral.EmergencyExemptionWithdrawn",
        "medaid.referral.UnfiledCareAdviserRecorded",  # LJ-4.3c
        "medaid.consent.SelfPayProposed",
        "medaid.consent.SelfPayDecided",
        "medaid.consent.SelfPayReopened",
        "medaid.consent.TreatmentRecorded",
        "medaid.consent.TreatmentReopened",  # LJ-11.3 / SPEC 0.5
        "medaid.consent.ConsentSigned",
        "medaid.consent.MajorTreatmentEvaluated",
    }


async def test_admission_events_build_the_gates_lj_4_3c_lj_4_3b_lj_3_2b(svc: ServiceHarness) -> None:
    await admit(svc, filing=FilingState.PENDING, region=Region.OUTSIDE_GUANGXI, out_of_region_approved=False)
    row = await _row(svc, t.admission, admission_id="A1")
    assert (row["filing_state"], row["facility_region"], row["out_of_region_approved"]) == (
        "pending", "outside_guangxi", False,
    )  # fmt: skip
    await compliance(svc, "A1", FilingState.UNFILED, referred=False)
    row = await _row(svc, t.admission, admission_id="A1")
    assert (row["filing_state"], row["referral_slip"], row["referral_compliant"]) == ("unfiled", False, False)
    await deliver(
        svc,
        FilingCompleted(
            admission_id="A1", person_id="P1", filing_state=FilingState.FILED_LATE, completed_at=datetime.now(UTC)
        ),
    )
    assert (await _row(svc, t.admission, admission_id="A1"))["filing_state"] == "filed_late"


async def test_discharge_keeps_the_diagnosis_group_encrypted_with_a_blind_index(svc: ServiceHarness) -> None:
    """SPEC 0.4: a diagnosis is sensitive: encrypted at rest, grouped by its blind index."""
    await admit(svc)
    await discharge(svc, diagnosis_group="ES1-pneumonia")
    row = await _row(svc, t.admission, admission_id="A1")
    assert row["discharged_at"] is not None
    assert b"pneumonia" not in row["diagnosis_group_enc"]
    assert svc.runtime.cipher.decrypt_text(row["diagnosis_group_enc"], diagnosis_aad("A1")) == "ES1-pneumonia"
    assert row["diagnosis_group_idx"] == svc.runtime.cipher.blind_index("ES1-pneumonia")


async def test_spec_0_4_the_discharge_diagnosis_arrives_sealed_for_settlement_alone(svc: ServiceHarness) -> None:
    """Issue 16: DischargeRecorded carried the diagnosis group in clear (referral's outbox,
    the broker, dead letters). v2 carries it sealed with settlement's public key: settlement
    opens it; a group sealed for another service's key does not open here and is not stored."""
    assert "diagnosis_group" not in DischargeRecorded.model_fields
    await admit(svc)
    sealed = seal(DEV_DIAGNOSIS_GROUPS_PUBLIC_KEY, "K35", DIAGNOSIS_GROUPS_PURPOSE)
    event = DischargeRecorded(
        admission_id="A1",
        person_id="P1",
        facility_id="H001",
        admitted_at=ADMITTED,
        discharged_at=DISCHARGED,
        diagnosis_group_sealed=sealed,
        documents_due_at=DISCHARGED,
    )
    assert "K35" not in json.dumps(event.model_dump(mode="json"))
    assert await deliver(svc, event) == "applied"
    row = await _row(svc, t.admission, admission_id="A1")
    assert svc.runtime.cipher.decrypt_text(row["diagnosis_group_enc"], diagnosis_aad("A1")) == "K35"
    # sealed for the consent service's key: not settlement's to open
    await admit(svc, "A2")
    wrong = event.model_copy(
        update={
            "admission_id": "A2",
            "diagnosis_group_sealed": seal(DEV_CONSENT_FORMS_PUBLIC_KEY, "K35", DIAGNOSIS_GROUPS_PURPOSE),
        }
    )
    with pytest.raises(InvalidTag):
        await deliver(svc, wrong)
    assert (await _row(svc, t.admission, admission_id="A2"))["diagnosis_group_enc"] is None


async def test_an_event_is_applied_once_however_often_it_arrives(svc: ServiceHarness) -> None:
    await admit(svc)
    event = FilingCompleted(
        admission_id="A1", person_id="P1", filing_state=FilingState.FILED_IN_TIME, completed_at=datetime.now(UTC)
    )
    assert await deliver(svc, event, "evt-1") == "applied"
    assert await deliver(svc, event, "evt-1") == "duplicate"


async def test_an_admission_event_before_its_admission_is_refused_for_redrive(svc: ServiceHarness) -> None:
    with pytest.raises(UnknownAdmission):
        await discharge(svc, "NEVER-FILED")
    async with svc.runtime.db.read() as s:
        assert (await s.execute(select(t.kernel.inbox))).first() is None  # rolled back: can be re-driven


async def test_persons_facilities_and_self_pay_decisions_are_upserted(svc: ServiceHarness) -> None:
    await register_person(svc)
    await deliver(
        svc,
        PersonUpdated(
            person_id="P1",
            name_masked="张*三",
            id_number_masked="4502**********1234",
            support_type="decentralized",
            village_id="V01",
            basic_insurance_enrolled=False,
        ),
    )
    person = await _row(svc, t.person, person_id="P1")
    assert (person["support_type"], person["basic_insurance_enrolled"]) == ("decentralized", False)
    await register_facility(svc, "H001", "Liujiang People's Hospital")
    await deliver(
        svc,
        FacilityUpdated(
            facility_id="H001",
            name="Liujiang People's Hospital",
            level=FacilityLevel.CITY,
            designated=False,
            region=Region.LIUZHOU,
        ),
    )
    facility = await _row(svc, t.facility, facility_id="H001")
    assert (facility["level"], facility["designated"]) == ("city", False)
    await decide(svc, "SP1", "500.00", "approved")
    await decide(svc, "SP1", "500.00", "rejected")  # a later decision replaces the earlier one
    assert (await _row(svc, t.self_pay_decision, item_id="SP1"))["outcome"] == "rejected"
