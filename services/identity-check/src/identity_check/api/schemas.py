"""Request and response bodies of the identity-check API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from identity_check.domain.model import PATIENT_REF_PATTERN, Outcome, RequestStatus
from identity_check.service.checks import Details, Identity
from medaid_shared import clock

TEXT = 5000

# --- examples: an unidentified patient at 柳江区人民医院 and the bureau's reply, as /docs shows it ----
REQUEST_ID = "01a23556-a300-7345-881e-33c26a9d0282"
ATTACHMENT: dict[str, Any] = {
    "attachment_id": "01a23556-a3f0-7b1d-9095-3e7d83b7dc0a",
    "kind": "face_photo",
    "position": 0,
    "media_type": "image/jpeg",
    "width": 1080,
    "height": 1440,
    "size_bytes": 412388,
    "uploaded_at": "2026-12-02T06:00:00Z",
    "deleted": False,
    "deleted_at": None,
    "href": f"/identity-checks/{REQUEST_ID}/attachments/01a23556-a3f0-7b1d-9095-3e7d83b7dc0a",
}
REPLY: dict[str, Any] = {
    "kind": "reply",
    "outcome": "identified",
    "recorded_at": "2026-12-03T02:00:00Z",
    "recorded_by": "psb-lj-tan",
    "late": False,
    "name_masked": "黄*强",
    "id_number_masked": "4502**********0031",
}
AWAITING: dict[str, Any] = {
    "request_id": REQUEST_ID,
    "reference_number": "IC-2026-LJ-RMYY-00042",
    "facility_id": "LJ-RMYY",
    "facility_name": "柳江区人民医院",
    "bureau_id": "PSB-LJ",
    "patient_ref": "ZY2026120200417",
    "status": "awaiting_reply",
    "filed_by": "his-lj-rmyy",
    "received_at": "2026-12-02T06:00:00Z",
    "reply_due_at": "2026-12-07T15:59:59Z",
    "calendar_provisional": False,
    "overdue": False,
    "attachments": [ATTACHMENT],
    "reply": None,
    "late_identification": None,
    "closed_at": None,
    "close_reason": None,
    "photos_deleted_at": None,
    "admitted_at": "2026-12-02T03:40:00Z",
    "admission_source": "emergency-fund case EC-01a2358d91807b1d90953e7d83b7dc0a",
    "sent_late": False,
    "sent_late_parameters_version": "letter_promptness:any:any:default",
    "letter_href": f"/identity-checks/{REQUEST_ID}/letter",
}
IDENTIFIED: dict[str, Any] = {**AWAITING, "status": "identified", "reply": REPLY}
CLOSED: dict[str, Any] = {
    **IDENTIFIED,
    "closed_at": "2026-12-20T02:00:00Z",
    "close_reason": "fund case settled and the patient discharged",
}
LATE: dict[str, Any] = {
    **AWAITING,
    "status": "identified",
    "overdue": False,
    "reply": {**REPLY, "outcome": "not_identified", "name_masked": None, "id_number_masked": None},
    "late_identification": {
        **REPLY,
        "kind": "late_identification",
        "recorded_at": "2026-12-15T02:00:00Z",
        "late": True,
    },
}


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class RequestFields(BaseModel):
    """The letter's fields besides the images (JSON body and multipart form alike)."""

    model_config = ConfigDict(extra="forbid")

    facility_id: str | None = Field(default=None, max_length=64, description="defaults to the caller's facility scope")
    patient_ref: str = Field(
        max_length=64, pattern=PATIENT_REF_PATTERN, description="the hospital's admission number (GD-15)"
    )
    patient_description: str | None = Field(
        default=None, max_length=TEXT, description="apparent sex/age, features, where and how the patient was found"
    )
    statement: str | None = Field(default=None, max_length=TEXT, description="the patient's own statement (自述材料)")
    found_documents: list[str] = Field(
        default_factory=list, max_length=20, description="documents found on the patient (随身携带证件), described"
    )


class ImageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_base64: str = Field(description="the JPEG or PNG file, base64 (a data: URI prefix is accepted)")


class FileRequestJson(RequestFields):
    """JSON variant of ``POST /identity-checks``: images as base64."""

    model_config = _examples(
        {
            "patient_ref": "ZY2026120200417",
            "patient_description": "男，约55岁，身高约170cm，左前臂有烫伤疤痕；柳江区拉堡镇汽车站附近昏迷被发现",
            "statement": "自述姓黄，家住百朋镇，其余不能回忆",
            "found_documents": ["柳州公交IC卡一张，无姓名"],
            "photos": [{"content_base64": "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAEBAQ"}],
        }
    )

    photos: list[ImageIn] = Field(default_factory=list, description="at least one clear frontal face photo (GD-16.1)")
    document_scans: list[ImageIn] = Field(default_factory=list, description="scans of documents found on the patient")


class ReplyIn(BaseModel):
    """GD-16.2: the bureau's standard reply template."""

    model_config = ConfigDict(extra="forbid") | _examples(
        {
            "outcome": "identified",
            "id_number": "450221196803150031",
            "name": "黄志强",
            "household_registration": "广西柳州市柳江区百朋镇怀洪村",
            "remarks": "人像比对及亲属辨认确认",
        },
        {"outcome": "not_identified", "remarks": "人像比对未命中，已发协查通报"},
    )

    outcome: Outcome
    id_number: str | None = Field(default=None, max_length=32, description="identified: GB 11643 resident ID number")
    name: str | None = Field(default=None, max_length=50)
    household_registration: str | None = Field(default=None, max_length=200, description="户籍地")
    remarks: str | None = Field(default=None, max_length=2000)


