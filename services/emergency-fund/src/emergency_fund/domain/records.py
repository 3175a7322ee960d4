"""The fund's records: what the use cases read and write, one frozen dataclass per kind of
fact the fund keeps (a record's fields are its table's columns, so the adapters map a row
to a record by name; encrypted columns appear here under their clear name, SPEC 0.4).

A record is changed by naming the changes to the repository (``update(key, **changes)``),
never in place."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Fund:
    """A ``fund`` row."""

    city: str
    name: str
    agency_name: str
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class LedgerTxn:
    """A ``ledger_txn`` row."""

    id: str
    city: str
    kind: str
    fiscal_year: int
    created_at: datetime
    created_by: str
    created_role: str
    ref: str | None = None
    source_ref: str | None = None
    memo: str = ""


@dataclass(frozen=True)
class LedgerEntry:
    """A ``ledger_entry`` row."""

    txn_id: str
    city: str
    account: str
    amount: Decimal
    id: int | None = None  # the database numbers it


@dataclass(frozen=True)
class Preallocation:
    """A ``preallocation`` row."""

    id: str
    city: str
    facility_id: str
    year: int
    kind: str
    amount: Decimal
    txn_id: str
    created_at: datetime
    created_by: str
    last_cycle_use: Decimal | None = None
    basis: str = ""


@dataclass(frozen=True)
class PreallocationCheck:
    """A ``preallocation_check`` row."""

    city: str
    year: int
    upper_level_transfers: Decimal
    min_share: Decimal
    required_minimum: Decimal
    preallocated: Decimal
    shortfall: Decimal
    compliant: bool
    parameters_version: str
    checked_at: datetime
    flagged_at: datetime | None = None


@dataclass(frozen=True)
class RegistrationBatch:
    """A ``registration_batch`` row."""

    id: str
    city: str
    seq: int
    created_at: datetime
    record_count: int
    record_ids: Any
    fields: Any
    sha256: str
    content: str
    parameters_version: str
    previous_seq: int | None = None


@dataclass(frozen=True)
class RegistrationDelivered:
    """A ``registration_delivered`` row."""

    city: str
    case_id: str
    digest: str
    batch_seq: int


@dataclass(frozen=True)
class CommitteeMember:
    """A ``committee_member`` row."""

    id: str
    city: str
    name: str
    affiliation: str
    appointed_on: date
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class Training:
    """A ``training`` row."""

    id: str
    city: str
    year: int
    held_on: date
    topic: str
    facility_ids: Any
    recorded_at: datetime
    recorded_by: str


@dataclass(frozen=True)
class Facility:
    """A ``facility`` row."""

    facility_id: str
    city: str
    name: str
    source: str
    updated_at: datetime
    ownership: str = "unknown"
    police_jurisdiction: str | None = None


@dataclass(frozen=True)
class Person:
    """A ``person`` row."""

    person_id: str
    id_digest: str
    name_masked: str
    id_masked: str
    support_type: str
    updated_at: datetime


@dataclass(frozen=True)
class Settlement:
    """A ``settlement`` row."""

    statement_id: str
    admission_id: str
    person_id: str
    facility_id: str
    total: Decimal
    basic_insurance: Decimal
    medical_aid: Decimal
    completed_at: datetime
    reversed: bool = False


@dataclass(frozen=True)
class IdentitySignal:
    """A ``identity_signal`` row."""

    request_id: str
    facility_id: str
    patient_ref: str
    reference_number: str
    overdue_at: datetime | None = None
    outcome: str | None = None
    late: bool = False
    replied_at: datetime | None = None
    name_masked: str | None = None
    id_masked: str | None = None
    id_digest: str | None = None
    birth_facts: str | None = None
    received_at: datetime | None = None


@dataclass(frozen=True)
class Disease:
    """A ``disease`` row."""

    id: str
    code: str
    name: str
    scope: str
    urgent_critical: bool
    effective_from: date
    basis: str
    created_at: datetime
    created_by: str
    effective_to: date | None = None


@dataclass(frozen=True)
class CostAverage:
    """A ``cost_average`` row."""

    facility_id: str
    disease_code: str
    year: int
    average_cost: Decimal
    source: str
    imported_at: datetime
    imported_by: str


@dataclass(frozen=True)
class LivingStandard:
    """A ``living_standard`` row."""

    city: str
    effective_from: date
    monthly_amount: Decimal
    source: str
    set_at: datetime
    set_by: str


@dataclass(frozen=True)
class Case:
    """A ``case`` row."""

    id: str
    city: str
    facility_id: str
    source: str
    patient_ref: str
    admitted_at: datetime
    identity_status: str
    emergency_hours: int
    state: str
    created_at: datetime
    created_by: str
    updated_at: datetime
    admission_id: str | None = None
    person_id: str | None = None
    identity_check_request_id: str | None = None
    name_enc: bytes | None = None
    id_number_enc: bytes | None = None
    birth_facts: str | None = None
    id_digest: str | None = None
    name_masked: str | None = None
    id_masked: str | None = None
    destitute: bool = False
    disease_code: str | None = None
    extension_category: str | None = None
    extension_reason: str | None = None
    extension_hours: int | None = None
    extension_evidence: Any | None = None
    extension_status: str | None = None
    extension_requested_by: str | None = None
    extension_requested_at: datetime | None = None
    extension_decided_by: str | None = None
    extension_decided_role: str | None = None
    extension_decided_at: datetime | None = None
    extension_decision_reason: str | None = None
    stay_ended_at: datetime | None = None
    stay_end_outcome: str | None = None
    stay_end_note: str | None = None
    stay_end_recorded_by: str | None = None
    stay_end_recorded_at: datetime | None = None
    stay_end_source: str | None = None
    unable_to_pay_basis: Any = field(default_factory=list)
    civil_affairs_statuses: Any | None = None
    waiver_amount: Decimal = Decimal("0")
    waiver_reason: str | None = None
    excluded: str | None = None
    excluded_reason: str | None = None
    exclusion_proposed: str | None = None
    exclusion_proposed_reason: str | None = None
    exclusion_proposed_by: str | None = None
    exclusion_proposed_at: datetime | None = None
    identity_gate: str | None = None
    identified_late: bool = False
    letter_sent_late_at: datetime | None = None
    blacklist_flag: bool = False
    claim_medical: Decimal | None = None
    claim_living: Decimal | None = None
    claimed_at: datetime | None = None
    application_id: str | None = None
    paid_amount: Decimal | None = None


@dataclass(frozen=True)
class CostItem:
    """A ``cost_item`` row."""

    id: str
    case_id: str
    occurred_at: datetime
    category: str
    description: str
    in_catalogue: bool
    amount: Decimal
    recorded_at: datetime
    recorded_by: str
    exclusion: str | None = None
    exclusion_note: str | None = None
    exclusion_status: str | None = None
    exclusion_decided_by: str | None = None
    exclusion_decided_at: datetime | None = None
    exclusion_decision_reason: str | None = None


@dataclass(frozen=True)
class ChannelPayment:
    """A ``channel_payment`` row."""

    case_id: str
    channel: str
    amount: Decimal
    source: str
    recorded_at: datetime
    recorded_by: str
    reference: str = ""
    claimed_amount: Decimal | None = None
    status: str = "claimed"
    document_ref: str | None = None
    confirmed_by: str | None = None
    confirmed_role: str | None = None
    confirmed_at: datetime | None = None
    waiver_reason: str | None = None
    waived_by: str | None = None
    waived_at: datetime | None = None


@dataclass(frozen=True)
class CivilAffairsCheck:
    """A ``civil_affairs_check`` row."""

    id: str
    case_id: str
    statuses: Any
    source: str
    checked_at: datetime
    checked_by: str
    seq: int | None = None  # the database numbers it
    note: str = ""


@dataclass(frozen=True)
class VagrantRegistration:
    """A ``vagrant_registration`` row."""

    case_id: str
    registration_no: str
    agency: str
    registered_at: datetime
    registered_by: str


@dataclass(frozen=True)
class Application:
    """A ``application`` row."""

    id: str
    city: str
    facility_id: str
    state: str
    requested_amount: Decimal
    submitted_at: datetime
    submitted_by: str
    updated_at: datetime
    approved_amount: Decimal | None = None
    note: str = ""
    flagged: bool = False
    notice_flag: str | None = None


@dataclass(frozen=True)
class ApplicationCase:
    """A ``application_case`` row."""

    application_id: str
    case_id: str
    medical_amount: Decimal
    living_amount: Decimal
    claimed_amount: Decimal
    approved_amount: Decimal | None = None
    blacklist_flag: bool = False
    withdrawn_reason: str | None = None


@dataclass(frozen=True)
class ApplicationStep:
    """A ``application_step`` row."""

    application_id: str
    step: str
    started_at: datetime
    due_at: datetime
    calendar_provisional: bool = False
    overdue: bool = False
    decided_at: datetime | None = None
    outcome: str | None = None
    reviewer_id: str | None = None
    reviewer_role: str | None = None
    reason: str | None = None
    late: bool = False


@dataclass(frozen=True)
class CoReviewNote:
    """A ``co_review_note`` row."""

    id: str
    application_id: str
    role: str
    author: str
    note: str
    created_at: datetime
    case_id: str | None = None


@dataclass(frozen=True)
class Notice:
    """A ``notice`` row."""

    id: str
    application_id: str
    city: str
    facility_id: str
    publisher: str
    starts_at: datetime
    ends_at: datetime
    working_days: int
    entries: Any
    total: Decimal
    published_by: str
    calendar_provisional: bool = False


@dataclass(frozen=True)
class Disbursement:
    """A ``disbursement`` row."""

    id: str
    application_id: str
    city: str
    facility_id: str
    amount: Decimal
    from_preallocation: Decimal
    from_fund_cash: Decimal
    txn_id: str
    disbursed_at: datetime
    disbursed_by: str
    written_off_at: datetime | None = None
    written_off_by: str | None = None
    write_off_vouchers: Any | None = None
    write_off_txn_id: str | None = None


@dataclass(frozen=True)
class RefundDemand:
    """A ``refund_demand`` row."""

    id: str
    case_id: str
    application_id: str
    city: str
    facility_id: str
    amount: Decimal
    refunded: Decimal
    reason: str
    state: str
    demanded_at: datetime
    demanded_by: str
    identity_request_id: str | None = None
    due_at: datetime | None = None
    calendar_provisional: bool = False
    due_parameters_version: str | None = None
    overdue_at: datetime | None = None


@dataclass(frozen=True)
class RefundPayment:
    """A ``refund_payment`` row."""

    id: str
    refund_id: str
    amount: Decimal
    reference: str
    txn_id: str
    paid_at: datetime
    recorded_by: str


@dataclass(frozen=True)
class Pursuit:
    """A ``pursuit`` row."""

    id: str
    refund_id: str
    action: str
    note: str
    recorded_at: datetime
    recorded_by: str
    recovered_from_patient: Decimal | None = None


@dataclass(frozen=True)
class Blacklist:
    """A ``blacklist`` row."""

    id: str
    city: str
    id_digest: str
    reason: str
    evidence: Any
    listed_at: datetime
    listed_by: str
    name_masked: str | None = None
    id_masked: str | None = None
    case_id: str | None = None
    lifted_at: datetime | None = None
    lifted_by: str | None = None
    lift_reason: str | None = None
