"""What consent decides and keeps, as frozen records: treatments, signatures, the rank-4
filings with civil affairs, the expert assignments and evaluation records (LJ-11.2), the
self-pay items and their reviews (LJ-7) and the insurance catalogue as settlement publishes
it. The repository (``service.ports.Repository``) returns these and takes them; the adapters
map them to and from table rows. Values stay in their stored form (enum values as text, JSON
documents as dicts, ciphertexts as bytes); a change is a new record (``dataclasses.replace``).

The read model of persons, admissions, facilities and filing units is stored as the last
event of each announced it (``PersonState`` … ``FilingUnit``, below) and read back as
``domain.model``'s persons, admissions and facilities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Treatment:
    treatment_id: str
    admission_id: str
    person_id: str
    facility_id: str
    kind: str
    category: str | None = None
    description: bytes
    attending_doctor: str
    status: str
    consent_required: bool
    trusteeship_covered: bool
    emergency_reason: str | None = None
    procedure_code: str | None = None
    labelled_kind: str | None = None
    item_id: str | None = None
    parameters_version: str | None = None
    recorded_by: str
    recorded_at: datetime
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class Consent:
    consent_id: str
    admission_id: str
    person_id: str
    treatment_id: str | None = None
    item_id: str | None = None
    decision: str
    signer_id: str
    signer_role: str
    signer_rank: int
    signer_holder: str
    skipped_ranks: Any
    major_public_interest_reason: str | None = None
    filed_with_civil_affairs: bool
    signature_ref: str | None = None
    signed_at: datetime
    signer_name_enc: bytes | None = None
    public_interest_confirmation_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class CivilAffairsFiling:
    consent_id: str
    admission_id: str
    person_id: str
    signer_id: str
    signer_role: str
    major_public_interest: bool
    filed_at: datetime
    acknowledgement_due_at: datetime
    calendar_provisional: bool
    parameters_version: str
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    acknowledgement_note: str | None = None
    overdue_at: datetime | None = None
    public_interest_state: str | None = None
    public_interest_decided_at: datetime | None = None
    public_interest_decided_by: str | None = None
    public_interest_note: str | None = None


@dataclass(frozen=True, kw_only=True)
class PublicInterestConfirmation:
    confirmation_id: str
    subject_id: str
    subject_kind: str
    person_id: str
    admission_id: str
    reason: bytes
    confirmed_by: str
    confirmed_at: datetime


@dataclass(frozen=True, kw_only=True)
class ExpertRecord:
    expert_id: str
    name: str
    hospital_id: str
    specialty: str
    active: bool
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class ExpertAssignment:
    treatment_id: str
    expert_id: str
    specialty: str | None = None
    rotation: Any
    assigned_by: str
    assigned_at: datetime


@dataclass(frozen=True, kw_only=True)
class Evaluation:
    evaluation_id: str
    treatment_id: str
    attending_doctor: str | None = None
    attending_opinion: bytes | None = None
    attending_recommendation: str | None = None
    attending_at: datetime | None = None
    expert_id: str | None = None
    expert_opinion: bytes | None = None
    expert_recommendation: str | None = None
    expert_at: datetime | None = None
    conclusion: str | None = None
    completed_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class SelfPayItem:
    item_id: str
    admission_id: str
    person_id: str
    facility_id: str
    item_code: str
    item_name: str
    category: str
    unit_price: Decimal
    quantity: int
    amount: Decimal
    necessity: bytes
    attending_doctor: str
    emergency: bool
    needs_review: bool
    needs_civil_affairs: bool
    cumulative_scope: str
    cumulative_before: Decimal
    cumulative_after: Decimal
    local_year: int
    parameters_version: str
    triage: Any
    status: str
    outcome: str | None = None
    proposed_by: str
    proposed_at: datetime
    decided_at: datetime | None = None
    step_due_at: datetime | None = None
    step_calendar_provisional: bool | None = None
    step_overdue_at: datetime | None = None
    step_parameters_version: str | None = None


@dataclass(frozen=True, kw_only=True)
class ItemReview:
    review_id: str
    seq: int | None = None
    item_id: str
    stage: str
    participant: str
    outcome: str
    reviewer_id: str
    reviewer_role: str
    reviewer_name_enc: bytes | None = None
    reason: str | None = None
    reviewed_at: datetime


@dataclass(frozen=True, kw_only=True)
class CatalogueEntry:
    version_id: str
    code: str
    name: str
    kind: str
    in_catalogue: bool
    region: str
    effective_from: date
    effective_to: date | None = None
    example: bool
    updated_at: datetime


# ---- the read model, as referral's events last stated it ----------------------------------


@dataclass(frozen=True, kw_only=True)
class PersonState:
    """A person as PersonRegistered / PersonUpdated carried it (the full state each time),
    and the event it came from: an older event never replaces a newer state."""

    person_id: str
    name_masked: str
    name_sealed: str | None = None  # SPEC 0.4: opened only to print annex 3
    support_type: str
    institution_id: str | None = None
    village_id: str | None = None
    town_id: str | None = None
    capacity: Any = None
    guardian: Any = None
    agents: Any
    trusteeship: Any = None
    disability_level: str | None = None
    source_event_id: str
    source_time: datetime | None = None
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class AdmissionState:
    """An admission as AdmissionFiled carried it; referral's later withdrawal of its
    emergency exemptions is kept beside it (``withdraw_emergency``), never overwritten."""

    admission_id: str
    person_id: str
    facility_id: str
    admitted_at: datetime
    emergency: bool
    support_type: str
    institution_id: str | None = None
    village_id: str | None = None
    town_id: str | None = None
    hospital_admission_no: str | None = None
    psn_no: str | None = None
    mdtrt_id: str | None = None
    setl_id: str | None = None
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class FacilityState:
    """A facility as FacilityRegistered / FacilityUpdated carried it."""

    facility_id: str
    name: str
    level: str
    designated: bool
    region: str
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class FilingUnit:
    """LJ annex 3: a unit that files for a person (an institution, a village committee) and
    its name as it signed the annex-1 form (FilingCompleted; the latest wins)."""

    unit_id: str
    name: str
    updated_at: datetime
