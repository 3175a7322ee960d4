"""Use cases of the identity-check service: one method per command or query, each given the
kernel's use-case context, a command's in the caller's unit of work (SPEC §6.3 GD-15, GD-16.1 … GD-16.4; SPEC 0.4 for the photos).

The face photo is the most sensitive thing in the system. It is encrypted before it reaches
the database, it is never put into an event, an audit entry, a log line or an error message,
only the two parties to the letter (the requesting hospital and the addressed bureau) can
read it, every read is audit-logged with who and why, and it is deleted a configurable
period after the case closes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog

from identity_check.domain import model, policy
from identity_check.domain.identity import IdentifiedPerson, identified_person
from identity_check.domain.model import (
    Attachment,
    AttachmentKind,
    CheckRequest,
    Facility,
    Finding,
    FindingKind,
    Outcome,
    RequestStatus,
)
from identity_check.domain.parameters import (
    CATALOGUE,
    LETTER_PROMPTNESS,
    PHOTO_CLARITY,
    PHOTO_RETENTION,
    REPLY_WINDOW,
    LetterPromptness,
    PhotoClarity,
    PhotoRetention,
    ReplyWindow,
)
from identity_check.domain.photos import PhotoLimits, PhotoRejected, inspect_image
from identity_check.domain.policy import POLICY
from identity_check.service import events
from identity_check.service.ports import Repository
from identity_check.settings import IdentityCheckSettings
from medaid_shared import clock, ids
from medaid_shared.authz import Principal, Role
from medaid_shared.calendar import Due
from medaid_shared.contracts.emergency_fund import FundCaseClosed, FundCaseOpened
from medaid_shared.contracts.referral import FacilityRegistered
from medaid_shared.crypto import seal
from medaid_shared.errors import Forbidden, NotFound, Problem, RuleViolation, ValidationFailed
from medaid_shared.pagination import PageRequest
from medaid_shared.parameters import Applied, ParameterKind
from medaid_shared.runtime import Runtime
from medaid_shared.settings import PERSON_MATCHING_PURPOSE
from medaid_shared.usecase import UseCaseContext

log = structlog.get_logger("medaid.identity_check")

Ctx = UseCaseContext[IdentityCheckSettings, Repository]

REPLY_DEADLINE = "identity_check.reply_due"  # GD-16.2 / GD-16.3
PHOTO_RETENTION_DEADLINE = "identity_check.photo_retention"  # SPEC 0.4


class Gone(Problem):
    """The photo existed but was deleted under the retention rule (SPEC 0.4)."""

    status, slug, title = 410, "gone", "Deleted under the retention rule"


@dataclass(frozen=True)
class Upload:
    """One uploaded image; ``field`` names it in errors (``photos[0]``) — never its bytes."""

    data: bytes
    field: str


@dataclass(frozen=True)
class FileRequest:
    patient_ref: str
    face_photos: Sequence[Upload]
    document_scans: Sequence[Upload] = ()
    facility_id: str | None = None
    patient_description: str | None = None
    statement: str | None = None
    found_documents: Sequence[str] = ()


@dataclass(frozen=True)
class Reply:
    outcome: Outcome
    id_number: str | None = None
    name: str | None = None
    household_registration: str | None = None
    remarks: str | None = None


@dataclass(frozen=True)
class Particulars:
    """What the letter says about the patient besides the photos (encrypted at rest)."""

    patient_description: str | None = None
    statement: str | None = None
    found_documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Details:
    request: CheckRequest
    attachments: list[Attachment] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def reply(self) -> Finding | None:
        return next((f for f in self.findings if f.kind == FindingKind.REPLY), None)

    @property
    def late_identification(self) -> Finding | None:
        return next((f for f in self.findings if f.kind == FindingKind.LATE_IDENTIFICATION), None)


@dataclass(frozen=True)
class Letter:
    details: Details
    particulars: Particulars
    images: list[tuple[Attachment, bytes]] = field(default_factory=list)


@dataclass(frozen=True)
class Identity:
    request_id: str
    reference_number: str
    id_number: str
    name: str
    household_registration: str
    recorded_at: datetime
    late: bool


def _particulars_aad(request_id: str) -> str:
    return f"identity_check.check_request.particulars:{request_id}"


def _attachment_aad(attachment_id: str, request_id: str) -> str:
    return f"identity_check.attachment:{attachment_id}:{request_id}"


def _identity_aad(finding_id: str) -> str:
    return f"identity_check.finding.identity:{finding_id}"


def _remarks_aad(finding_id: str) -> str:
    return f"identity_check.finding.remarks:{finding_id}"


def require_party(principal: Principal, request: CheckRequest) -> None:
    """SPEC 0.3 / 0.4: only the requesting hospital and the addressed bureau see a request."""
    if principal.role == Role.HOSPITAL:
        principal.require_scope("facility", request.facility_id, "this identity-check request")
    elif principal.role == Role.POLICE:
        principal.require_scope("jurisdiction", request.bureau_id, "this identity-check request")
    else:
        raise Forbidden(f"role {principal.role.value} is not a party to identity-check requests")


def authorize(principal: Principal, action: str) -> None:
    """Role × action for a check that depends on the data (the embedded photos of a letter,
    a retention run a caller asks for); the route authorizes every use case's own action."""
    POLICY.authorize(principal, action)