class LateIdentificationIn(BaseModel):
    """GD-16.4: the identity found after the deadline or after a "not identified" reply."""

    model_config = ConfigDict(extra="forbid") | _examples(
        {
            "id_number": "450221196803150031",
            "name": "黄志强",
            "household_registration": "广西柳州市柳江区百朋镇怀洪村",
            "remarks": "家属报案后比对确认",
        }
    )

    id_number: str = Field(max_length=32)
    name: str = Field(max_length=50)
    household_registration: str = Field(max_length=200)
    remarks: str | None = Field(default=None, max_length=2000)


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid") | _examples({"reason": "fund case settled and the patient discharged"})

    reason: str = Field(min_length=3, max_length=500, description="why the case is closed (e.g. fund case settled)")


class AttachmentOut(BaseModel):
    model_config = _examples(ATTACHMENT)

    attachment_id: str
    kind: str
    position: int
    media_type: str
    width: int
    height: int
    size_bytes: int
    uploaded_at: datetime
    deleted: bool
    deleted_at: datetime | None
    href: str


class FindingOut(BaseModel):
    """A reply or late identification, masked (SPEC 0.4); the full identity is a separate,
    audited read."""

    model_config = _examples(REPLY)

    kind: str
    outcome: str
    recorded_at: datetime
    recorded_by: str
    late: bool
    name_masked: str | None
    id_number_masked: str | None


class RequestOut(BaseModel):
    model_config = _examples(AWAITING, IDENTIFIED, CLOSED, LATE)

    request_id: str
    reference_number: str
    facility_id: str
    facility_name: str
    bureau_id: str
    patient_ref: str
    status: RequestStatus
    filed_by: str
    received_at: datetime
    reply_due_at: datetime
    calendar_provisional: bool
    overdue: bool = Field(description="no reply and the end of the 3rd working day has passed (GD-16.3)")
    attachments: list[AttachmentOut]
    reply: FindingOut | None
    late_identification: FindingOut | None
    closed_at: datetime | None
    close_reason: str | None
    photos_deleted_at: datetime | None
    admitted_at: datetime | None = Field(
        default=None, description="the admission the letter is for, as the fund case records it (GD-16.1)"
    )
    admission_source: str | None = Field(default=None, description="where the admission instant comes from")
    sent_late: bool | None = Field(
        default=None,
        description="GD-16.1: received later than the versioned interval after the admission (unknown until then)",
    )
    sent_late_parameters_version: str | None = None
    letter_href: str


class RetentionOut(BaseModel):
    model_config = ConfigDict(extra="forbid") | _examples({"purged_requests": 3})

    purged_requests: int = Field(description="requests whose photos and scans were deleted by this run")


class IdentityOut(BaseModel):
    model_config = _examples(
        {
            "request_id": REQUEST_ID,
            "reference_number": "IC-2026-LJ-RMYY-00042",
            "id_number": "450221196803150031",
            "name": "黄志强",
            "household_registration": "广西柳州市柳江区百朋镇怀洪村",
            "recorded_at": "2026-12-03T02:00:00Z",
            "late": False,
        }
    )

    request_id: str
    reference_number: str
    id_number: str
    name: str
    household_registration: str
    recorded_at: datetime
    late: bool


def _finding(f: Any) -> FindingOut | None:
    if f is None:
        return None
    return FindingOut(
        kind=f.kind.value,
        outcome=f.outcome.value,
        recorded_at=f.recorded_at,
        recorded_by=f.recorded_by,
        late=f.late,
        name_masked=f.name_masked,
        id_number_masked=f.id_number_masked,
    )


def request_out(d: Details) -> RequestOut:
    r = d.request
    base = f"/identity-checks/{r.id}"
    overdue = r.status == RequestStatus.OVERDUE or (
        r.status == RequestStatus.AWAITING_REPLY and clock.now() > r.reply_due_at
    )
    return RequestOut(
        request_id=r.id,
        reference_number=r.reference_number,
        facility_id=r.facility_id,
        facility_name=r.facility_name,
        bureau_id=r.bureau_id,
        patient_ref=r.patient_ref,
        status=r.status,
        filed_by=r.filed_by,
        received_at=r.received_at,
        reply_due_at=r.reply_due_at,
        calendar_provisional=r.calendar_provisional,
        overdue=overdue,
        attachments=[
            AttachmentOut(
                attachment_id=a.id,
                kind=a.kind.value,
                position=a.position,
                media_type=a.media_type,
                width=a.width,
                height=a.height,
                size_bytes=a.size_bytes,
                uploaded_at=a.uploaded_at,
                deleted=a.deleted_at is not None,
                deleted_at=a.deleted_at,
                href=f"{base}/attachments/{a.id}",
            )
            for a in d.attachments
        ],
        reply=_finding(d.reply),
        late_identification=_finding(d.late_identification),
        closed_at=r.closed_at,
        close_reason=r.close_reason,
        photos_deleted_at=r.photos_deleted_at,
        admitted_at=r.admitted_at,
        admission_source=r.admission_source,
        sent_late=r.sent_late,
        sent_late_parameters_version=r.sent_late_parameters_version,
        letter_href=f"{base}/letter",
    )


def request_body(d: Details) -> dict[str, Any]:
    return request_out(d).model_dump(mode="json")


def identity_out(i: Identity) -> IdentityOut:
    return IdentityOut(
        request_id=i.request_id,
        reference_number=i.reference_number,
        id_number=i.id_number,
        name=i.name,
        household_registration=i.household_registration,
        recorded_at=i.recorded_at,
        late=i.late,
    )
