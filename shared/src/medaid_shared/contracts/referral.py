"""Events published by the referral service."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel

from medaid_shared.contracts.common import DisabilityLevel, FacilityLevel, FilingState, Region, SupportType
from medaid_shared.events import Event


class CapacityAssessment(BaseModel):
    full_capacity_and_lucid: bool
    assessed_at: datetime
    assessed_by: str


class Guardian(BaseModel):
    """The legal guardian / obligor, or a verified absence (``verified_none``)."""

    guardian_id: str | None = None
    name_masked: str | None = None
    relation: str | None = None
    verified_none: bool = False
    evidence_ref: str | None = None


class WrittenAgent(BaseModel):
    """委托代理人: delegated in writing by the person, the guardian or the town government."""

    agent_id: str
    name_masked: str
    delegated_by: str  # person | guardian | town_government
    document_ref: str
    valid_from: date
    valid_until: date


class Trusteeship(BaseModel):
    """LJ-5 special-trusteeship agreement."""

    agreement_hospital_id: str
    disease_category: str
    valid_from: date
    valid_until: date


class PersonRegistered(Event):
    event_type: ClassVar[str] = "medaid.referral.PersonRegistered"
    topic: ClassVar[str] = "referral.person"
    key_field: ClassVar[str] = "person_id"
    # v2: the ID number's digest gave way to a value sealed for the emergency fund (SPEC 0.4).
    schema_version: ClassVar[int] = 2

    person_id: str
    name_masked: str
    id_number_masked: str
    # SPEC 0.4: the ID number sealed for the emergency fund's person matching (only the fund
    # opens it); never on a feed.
    id_number_sealed: str | None = None
    # SPEC 0.4 / LJ-7.1: the full name sealed for the consent service's signed forms (annex 3);
    # only consent opens it; never on a feed.
    name_sealed: str | None = None
    support_type: SupportType
    institution_id: str | None = None
    village_id: str | None = None
    town_id: str | None = None
    capacity: CapacityAssessment | None = None
    guardian: Guardian | None = None
    agents: list[WrittenAgent] = []
    disability_level: DisabilityLevel | None = None
    trusteeship: Trusteeship | None = None
    basic_insurance_enrolled: bool = True


class PersonUpdated(PersonRegistered):
    """The person's full current state after a change (same shape as PersonRegistered)."""

    event_type: ClassVar[str] = "medaid.referral.PersonUpdated"


class FacilityRegistered(Event):
    event_type: ClassVar[str] = "medaid.referral.FacilityRegistered"
    topic: ClassVar[str] = "referral.facility"
    key_field: ClassVar[str] = "facility_id"

    facility_id: str
    name: str
    level: FacilityLevel
    designated: bool
    region: Region
    police_jurisdiction: str | None = None
    city: str = "liuzhou"


class FacilityUpdated(FacilityRegistered):
    event_type: ClassVar[str] = "medaid.referral.FacilityUpdated"


class ReferralCompliance(BaseModel):
    """SPEC §2 referral compliance of an admission."""

    primary_first_visit: bool
    referral_slip: bool
    out_of_region_approved: bool | None = None
    compliant: bool


class AdmissionFiled(Event):
    event_type: ClassVar[str] = "medaid.referral.AdmissionFiled"
    topic: ClassVar[str] = "referral.admission"
    key_field: ClassVar[str] = "admission_id"

    admission_id: str
    person_id: str
    facility_id: str
    admitted_at: datetime
    emergency: bool
    able_to_pay: bool
    support_type: SupportType
    institution_id: str | None = None
    village_id: str | None = None
    town_id: str | None = None
    facility_level: FacilityLevel
    facility_designated: bool
    facility_region: Region
    referral_compliance: ReferralCompliance
    filing_state: FilingState


class AdmissionComplianceChanged(Event):
    """Filing or referral compliance of an admission changed (e.g. an approval arrived)."""

    event_type: ClassVar[str] = "medaid.referral.AdmissionComplianceChanged"
    topic: ClassVar[str] = "referral.admission"
    key_field: ClassVar[str] = "admission_id"

    admission_id: str
    person_id: str
    referral_compliance: ReferralCompliance
    filing_state: FilingState


class FilingCompleted(Event):
    """LJ-4.2b/c/d, LJ-11.3: civil affairs has the outside-care filing."""

    event_type: ClassVar[str] = "medaid.referral.FilingCompleted"
    topic: ClassVar[str] = "referral.admission"
    key_field: ClassVar[str] = "admission_id"

    admission_id: str
    person_id: str
    filing_state: FilingState
    completed_at: datetime


class FilingOverdue(Event):
    event_type: ClassVar[str] = "medaid.referral.FilingOverdue"
    topic: ClassVar[str] = "referral.admission"
    key_field: ClassVar[str] = "admission_id"

    admission_id: str
    person_id: str
    stage: str  # filing | phone_form | town_forward (LJ-4.2c)
    due_at: datetime
    calendar_provisional: bool = False
    filing_state: FilingState


class EmergencyAssistanceReferred(Event):
    """LJ-11.4: an emergency patient unable to pay, referred to the emergency fund."""

    event_type: ClassVar[str] = "medaid.referral.EmergencyAssistanceReferred"
    topic: ClassVar[str] = "referral.admission"
    key_field: ClassVar[str] = "admission_id"
    # v2: the ID number's digest gave way to a value sealed for the emergency fund (SPEC 0.4).
    schema_version: ClassVar[int] = 2

    admission_id: str
    person_id: str
    facility_id: str
    admitted_at: datetime
    id_number_sealed: str | None = None
    name_masked: str
    city: str = "liuzhou"


class DischargeRecorded(Event):
    event_type: ClassVar[str] = "medaid.referral.DischargeRecorded"
    topic: ClassVar[str] = "referral.admission"
    key_field: ClassVar[str] = "admission_id"

    admission_id: str
    person_id: str
    facility_id: str
    admitted_at: datetime
    discharged_at: datetime
    diagnosis_group: str | None = None
    documents_due_at: datetime


class DischargeDocumentsOverdue(Event):
    """LJ-12 / LJ-17: documents not issued within 24 hours of discharge."""

    event_type: ClassVar[str] = "medaid.referral.DischargeDocumentsOverdue"
    topic: ClassVar[str] = "referral.admission"
    key_field: ClassVar[str] = "admission_id"

    admission_id: str
    facility_id: str
    missing_documents: list[str]
    due_at: datetime
    violation_id: str


class FollowUpOverdue(Event):
    """LJ-16: a town's follow-up visit to a decentralized person is overdue."""

    event_type: ClassVar[str] = "medaid.referral.FollowUpOverdue"
    topic: ClassVar[str] = "referral.person"
    key_field: ClassVar[str] = "person_id"

    person_id: str
    town_id: str | None
    disability_level: DisabilityLevel
    due_at: datetime
