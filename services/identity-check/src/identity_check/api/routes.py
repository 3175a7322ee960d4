"""HTTP routes of the identity-check service (thin: parse, call the use case, answer)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from identity_check.api.letter import render_letter
from identity_check.api.schemas import (
    CloseIn,
    FileRequestJson,
    IdentityOut,
    LateIdentificationIn,
    ReplyIn,
    RequestFields,
    RequestOut,
    RetentionOut,
    identity_out,
    request_body,
    request_out,
)
from identity_check.domain import policy
from identity_check.domain.model import Outcome, RequestStatus
from identity_check.service.checks import Ctx, Details, FileRequest, IdentityChecks, Reply, Upload
from identity_check.settings import IdentityCheckSettings
from medaid_shared.auth import CurrentPrincipal
from medaid_shared.errors import Problem, ValidationFailed
from medaid_shared.pagination import Page, PageQuery, page_of, sort_key
from medaid_shared.problems import validation_problem
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun

router = APIRouter(prefix="/identity-checks", tags=["identity checks"])
admin_router = APIRouter(prefix="/admin/identity-checks", tags=["administration"])

NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


class PayloadTooLarge(Problem):
    status, slug, title = 413, "too-large", "Request too large"


class UnsupportedMediaType(Problem):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


def get_checks(request: Request) -> IdentityChecks:
    checks: IdentityChecks = request.app.state.identity_checks
    return checks


Checks = Annotated[IdentityChecks, Depends(get_checks)]
Reason = Annotated[
    str | None,
    Query(max_length=500, description="why the caller reads this (required; audit-logged, SPEC 0.4)"),
]


def _inline_schema(model: type[FileRequestJson]) -> dict[str, Any]:
    """The model's JSON Schema with its ``$defs`` inlined (it is not otherwise a component)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.rsplit("/", 1)[-1]])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


_FILE_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": (
            "Either multipart/form-data (fields of RequestFields; files in `photos` (≥1, JPEG/PNG) and "
            "`document_scans`; `found_documents` repeated) or application/json (FileRequestJson: images as "
            "base64 in `photos[].content_base64`)."
        ),
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["patient_ref", "photos"],
                    "properties": {
                        "facility_id": {"type": "string"},
                        "patient_ref": {"type": "string"},
                        "patient_description": {"type": "string"},
                        "statement": {"type": "string"},
                        "found_documents": {"type": "array", "items": {"type": "string"}},
                        "photos": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        "document_scans": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                }
            },
            "application/json": {"schema": _inline_schema(FileRequestJson)},
        },
    }
}


def _decode_base64(value: str, field: str) -> bytes:
    text = value.strip()
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(f"{field}: not valid base64", field=field) from None


async def _read_file(item: Any, field: str, limit: int) -> bytes:
    if not isinstance(item, UploadFile):
        raise ValidationFailed(f"{field}: must be an uploaded file", field=field)
    data = await item.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed(f"{field}: the file is larger than {limit} bytes", field=field, rule="GD-16.1")
    return data


