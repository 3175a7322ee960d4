"""The use-case tier: the letter (GD-16.1), the bureau's reply and its window (GD-16.2,
GD-16.3), the late identification (GD-16.4) and the photo retention (SPEC 0.4) decided on an
in-memory repository with a unit of work that records events, deadlines and decision-log
entries — rule combinations and versions in milliseconds. The HTTP suites prove the wiring on
real infrastructure (multipart uploads, scopes, audited reads, the scheduler and consumers)."""

from __future__ import annotations

import inspect
import io
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from PIL import Image

from identity_check.adapters.repository import SqlRepository
from identity_check.domain.model import Facility, Outcome, RequestStatus
from identity_check.domain.parameters import CATALOGUE
from identity_check.service.checks import (
    PHOTO_RETENTION_DEADLINE,
    REPLY_DEADLINE,
    Details,
    FileRequest,
    Gone,
    IdentityChecks,
    Reply,
    Upload,
)
from identity_check.service.ports import Repository
from medaid_shared.authz import Principal, Role
from medaid_shared.contracts.emergency_fund import FundCaseOpened
from medaid_shared.contracts.identity_check import (
    IdentityCheckOverdue,
    IdentityCheckRequested,
    IdentityLetterSentLate,
    IdentityPhotosDeleted,
    IdentityVerified,
)
from medaid_shared.errors import Conflict, RuleViolation, ValidationFailed
from medaid_shared.fakes import FakeUnitOfWork

from .fakes import InMemoryRepository, checks, context
from .helpers import VALID_ID, image_bytes

SH = ZoneInfo("Asia/Shanghai")
FILED_AT = datetime(2026, 9, 30, 10, 0, tzinfo=SH)  # due: end of make-up Saturday 2026-10-10
HOSPITAL = Principal("doctor-H001", Role.HOSPITAL, ("facility:H001",))
POLICE = Principal("officer-PSB01", Role.POLICE, ("jurisdiction:PSB01",))
PHOTO = image_bytes()


class World:
    """One hospital (H001, bureau PSB01) and the use cases, one unit of work recording."""

    def __init__(self) -> None:
        self.repo = InMemoryRepository()
        self.checks: IdentityChecks = checks()
        self.uow = FakeUnitOfWork("identity-check")
        self.repo.facility["H001"] = (Facility("H001", "柳江区人民医院", "PSB01", "liuzhou"), None)

    @property
    def ctx(self) -> Any:
        return context(self.repo, self.checks, self.uow)[0]

    def version(self, kind: str, effective_from: str, **values: Any) -> None:
        self.repo.versions.append(
            CATALOGUE.version_model.model_validate({"kind": kind, "effective_from": effective_from, "values": values})
        )

    async def file(self, at: datetime = FILED_AT, patient_ref: str = "ZY2026-0001", **kw: Any) -> Details:
        with time_machine.travel(at, tick=False):
            cmd = FileRequest(patient_ref, kw.pop("photos", [Upload(PHOTO, "photos[0]")]), **kw)
            return await self.checks.file_request(self.ctx, HOSPITAL, cmd)

    async def reply(self, request_id: str, at: datetime, reply: Reply) -> Details:
        with time_machine.travel(at, tick=False):
            return await self.checks.reply(self.ctx, POLICE, request_id, reply)

    async def late_identification(self, request_id: str, at: datetime) -> Details:
        with time_machine.travel(at, tick=False):
            return await self.checks.report_late_identification(self.ctx, POLICE, request_id, identified())

    def audit(self, action: str) -> dict[str, Any]:
        (entry,) = [a for a in self.uow.audits if a.action == action]
        return entry.details


def identified() -> Reply:
    return Reply(Outcome.IDENTIFIED, VALID_ID, "张小三", "广西柳州市柳江区拉堡镇")


def blank(width: int = 480, height: int = 640) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (128, 128, 128)).save(out, format="PNG")
    return out.getvalue()


# ---------------------------------------------------------------- GD-16.1 / GD-16.2: the letter


async def test_gd_16_1_gd_16_2_a_letter_opens_the_reply_window_of_the_versions_in_force() -> None:
    w = World()
    details = await w.file()
    request = details.request
    assert request.status is RequestStatus.AWAITING_REPLY and request.bureau_id == "PSB01"
    assert request.reference_number == "IC-2026-H001-00001"
    assert request.reply_due_at == datetime(2026, 10, 10, 23, 59, 59, tzinfo=SH)  # the make-up Saturday counts
    assert (REPLY_DEADLINE, request.id) in w.uow.open_deadlines()
    (event,) = w.uow.published(IdentityCheckRequested)
    assert event.reply_due_at == request.reply_due_at and event.bureau_id == "PSB01"
    cited = w.audit("identity_check.filed")
    assert cited["reply_window_version"] == "reply_window:any:any:default"
    assert cited["photo_clarity_version"] == "photo_clarity:any:any:default"
    # SPEC 0.4: the photo is stored sealed, never as sent
    ((attachment, content),) = w.repo.attachment.values()
    assert content is not None and PHOTO not in content and attachment.width == 480


