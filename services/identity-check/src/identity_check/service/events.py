"""Every event identity-check publishes, built here and only here, from the letter
(``CheckRequest``) and the finding, deadline or purge the use case decided (issue 12, point
2): one event type, one builder, and every emitter calls it. No event names a photo or
carries an identity in clear (SPEC 0.4); the ID number travels sealed for the fund.

``tests_identity_check/test_events.py`` holds every other module to this."""

from __future__ import annotations

from datetime import datetime

from identity_check.domain.model import CheckRequest, Finding, FindingKind
from medaid_shared.contracts.identity_check import (
    IdentityCheckOverdue,
    IdentityCheckReopened,
    IdentityCheckRequested,
    IdentityLetterSentLate,
    IdentityPhotosDeleted,
    IdentityVerified,
)


def check_requested(request: CheckRequest) -> IdentityCheckRequested:
    """GD-16.1: the letter filed (and received: it is delivered on filing) with its reply due."""
    return IdentityCheckRequested(
        request_id=request.id,
        reference_number=request.reference_number,
        facility_id=request.facility_id,
        bureau_id=request.bureau_id,
        patient_ref=request.patient_ref,
        received_at=request.received_at,
        reply_due_at=request.reply_due_at,
        calendar_provisional=request.calendar_provisional,
    )


def verified(request: CheckRequest, finding: Finding) -> IdentityVerified:
    """GD-16.2 / GD-16.4: the bureau's reply or late identification."""
    return IdentityVerified(
        request_id=request.id,
        reference_number=request.reference_number,
        facility_id=request.facility_id,
        bureau_id=request.bureau_id,
        patient_ref=request.patient_ref,
        outcome=finding.outcome.value,
        late=finding.late,
        name_masked=finding.name_masked,
        id_number_masked=finding.id_number_masked,
        id_number_sealed=finding.id_number_sealed,
        replied_at=finding.recorded_at,
        late_identification=finding.kind == FindingKind.LATE_IDENTIFICATION,
        reply_due_at=request.reply_due_at,
    )


def check_overdue(request: CheckRequest) -> IdentityCheckOverdue:
    """GD-16.3: no reply by the end of the third working day."""
    return IdentityCheckOverdue(
        request_id=request.id,
        reference_number=request.reference_number,
        facility_id=request.facility_id,
        bureau_id=request.bureau_id,
        patient_ref=request.patient_ref,
        due_at=request.reply_due_at,
        calendar_provisional=request.calendar_provisional,
    )


def check_reopened(
    request: CheckRequest, *, reply_due_at: datetime, reopened: bool, calendar_provisional: bool
) -> IdentityCheckReopened:
    """SPEC 0.1: the calendar notice moved the reply window of ``request`` (as it stood)."""
    return IdentityCheckReopened(
        request_id=request.id,
        reference_number=request.reference_number,
        facility_id=request.facility_id,
        bureau_id=request.bureau_id,
        patient_ref=request.patient_ref,
        previous_reply_due_at=request.reply_due_at,
        reply_due_at=reply_due_at,
        reopened=reopened,
        calendar_provisional=calendar_provisional,
    )


def letter_sent_late(
    request: CheckRequest, *, admitted_at: datetime, source: str, max_hours: int, parameters_version: str
) -> IdentityLetterSentLate:
    """GD-16.1: the letter reached the bureau later after the admission than "immediately"."""
    return IdentityLetterSentLate(
        request_id=request.id,
        reference_number=request.reference_number,
        facility_id=request.facility_id,
        bureau_id=request.bureau_id,
        patient_ref=request.patient_ref,
        admitted_at=admitted_at,
        admission_source=source,
        received_at=request.received_at,
        max_hours_after_admission=max_hours,
        parameters_version=parameters_version,
    )


def photos_deleted(
    request: CheckRequest, *, attachments: int, deleted_at: datetime, parameters_version: str
) -> IdentityPhotosDeleted:
    """SPEC 0.4: the retention period ended; the event names the letter, never a photo."""
    assert request.closed_at is not None
    return IdentityPhotosDeleted(
        request_id=request.id,
        reference_number=request.reference_number,
        facility_id=request.facility_id,
        bureau_id=request.bureau_id,
        closed_at=request.closed_at,
        close_reason=request.close_reason or "",
        attachments_deleted=attachments,
        deleted_at=deleted_at,
        parameters_version=parameters_version,
    )
