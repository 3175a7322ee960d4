"""The identity-check use cases' storage port (``service.ports.Repository``) in memory, and
the use cases on a use-case context around it with a recording unit of work. Each query is
the adapter's, written over lists: the same records in, the same records and order out."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from identity_check.domain.model import (
    Attachment,
    CheckRequest,
    Facility,
    Finding,
    RequestStatus,
)
from identity_check.domain.policy import POLICY
from identity_check.service.checks import Ctx, IdentityChecks
from identity_check.settings import IdentityCheckSettings
from medaid_shared.authz import Policy
from medaid_shared.calendar import WorkingCalendar
from medaid_shared.crypto import FieldCipher
from medaid_shared.fakes import FakeUnitOfWork
from medaid_shared.pagination import PageRequest, sort_key
from medaid_shared.parameters import ParameterVersion
from medaid_shared.runtime import Runtime
from medaid_shared.settings import DEV_ENCRYPTION_KEY
from medaid_shared.usecase import UseCaseContext


class InMemoryRepository:
    def __init__(self) -> None:
        self.versions: list[ParameterVersion] = []
        self.facility: dict[str, tuple[Facility, datetime | None]] = {}
        self.counter: dict[tuple[str, int], int] = {}
        self.request: dict[str, CheckRequest] = {}
        self.attachment: dict[str, tuple[Attachment, bytes | None]] = {}
        self.finding: list[Finding] = []

    async def parameter_versions(self) -> list[ParameterVersion]:
        return list(self.versions)

    async def upsert_facility(self, facility: Facility, source_time: datetime | None, now: datetime) -> bool:
        known = self.facility.get(facility.facility_id)
        # An older event (by its CloudEvents time) never overwrites a newer one.
        if known is not None and known[1] is not None and source_time is not None and known[1] > source_time:
            return False
        self.facility[facility.facility_id] = (facility, source_time)
        return True

    async def get_facility(self, facility_id: str) -> Facility | None:
        known = self.facility.get(facility_id)
        return known[0] if known else None

    async def next_reference_seq(self, facility_id: str, year: int) -> int:
        self.counter[(facility_id, year)] = self.counter.get((facility_id, year), 0) + 1
        return self.counter[(facility_id, year)]

    async def find_by_patient_ref(self, facility_id: str, patient_ref: str) -> CheckRequest | None:
        return next(
            (r for r in self.request.values() if (r.facility_id, r.patient_ref) == (facility_id, patient_ref)), None
        )

    async def add_request(self, request: CheckRequest) -> None:
        if request.id in self.request or await self.find_by_patient_ref(request.facility_id, request.patient_ref):
            raise KeyError("duplicate request")  # the table's unique keys
        self.request[request.id] = request

    async def get_request(self, request_id: str, *, for_update: bool = False) -> CheckRequest | None:
        return self.request.get(request_id)

    async def update_request(self, request_id: str, **changes: object) -> None:
        if request_id in self.request:
            self.request[request_id] = replace(self.request[request_id], **changes)  # type: ignore[arg-type]

    async def list_requests(
        self,
        *,
        facility_ids: Collection[str] | None = None,
        bureau_ids: Collection[str] | None = None,
        statuses: Collection[RequestStatus] | None = None,
        due_first: bool = False,
        page: PageRequest,
    ) -> list[CheckRequest]:
        found = [
            r
            for r in self.request.values()
            if (facility_ids is None or r.facility_id in facility_ids)
            and (bureau_ids is None or r.bureau_id in bureau_ids)
            and (statuses is None or r.status in statuses)
        ]

        def key(r: CheckRequest) -> tuple[Any, ...]:
            if due_first:
                return sort_key(0 if r.status == RequestStatus.OVERDUE else 1, r.reply_due_at, r.id)
            return sort_key(r.received_at, r.id)

        ordered = sorted(found, key=key, reverse=not due_first)
        if page.after is not None:
            after = tuple(page.after)
            ordered = [r for r in ordered if (key(r) > after if due_first else key(r) < after)]
        return ordered[: page.limit + 1]

    async def add_attachment(self, attachment: Attachment, content_enc: bytes) -> None:
        self.attachment[attachment.id] = (attachment, content_enc)

    async def list_attachments(self, request_ids: Collection[str]) -> list[Attachment]:
        found = [a for a, _ in self.attachment.values() if a.request_id in request_ids]
        return sorted(found, key=lambda a: (a.request_id, a.kind.value, a.position))

    async def attachment_content(self, attachment_id: str) -> bytes | None:
        known = self.attachment.get(attachment_id)
        return known[1] if known else None

    async def purge_attachments(self, request_id: str, now: datetime) -> int:
        purged = [k for k, (a, c) in self.attachment.items() if a.request_id == request_id and c is not None]
        for k in purged:
            self.attachment[k] = (replace(self.attachment[k][0], deleted_at=now), None)
        return len(purged)

    async def closed_before(self, cutoff: datetime) -> list[str]:
        return [
            r.id
            for r in self.request.values()
            if r.closed_at is not None and r.closed_at <= cutoff and r.photos_deleted_at is None
        ]

    async def open_received_before(self, cutoff: datetime) -> list[str]:
        return [r.id for r in self.request.values() if r.closed_at is None and r.received_at <= cutoff]

    async def add_finding(self, finding: Finding) -> None:
        # The sealed ID number is for the event only: the table has no column for it.
        self.finding.append(replace(finding, id_number_sealed=None))

    async def list_findings(self, request_ids: Collection[str]) -> list[Finding]:
        return sorted((f for f in self.finding if f.request_id in request_ids), key=lambda f: f.recorded_at)


@dataclass
class _Runtime:
    """What the use cases read of the runtime: the policy, the field cipher, the calendar."""

    settings: IdentityCheckSettings
    policy: Policy
    cipher: FieldCipher
    calendar: WorkingCalendar


def checks(settings: IdentityCheckSettings | None = None) -> IdentityChecks:
    """The use cases bound to an in-memory stand-in of the runtime."""
    s = settings or IdentityCheckSettings()
    use_cases = IdentityChecks(s)
    use_cases.bind(cast(Runtime, _Runtime(s, POLICY, FieldCipher(DEV_ENCRYPTION_KEY), WorkingCalendar())))
    return use_cases


def context(
    repo: InMemoryRepository, use_cases: IdentityChecks, uow: FakeUnitOfWork | None = None
) -> tuple[Ctx, FakeUnitOfWork]:
    """A command's context on the in-memory repository, and the unit of work that records
    (``uow`` to go on recording in one, as the deadlines table spans commands)."""
    uow = uow or FakeUnitOfWork("identity-check")
    ctx: Ctx = UseCaseContext(
        settings=use_cases.settings,
        repo=repo,
        calendar=use_cases.runtime.calendar,
        cipher=use_cases.runtime.cipher,
        _uow=uow,  # type: ignore[arg-type]
    )
    return ctx, uow
