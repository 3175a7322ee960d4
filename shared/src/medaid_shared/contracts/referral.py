"""Events published by the referral service."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel, Field

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
    # SPEC 0.4 / LJ-7.1: the guardian's full name sealed for consent, which prints it as the
    # signer's on the forms the patient side signs; only consent opens it; never on a feed.
    name_sealed: str | None = None


class WrittenAgent(BaseModel):
    """委托代理人: delegated in writing by the person, the guardian or the town government."""

    agent_id: str
    name_masked: str
    delegated_by: str  # person | guardian | town_government
    document_ref: str
    valid_from: date
    valid_until: date
    # SPEC 0.4 / LJ-7.1: the agent's full name sealed for consent (as the guardian's).
    name_sealed: str | None = None


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
    # the referral_exemption version that said whether an emergency is exempt (LJ-11.3)
    parameters_version: str | None = None


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
    hospital_admission_no: str | None = Field(default=None, description="the hospital's admission number (住院号)")
    psn_no: str | None = Field(default=None, description="national platform person number (人员编号)")
    mdtrt_id: str | None = Field(default=None, description="national platform treatment-episode id (就诊 ID)")
    setl_id: str | None = Field(default=None, description="national platform settlement id (结算 ID)")


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
    # LJ annex 3: the unit that filed (institution or village committee) and its name as it
    # signed the annex-1 form, so the consent form names it (an organisation, not a person).
    submitted_unit: str | None = None
    submitted_unit_name: str | None = None


class FilingOverdue(Event):
    event_type: ClassVar[str] = "medaid.referral.FilingOverdue"
    topic: ClassVar[str] = "referral.admission"
    key_field: ClassVar[str] = "admission_id"

    admission_id: str
    person_id: str
    stage: str  # filing | village_report (LJ-4.2c) | phone_form (LJ-4.2d) | town_forward (LJ-4.2c)
    due_at: datetime
    calendar_provisional: bool = False
    filing_state: FilingState


class EmergencyDetermined(Event):
    """LJ-11.3 / SPEC 0.5: the hospital recorded the basis of an emergency admission — a
    condition of the national list of urgent and critical illnesses (国卫办医发〔2013〕32号),
    the arrival channel and the onset — within the emergency window. The condition itself (a
    diagnosis) stays in the referral service (SPEC 0.4)."""

    event_type: ClassVar[str] = "medaid.referral.EmergencyDetermined"
    topic: ClassVar[str] = "referral.admission"
    key_field: ClassVar[str] = "admission_id"

    admission_id: str
    person_id: str
    facility_id: str
    arrival_channel: str
    onset_at: datetime
    determined_at: datetime


class EmergencyExemptionWithdrawn(Event):
    """LJ-3.2a, LJ-4.2a, LJ-3.2b, LJ-7.4: an emergency admission is no longer an emergency —
    its basis was never recorded within the window (``no_basis``) or civil affairs / medical
    insurance upheld a contest (``contest_upheld``). What the emergency exempted is due again:
    the referral compliance (published with it as AdmissionComplianceChanged), one-stop
    settlement and "emergency" self-pay outcomes."""

    event_type: ClassVar[str] = "medaid.referral.EmergencyExemptionWithdrawn"
    topic: ClassVar[str] = "referral.admission"
    key_field: ClassVar[str] = "admission_id"

    admission_id: str
    person_id: str
    facility_id: str
    reason: str  # no_basis | contest_upheld
    withdrawn_at: datetime
    decided_by_role: str | None = None


class UnfiledCareAdviserRecorded(Event):
    """LJ-4.3c: outside care with no filing at all — medical aid pays nothing and the cost
    falls on the adviser (建议方) or the person (当事人). Civil affairs recorded, with its
    evidence, the unit that advised the care: the statement names it as bearing the cost."""

    event_type: ClassVar[str] = "medaid.referral.UnfiledCareAdviserRecorded"
    topic: ClassVar[str] = "referral.admission"
    key_field: ClassVar[str] = "admission_id"

    admission_id: str
    person_id: str
    adviser_kind: str  # facility | institution | village_committee | town_government | other_unit
    adviser_id: str | None = None
    adviser_name: str
    evidence_ref: str
    recorded_at: datetime


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
    # v2: the diagnosis group in clear gave way to a value sealed for settlement (SPEC 0.4).
    schema_version: ClassVar[int] = 2

    admission_id: str
    person_id: str
    facility_id: str
    admitted_at: datetime
    discharged_at: datetime
    # SPEC 0.4 / LJ-9: the diagnosis group sealed for the settlement service's cost comparison
    # (only settlement opens it); never on a feed.
    diagnosis_group_sealed: str | None = None
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
