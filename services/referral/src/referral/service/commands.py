"""Command inputs (validated at the edge: the API uses these as request bodies)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from medaid_shared.contracts.common import DisabilityLevel, FacilityLevel, Region, SupportType
from medaid_shared.identifiers import HospitalAdmissionNo, MdtrtId, PsnNo, SetlId
from referral.domain.discharge import DischargeDocument
from referral.service import examples

Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$", examples=["LJ-RMYY"])]
Text = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=2000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# ---- §1 facilities -------------------------------------------------------------------


class FacilityIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_FACILITY_IN]})

    facility_id: Code
    name: Text
    level: FacilityLevel
    designated: bool = Field(description="medical-aid designated facility (医疗救助定点)")
    region: Region
    police_jurisdiction: Code | None = Field(default=None, description="police jurisdiction for identity checks")
    city: Code = "liuzhou"


class FacilityPatch(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_FACILITY_PATCH]})

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id_number": "450221195207152028",
                    "name": "覃秀兰",
                    "support_type": "centralized",
                    "institution_id": "LJ-FLY",
                    "disability_level": "semi",
                    "capacity": {
                        "full_capacity_and_lucid": True,
                        "assessed_at": "2026-12-01T01:30:00Z",
                        "assessed_by": "institution doctor",
                    },
                    "guardian": {"verified_none": True, "evidence_ref": "LJ-FLY-NO-GUARDIAN"},
                }
            ]
        }
    )

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

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_PERSON_PATCH]})

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
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_PERSON_LOOKUP]})

    id_number: str = Field(min_length=1, max_length=30)


# ---- §2 referrals, admissions, filings --------------------------------------------------


class ReferralIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person_id": "0193a5b2-7c4e-7d11-9a3f-5b2c8e1f4a10",
                    "from_facility_id": "LJ-FLY-CLINIC",
                    "to_facility_id": "LJ-RMYY",
                    "first_visit_at": "2026-12-01T01:45:00Z",
                    "slip_ref": "ZZD-2026-0001",
                    "slip_doctor": "clinic-doctor-li",
                }
            ]
        }
    )

    person_id: Code
    from_facility_id: Code = Field(description="the first-visit facility (首诊)")
    to_facility_id: Code
    first_visit_at: AwareDatetime
    slip_ref: Text | None = Field(default=None, description="LJ-4.2a referral slip (转诊单) reference")
    slip_doctor: Text | None = None
    transfer_application_ref: Text | None = Field(default=None, description="LJ-4.3a transfer application")


class ApprovalIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_APPROVAL_IN]})

    approved: bool
    reference: Text
    reason: LongText


class AdmissionIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person_id": "0193a5b2-7c4e-7d11-9a3f-5b2c8e1f4a10",
                    "facility_id": "LJ-RMYY",
                    "admitted_at": "2026-12-01T03:10:00Z",
                    "referral_id": "0193a5b3-1d20-7e42-8b61-2f9d0c7a5e33",
                    "hospital_admission_no": "ZY2026120100123",
                    "psn_no": "45020000000000123456",
                    "mdtrt_id": "450200G0000012345678",
                }
            ]
        }
    )

    person_id: Code
    facility_id: Code
    admitted_at: AwareDatetime
    emergency: bool = False
    able_to_pay: bool = True
    sent_to_hospital_at: AwareDatetime | None = Field(default=None, description="LJ-11.3: when sent to hospital")
    referral_id: Code | None = None
    hospital_admission_no: HospitalAdmissionNo | None = Field(
        default=None, description="the hospital's own admission number (住院号), printed on every form"
    )
    psn_no: PsnNo | None = None
    mdtrt_id: MdtrtId | None = None
    setl_id: SetlId | None = None


class ArrivalChannel(StrEnum):
    """How the patient reached the hospital (LJ-11.3)."""

    AMBULANCE = "ambulance"  # 120 pre-hospital emergency care
    EMERGENCY_DEPARTMENT = "emergency_department"  # walked or was carried into the ER
    POLICE = "police"
    TRANSFER = "transfer"  # transferred in as an emergency from another facility
    OTHER = "other"


class EmergencyBasisIn(Strict):
    """LJ-11.3 / SPEC 0.5: the emergency's basis, recorded by the hospital within the window."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_EMERGENCY_BASIS_IN]})

    condition_code: Code = Field(description="a code of the national list of urgent and critical illnesses")
    arrival_channel: ArrivalChannel
    onset_at: AwareDatetime = Field(description="the onset / arrival as the hospital records it")


