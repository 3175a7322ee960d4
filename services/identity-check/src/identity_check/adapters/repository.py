"""SQLAlchemy implementation of the service's storage port."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from identity_check.adapters.tables import (
    attachment,
    check_request,
    facility,
    finding,
    parameter_version,
    reference_counter,
)
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
from identity_check.domain.parameters import CATALOGUE
from medaid_shared import statements
from medaid_shared.errors import Conflict
from medaid_shared.pagination import PageRequest, keyset
from medaid_shared.parameter_store import ParameterStore
from medaid_shared.parameters import ParameterVersion


def _request(row: Any) -> CheckRequest:
    return CheckRequest(
        id=row["id"],
        reference_number=row["reference_number"],
        facility_id=row["facility_id"],
        facility_name=row["facility_name"],
        bureau_id=row["bureau_id"],
        patient_ref=row["patient_ref"],
        filed_by=row["filed_by"],
        received_at=row["received_at"],
        reply_due_at=row["reply_due_at"],
        calendar_provisional=row["calendar_provisional"],
        status=RequestStatus(row["status"]),
        particulars_enc=bytes(row["particulars_enc"]),
        closed_at=row["closed_at"],
        closed_by=row["closed_by"],
        close_reason=row["close_reason"],
        photos_deleted_at=row["photos_deleted_at"],
        admitted_at=row["admitted_at"],
        admission_source=row["admission_source"],
        sent_late=row["sent_late"],
        sent_late_parameters_version=row["sent_late_parameters_version"],
    )


_ATTACHMENT_COLUMNS = [c for c in attachment.c if c.name != "content_enc"]


def _attachment(row: Any) -> Attachment:
    return Attachment(
        id=row["id"],
        request_id=row["request_id"],
        kind=AttachmentKind(row["kind"]),
        position=row["position"],
        media_type=row["media_type"],
        width=row["width"],
        height=row["height"],
        size_bytes=row["size_bytes"],
        uploaded_at=row["uploaded_at"],
        deleted_at=row["deleted_at"],
    )


def _finding(row: Any) -> Finding:
    return Finding(
        id=row["id"],
        request_id=row["request_id"],
        kind=FindingKind(row["kind"]),
        outcome=Outcome(row["outcome"]),
        recorded_at=row["recorded_at"],
        recorded_by=row["recorded_by"],
        late=row["late"],
        name_masked=row["name_masked"],
        id_number_masked=row["id_number_masked"],
        identity_enc=bytes(row["identity_enc"]) if row["identity_enc"] is not None else None,
        remarks_enc=bytes(row["remarks_enc"]) if row["remarks_enc"] is not None else None,
    )


class SqlRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def parameter_versions(self) -> list[ParameterVersion]:
        """Every stored version of the service's kinds (GD-16.1, GD-16.2, SPEC 0.4)."""
        return await ParameterStore(self.session, parameter_version, CATALOGUE).versions()

    async def upsert_facility(self, fac: Facility, source_time: datetime | None, now: datetime) -> bool:
        values = {
            "facility_id": fac.facility_id,
            "name": fac.name,
            "police_jurisdiction": fac.police_jurisdiction,
            "city": fac.city,
            "source_time": source_time,
            "updated_at": now,
        }
        # An older event (by its CloudEvents time) never overwrites a newer one.
        stmt = statements.upsert(facility, "facility_id", values, newer_by="source_time", returning="facility_id")
        return (await self.session.execute(stmt, values)).first() is not None

    async def get_facility(self, facility_id: str) -> Facility | None:
        row = (
            (await self.session.execute(select(facility).where(facility.c.facility_id == facility_id)))
            .mappings()
            .first()
        )
        if row is None:
            return None
        return Facility(row["facility_id"], row["name"], row["police_jurisdiction"], row["city"])

    async def next_reference_seq(self, facility_id: str, year: int) -> int:
        stmt = statements.counter(reference_counter, ("facility_id", "year"), "last_value")
        values = {"facility_id": facility_id, "year": year, "last_value": 1}
        return int((await self.session.execute(stmt, values)).scalar_one())

    async def find_by_patient_ref(self, facility_id: str, patient_ref: str) -> CheckRequest | None:
        row = (
            (
                await self.session.execute(
                    select(check_request).where(
                        check_request.c.facility_id == facility_id, check_request.c.patient_ref == patient_ref
                    )
                )
            )
            .mappings()
            .first()
        )
        return _request(row) if row else None

    async def add_request(self, request: CheckRequest) -> None:
        try:
            async with self.session.begin_nested():
                await self._insert_request(request)
        except IntegrityError:
            # A concurrent letter for the same admission committed first (GD-16.1).
            raise Conflict(
                f"admission {request.patient_ref} already has an identity-check request",
                rule="GD-16.1",
                field="patient_ref",
            ) from None

    async def _insert_request(self, request: CheckRequest) -> None:
        await self.session.execute(
            insert(check_request).values(
                id=request.id,
                reference_number=request.reference_number,
                facility_id=request.facility_id,
                facility_name=request.facility_name,
                bureau_id=request.bureau_id,
                patient_ref=request.patient_ref,
                filed_by=request.filed_by,
                received_at=request.received_at,
                reply_due_at=request.reply_due_at,
                calendar_provisional=request.calendar_provisional,
                status=request.status.value,
                particulars_enc=request.particulars_enc,
            )
        )

    async def get_request(self, request_id: str, *, for_update: bool = False) -> CheckRequest | None:
        query = select(check_request).where(check_request.c.id == request_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).mappings().first()
        return _request(row) if row else None

    async def update_request(self, request_id: str, **changes: object) -> None:
        values = {k: (v.value if isinstance(v, RequestStatus) else v) for k, v in changes.items()}
        await self.session.execute(update(check_request).where(check_request.c.id == request_id).values(**values))

    async def list_requests(
        self,
        *,
        facility_ids: Collection[str] | None = None,
        bureau_ids: Collection[str] | None = None,
        statuses: Collection[RequestStatus] | None = None,
        due_first: bool = False,
        page: PageRequest,
    ) -> list[CheckRequest]:
        """The requests of the given facilities or bureaus (the caller's scope, a condition of
        the query), latest received first (received_at, then id) or, ``due_first``, the
        bureau's queue order: overdue first, then by reply due time, then id; one ``page`` of
        it, paged in SQL (at most ``page.limit + 1`` rows)."""
        c = check_request
        query = select(c)
        if facility_ids is not None:
            query = query.where(c.c.facility_id.in_(list(facility_ids)))
        if bureau_ids is not None:
            query = query.where(c.c.bureau_id.in_(list(bureau_ids)))
        if statuses is not None:
            query = query.where(c.c.status.in_([s.value for s in statuses]))
        key: tuple[ColumnElement[Any], ...]
        if due_first:
            overdue_first = case((c.c.status == RequestStatus.OVERDUE.value, 0), else_=1)
            key, descending = (overdue_first, c.c.reply_due_at, c.c.id), False
        else:
            key, descending = (c.c.received_at, c.c.id), True
        rows = (await self.session.execute(keyset(query, page, *key, descending=descending))).mappings().all()
        return [_request(r) for r in rows]

    async def add_attachment(self, att: Attachment, content_enc: bytes) -> None:
        await self.session.execute(
            insert(attachment).values(
                id=att.id,
                request_id=att.request_id,
                kind=att.kind.value,
                position=att.position,
                media_type=att.media_type,
                width=att.width,
                height=att.height,
                size_bytes=att.size_bytes,
                content_enc=content_enc,
                uploaded_at=att.uploaded_at,
            )
        )

    async def list_attachments(self, request_ids: Collection[str]) -> list[Attachment]:
        if not request_ids:
            return []
        rows = (
            (
                await self.session.execute(
                    select(*_ATTACHMENT_COLUMNS)
                    .where(attachment.c.request_id.in_(list(request_ids)))
                    .order_by(attachment.c.request_id, attachment.c.kind, attachment.c.position)
                )
            )
            .mappings()
            .all()
        )
        return [_attachment(r) for r in rows]

    async def attachment_content(self, attachment_id: str) -> bytes | None:
        value = (
            await self.session.execute(select(attachment.c.content_enc).where(attachment.c.id == attachment_id))
        ).scalar()
        return bytes(value) if value is not None else None

    async def purge_attachments(self, request_id: str, now: datetime) -> int:
        result = await self.session.execute(
            update(attachment)
            .where(attachment.c.request_id == request_id, attachment.c.content_enc.is_not(None))
            .values(content_enc=None, deleted_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def closed_before(self, cutoff: datetime) -> list[str]:
        rows = await self.session.execute(
            select(check_request.c.id).where(
                check_request.c.closed_at.is_not(None),
                check_request.c.closed_at <= cutoff,
                check_request.c.photos_deleted_at.is_(None),
            )
        )
        return [str(r) for r in rows.scalars()]

    async def open_received_before(self, cutoff: datetime) -> list[str]:
        rows = await self.session.execute(
            select(check_request.c.id).where(check_request.c.closed_at.is_(None), check_request.c.received_at <= cutoff)
        )
        return [str(r) for r in rows.scalars()]

    async def add_finding(self, f: Finding) -> None:
        await self.session.execute(
            insert(finding).values(
                id=f.id,
                request_id=f.request_id,
                kind=f.kind.value,
                outcome=f.outcome.value,
                recorded_at=f.recorded_at,
                recorded_by=f.recorded_by,
                late=f.late,
                name_masked=f.name_masked,
                id_number_masked=f.id_number_masked,
                identity_enc=f.identity_enc,
                remarks_enc=f.remarks_enc,
            )
        )

    async def list_findings(self, request_ids: Collection[str]) -> list[Finding]:
        if not request_ids:
            return []
        rows = (
            (
                await self.session.execute(
                    select(finding).where(finding.c.request_id.in_(list(request_ids))).order_by(finding.c.recorded_at)
                )
            )
            .mappings()
            .all()
        )
        return [_finding(r) for r in rows]
