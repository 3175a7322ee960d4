"""What the referral service answers, as typed models: persons, facilities, referrals,
admissions with their compliance, outside-care filings, health plans, visits, violations,
the one-person file and the work queue. Each model allows no field it does not name
(``tests_referral`` checks every answer its API tests receive against the document).
Times are RFC 3339 instants; ``*_local`` fields are Shanghai wall-clock text."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ConfigDict, Field

from medaid_shared.answers import Out
from referral.service import examples

LOCAL = Field(description="Asia/Shanghai wall-clock time, for printing")


# --- facilities, persons ---------------------------------------------------------------------
class FacilityOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_FACILITY_OUT]})

    facility_id: str = Field(examples=["LJ-RMYY"])
    name: str = Field(examples=["柳江区人民医院"])
    level: str = Field(examples=["district"])
    designated: bool
    region: str
    police_jurisdiction: str | None
    city: str
    version: int
    updated_at: datetime


class CapacityOut(Out):
    full_capacity_and_lucid: bool
    assessed_at: datetime
    assessed_by: str


class GuardianOut(Out):
    guardian_id: str | None
    name_masked: str | None
    relation: str | None
    verified_none: bool
    evidence_ref: str | None


class AgentOut(Out):
    agent_id: str
    name_masked: str
    delegated_by: str
    document_ref: str
    valid_from: date
    valid_until: date


class PersonOut(Out):
    """A person's record (LJ-2.1); ``name`` is the full name, shown only to the departments
    that care for the person (``minimisation.FULL_READ_OPERATIONS``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_PERSON_OUT]})

    person_id: str
    name_masked: str = Field(examples=["覃*兰"])
    id_number_masked: str = Field(examples=["450221********2028"])
    support_type: str = Field(examples=["centralized"])
    institution_id: str | None
    village_id: str | None
    town_id: str | None
    disability_level: str | None
    capacity: CapacityOut | None = None
    guardian: GuardianOut | None = None
    agents: list[AgentOut] | None = None
    trusteeship: dict[str, Any] | None = Field(
        None,
        description="LJ-5 special trusteeship (one personal field of the minimisation table): "
        "agreement_hospital_id, valid_from, valid_until, and disease_category for civil affairs",
    )
    basic_insurance_enrolled: bool
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    name: str | None = None


class PersonSummaryOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_PERSON_SUMMARY_OUT]})

    person_id: str
    name_masked: str
    id_number_masked: str
    support_type: str
    institution_id: str | None
    village_id: str | None
    town_id: str | None
    disability_level: str | None


class PersonLookupOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_PERSON_LOOKUP_OUT]})

    person_id: str
    name_masked: str | None = None
    id_number_masked: str | None = None
    support_type: str
    institution_id: str | None
    village_id: str | None = None
    town_id: str | None
    disability_level: str | None = None
    destitute: bool | None = None


class IdNumberOut(Out):
    """The full ID number, read with a purpose and audit-logged (SPEC 0.4)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_ID_NUMBER_OUT]})

    person_id: str
    id_number: str = Field(examples=["450221195207152028"])


# --- referrals, admissions -------------------------------------------------------------------
class ReferralOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_REFERRAL_OUT]})

    referral_id: str
    person_id: str
    from_facility_id: str
    to_facility_id: str
    first_visit_at: datetime
    slip_ref: str | None
    slip_doctor: str | None
    transfer_application_ref: str | None
    approval_state: str
    approval_by: str | None
    approval_at: datetime | None
    approval_ref: str | None
    approval_reason: str | None
    created_at: datetime


class ReferralComplianceOut(Out):
    primary_first_visit: bool
    referral_slip: bool
    out_of_region_approved: bool | None
    compliant: bool
    parameters_version: str | None = Field(
        default=None, description="the referral_exemption version that decided an emergency's exemption (LJ-11.3)"
    )


class SideReportOut(Out):
    """A report from the patient's side (LJ-12): fit for discharge, or documents withheld."""

    at: datetime
    by: str
    role: str
    notes: str | None
    source: str
    recorded_at: datetime


