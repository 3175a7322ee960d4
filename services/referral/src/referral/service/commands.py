"""Command inputs (validated at the edge: the API uses these as request bodies)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from medaid_shared.contracts.common import DisabilityLevel, FacilityLevel, Region, SupportType
from referral.domain.discharge import DischargeDocument

Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$", examples=["H001"])]
Text = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=2000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# ---- §1 facilities -------------------------------------------------------------------


class FacilityIn(Strict):
    facility_id: Code
    name: Text
    level: FacilityLevel
    designated: bool = Field(description="medical-aid designated facility (医疗救助定点)")
    region: Region
    police_jurisdiction: Code | None = Field(default=None, description="police jurisdiction for identity checks")
    city: Code = "liuzhou"


class FacilityPatch(Strict):
    name: Text | None = None
    level: FacilityLevel | None = None
    designated: bool | None = None
    region: Region | None = None
    police_jurisdiction: Code | None = None
    city: Code | None = None


# ---- §1 persons ----------------------------------------------------------------------


class CapacityIn(Strict):
    full_capacity_and_lucid: bool
    assessed_at: AwareDatetime
    assessed_by: Text


class GuardianIn(Strict):
    guardian_id: Code | None = None
    name: Annotated[str, Field(min_length=1, max_length=50)] | None = None
    relation: Text | None = None
    verified_none: bool = False
    evidence_ref: Text | None = None


class AgentIn(Strict):
    agent_id: Code | None = None
    name: Annotated[str, Field(min_length=1, max_length=50)]
    delegated_by: str = Field(description="person | guardian | town_government")
    document_ref: Text
    valid_from: date
    valid_until: date


class TrusteeshipIn(Strict):
    agreement_hospital_id: Code
    disease_category: Text
    valid_from: date
    valid_until: date


class PersonIn(Strict):
    id_number: str = Field(min_length=1, max_length=30, description="resident ID number (18 characters)")
    name: Annotated[str, Field(min_length=1, max_length=50)]
    support_type: SupportType
    institution_id: Code | None = None
    village_id: Code | None = None
    town_id: Code | None = None
    capacity: CapacityIn | None = None
    guardian: GuardianIn | None = None
    agents: list[AgentIn] = Field(default_factory=list, max_length=20)
    disability_level: DisabilityLevel | None = None
    trusteeship: TrusteeshipIn | None = None
    basic_insurance_enrolled: bool = True


class PersonPatch(Strict):
    """Only the fields sent change; send ``null`` to clear an optional one."""

    name: Annotated[str, Field(min_length=1, max_length=50)] | None = None
    support_type: SupportType | None = None
    institution_id: Code | None = None
    village_id: Code | None = None
    town_id: Code | None = None
    capacity: CapacityIn | None = None
    guardian: GuardianIn | None = None
    agents: list[AgentIn] | None = Field(default=None, max_length=20)
    disability_level: DisabilityLevel | None = None
    trusteeship: TrusteeshipIn | None = None
    basic_insurance_enrolled: bool | None = None
    reason: Text = Field(description="why the record changes (audit)")


class PersonLookup(Strict):
    id_number: str = Field(min_length=1, max_length=30)


# ---- §2 referrals, admissions, filings --------------------------------------------------


class ReferralIn(Strict):
    person_id: Code
    from_facility_id: Code = Field(description="the first-visit facility (首诊)")
    to_facility_id: Code
    first_visit_at: AwareDatetime
    slip_ref: Text | None = Field(default=None, description="LJ-4.2a referral slip (转诊单) reference")
    slip_doctor: Text | None = None
    transfer_application_ref: Text | None = Field(default=None, description="LJ-4.3a transfer application")


class ApprovalIn(Strict):
    approved: bool
    reference: Text
    reason: LongText


class AdmissionIn(Strict):
    person_id: Code
    facility_id: Code
    admitted_at: AwareDatetime
    emergency: bool = False
    able_to_pay: bool = True
    sent_to_hospital_at: AwareDatetime | None = Field(default=None, description="LJ-11.3: when sent to hospital")
    referral_id: Code | None = None


class FilingIn(Strict):
    """外出就医备案表: the outside-care filing form."""

    person_id: Code
    facility_id: Code
    admission_id: Code | None = Field(default=None, description="omit to file before the person leaves")
    referral_id: Code | None = None
    reason: LongText = Field(description="外出就医原因 / diagnosis (stored encrypted)")
    planned_departure_at: AwareDatetime | None = None
    escort: Text | None = None
    notes: LongText | None = None
    # SPEC 0.4 / LJ annex 1: the filing unit's name as it signs the form (供养机构 / 村委会).
    unit_name: Text | None = Field(default=None, description="the filing unit's name, printed on the form")


class PhoneReportIn(Strict):
    reported_to: Text = Field(description="who took the call (civil affairs / town government)")
    notes: LongText | None = None


class ForwardIn(Strict):
    opinion: LongText | None = Field(default=None, description="镇人民政府意见")


# ---- LJ-12 discharge ------------------------------------------------------------------


class FitnessIn(Strict):
    doctor: Text


class DischargeIn(Strict):
    discharged_at: AwareDatetime
    diagnosis_group: Code | None = None


class DocumentIn(Strict):
    kind: DischargeDocument
    document_ref: Text


# ---- LJ-15.1 / LJ-16 ------------------------------------------------------------------


class HealthPlanIn(Strict):
    admission_id: Code = Field(description="the admission whose discharge summary the plan is based on")
    plan: LongText
    guardian_participated: bool = Field(description="LJ-15.1: decentralized plans are made with the guardian")
    review_on: date | None = None


class VisitIn(Strict):
    visited_at: AwareDatetime
    visitor: Text
    notes: LongText | None = None
    needs_care: bool = False