async def test_gd_16_2_a_shorter_reply_window_decides_letters_from_its_day_and_is_cited() -> None:
    w = World()
    w.version("reply_window", "2026-10-09", reply_working_days=2)
    before = await w.file(datetime(2026, 10, 8, 10, tzinfo=SH), "ZY-1")
    after = await w.file(datetime(2026, 10, 12, 10, tzinfo=SH), "ZY-2")
    assert before.request.reply_due_at == datetime(2026, 10, 12, 23, 59, 59, tzinfo=SH)  # 9, 10 (make-up), 12 Oct
    assert after.request.reply_due_at == datetime(2026, 10, 14, 23, 59, 59, tzinfo=SH)  # 13, 14 Oct
    cited = [a.details["reply_window_version"] for a in w.uow.audits if a.action == "identity_check.filed"]
    assert cited == ["reply_window:any:any:default", "reply_window:any:any:2026-10-09"]


async def test_gd_16_1_a_letter_needs_a_photo_a_bureau_and_one_per_admission() -> None:
    w = World()
    with pytest.raises(RuleViolation) as no_photo:
        await w.file(photos=[])
    assert (no_photo.value.rule, no_photo.value.field) == ("GD-16.1", "photos")
    w.repo.facility["H002"] = (Facility("H002", "百朋镇卫生院", None, "liuzhou"), None)
    for facility_id in ("H002", "H003"):  # no jurisdiction on record; not known here yet
        scoped = Principal(f"doctor-{facility_id}", Role.HOSPITAL, (f"facility:{facility_id}",))
        with time_machine.travel(FILED_AT, tick=False), pytest.raises(RuleViolation) as no_bureau:
            cmd = FileRequest("ZY-1", [Upload(PHOTO, "photos[0]")])
            await w.checks.file_request(w.ctx, scoped, cmd)
        assert (no_bureau.value.rule, no_bureau.value.field) == ("GD-16.1", "facility_id")
    await w.file()
    with pytest.raises(RuleViolation) as twice:
        await w.file(FILED_AT + timedelta(hours=1))
    assert (twice.value.rule, twice.value.field) == ("GD-16.1", "patient_ref")
    assert len(w.uow.published(IdentityCheckRequested)) == 1 and len(w.repo.request) == 1


async def test_gd_16_1_a_photo_below_the_clarity_in_force_is_refused_naming_the_version() -> None:
    w = World()
    with pytest.raises(ValidationFailed) as blank_photo:
        await w.file(photos=[Upload(PHOTO, "photos[0]"), Upload(blank(), "photos[1]")])
    assert (blank_photo.value.rule, blank_photo.value.field) == ("GD-16.1", "photos[1]")
    assert "photo_clarity:any:any:default" in blank_photo.value.detail
    w.version("photo_clarity", "2026-09-01", min_width=600, min_height=300, min_contrast=16)
    with pytest.raises(ValidationFailed) as narrow:
        await w.file()
    assert "photo_clarity:any:any:2026-09-01" in narrow.value.detail
    await w.file(photos=[Upload(image_bytes(640, 640), "photos[0]")])
    assert w.audit("identity_check.filed")["photo_clarity_version"] == "photo_clarity:any:any:2026-09-01"
    assert len(w.repo.request) == 1  # the refused letters left nothing


# ---------------------------------------------------------------- GD-16.2 / GD-16.3: the reply


async def test_gd_16_2_a_reply_by_the_end_of_the_window_is_in_time_once_and_closes_the_deadline() -> None:
    w = World()
    request = (await w.file()).request
    replied = await w.reply(request.id, datetime(2026, 10, 10, 22, tzinfo=SH), identified())
    assert replied.request.status is RequestStatus.IDENTIFIED and replied.reply is not None
    assert replied.reply.late is False and replied.reply.name_masked == "张*三"
    (event,) = w.uow.published(IdentityVerified)
    assert (event.outcome, event.late, event.late_identification) == ("identified", False, False)
    assert event.id_number_sealed and VALID_ID not in str(event.model_dump())
    assert (REPLY_DEADLINE, request.id) not in w.uow.open_deadlines()
    with pytest.raises(Conflict) as again:
        await w.reply(request.id, datetime(2026, 10, 10, 23, tzinfo=SH), Reply(Outcome.NOT_IDENTIFIED))
    assert again.value.rule == "GD-16.2" and len(w.uow.published(IdentityVerified)) == 1