def _bounded_stream(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    """The request body, refused as soon as it passes ``limit`` bytes (chunked uploads too)."""

    async def stream() -> AsyncGenerator[bytes, None]:
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise PayloadTooLarge(f"the request is larger than {limit} bytes")
            yield chunk

    return stream()


class _InMemoryMultiPartParser(MultiPartParser):
    """SPEC 0.4: uploaded photos never touch the disk unencrypted — the body is bounded by
    ``max_request_bytes`` and every file part stays in memory below that size."""

    def __init__(self, request: Request, settings: IdentityCheckSettings) -> None:
        super().__init__(
            request.headers,
            _bounded_stream(request, settings.max_request_bytes),
            max_files=settings.max_face_photos + settings.max_document_scans + 1,
            max_fields=50,
            max_part_size=64 * 1024,
        )
        self.spool_max_size = settings.max_request_bytes + 1


async def parse_file_request(request: Request, checks: IdentityChecks) -> FileRequest:
    """Multipart upload or JSON with base64 images; the body size is bounded."""
    s = checks.settings
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > s.max_request_bytes:
        raise PayloadTooLarge(f"the request is larger than {s.max_request_bytes} bytes")
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("application/json"):
        raw = bytearray()
        async for chunk in _bounded_stream(request, s.max_request_bytes):
            raw.extend(chunk)
        try:
            body = FileRequestJson.model_validate_json(bytes(raw))
        except ValidationError as exc:
            raise validation_problem(exc.errors(include_input=False, include_url=False)) from None
        fields: RequestFields = body
        photos = [
            Upload(_decode_base64(p.content_base64, f"photos[{i}]"), f"photos[{i}]") for i, p in enumerate(body.photos)
        ]
        scans = [
            Upload(_decode_base64(p.content_base64, f"document_scans[{i}]"), f"document_scans[{i}]")
            for i, p in enumerate(body.document_scans)
        ]
    elif content_type.startswith("multipart/form-data"):
        try:
            form = await _InMemoryMultiPartParser(request, s).parse()
        except MultiPartException as exc:
            raise ValidationFailed(f"malformed multipart body: {exc.message}", field="body") from None
        try:
            plain = {
                k: form.get(k)
                for k in ("facility_id", "patient_ref", "patient_description", "statement")
                if form.get(k) is not None
            }
            known = {"facility_id", "patient_ref", "patient_description", "statement", "found_documents"}
            unknown = [k for k in form if k not in known | {"photos", "document_scans"}]
            if unknown:
                raise ValidationFailed(f"{unknown[0]}: unknown form field", field=unknown[0])
            try:
                fields = RequestFields.model_validate({**plain, "found_documents": form.getlist("found_documents")})
            except ValidationError as exc:
                raise validation_problem(exc.errors(include_input=False, include_url=False)) from None
            photos = [
                Upload(await _read_file(f, f"photos[{i}]", s.photo_max_bytes), f"photos[{i}]")
                for i, f in enumerate(form.getlist("photos"))
            ]
            scans = [
                Upload(await _read_file(f, f"document_scans[{i}]", s.photo_max_bytes), f"document_scans[{i}]")
                for i, f in enumerate(form.getlist("document_scans"))
            ]
        finally:
            await form.close()
    else:
        raise UnsupportedMediaType("send multipart/form-data or application/json")
    return FileRequest(
        facility_id=fields.facility_id,
        patient_ref=fields.patient_ref,
        patient_description=fields.patient_description,
        statement=fields.statement,
        found_documents=tuple(fields.found_documents),
        face_photos=photos,
        document_scans=scans,
    )


def _reply_fingerprint(checks: IdentityChecks, body: ReplyIn | LateIdentificationIn) -> dict[str, Any]:
    """An Idempotency-Key compares requests by a fingerprint; the ID number enters it only as
    a keyed blind index, so even the stored hash rests on no plain ID number."""
    data = body.model_dump()
    if data.get("id_number"):
        data["id_number"] = checks.runtime.cipher.blind_index(str(data["id_number"]).strip().upper())
    return data


def _answer(use: Callable[[Ctx], Awaitable[Details]]) -> Callable[[Ctx], Awaitable[dict[str, Any]]]:
    """A use case whose answer is one request, as the API shows it."""

    async def answered(ctx: Ctx) -> dict[str, Any]:
        return request_body(await use(ctx))

    return answered


def _fingerprint(cmd: FileRequest) -> dict[str, Any]:
    """What an Idempotency-Key is compared on: the fields and the images' digests."""
    return {
        "facility_id": cmd.facility_id,
        "patient_ref": cmd.patient_ref,
        "patient_description": cmd.patient_description,
        "statement": cmd.statement,
        "found_documents": list(cmd.found_documents),
        "photos": [hashlib.sha256(u.data).hexdigest() for u in cmd.face_photos],
        "document_scans": [hashlib.sha256(u.data).hexdigest() for u in cmd.document_scans],
    }


@router.post(
    "",
    status_code=201,
    response_model=RequestOut,
    summary="File the letter for an unidentified emergency patient (GD-16.1)",
    openapi_extra=_FILE_BODY_DOC,
)
async def file_request(request: Request, checks: Checks, run: CommandRun) -> JSONResponse:
    run.authorize(policy.FILE)  # before the upload is read
    cmd = await parse_file_request(request, checks)
    use = _answer(lambda ctx: checks.file_request(ctx, run.principal, cmd))
    return await run(policy.FILE, use, status=201, fingerprint=_fingerprint(cmd))


@router.get(
    "",
    response_model=Page[RequestOut],
    summary="A hospital's own requests, or those addressed to a bureau, latest received first",
)
async def list_requests(
    principal: CurrentPrincipal,
    checks: Checks,
    page: PageQuery,
    run: QueryRun,
    status: Annotated[list[RequestStatus] | None, Query()] = None,
) -> Any:
    statuses = set(status) if status else None
    found = await run.fetch(policy.VIEW, lambda ctx: checks.list_requests(ctx, principal, statuses, page))
    return page_of([request_out(d) for d in found], page, lambda r: sort_key(r.received_at, r.request_id))


@router.get("/queue", response_model=Page[RequestOut], summary="The bureau's work queue: awaiting reply, overdue first")
async def list_queue(principal: CurrentPrincipal, checks: Checks, page: PageQuery, run: QueryRun) -> Any:
    found = await run.fetch(policy.QUEUE, lambda ctx: checks.queue(ctx, principal, page))
    return page_of(
        [request_out(d) for d in found],
        page,
        lambda r: sort_key(r.status != RequestStatus.OVERDUE, r.reply_due_at, r.request_id),
    )


@router.get("/{request_id}", response_model=RequestOut, summary="One request (masked; photos are separate reads)")
async def get_request(request_id: str, principal: CurrentPrincipal, checks: Checks, run: QueryRun) -> RequestOut:
    return request_out(await run.fetch(policy.VIEW, lambda ctx: checks.details(ctx, principal, request_id)))


@router.get(
    "/{request_id}/letter",
    response_class=HTMLResponse,
    summary="The official letter, print-ready HTML (GD-16.1); include_photos embeds the images (audited)",
)
async def get_letter(
    request_id: str,
    principal: CurrentPrincipal,
    checks: Checks,
    run: QueryRun,
    reason: Reason = None,
    include_photos: bool = False,
) -> HTMLResponse:
    letter = await run.fetch(
        policy.VIEW,
        lambda ctx: checks.letter(ctx, principal, request_id, include_photos=include_photos, reason=reason),
        audited=True,
    )
    return HTMLResponse(render_letter(letter), headers=NO_STORE)


@router.get(
    "/{request_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={
        200: {
            "content": {
                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
            },
            "description": "The image as it was filed",
        }
    },
    summary="A face photo or document scan (requesting hospital or addressed bureau; reason required, audited)",
)
async def get_attachment(
    request_id: str,
    attachment_id: str,
    principal: CurrentPrincipal,
    checks: Checks,
    run: QueryRun,
    reason: Reason = None,
) -> Response:
    att, data = await run.fetch(
        policy.READ_ATTACHMENT,
        lambda ctx: checks.read_attachment(ctx, principal, request_id, attachment_id, reason),
        audited=True,
    )
    extension = "png" if att.media_type == "image/png" else "jpg"
    return Response(
        data,
        media_type=att.media_type,
        headers={**NO_STORE, "Content-Disposition": f'inline; filename="{att.id}.{extension}"'},
    )


