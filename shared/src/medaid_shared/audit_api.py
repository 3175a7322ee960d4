"""The auditors' read API of a service's decision log (SPEC 0.3: the auditor oversees,
read-only): ``GET /audit/status`` verifies every hash chain — against a head digest the
auditor recorded earlier, if given — and answers the digest to record now, as
``medaid audit verify [--head]`` and ``medaid audit head`` do from the command line.
Mounted on every service by the kernel."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from medaid_shared import clock
from medaid_shared.audit import ChainStatus, HeadDigest, chain_status
from medaid_shared.auth import CurrentPrincipal
from medaid_shared.authz import Role
from medaid_shared.errors import Forbidden
from medaid_shared.runtime import Runtime

HEAD_PATTERN = r"^[0-9]{1,18}:[0-9a-f]{64}$"


class AuditHead(BaseModel):
    """A head digest: every chain up to entry ``seq`` (entries older than a minute)."""

    seq: int = Field(description="the last entry the digest covers")
    entries: int = Field(description="entries the digest covers")
    digest: str = Field(description="sha256 over each chain's subject, length and last hash")
    recorded_as: str = Field(description="what an auditor writes down: SEQ:DIGEST", examples=["42:" + "0" * 64])


class AuditStatus(BaseModel):
    """One service's decision log as an auditor checks it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "service": "settlement",
                    "checked_at": "2026-12-14T01:00:00Z",
                    "verified": True,
                    "entries": 1842,
                    "chains": 311,
                    "broken_entry": None,
                    "reason": None,
                    "published": "1790:" + "3f" * 32,
                    "head": {"seq": 1841, "entries": 1841, "digest": "9c" * 32, "recorded_as": "1841:" + "9c" * 32},
                    "last_entry_at": "2026-12-14T00:58:12Z",
                }
            ]
        }
    )

    service: str
    checked_at: datetime
    verified: bool = Field(description="every chain ends at its head (and reproduces `published`, if given)")
    entries: int = Field(description="entries read until the end or the first break")
    chains: int = Field(description="hash chains in the log (one per subject)")
    broken_entry: int | None = Field(None, description="the entry where verification failed, if it did at one")
    reason: str | None = Field(None, description="why verification failed")
    published: str | None = Field(None, description="the recorded head digest checked against (SEQ:DIGEST)")
    head: AuditHead = Field(description="the head digest to record now")
    last_entry_at: datetime | None = None


def _status_of(service: str, status: ChainStatus) -> AuditStatus:
    report, head, published = status.report, status.head, status.published
    return AuditStatus(
        service=service,
        checked_at=clock.now(),
        verified=report.ok,
        entries=report.entries,
        chains=status.chains,
        broken_entry=report.broken_at,
        reason=report.reason or None,
        published=f"{published.seq}:{published.digest}" if published else None,
        head=AuditHead(seq=head.seq, entries=head.entries, digest=head.digest, recorded_as=f"{head.seq}:{head.digest}"),
        last_entry_at=status.last_entry_at,
    )


def audit_router() -> APIRouter:
    """``GET /audit/status``, mounted on every service."""
    router = APIRouter(prefix="/audit", tags=["audit"])

    @router.get("/status", response_model=AuditStatus, summary="Verify the decision log's hash chains")
    async def get_audit_status(
        principal: CurrentPrincipal,
        request: Request,
        head: Annotated[
            str | None,
            Query(
                pattern=HEAD_PATTERN,
                description="a head digest recorded earlier (SEQ:DIGEST): the log must still reproduce it",
            ),
        ] = None,
    ) -> AuditStatus:
        """Auditors only. Walks every chain: an edited, inserted or deleted entry, or a
        head rewritten to hide a deletion (caught by a recorded ``head``), answers
        ``verified: false`` with where and why."""
        if principal.role != Role.AUDITOR:
            raise Forbidden("the audit-chain status is for the auditor role")
        published = None
        if head is not None:
            seq, _, digest = head.partition(":")
            published = HeadDigest(int(seq), 0, digest)
        runtime: Runtime = request.app.state.runtime
        status = await chain_status(runtime.db, published)
        return _status_of(runtime.settings.service_name, status)

    return router
