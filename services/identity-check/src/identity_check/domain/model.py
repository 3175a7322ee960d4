"""The identity-check request, its attachments and the bureau's findings, and the rules that
decide what may happen to them (SPEC §6.3: GD-15, GD-16.1 … GD-16.4; SPEC 0.4)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from medaid_shared.calendar import Due, WorkingCalendar
from medaid_shared.errors import Conflict, RuleViolation

PATIENT_REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$"
_PATIENT_REF = re.compile(PATIENT_REF_PATTERN)


class RequestStatus(StrEnum):
    AWAITING_REPLY = "awaiting_reply"  # GD-16.2: letter received, reply window open
    OVERDUE = "overdue"  # GD-16.3: the window ended without a reply
    IDENTIFIED = "identified"  # the bureau identified the patient (in time or late)
    NOT_IDENTIFIED = "not_identified"  # final reply: not identified (GD-16.4 may still follow)


PENDING_STATUSES = frozenset({RequestStatus.AWAITING_REPLY, RequestStatus.OVERDUE})


class AttachmentKind(StrEnum):
    FACE_PHOTO = "face_photo"  # GD-16.1: at least one clear frontal face photo
    DOCUMENT_SCAN = "document_scan"  # GD-16.1: documents found on the patient, where available


class Outcome(StrEnum):
    IDENTIFIED = "identified"
    NOT_IDENTIFIED = "not_identified"


class FindingKind(StrEnum):
    REPLY = "reply"  # GD-16.2: the one final reply (standard template)
    LATE_IDENTIFICATION = "late_identification"  # GD-16.4


@dataclass(frozen=True)
class Facility:
    """Local read model of referral's facility: who the hospital's bureau is."""

    facility_id: str
    name: str
    police_jurisdiction: str | None
    city: str


@dataclass(frozen=True)
class CheckRequest:
    id: str
    reference_number: str
    facility_id: str
    facility_name: str
    bureau_id: str
    patient_ref: str
    filed_by: str
    received_at: datetime
    reply_due_at: datetime
    calendar_provisional: bool
    status: RequestStatus
    particulars_enc: bytes
    closed_at: datetime | None = None
    closed_by: str | None = None
    close_reason: str | None = None
    photos_deleted_at: datetime | None = None
    # GD-16.1: the admission (from the fund case) and whether the letter was sent late.
    admitted_at: datetime | None = None
    admission_source: str | None = None
    sent_late: bool | None = None
    sent_late_parameters_version: str | None = None


def sent_late(admitted_at: datetime, received_at: datetime, max_hours: int) -> bool:
    """GD-16.1 (interpretation ``letter_promptness``): "immediately" — a letter received more
    than ``max_hours`` after the admission was sent late."""
    return received_at - admitted_at > timedelta(hours=max_hours)


@dataclass(frozen=True)
class Attachment:
    id: str
    request_id: str
    kind: AttachmentKind
    position: int
    media_type: str
    width: int
    height: int
    size_bytes: int
    uploaded_at: datetime
    deleted_at: datetime | None = None


@dataclass(frozen=True)
class Finding:
    id: str
    request_id: str
    kind: FindingKind
    outcome: Outcome
    recorded_at: datetime
    recorded_by: str
    late: bool
    name_masked: str | None = None
    id_number_masked: str | None = None
    # SPEC 0.4: the ID number sealed for the emergency fund, for the event only (not stored).
    id_number_sealed: str | None = None
    identity_enc: bytes | None = None
    remarks_enc: bytes | None = None


def check_patient_ref(value: str) -> str:
    """GD-15: the hospital treats first and asks later — the letter names the patient only by
    the hospital's own admission number, no identity is required to file it."""
    if not _PATIENT_REF.match(value):
        raise ValueError("patient_ref must be the admission number: 1–64 letters, digits, . _ / -")
    return value


def addressed_bureau(facility: Facility | None, facility_id: str) -> str:
    """GD-16.1: the letter goes to the county-level public security bureau of the hospital's
    own jurisdiction, as recorded for the facility."""
    if facility is None:
        raise RuleViolation(
            f"facility {facility_id} is not known here yet: its police jurisdiction is unknown",
            rule="GD-16.1",
            field="facility_id",
        )
    if not facility.police_jurisdiction:
        raise RuleViolation(
            f"facility {facility_id} has no police jurisdiction on record; the letter has no addressee",
            rule="GD-16.1",
            field="facility_id",
        )
    return facility.police_jurisdiction


def reference_number(received_at_local: datetime, facility_id: str, seq: int) -> str:
    """The letter's reference number (文号): year, facility and a per-facility yearly counter."""
    return f"IC-{received_at_local.year}-{facility_id}-{seq:05d}"


def reply_deadline(calendar: WorkingCalendar, received_at: datetime, working_days: int = 3) -> Due:
    """GD-16.2: end of the Nth (the versioned ``reply_window``, 3) official working day after
    the day the letter was received."""
    return calendar.add_working_days(received_at, working_days)


def overdue_fire_at(reply_due_at: datetime) -> datetime:
    """GD-16.3: the request is overdue at the first instant after the reply window's end
    (``reply_due_at`` is 23:59:59 local of the 3rd working day)."""
    return reply_due_at + timedelta(seconds=1)


def is_late(at: datetime, reply_due_at: datetime) -> bool:
    """GD-16.2: a reply after the end of the third working day is late."""
    return at >= overdue_fire_at(reply_due_at)


def check_can_reply(request: CheckRequest, findings: list[Finding]) -> None:
    """GD-16.2: one final reply per request. A reply after the deadline is still accepted
    (and recorded as late)."""
    if any(f.kind == FindingKind.REPLY for f in findings) or request.status not in PENDING_STATUSES:
        raise Conflict(
            f"request {request.reference_number} already has its final reply", rule="GD-16.2", field="outcome"
        )


def check_can_report_late_identification(request: CheckRequest, findings: list[Finding], now: datetime) -> None:
    """GD-16.4: after the reply window closed without an identification, or after a "not
    identified" reply, the bureau may still report the identity it found later."""
    if request.status == RequestStatus.IDENTIFIED or any(f.outcome == Outcome.IDENTIFIED for f in findings):
        raise Conflict(f"request {request.reference_number} is already identified", rule="GD-16.4")
    if request.status == RequestStatus.AWAITING_REPLY and not is_late(now, request.reply_due_at):
        raise RuleViolation(
            "the reply window is still open: answer with the reply (GD-16.2), not a late identification",
            rule="GD-16.4",
        )


def status_after(outcome: Outcome) -> RequestStatus:
    return RequestStatus.IDENTIFIED if outcome == Outcome.IDENTIFIED else RequestStatus.NOT_IDENTIFIED


def check_can_close(request: CheckRequest) -> None:
    """SPEC 0.4: the hospital closes a case once it needs no more police work on it — after
    the final reply or after the reply window ended. Closing starts the photo retention."""
    if request.closed_at is not None:
        raise Conflict(f"request {request.reference_number} is already closed")
    if request.status == RequestStatus.AWAITING_REPLY:
        raise RuleViolation(
            "the bureau's reply window is still open; the case can be closed after the reply or the deadline",
            rule="GD-16.2",
        )


def photo_purge_at(closed_at: datetime, retention_days: int) -> datetime:
    """SPEC 0.4 (interpretation, setting ``photo_retention_days``): face photos are deleted
    this long after the case closes."""
    return closed_at + timedelta(days=retention_days)