@router.get(
    "/{request_id}/identity",
    response_model=IdentityOut,
    summary="The full identity found by the bureau (reason required, audited)",
)
async def get_identity(
    request_id: str, principal: CurrentPrincipal, checks: Checks, run: QueryRun, reason: Reason = None
) -> JSONResponse:
    identity = await run.fetch(
        policy.READ_IDENTITY, lambda ctx: checks.read_identity(ctx, principal, request_id, reason), audited=True
    )
    return JSONResponse(identity_out(identity).model_dump(mode="json"), headers=NO_STORE)


@router.post("/{request_id}/reply", response_model=RequestOut, summary="The bureau's final reply (GD-16.2)")
async def reply(request_id: str, body: ReplyIn, checks: Checks, run: CommandRun) -> JSONResponse:
    cmd = Reply(body.outcome, body.id_number, body.name, body.household_registration, body.remarks)
    use = _answer(lambda ctx: checks.reply(ctx, run.principal, request_id, cmd))
    return await run(policy.REPLY, use, fingerprint=_reply_fingerprint(checks, body))


@router.post(
    "/{request_id}/late-identification",
    response_model=RequestOut,
    summary="Identity found after the deadline or after 'not identified' (GD-16.4)",
)
async def late_identification(
    request_id: str, body: LateIdentificationIn, checks: Checks, run: CommandRun
) -> JSONResponse:
    cmd = Reply(Outcome.IDENTIFIED, body.id_number, body.name, body.household_registration, body.remarks)
    use = _answer(lambda ctx: checks.report_late_identification(ctx, run.principal, request_id, cmd))
    return await run(policy.LATE_IDENTIFICATION, use, fingerprint=_reply_fingerprint(checks, body))


@router.post("/{request_id}/close", response_model=RequestOut, summary="Close the case; photo retention starts")
async def close(request_id: str, body: CloseIn, checks: Checks, run: CommandRun) -> JSONResponse:
    return await run(policy.CLOSE, _answer(lambda ctx: checks.close(ctx, run.principal, request_id, body.reason)))


@admin_router.post(
    "/photo-retention/run",
    response_model=RetentionOut,
    summary="Delete photos of cases closed longer than the retention period",
)
async def run_retention(checks: Checks, run: CommandRun) -> JSONResponse:
    async def use(ctx: Ctx) -> dict[str, int]:
        purged = await checks.purge_expired(ctx, run.principal)
        return {"purged_requests": purged}

    return await run(policy.RUN_RETENTION, use)