class EmergencyReviewIn(Strict):
    """SPEC 0.5: civil affairs or medical insurance contest the emergency."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_EMERGENCY_REVIEW_IN]})

    upheld: bool = Field(description="true: not an emergency (exemptions withdrawn); false: confirmed")
    reason: LongText


class UrgentCondition(Strict):
    code: Code
    name: Text


class UrgentConditionsIn(Strict):
    """The national list of urgent and critical illnesses (国卫办医发〔2013〕32号), as data."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_URGENT_CONDITIONS_IN]})

    source: Text
    example: bool = Field(description="true for the example list shipped with the code")
    conditions: list[UrgentCondition] = Field(min_length=1, max_length=2000)


class UnableToPayIn(Strict):
    """LJ-11.4: the emergency patient is found unable to pay after admission."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_UNABLE_TO_PAY_IN]})

    reason: LongText = Field(description="what shows it (GD-17 criteria as the hospital found them)")


class AdviserKind(StrEnum):
    """LJ-4.3c: the unit that advised outside care (建议方) — a unit, never a private person."""

    FACILITY = "facility"
    INSTITUTION = "institution"
    VILLAGE_COMMITTEE = "village_committee"
    TOWN_GOVERNMENT = "town_government"
    OTHER_UNIT = "other_unit"


class AdviserIn(Strict):
    """LJ-4.3c: who advised the unfiled outside care, as civil affairs verified it."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_ADVISER_IN]})

    adviser_kind: AdviserKind
    adviser_id: Code | None = Field(default=None, description="a registered facility's id (required for a facility)")
    adviser_name: str | None = Field(
        default=None, min_length=1, max_length=200, description="the unit's name (a facility's comes from the registry)"
    )
    evidence_ref: str = Field(min_length=1, max_length=200, description="the verification document")


class DisputeIn(Strict):
    """SPEC 0.3 / 0.5: the person is not admitted there (who says so and why)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "本人9月29日起一直在院内，未去柳江区人民医院住院"}]}
    )

    reason: LongText = Field(description="why the carer says the person is not admitted there")


class FilingIn(Strict):
    """外出就医备案表: the outside-care filing form."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person_id": "0193a5b2-7c4e-7d11-9a3f-5b2c8e1f4a10",
                    "facility_id": "LJ-RMYY",
                    "admission_id": "0193a5b4-03f1-7a85-a4c2-6e1b9d2f7c08",
                    "referral_id": "0193a5b3-1d20-7e42-8b61-2f9d0c7a5e33",
                    "reason": "肺部感染，需住院治疗",
                    "escort": "护理员 覃某",
                    "unit_name": "柳江区社会福利院",
                }
            ]
        }
    )

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
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_PHONE_REPORT_IN]})

    reported_to: Text = Field(description="who took the call (civil affairs / town government)")
    notes: LongText | None = None


class ForwardIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_FORWARD_IN]})

    opinion: LongText | None = Field(default=None, description="镇人民政府意见")


# ---- LJ-12 discharge ------------------------------------------------------------------


class FitnessIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"doctor": "dr-huang"}]})

    doctor: Text


class DischargeIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"discharged_at": "2026-12-11T02:00:00Z", "diagnosis_group": "J18"}]}
    )

    discharged_at: AwareDatetime
    diagnosis_group: Code | None = None


class PatientSideReport(StrEnum):
    """LJ-12 seen from the patient's side (SPEC 0.5: the claim of the party that knows)."""

    DECLARED_FIT = "declared_fit"  # the doctors said the patient may go; the hospital holds them
    DOCUMENTS_WITHHELD = "documents_withheld"  # the hospital refuses the discharge documents


class PatientSideReportIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_PATIENT_SIDE_REPORT_IN]})

    kind: PatientSideReport
    at: AwareDatetime = Field(description="when the patient was declared fit / the documents were refused")
    source: Text = Field(description="who said so at the hospital (doctor, ward), as the reporter heard it")
    notes: LongText | None = None


class DocumentIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_DOCUMENT_IN]})

    kind: DischargeDocument
    document_ref: Text


# ---- LJ-15.1 / LJ-16 ------------------------------------------------------------------


class HealthPlanIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_HEALTH_PLAN_IN]})

    admission_id: Code = Field(description="the admission whose discharge summary the plan is based on")
    plan: LongText
    guardian_participated: bool = Field(description="LJ-15.1: decentralized plans are made with the guardian")
    review_on: date | None = None


class VisitIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_VISIT_IN]})

    visited_at: AwareDatetime
    visitor: Text
    notes: LongText | None = None
    needs_care: bool = False
