"""What referral keeps, as frozen records: the repository (``service.ports.Repository``)
returns these and takes them, and the adapters map them to and from table rows. Values
stay in their stored form (enum values as text, JSON documents as dicts) so a record reads
as it was written; a change is a new record (``dataclasses.replace``).

Diagnoses (``Admission.diagnosis_group``, ``Admission.emergency_condition``) are values here
and ciphertexts only in the table (SPEC 0.4); the other sensitive values (``*_enc``) are
sealed by the use case that writes them, with their own associated data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

ScopeField = Literal["facility_id", "institution_id", "village_id", "town_id"]


@dataclass(frozen=True)
class Scope:
    """The part of a list the caller may see (SPEC 0.3): the records whose ``field`` is one
    of ``ids``; no field is the whole district."""

    field: ScopeField | None = None
    ids: frozenset[str] = frozenset()

    def excludes(self, field: ScopeField, value: str) -> bool:
        """Is ``value`` of ``field`` outside this scope (so a filter on it finds nothing)?"""
        return self.field == field and value not in self.ids


@dataclass(frozen=True, kw_only=True)
class Facility:
    facility_id: str
    name: str
    level: str
    designated: bool
    region: str
    police_jurisdiction: str | None = None
    city: str
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class Person:
    person_id: str
    id_index: str
    id_enc: bytes
    id_masked: str
    name_enc: bytes
    name_masked: str
    support_type: str
    institution_id: str | None = None
    village_id: str | None = None
    town_id: str | None = None
    capacity: Any = None
    guardian: Any = None
    agents: Any
    contacts_enc: bytes | None = None
    disability_level: str | None = None
    trusteeship: Any = None
    basic_insurance_enrolled: bool
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class Referral:
    referral_id: str
    person_id: str
    from_facility_id: str
    to_facility_id: str
    first_visit_at: datetime
    slip_ref: str | None = None
    slip_doctor: str | None = None
    transfer_application_ref: str | None = None
    approval_state: str
    approval_by: str | None = None
    approval_at: datetime | None = None
    approval_ref: str | None = None
    approval_reason: str | None = None
    created_by: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class Admission:
    admission_id: str
    person_id: str
    facility_id: str
    referral_id: str | None = None
    admitted_at: datetime
    sent_to_hospital_at: datetime | None = None
    emergency: bool
    able_to_pay: bool
    support_type: str
    institution_id: str | None = None
    village_id: str | None = None
    town_id: str | None = None
    referral_compliance: Any
    filing_rule: str
    filing_state: str
    filing_due_at: datetime
    unfiled_due_at: datetime
    filing_id: str | None = None
    phone_reported_at: datetime | None = None
    phone_reported_by: str | None = None
    phone_form_due_at: datetime | None = None
    fit_at: datetime | None = None
    fit_by: str | None = None
    discharged_at: datetime | None = None
    documents_due_at: datetime | None = None
    diagnosis_group: str | None = None
    emergency_status: str | None = None
    emergency_due_at: datetime | None = None
    emergency_condition: str | None = None
    emergency_arrival_channel: str | None = None
    emergency_onset_at: datetime | None = None
    emergency_determined_at: datetime | None = None
    emergency_determined_by: str | None = None
    emergency_review: Any = None
    patient_fit_at: datetime | None = None
    patient_fit_report: Any = None
    documents_withheld_report: Any = None
    disputed_at: datetime | None = None
    disputed_by: str | None = None
    dispute_reason: str | None = None
    unfiled_care_adviser: Any = None
    health_plan_due_at: datetime | None = None
    health_plan_calendar_provisional: bool | None = None
    health_plan_overdue_at: datetime | None = None
    health_plan_parameters_version: str | None = None
    hospital_admission_no: str | None = None
    psn_no: str | None = None
    mdtrt_id: str | None = None
    setl_id: str | None = None
    created_by: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class UrgentCondition:
    code: str
    name: str
    example: bool
    source: str
    loaded_by: str
    loaded_at: datetime


@dataclass(frozen=True, kw_only=True)
class Filing:
    filing_id: str
    person_id: str
    admission_id: str | None = None
    facility_id: str
    referral_id: str | None = None
    route: str
    reason_enc: bytes
    planned_departure_at: datetime | None = None
    escort: str | None = None
    notes: str | None = None
    submitted_by: str
    submitted_role: str
    submitted_unit: str
    submitted_unit_name: str | None = None
    submitted_by_name: str | None = None
    institution_id: str | None = None
    village_id: str | None = None
    town_id: str | None = None
    submitted_at: datetime
    forward_due_at: datetime | None = None
    forwarded_by: str | None = None
    forwarded_by_name: str | None = None
    forwarded_at: datetime | None = None
    town_opinion: str | None = None


@dataclass(frozen=True, kw_only=True)
class IssuedDocument:
    """One of the three discharge documents (LJ-12), issued."""

    admission_id: str
    kind: str
    document_ref: str
    issued_at: datetime
    issued_by: str
    late: bool


@dataclass(frozen=True, kw_only=True)
class Violation:
    violation_id: str
    facility_id: str
    admission_id: str
    kind: str
    rule: str
    details: Any
    due_at: datetime | None = None
    recorded_at: datetime


@dataclass(frozen=True, kw_only=True)
class HealthPlan:
    plan_id: str
    person_id: str
    admission_id: str
    made_by: str
    made_role: str
    guardian_participated: bool
    plan_enc: bytes
    review_on: date | None = None
    made_at: datetime


@dataclass(frozen=True, kw_only=True)
class Followup:
    person_id: str
    town_id: str
    disability_level: str
    cycle: int
    last_visit_at: datetime | None = None
    due_at: datetime
    overdue: bool
    active: bool


@dataclass(frozen=True, kw_only=True)
class Visit:
    visit_id: str
    person_id: str
    town_id: str
    visited_at: datetime
    visitor: str
    notes_enc: bytes | None = None
    needs_care: bool
    was_overdue: bool
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True, kw_only=True)
class TimelineEntry:
    seq: int | None = None
    person_id: str
    at: datetime
    kind: str
    source: str
    ref_id: str
    admission_id: str | None = None
    summary: Any