async def test_gd_16_2_gd_16_3_after_the_window_the_request_is_overdue_and_a_reply_is_late() -> None:
    w = World()
    request = (await w.file()).request
    with time_machine.travel(datetime(2026, 10, 11, 0, 0, tzinfo=SH), tick=False):
        await w.checks.on_reply_due(w.ctx, SimpleNamespace(subject=request.id))
    assert w.repo.request[request.id].status is RequestStatus.OVERDUE
    (overdue,) = w.uow.published(IdentityCheckOverdue)
    assert overdue.due_at == request.reply_due_at
    # the Sunday after the make-up Saturday: late
    replied = await w.reply(request.id, datetime(2026, 10, 11, 9, tzinfo=SH), Reply(Outcome.NOT_IDENTIFIED))
    assert replied.reply is not None and replied.reply.late is True
    assert replied.request.status is RequestStatus.NOT_IDENTIFIED
    (event,) = w.uow.published(IdentityVerified)
    assert (event.late, event.late_identification) == (True, False)
    # a second firing (the deadline raced the reply) changes nothing
    await w.checks.on_reply_due(w.ctx, SimpleNamespace(subject=request.id))
    assert len(w.uow.published(IdentityCheckOverdue)) == 1


async def test_gd_16_2_a_not_identified_reply_carries_no_identity() -> None:
    w = World()
    request = (await w.file()).request
    with pytest.raises(ValidationFailed) as extra:
        await w.reply(request.id, datetime(2026, 10, 8, 9, tzinfo=SH), Reply(Outcome.NOT_IDENTIFIED, name="张小三"))
    assert (extra.value.rule, extra.value.field) == ("GD-16.2", "name")
    assert not w.uow.published(IdentityVerified) and not w.repo.finding


# ---------------------------------------------------------------- GD-16.4: late identification


async def test_gd_16_4_a_late_identification_follows_the_window_or_a_not_identified_reply_once() -> None:
    w = World()
    open_window = (await w.file()).request
    with pytest.raises(RuleViolation) as too_early:
        await w.late_identification(open_window.id, datetime(2026, 10, 10, 9, tzinfo=SH))
    assert too_early.value.rule == "GD-16.4"
    late = await w.late_identification(open_window.id, datetime(2026, 10, 11, 9, tzinfo=SH))
    assert late.request.status is RequestStatus.IDENTIFIED and late.late_identification is not None
    with pytest.raises(Conflict) as twice:
        await w.late_identification(open_window.id, datetime(2026, 10, 12, 9, tzinfo=SH))
    assert twice.value.rule == "GD-16.4"

    answered = (await w.file(patient_ref="ZY-2")).request
    await w.reply(answered.id, datetime(2026, 10, 8, 9, tzinfo=SH), Reply(Outcome.NOT_IDENTIFIED))
    found = await w.late_identification(answered.id, datetime(2026, 10, 9, 9, tzinfo=SH))  # in the window: allowed
    assert found.request.status is RequestStatus.IDENTIFIED
    flags = [(e.request_id, e.late, e.late_identification) for e in w.uow.published(IdentityVerified)]
    assert flags == [(open_window.id, True, True), (answered.id, False, False), (answered.id, True, True)]
    # an identification ends the case: the photo retention starts for both
    assert {(PHOTO_RETENTION_DEADLINE, open_window.id), (PHOTO_RETENTION_DEADLINE, answered.id)} <= set(w.uow.deadlines)


# ---------------------------------------------------------------- GD-16.1: "immediately"


def opened(details: Details, admitted_at: datetime, **over: str) -> FundCaseOpened:
    return FundCaseOpened(
        case_id=over.get("case_id", "EC-1"),
        facility_id=over.get("facility_id", details.request.facility_id),
        patient_ref=over.get("patient_ref", details.request.patient_ref),
        identity_check_request_id=details.request.id,
        city="liuzhou",
        admitted_at=admitted_at,
        opened_at=FILED_AT,
    )


