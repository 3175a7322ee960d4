"""Events published by the identity-check service. No event ever carries a face photo."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from medaid_shared.events import Event


class IdentityCheckRequested(Event):
    """GD-16.1: the hospital's letter reached the county-level public security bureau."""

    event_type: ClassVar[str] = "medaid.identity-check.IdentityCheckRequested"
    topic: ClassVar[str] = "identity-check.request"
    key_field: ClassVar[str] = "request_id"

    request_id: str
    reference_number: str
    facility_id: str
    bureau_id: str
    patient_ref: str
    received_at: datetime
    reply_due_at: datetime
    calendar_provisional: bool = False


class IdentityLetterSentLate(Event):
    """GD-16.1: the hospital's letter reached the bureau later after the admission than the
    versioned interval that reads "immediately" (第一时间) — flagged on the letter."""

    event_type: ClassVar[str] = "medaid.identity-check.IdentityLetterSentLate"
    topic: ClassVar[str] = "identity-check.request"
    key_field: ClassVar[str] = "request_id"

    request_id: str
    reference_number: str
    facility_id: str
    bureau_id: str
    patient_ref: str
    admitted_at: datetime
    admission_source: str
    received_at: datetime
    max_hours_after_admission: int
    parameters_version: str


class IdentityVerified(Event):
    """GD-16.2 / GD-16.4: the bureau's reply — identified or not — in time or late."""

    event_type: ClassVar[str] = "medaid.identity-check.IdentityVerified"
    topic: ClassVar[str] = "identity-check.request"
    key_field: ClassVar[str] = "request_id"
    # v2: the ID number's digest gave way to a value sealed for the emergency fund (SPEC 0.4).
    schema_version: ClassVar[int] = 2

    request_id: str
    reference_number: str
    facility_id: str
    bureau_id: str
    patient_ref: str
    outcome: str  # identified | not_identified
    late: bool
    name_masked: str | None = None
    id_number_masked: str | None = None
    # SPEC 0.4: the identified ID number sealed for the emergency fund (only the fund opens it).
    id_number_sealed: str | None = None
    replied_at: datetime
    # Added (optional): GD-16.4 — the identification came after the deadline or after a
    # "not identified" reply (emergency-fund turns it into a refund demand).
    late_identification: bool = False
    reply_due_at: datetime | None = None


class IdentityCheckOverdue(Event):
    """GD-16.3: no reply by the end of the third working day."""

    event_type: ClassVar[str] = "medaid.identity-check.IdentityCheckOverdue"
    topic: ClassVar[str] = "identity-check.request"
    key_field: ClassVar[str] = "request_id"

    request_id: str
    reference_number: str
    facility_id: str
    bureau_id: str
    patient_ref: str
    due_at: datetime
    calendar_provisional: bool = False


class IdentityPhotosDeleted(Event):
    """SPEC 0.4: a letter's face photos and scans were deleted under the retention rule. The
    event says which letter and under which parameter version; it never carries a photo."""

    event_type: ClassVar[str] = "medaid.identity-check.IdentityPhotosDeleted"
    topic: ClassVar[str] = "identity-check.request"
    key_field: ClassVar[str] = "request_id"

    request_id: str
    reference_number: str
    facility_id: str
    bureau_id: str
    closed_at: datetime
    close_reason: str
    attachments_deleted: int
    deleted_at: datetime
    parameters_version: str


class IdentityCheckReopened(Event):
    """SPEC 0.1 / GD-16.2: the year's calendar notice moved the bureau's reply window;
    ``reopened``: the request had gone overdue before the real end and awaits its reply
    again (what was decided on the overdue goes on hold)."""

    event_type: ClassVar[str] = "medaid.identity-check.IdentityCheckReopened"
    topic: ClassVar[str] = "identity-check.request"
    key_field: ClassVar[str] = "request_id"

    request_id: str
    reference_number: str
    facility_id: str
    bureau_id: str
    patient_ref: str
    previous_reply_due_at: datetime
    reply_due_at: datetime
    reopened: bool
    calendar_provisional: bool = False
