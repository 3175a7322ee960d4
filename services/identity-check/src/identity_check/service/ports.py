"""What the use cases need from storage. Implemented in ``adapters/repository.py`` and wired
in ``bootstrap.py``; the service layer never imports the adapters."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Protocol

from identity_check.domain.model import Attachment, CheckRequest, Facility, Finding, RequestStatus
from medaid_shared.db import Session
from medaid_shared.pagination import PageRequest


class Repository(Protocol):
    async def upsert_facility(self, facility: Facility, source_time: datetime | None, now: datetime) -> bool: ...

    async def get_facility(self, facility_id: str) -> Facility | None: ...

    async def next_reference_seq(self, facility_id: str, year: int) -> int: ...

    async def find_by_patient_ref(self, facility_id: str, patient_ref: str) -> CheckRequest | None: ...

    async def add_request(self, request: CheckRequest) -> None: ...

    async def get_request(self, request_id: str, *, for_update: bool = False) -> CheckRequest | None: ...

    async def update_request(self, request_id: str, **changes: object) -> None: ...

    async def list_requests(
        self,
        *,
        facility_ids: Collection[str] | None = None,
        bureau_ids: Collection[str] | None = None,
        statuses: Collection[RequestStatus] | None = None,
        due_first: bool = False,
        page: PageRequest,
    ) -> list[CheckRequest]: ...

    async def add_attachment(self, attachment: Attachment, content_enc: bytes) -> None: ...

    async def list_attachments(self, request_ids: Collection[str]) -> list[Attachment]: ...

    async def attachment_content(self, attachment_id: str) -> bytes | None: ...

    async def purge_attachments(self, request_id: str, now: datetime) -> int: ...

    async def closed_before(self, cutoff: datetime) -> list[str]: ...

    async def open_received_before(self, cutoff: datetime) -> list[str]: ...

    async def add_finding(self, finding: Finding) -> None: ...

    async def list_findings(self, request_ids: Collection[str]) -> list[Finding]: ...


RepositoryFactory = Callable[[Session], Repository]