async def test_gd_16_1_a_letter_later_than_the_interval_in_force_after_the_admission_is_flagged() -> None:
    w = World()
    on_time = await w.file(patient_ref="ZY-1")
    late = await w.file(patient_ref="ZY-2")
    await w.checks.on_fund_case_opened(w.ctx, opened(late, FILED_AT - timedelta(days=5), facility_id="H999"))
    assert w.repo.request[late.request.id].admitted_at is None  # another hospital's case changes nothing
    await w.checks.on_fund_case_opened(w.ctx, opened(on_time, FILED_AT - timedelta(hours=24)))
    await w.checks.on_fund_case_opened(w.ctx, opened(late, FILED_AT - timedelta(hours=24, seconds=1)))
    await w.checks.on_fund_case_opened(w.ctx, opened(late, FILED_AT - timedelta(days=9), case_id="EC-2"))
    assert w.repo.request[on_time.request.id].sent_late is False
    assert w.repo.request[late.request.id].sent_late is True
    (event,) = w.uow.published(IdentityLetterSentLate)  # recorded once
    assert (event.request_id, event.max_hours_after_admission) == (late.request.id, 24)
    assert event.parameters_version == "letter_promptness:any:any:default"

    w.version("letter_promptness", "2026-09-01", max_hours_after_admission=6)
    third = await w.file(patient_ref="ZY-3")
    await w.checks.on_fund_case_opened(w.ctx, opened(third, FILED_AT - timedelta(hours=7)))
    assert w.repo.request[third.request.id].sent_late_parameters_version == "letter_promptness:any:any:2026-09-01"
    assert w.repo.request[third.request.id].sent_late is True


# ---------------------------------------------------------------- SPEC 0.4: photo retention


async def test_spec_0_4_photos_are_deleted_the_retention_in_force_after_the_close() -> None:
    w = World()
    request = (await w.file()).request
    with pytest.raises(RuleViolation) as still_open, time_machine.travel(FILED_AT, tick=False):
        await w.checks.close(w.ctx, HOSPITAL, request.id, "病人已出院")
    assert still_open.value.rule == "GD-16.2"
    closed_at = datetime(2026, 10, 10, 22, tzinfo=SH)
    await w.reply(request.id, closed_at, identified())
    scheduled = w.uow.deadlines[(PHOTO_RETENTION_DEADLINE, request.id)]
    assert scheduled.due.at == closed_at + timedelta(days=180)
    # the period is lengthened afterwards, from before the close: the deletion waits for the new end
    w.version("photo_retention", "2026-10-01", retention_days_after_close=200, max_open_days_after_letter=365)
    with time_machine.travel(closed_at + timedelta(days=180), tick=False):
        await w.checks.on_retention_due(w.ctx, SimpleNamespace(subject=request.id))
    new_end = closed_at + timedelta(days=200)
    (later,) = [d for k, d in w.uow.deadlines.items() if k[0] == PHOTO_RETENTION_DEADLINE and "#" in k[1]]
    assert later.due.at == new_end and later.subject.startswith(f"{request.id}#")
    assert not w.uow.published(IdentityPhotosDeleted)
    with time_machine.travel(new_end, tick=False):
        await w.checks.on_retention_due(w.ctx, SimpleNamespace(subject=later.subject))
        (deleted,) = w.uow.published(IdentityPhotosDeleted)
        assert (deleted.attachments_deleted, deleted.parameters_version) == (1, "photo_retention:any:any:2026-10-01")
        (attachment,) = await w.repo.list_attachments([request.id])
        with pytest.raises(Gone):
            await w.checks.read_attachment(w.ctx, HOSPITAL, request.id, attachment.id, "追讨欠费")
    assert w.repo.request[request.id].photos_deleted_at == new_end


async def test_spec_0_4_a_letter_nobody_closed_closes_at_the_latest_and_its_photos_go_after() -> None:
    w = World()
    request = (await w.file()).request
    with time_machine.travel(FILED_AT + timedelta(days=364), tick=False):
        assert await w.checks.purge_expired(w.ctx, None) == 0
    assert w.repo.request[request.id].closed_at is None
    closes = FILED_AT + timedelta(days=365)
    with time_machine.travel(closes, tick=False):
        assert await w.checks.purge_expired(w.ctx, None) == 0
    closed = w.repo.request[request.id]
    assert closed.closed_at == closes and closed.closed_by == "system"
    assert closed.close_reason == "SPEC 0.4: 365 days after the letter, closed at the latest"
    with time_machine.travel(closes + timedelta(days=180), tick=False):
        assert await w.checks.purge_expired(w.ctx, None) == 1
    assert (PHOTO_RETENTION_DEADLINE, request.id, "fired") in w.uow.closed
    assert w.uow.published(IdentityPhotosDeleted)[0].close_reason == closed.close_reason


# ---------------------------------------------------------------- the port


def _queries(kind: type) -> dict[str, list[str]]:
    """A repository's public methods and the keyword parameters each one takes."""
    return {
        name: [p.name for p in inspect.signature(member).parameters.values() if p.kind is p.KEYWORD_ONLY]
        for name, member in vars(kind).items()
        if not name.startswith("_") and callable(member)
    }


def test_the_fast_tier_runs_on_the_port_the_adapter_implements() -> None:
    """The in-memory repository and the PostgreSQL one answer the same typed queries, so a
    use case decided here is the one the HTTP tests run on real infrastructure."""
    port = _queries(Repository)
    assert _queries(InMemoryRepository) == port
    assert _queries(SqlRepository) == port