def require_reason(reason: str | None) -> str:
    """SPEC 0.4: every read of a face photo or a full ID number says why."""
    text = (reason or "").strip()
    if len(text) < 2:
        raise ValidationFailed("a reason (at least 2 characters) is required to read this", field="reason")
    return text


def parameter_defaults(settings: Any) -> dict[str, PhotoRetention | PhotoClarity]:
    """The defaults an operator sets by configuration (``MEDAID_PHOTO_RETENTION_DAYS``,
    ``MEDAID_PHOTO_MIN_WIDTH`` …); a loaded version overrides them from its effective day."""
    s: IdentityCheckSettings = settings
    return {
        PHOTO_RETENTION.name: PhotoRetention(
            retention_days_after_close=s.photo_retention_days, max_open_days_after_letter=s.letter_max_open_days
        ),
        PHOTO_CLARITY.name: PhotoClarity(
            min_width=s.photo_min_width, min_height=s.photo_min_height, min_contrast=s.photo_min_contrast
        ),
    }


class IdentityChecks:
    """The service's use cases, each given the kernel's use-case context (:data:`Ctx`: the
    repository of the command's unit of work or of the query's reads, which also gives the
    parameter versions in force, the calendar and the cipher). The route authorizes each use
    case's role × action; a use case checks only what depends on the data (scope, embedded
    photos). Bound to the runtime in ``bootstrap`` (the routes' blind index reads its cipher)."""

    def __init__(self, settings: IdentityCheckSettings) -> None:
        self.settings = settings
        self._runtime: Runtime | None = None

    def bind(self, runtime: Runtime) -> None:
        self._runtime = runtime

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError("IdentityChecks is not bound to a runtime")
        return self._runtime

    def photo_limits(self, clarity: PhotoClarity) -> PhotoLimits:
        """The image check: the service's byte and pixel guards with the clarity in force."""
        s = self.settings
        return PhotoLimits(
            s.photo_max_bytes, clarity.min_width, clarity.min_height, s.photo_max_pixels, clarity.min_contrast
        )

    # ------------------------------------------------------------------ facility read model

    async def record_facility(self, ctx: Ctx, event: FacilityRegistered, source_time: datetime | None) -> None:
        """FacilityRegistered / FacilityUpdated → the hospital's county-level bureau (GD-16.1)."""
        fac = Facility(event.facility_id, event.name, event.police_jurisdiction, event.city)
        applied = await ctx.repo.upsert_facility(fac, source_time, clock.now())
        log.info("facility_recorded", facility_id=fac.facility_id, applied=applied)

    # ------------------------------------------------------------------ GD-16.1: the letter

    def _check_uploads(self, uploads: Sequence[Upload], clarity: Applied) -> list[tuple[Upload, Any]]:
        """GD-16.1: every image passes the check of the ``photo_clarity`` version in force;
        a refusal names the version it applied."""
        assert isinstance(clarity.values, PhotoClarity)
        limits = self.photo_limits(clarity.values)
        checked = []
        for upload in uploads:
            try:
                checked.append((upload, inspect_image(upload.data, limits)))
            except PhotoRejected as exc:
                detail = f"{upload.field}: {exc.reason} (parameter {clarity.version_id})"
                raise ValidationFailed(detail, field=upload.field, rule="GD-16.1") from None
        return checked

    def _facility_of(self, principal: Principal, facility_id: str | None) -> str:
        mine = principal.scope_ids("facility")
        if facility_id is None:
            if len(mine) != 1:
                raise ValidationFailed(
                    "facility_id is required when the caller is scoped to several facilities", field="facility_id"
                )
            return next(iter(mine))
        principal.require_scope("facility", facility_id, "this facility")
        return facility_id

    async def file_request(self, ctx: Ctx, principal: Principal, cmd: FileRequest) -> Details:
        """GD-16.1: the hospital immediately sends an official letter to the county-level bureau
        of its own jurisdiction, with at least one clear frontal face photo and, where
        available, the patient's statement and the documents found on them.
        GD-15: nothing here gates treatment — the patient is named by the admission number."""
        uow = ctx.uow
        facility_id = self._facility_of(principal, cmd.facility_id)
        try:
            patient_ref = model.check_patient_ref(cmd.patient_ref)
        except ValueError as exc:
            raise ValidationFailed(str(exc), field="patient_ref") from None
        if not cmd.face_photos:
            raise RuleViolation(
                "the letter must carry at least one clear frontal face photo", rule="GD-16.1", field="photos"
            )
        if len(cmd.face_photos) > self.settings.max_face_photos:
            raise ValidationFailed(f"at most {self.settings.max_face_photos} face photos", field="photos")
        if len(cmd.document_scans) > self.settings.max_document_scans:
            raise ValidationFailed(f"at most {self.settings.max_document_scans} document scans", field="document_scans")
        clarity = await self.photo_clarity(ctx, clock.now())
        # Decoding is CPU work: off the event loop.
        photos = await asyncio.to_thread(self._check_uploads, cmd.face_photos, clarity)
        scans = await asyncio.to_thread(self._check_uploads, cmd.document_scans, clarity)

        repo = ctx.repo
        facility = await repo.get_facility(facility_id)
        bureau_id = model.addressed_bureau(facility, facility_id)
        assert facility is not None
        existing = await repo.find_by_patient_ref(facility_id, patient_ref)
        if existing is not None:
            raise RuleViolation(
                f"admission {patient_ref} already has identity-check request {existing.reference_number}",
                rule="GD-16.1",
                field="patient_ref",
            )

        now = clock.now()
        # The letter is delivered electronically on filing: received = filed.
        window = await self.reply_window(ctx, now)
        assert isinstance(window.values, ReplyWindow)
        due = model.reply_deadline(ctx.calendar, now, window.values.reply_working_days)
        seq = await repo.next_reference_seq(facility_id, clock.to_local(now).year)
        request_id = ids.new_id()
        particulars = {
            "patient_description": cmd.patient_description,
            "statement": cmd.statement,
            "found_documents": list(cmd.found_documents),
        }
        request = CheckRequest(
            id=request_id,
            reference_number=model.reference_number(clock.to_local(now), facility_id, seq),
            facility_id=facility_id,
            facility_name=facility.name,
            bureau_id=bureau_id,
            patient_ref=patient_ref,
            filed_by=principal.subject,
            received_at=now,
            reply_due_at=due.at,
            calendar_provisional=due.calendar_provisional,
            status=RequestStatus.AWAITING_REPLY,
            particulars_enc=ctx.cipher.encrypt_text(json.dumps(particulars), _particulars_aad(request_id)),
        )
        await repo.add_request(request)
        attachments: list[Attachment] = []
        for kind, items in ((AttachmentKind.FACE_PHOTO, photos), (AttachmentKind.DOCUMENT_SCAN, scans)):
            for position, (upload, info) in enumerate(items):
                att = Attachment(
                    id=ids.new_id(),
                    request_id=request_id,
                    kind=kind,
                    position=position,
                    media_type=info.media_type,
                    width=info.width,
                    height=info.height,
                    size_bytes=info.size_bytes,
                    uploaded_at=now,
                )
                # SPEC 0.4: AES-GCM at rest, bound to this attachment and request.
                content = ctx.cipher.encrypt(upload.data, _attachment_aad(att.id, request_id).encode())
                await repo.add_attachment(att, content)
                attachments.append(att)

        # GD-16.2 / GD-16.3: the reply window; the overdue event fires right after it ends.
        await uow.schedule(
            REPLY_DEADLINE,
            request_id,
            due.after(int((model.overdue_fire_at(due.at) - due.at).total_seconds())),
            basis="working_days",
            payload={"reference_number": request.reference_number, "reply_due_at": due.at.isoformat()},
        )
        await uow.emit(events.check_requested(request))
        await uow.audit(
            principal,
            "identity_check.filed",
            request_id,
            reason="GD-16.1 identity check of an unidentified emergency patient",
            details={
                "reference_number": request.reference_number,
                "bureau_id": bureau_id,
                "patient_ref": patient_ref,
                "face_photos": len(photos),
                "document_scans": len(scans),
                "reply_due_at": due.at.isoformat(),
                "reply_window_version": window.version_id,
                "photo_clarity_version": clarity.version_id,
            },
        )
        log.info(
            "identity_check_filed",
            request_id=request_id,
            reference_number=request.reference_number,
            bureau_id=bureau_id,
            face_photos=len(photos),
            document_scans=len(scans),
        )
        return Details(request, attachments, [])

    # ------------------------------------------------------------------ GD-16.2: the reply

    async def _addressed_request(self, ctx: Ctx, principal: Principal, request_id: str) -> CheckRequest:
        # GD-16.2 / GD-16.3: the scheduler's lock order (deadline row, then request row), so a
        # reply at the exact instant the reply deadline fires waits instead of deadlocking.
        uow = ctx.uow
        await uow.lock_deadline(REPLY_DEADLINE, request_id)
        request = await ctx.repo.get_request(request_id, for_update=True)
        if request is None:
            raise NotFound(f"identity-check request {request_id} not found")
        require_party(principal, request)
        return request

    def _identity(self, cmd: Reply) -> IdentifiedPerson | None:
        if cmd.outcome == Outcome.IDENTIFIED:
            return identified_person(
                cmd.id_number or "",
                cmd.name or "",
                cmd.household_registration or "",
                clock.to_local(clock.now()).date(),
            )
        for name in ("id_number", "name", "household_registration"):
            if getattr(cmd, name):
                raise ValidationFailed(f"{name} belongs only to an 'identified' reply", field=name, rule="GD-16.2")
        return None

    def _finding(
        self,
        ctx: Ctx,
        request: CheckRequest,
        principal: Principal,
        kind: FindingKind,
        outcome: Outcome,
        person: IdentifiedPerson | None,
        remarks: str | None,
        late: bool,
    ) -> Finding:
        finding_id = ids.new_id()
        cipher = ctx.cipher
        identity_enc = None
        if person is not None:
            identity_enc = cipher.encrypt_text(
                json.dumps(
                    {
                        "id_number": person.id_number,
                        "name": person.name,
                        "household_registration": person.household_registration,
                    },
                    ensure_ascii=False,
                ),
                _identity_aad(finding_id),
            )
        return Finding(
            id=finding_id,
            request_id=request.id,
            kind=kind,
            outcome=outcome,
            recorded_at=clock.now(),
            recorded_by=principal.subject,
            late=late,
            name_masked=person.name_masked if person else None,
            id_number_masked=person.id_number_masked if person else None,
            id_number_sealed=(
                seal(self.settings.person_matching_public_key, person.id_number, PERSON_MATCHING_PURPOSE)
                if person
                else None
            ),
            identity_enc=identity_enc,
            remarks_enc=cipher.encrypt_text(remarks, _remarks_aad(finding_id)) if remarks else None,
        )

    async def _record_finding(
        self, ctx: Ctx, principal: Principal, request: CheckRequest, finding: Finding, *, action: str
    ) -> None:
        uow = ctx.uow
        repo = ctx.repo
        await repo.add_finding(finding)
        changes: dict[str, object] = {"status": model.status_after(finding.outcome)}
        if finding.outcome == Outcome.IDENTIFIED and request.closed_at is None:
            # An identification ends the case: the photo's retention period starts (SPEC 0.4).
            changes |= {"closed_at": finding.recorded_at, "closed_by": principal.subject, "close_reason": "identified"}
            await self._schedule_retention(ctx, request.id, finding.recorded_at)
        await repo.update_request(request.id, **changes)
        await uow.close_deadline(REPLY_DEADLINE, request.id)
        await uow.emit(events.verified(request, finding))
        await uow.audit(
            principal,
            action,
            request.id,
            reason=f"{finding.outcome.value}{' (late)' if finding.late else ''}",
            details={
                "reference_number": request.reference_number,
                "finding_id": finding.id,
                "outcome": finding.outcome.value,
                "late": finding.late,
                "id_number_masked": finding.id_number_masked,
            },
        )
        log.info(
            "identity_check_finding",
            request_id=request.id,
            kind=finding.kind.value,
            outcome=finding.outcome.value,
            late=finding.late,
        )

    async def reply(self, ctx: Ctx, principal: Principal, request_id: str, cmd: Reply) -> Details:
        """GD-16.2: the bureau answers with the standard template — identified (valid ID
        number, name, household registration place) or not identified — once; in time if
        by the end of the 3rd working day, else late."""
        request = await self._addressed_request(ctx, principal, request_id)
        repo = ctx.repo
        model.check_can_reply(request, await repo.list_findings([request.id]))
        person = self._identity(cmd)
        late = model.is_late(clock.now(), request.reply_due_at)
        finding = self._finding(ctx, request, principal, FindingKind.REPLY, cmd.outcome, person, cmd.remarks, late)
        await self._record_finding(ctx, principal, request, finding, action="identity_check.replied")
        return await self._details(repo, request.id)

    async def report_late_identification(self, ctx: Ctx, principal: Principal, request_id: str, cmd: Reply) -> Details:
        """GD-16.4: the identity found after the deadline or after a "not identified" reply;
        IdentityVerified with late = true (emergency-fund demands the fund money back)."""
        request = await self._addressed_request(ctx, principal, request_id)
        repo = ctx.repo
        model.check_can_report_late_identification(request, await repo.list_findings([request.id]), clock.now())
        person = self._identity(Reply(Outcome.IDENTIFIED, cmd.id_number, cmd.name, cmd.household_registration))
        finding = self._finding(
            ctx, request, principal, FindingKind.LATE_IDENTIFICATION, Outcome.IDENTIFIED, person, cmd.remarks, True
        )
        await self._record_finding(ctx, principal, request, finding, action="identity_check.late_identification")
        return await self._details(repo, request.id)

    # ------------------------------------------------------------------ GD-16.3: overdue

    async def on_reply_due(self, ctx: Ctx, row: Any) -> None:
        """GD-16.3: no reply by the end of the 3rd working day — the request is overdue and
        the hospital may apply to the fund as unidentified (IdentityCheckOverdue)."""
        uow = ctx.uow
        repo = ctx.repo
        request = await repo.get_request(row.subject, for_update=True)
        if request is None or request.status != RequestStatus.AWAITING_REPLY:
            return
        await repo.update_request(request.id, status=RequestStatus.OVERDUE)
        await uow.emit(events.check_overdue(request))
        await uow.audit(
            None,
            "identity_check.overdue",
            request.id,
            reason="GD-16.3 no reply by the end of the third working day",
            details={"reference_number": request.reference_number, "due_at": request.reply_due_at.isoformat()},
        )
        log.info("identity_check_overdue", request_id=request.id, reference_number=request.reference_number)

    async def on_reply_due_moved(self, ctx: Ctx, row: Any, moved: Any) -> None:
        """SPEC 0.1 / GD-16.2: the year's calendar notice, loaded later, moved the bureau's
        reply window. The request shows the real due date; one that went overdue before it
        is awaiting its reply again, and the fund is told (IdentityCheckReopened) so an
        unidentified claim accepted during the bureau's real reply time goes on hold."""
        uow = ctx.uow
        repo = ctx.repo
        request = await repo.get_request(row["subject"], for_update=True)
        if request is None:
            return
        reply_due_at = moved.due_at - (model.overdue_fire_at(request.reply_due_at) - request.reply_due_at)
        changes: dict[str, Any] = {"reply_due_at": reply_due_at, "calendar_provisional": moved.calendar_provisional}
        reopened = moved.reopened and request.status == RequestStatus.OVERDUE
        if reopened:
            changes["status"] = RequestStatus.AWAITING_REPLY
        await repo.update_request(request.id, **changes)
        await uow.emit(
            events.check_reopened(
                request, reply_due_at=reply_due_at, reopened=reopened, calendar_provisional=moved.calendar_provisional
            )
        )
        await uow.audit(
            None,
            "identity_check.reply_due_moved",
            request.id,
            reason="SPEC 0.1 the year's calendar notice was loaded",
            details={
                "previous_reply_due_at": request.reply_due_at.isoformat(),
                "reply_due_at": reply_due_at.isoformat(),
                "reopened": reopened,
            },
        )

    # ------------------------------------------------------------------ closing and retention

    async def in_force(self, ctx: Ctx, kind: ParameterKind, at: datetime) -> Applied:
        """The version of ``kind`` in force on the (Asia/Shanghai) day of ``at``, read from the
        context's repository (the default from the settings when none is loaded)."""
        catalogue = CATALOGUE.with_defaults(parameter_defaults(self.settings))
        return catalogue.require(await ctx.repo.parameter_versions(), kind.name, on=clock.to_local(at).date())

    async def reply_window(self, ctx: Ctx, at: datetime) -> Applied:
        """GD-16.2: the reply-window version in force on the (Asia/Shanghai) day of ``at``."""
        return await self.in_force(ctx, REPLY_WINDOW, at)

    async def retention(self, ctx: Ctx, at: datetime) -> Applied:
        """SPEC 0.4: the photo-retention version in force on the (Asia/Shanghai) day of ``at``."""
        return await self.in_force(ctx, PHOTO_RETENTION, at)

    async def _purge_at(self, ctx: Ctx, closed_at: datetime) -> tuple[datetime, Applied]:
        applied = await self.retention(ctx, closed_at)
        values = applied.values
        assert isinstance(values, PhotoRetention)
        return model.photo_purge_at(closed_at, values.retention_days_after_close), applied

    async def _schedule_retention(self, ctx: Ctx, request_id: str, closed_at: datetime) -> None:
        uow = ctx.uow
        due, _ = await self._purge_at(ctx, closed_at)
        await uow.schedule(PHOTO_RETENTION_DEADLINE, request_id, Due(due), basis="clock")

    async def close(self, ctx: Ctx, principal: Principal, request_id: str, reason: str) -> Details:
        """SPEC 0.4: the hospital closes the case (after the reply or the deadline); the photo
        retention period starts."""
        uow = ctx.uow
        request = await self._addressed_request(ctx, principal, request_id)
        why = reason.strip()
        if not why:
            raise ValidationFailed("a reason is required to close a case", field="reason")
        model.check_can_close(request)
        now = clock.now()
        repo = ctx.repo
        await repo.update_request(request.id, closed_at=now, closed_by=principal.subject, close_reason=why)
        await self._schedule_retention(ctx, request.id, now)
        await uow.audit(
            principal,
            "identity_check.closed",
            request.id,
            reason=why,
            details={"reference_number": request.reference_number, "status": request.status.value},
        )
        return await self._details(repo, request.id)

    async def _auto_close(self, ctx: Ctx, request: CheckRequest, reason: str) -> None:
        """SPEC 0.4: a letter closes by itself (its fund case ended, or its maximum open period
        did): the photo retention starts, recorded like a hospital's close."""
        uow = ctx.uow
        now = clock.now()
        await ctx.repo.update_request(request.id, closed_at=now, closed_by="system", close_reason=reason)
        await self._schedule_retention(ctx, request.id, now)
        await uow.audit(
            None,
            "identity_check.closed",
            request.id,
            reason=reason,
            details={"reference_number": request.reference_number, "status": request.status.value, "automatic": True},
        )

    async def photo_clarity(self, ctx: Ctx, at: datetime) -> Applied:
        """GD-16.1: the version of "a clear photo" in force on the (Asia/Shanghai) day of ``at``."""
        return await self.in_force(ctx, PHOTO_CLARITY, at)

    async def letter_promptness(self, ctx: Ctx, at: datetime) -> Applied:
        """GD-16.1: the version of "immediately" in force on the (Asia/Shanghai) day of ``at``."""
        return await self.in_force(ctx, LETTER_PROMPTNESS, at)

    async def on_fund_case_opened(self, ctx: Ctx, event: FundCaseOpened) -> None:
        """GD-16.1: the fund case opened on this letter records the admission; a letter that
        reached the bureau later after it than the versioned interval ("immediately") is
        flagged and announced. The admission instant is the fund's record, not a field of
        the letter; a case of another hospital or admission number changes nothing."""
        uow = ctx.uow
        repo = ctx.repo
        request = await repo.get_request(event.identity_check_request_id, for_update=True)
        if request is None or (request.facility_id, request.patient_ref) != (event.facility_id, event.patient_ref):
            return
        if request.admitted_at is not None:
            return
        applied = await self.letter_promptness(ctx, request.received_at)
        values = applied.values
        assert isinstance(values, LetterPromptness)
        late = model.sent_late(event.admitted_at, request.received_at, values.max_hours_after_admission)
        source = f"emergency-fund case {event.case_id}"
        await repo.update_request(
            request.id,
            admitted_at=event.admitted_at,
            admission_source=source,
            sent_late=late,
            sent_late_parameters_version=applied.version_id,
        )
        await uow.audit(
            None,
            "identity_check.letter_promptness",
            request.id,
            reason="GD-16.1: sent later than the interval after the admission" if late else None,
            details={
                "reference_number": request.reference_number,
                "admitted_at": event.admitted_at.isoformat(),
                "received_at": request.received_at.isoformat(),
                "sent_late": late,
                "parameters_version": applied.version_id,
            },
        )
        if late:
            await uow.emit(
                events.letter_sent_late(
                    request,
                    admitted_at=event.admitted_at,
                    source=source,
                    max_hours=values.max_hours_after_admission,
                    parameters_version=applied.version_id,
                )
            )

    async def on_fund_case_closed(self, ctx: Ctx, event: FundCaseClosed) -> None:
        """SPEC 0.4: the fund case the letter rests on was disbursed, excluded or refunded —
        no more police work on it, so the letter closes and its photo retention starts."""
        request = await ctx.repo.find_by_patient_ref(event.facility_id, event.patient_ref)
        if request is None or request.closed_at is not None:
            return
        await self._auto_close(ctx, request, f"SPEC 0.4: fund case {event.case_id} {event.outcome}")

    async def _purge(self, ctx: Ctx, principal: Principal | None, request: CheckRequest) -> int:
        uow = ctx.uow
        now = clock.now()
        repo = ctx.repo
        assert request.closed_at is not None
        _, applied = await self._purge_at(ctx, request.closed_at)
        values = applied.values
        assert isinstance(values, PhotoRetention)
        count = await repo.purge_attachments(request.id, now)
        await repo.update_request(request.id, photos_deleted_at=now)
        await uow.audit(
            principal,
            "identity_check.photos.deleted",
            request.id,
            reason=f"SPEC 0.4 retention: {values.retention_days_after_close} days after the case closed",
            details={
                "reference_number": request.reference_number,
                "attachments": count,
                "parameters_version": applied.version_id,
            },
        )
        # SPEC 0.4: the deletion is announced; the event names the letter, never a photo.
        await uow.emit(
            events.photos_deleted(request, attachments=count, deleted_at=now, parameters_version=applied.version_id)
        )
        log.info("identity_check_photos_deleted", request_id=request.id, attachments=count)
        return count

    async def on_retention_due(self, ctx: Ctx, row: Any) -> None:
        """SPEC 0.4: the retention period after closing ended — delete the photos and scans."""
        uow = ctx.uow
        request_id = str(row.subject).split("#", 1)[0]
        request = await ctx.repo.get_request(request_id, for_update=True)
        if request is None or request.closed_at is None or request.photos_deleted_at is not None:
            return
        purge_at, _ = await self._purge_at(ctx, request.closed_at)
        if purge_at > clock.now():
            # The period was lengthened since the case closed: wait for the new end.
            await uow.schedule(
                PHOTO_RETENTION_DEADLINE, f"{request.id}#{purge_at.isoformat()}", Due(purge_at), basis="clock"
            )
            return
        await self._purge(ctx, None, request)

    async def purge_expired(self, ctx: Ctx, principal: Principal | None) -> int:
        """SPEC 0.4: the periodic sweep. A letter open longer than the maximum closes; every
        case closed longer than the retention period in force has its photos deleted."""
        uow = ctx.uow
        if principal is not None:
            authorize(ctx.principal, policy.RUN_RETENTION)  # a caller, not the system, runs it
        repo = ctx.repo
        now = clock.now()
        for request_id in await repo.open_received_before(now - timedelta(days=1)):
            request = await repo.get_request(request_id, for_update=True)
            if request is None or request.closed_at is not None:
                continue
            values = (await self.retention(ctx, request.received_at)).values
            assert isinstance(values, PhotoRetention)
            if request.received_at + timedelta(days=values.max_open_days_after_letter) <= now:
                reason = f"SPEC 0.4: {values.max_open_days_after_letter} days after the letter, closed at the latest"
                await self._auto_close(ctx, request, reason)
        purged = 0
        for request_id in await repo.closed_before(now - timedelta(days=1)):
            request = await repo.get_request(request_id, for_update=True)
            if request is None or request.closed_at is None:
                continue
            purge_at, _ = await self._purge_at(ctx, request.closed_at)
            if purge_at <= now:
                await self._purge(ctx, principal, request)
                await uow.close_deadline(PHOTO_RETENTION_DEADLINE, request.id, state="fired")
                purged += 1
        return purged

    # ------------------------------------------------------------------ reads (audited)

    async def read_attachment(
        self, ctx: Ctx, principal: Principal, request_id: str, attachment_id: str, reason: str | None
    ) -> tuple[Attachment, bytes]:
        """SPEC 0.4: only the requesting hospital and the addressed bureau read a photo; every
        read is audit-logged with who and why."""
        why = require_reason(reason)
        request = await self._addressed_request(ctx, principal, request_id)
        repo = ctx.repo
        att = next((a for a in await repo.list_attachments([request.id]) if a.id == attachment_id), None)
        if att is None:
            raise NotFound(f"attachment {attachment_id} not found on this request")
        data = await self._decrypt_attachment(ctx, att)
        await self._audit_attachment_read(ctx, principal, att, why)
        return att, data

    async def _decrypt_attachment(self, ctx: Ctx, att: Attachment) -> bytes:
        content = await ctx.repo.attachment_content(att.id)
        if content is None:
            raise Gone(f"attachment {att.id} was deleted under the retention rule")
        return ctx.cipher.decrypt(content, _attachment_aad(att.id, att.request_id).encode())

    async def _audit_attachment_read(self, ctx: Ctx, principal: Principal, att: Attachment, why: str) -> None:
        uow = ctx.uow
        await uow.audit(
            principal,
            "identity_check.attachment.read",
            att.id,
            reason=why,
            details={"request_id": att.request_id, "kind": att.kind.value},
        )

    async def read_identity(self, ctx: Ctx, principal: Principal, request_id: str, reason: str | None) -> Identity:
        """SPEC 0.4: the full identity (ID number, name, household registration place) found by
        the bureau; the hospital needs it to pursue the debt (GD-15, GD-16.4). Audit-logged."""
        uow = ctx.uow
        why = require_reason(reason)
        request = await self._addressed_request(ctx, principal, request_id)
        findings = await ctx.repo.list_findings([request.id])
        found = next((f for f in reversed(findings) if f.identity_enc is not None), None)
        if found is None or found.identity_enc is None:
            raise NotFound(f"request {request.reference_number} has no identification")
        data = json.loads(ctx.cipher.decrypt_text(found.identity_enc, _identity_aad(found.id)))
        await uow.audit(
            principal,
            "identity_check.identity.read",
            request.id,
            reason=why,
            details={"finding_id": found.id, "id_number_masked": found.id_number_masked},
        )
        return Identity(
            request.id,
            request.reference_number,
            data["id_number"],
            data["name"],
            data["household_registration"],
            found.recorded_at,
            found.late,
        )

    async def letter(
        self, ctx: Ctx, principal: Principal, request_id: str, *, include_photos: bool, reason: str | None
    ) -> Letter:
        """GD-16.1: the official letter, print-ready. With ``include_photos`` the images are
        embedded — each one an audited photo read (SPEC 0.4)."""
        uow = ctx.uow
        why = require_reason(reason) if include_photos else None
        request = await self._addressed_request(ctx, principal, request_id)
        repo = ctx.repo
        details = await self._details(repo, request.id)
        raw = json.loads(ctx.cipher.decrypt_text(request.particulars_enc, _particulars_aad(request.id)))
        particulars = Particulars(
            raw.get("patient_description"), raw.get("statement"), tuple(raw.get("found_documents") or ())
        )
        images: list[tuple[Attachment, bytes]] = []
        if include_photos:
            authorize(ctx.principal, policy.READ_ATTACHMENT)  # the photos are a separate read
            assert why is not None
            for att in details.attachments:
                if att.deleted_at is None:
                    images.append((att, await self._decrypt_attachment(ctx, att)))
                    await self._audit_attachment_read(ctx, principal, att, why)
        await uow.audit(
            principal,
            "identity_check.letter.viewed",
            request.id,
            reason=why,
            details={"reference_number": request.reference_number, "photos_embedded": len(images)},
        )
        return Letter(details, particulars, images)

    async def _details(self, repo: Repository, request_id: str) -> Details:
        request = await repo.get_request(request_id)
        if request is None:
            raise NotFound(f"identity-check request {request_id} not found")
        return Details(request, await repo.list_attachments([request_id]), await repo.list_findings([request_id]))

    async def details(self, ctx: Ctx, principal: Principal, request_id: str) -> Details:
        details = await self._details(ctx.repo, request_id)
        require_party(principal, details.request)
        return details

    async def _bulk(self, repo: Repository, requests: list[CheckRequest]) -> list[Details]:
        ids = [r.id for r in requests]
        attachments = await repo.list_attachments(ids)
        findings = await repo.list_findings(ids)
        return [
            Details(
                r,
                [a for a in attachments if a.request_id == r.id],
                [f for f in findings if f.request_id == r.id],
            )
            for r in requests
        ]

    async def list_requests(
        self, ctx: Ctx, principal: Principal, statuses: set[RequestStatus] | None, page: PageRequest
    ) -> list[Details]:
        """One page of a hospital's own requests, or of the requests addressed to a bureau
        (newest first), paged in SQL over the caller's scope."""
        repo = ctx.repo
        if principal.role == Role.HOSPITAL:
            found = await repo.list_requests(facility_ids=principal.scope_ids("facility"), statuses=statuses, page=page)
        elif principal.role == Role.POLICE:
            found = await repo.list_requests(
                bureau_ids=principal.scope_ids("jurisdiction"), statuses=statuses, page=page
            )
        else:
            raise Forbidden(f"role {principal.role.value} is not a party to identity-check requests")
        return await self._bulk(repo, found)

    async def queue(self, ctx: Ctx, principal: Principal, page: PageRequest) -> list[Details]:
        """One page of the bureau's work queue: requests awaiting its reply, overdue first,
        then by due date (GD-16.2, GD-16.3), paged in SQL over its jurisdictions."""
        repo = ctx.repo
        found = await repo.list_requests(
            bureau_ids=principal.scope_ids("jurisdiction"),
            statuses=model.PENDING_STATUSES,
            due_first=True,
            page=page,
        )
        return await self._bulk(repo, found)