class EmergencyReviewOut(Out):
    upheld: bool
    reason: str
    by: str
    role: str
    at: datetime


class DocumentOut(Out):
    kind: str
    document_ref: str
    issued_at: datetime
    late: bool


class AdviserOut(Out):
    """LJ-4.3c: the adviser (建议方) of unfiled outside care, as civil affairs recorded it."""

    kind: str = Field(examples=["facility"])
    unit_id: str | None = Field(description="the advising facility's id when kind is facility, else null")
    name: str
    evidence_ref: str
    recorded_by: str
    recorded_role: str
    recorded_at: datetime
    rule: str = Field(examples=["LJ-4.3c"])


class AdmissionOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_ADMISSION_OUT]})

    admission_id: str
    person_id: str
    facility_id: str
    referral_id: str | None
    admitted_at: datetime
    sent_to_hospital_at: datetime | None
    emergency: bool
    able_to_pay: bool
    support_type: str
    institution_id: str | None
    village_id: str | None
    town_id: str | None
    referral_compliance: ReferralComplianceOut
    filing_rule: str = Field(examples=["LJ-4.2b"])
    filing_state: str = Field(examples=["filed_in_time"])
    filing_due_at: datetime
    unfiled_due_at: datetime
    filing_id: str | None
    phone_reported_at: datetime | None
    phone_form_due_at: datetime | None
    fit_at: datetime | None
    discharged_at: datetime | None
    documents_due_at: datetime | None
    diagnosis_group: str | None
    disputed_at: datetime | None
    disputed_by: str | None
    dispute_reason: str | None
    unfiled_care_adviser: AdviserOut | None = None
    hospital_admission_no: str | None = Field(description="the hospital's own admission number (住院号)")
    psn_no: str | None = Field(description="national platform person number")
    mdtrt_id: str | None = Field(description="national platform visit id")
    setl_id: str | None = Field(description="national platform settlement id")
    patient_fit_at: datetime | None
    patient_fit_report: SideReportOut | None
    documents_withheld_report: SideReportOut | None
    emergency_status: str | None
    emergency_due_at: datetime | None
    emergency_arrival_channel: str | None
    emergency_onset_at: datetime | None
    emergency_determined_at: datetime | None
    emergency_determined_by: str | None
    emergency_review: EmergencyReviewOut | None
    emergency_condition: str | None = None
    documents: list[DocumentOut] | None = None
    calendar_provisional: bool | None = None


class DocumentIssuedOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_DOCUMENT_ISSUED_OUT]})

    admission_id: str
    kind: str
    issued_at: datetime
    late: bool
    missing: list[str] = Field(description="documents still to issue")


# --- filings ---------------------------------------------------------------------------------
class FilingOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_FILING_OUT]})

    filing_id: str
    person_id: str
    admission_id: str | None
    facility_id: str
    referral_id: str | None
    route: str
    planned_departure_at: datetime | None
    escort: str | None
    notes: str | None
    submitted_by: str
    submitted_by_name: str | None
    submitted_role: str
    submitted_unit: str
    submitted_unit_name: str | None
    submitted_at: datetime
    forward_due_at: datetime | None
    forwarded_by: str | None
    forwarded_by_name: str | None
    forwarded_at: datetime | None
    town_opinion: str | None
    complete: bool
    filing_state: str | None = None
    reason: str | None = None


# --- after discharge -------------------------------------------------------------------------
class PlanOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_PLAN_OUT]})

    plan_id: str
    person_id: str
    admission_id: str
    made_by: str
    made_role: str
    guardian_participated: bool
    plan: str
    review_on: date | None
    made_at: datetime


class VisitOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_VISIT_OUT]})

    visit_id: str
    person_id: str
    visited_at: datetime
    was_overdue: bool
    next_due_at: datetime


class FollowupOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_FOLLOWUP_OUT]})

    person_id: str
    name_masked: str
    village_id: str | None
    town_id: str | None
    disability_level: str | None
    last_visit_at: datetime | None
    due_at: datetime
    overdue: bool


class UnassessedOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_UNASSESSED_OUT]})

    person_id: str
    name_masked: str
    village_id: str | None
    town_id: str | None
    flag: str
    rule: str


class TownFollowupsOut(Out):
    town_id: str | None
    persons: int
    overdue: int
    unassessed: int


class FollowupSummaryOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_FOLLOWUP_SUMMARY_OUT]})

    items: list[TownFollowupsOut]


class ViolationDetailsOut(Out):
    missing: list[str] | None = None
    fit_at: datetime | None = None
    discharged_at: datetime | None = None
    policy_version: str | None = None
    fit_reported_by: str | None = None
    delay_hours_allowed: int | None = None
    reported_by_role: str | None = None
    still_in_hospital: bool | None = None


class ViolationOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_VIOLATION_OUT]})

    violation_id: str
    facility_id: str
    admission_id: str
    kind: str
    rule: str
    details: ViolationDetailsOut
    due_at: datetime | None
    recorded_at: datetime


class HospitalViolationsOut(Out):
    facility_id: str
    documents_overdue: int
    late_discharge: int
    total: int
    name: str | None = Field(description="the hospital's name (not personal)")
    level: str | None


class ViolationsReportOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_VIOLATIONS_REPORT_OUT]})

    year: int | None = Field(description="the year reported, or every year")
    items: list[HospitalViolationsOut]


# --- reference, care file, work queue --------------------------------------------------------
class UrgentConditionOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_URGENT_CONDITION_OUT]})

    code: str
    name: str
    example: bool
    source: str


class UrgentConditionsLoadOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_URGENT_CONDITIONS_LOAD_OUT]})

    loaded: int
    example: bool


class CareFileEntryOut(Out):
    at: datetime
    kind: str
    source: str
    ref_id: str
    admission_id: str | None
    summary: dict[str, Any] = Field(description="what the entry records; its fields depend on `kind`")


class CareFileOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_CARE_FILE_OUT]})

    person: PersonSummaryOut
    entries: list[CareFileEntryOut]


class HealthPlanDueOut(Out):
    """A discharge whose health plan is still to make (LJ-15.1), with its due instant."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "admission_id": "01a23556-b100-7c05-9ac3-842fbffc58f0",
                    "person_id": "01a23550-0a00-7b1d-9095-3e7d83b7dc0a",
                    "name_masked": "韦*英",
                    "support_type": "centralized",
                    "institution_id": "LJ-FLY",
                    "village_id": None,
                    "town_id": None,
                    "facility_id": "LJ-RMYY",
                    "discharged_at": "2026-06-15T01:00:00Z",
                    "summary_issued": True,
                    "due_at": "2026-06-30T15:59:59Z",
                    "calendar_provisional": False,
                    "overdue": False,
                    "overdue_at": None,
                    "parameters_version": "health_plan_window:any:any:default",
                    "who": "institution",
                    "rule": "LJ-15.1",
                }
            ]
        }
    )

    admission_id: str
    person_id: str
    name_masked: str | None
    support_type: str
    institution_id: str | None
    village_id: str | None
    town_id: str | None
    facility_id: str
    discharged_at: datetime
    summary_issued: bool = Field(description="the discharge summary the plan is made from is issued")
    due_at: datetime | None = Field(
        description="the end of the window's last working day (official calendar); null for a discharge "
        "recorded before plans had a due instant"
    )
    calendar_provisional: bool = Field(description="the count ran over a year without the official notice")
    overdue: bool
    overdue_at: datetime | None
    parameters_version: str | None = Field(description="the health_plan_window version that set the due instant")
    who: str = Field(description="the role that makes the plan: institution or village_committee")
    rule: str


class WorkItemOut(Out):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EXAMPLE_WORK_ITEM_OUT]})

    item_id: str
    kind: str
    person_id: str
    name_masked: str
    town_id: str | None
    village_id: str | None
    admission_id: str | None
    since: datetime | None
    due_at: datetime | None
    overdue: bool
    summary_issued: bool | None = None
    who: str
    rule: str
