"""The inter-department information-sharing feed (LJ-18).

Every service serves, per department, the events it published that the department is
entitled to, masked for that department: ``GET /feed/{department}?after=<cursor>`` pages
through them in commit order (the cursor is the feed position the relay assigns when it
publishes, so a poller never misses or repeats an event), and
``GET /feed/{department}/stream`` pushes them live as server-sent events. Events never
carry full ID numbers, names or photos to begin with (SPEC 0.4); the feed removes what a
department has no need for on top of that (the data-minimisation table,
:mod:`medaid_shared.minimisation`), and shows a scoped department only its jurisdiction,
district or city.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, and_, or_, select
from sse_starlette.sse import EventSourceResponse

from medaid_shared.auth import CurrentPrincipal
from medaid_shared.authz import Principal, Role
from medaid_shared.errors import Forbidden, NotFound
from medaid_shared.minimisation import REFERENCE_EVENTS, feed_redactions
from medaid_shared.responses import on_the_wire
from medaid_shared.runtime import Runtime


@dataclass(frozen=True)
class Entitlement:
    """What one department sees: event types (by name, ``*`` for all), fields removed, and
    the scope kind (``jurisdiction``, ``district``, ``city``) its callers are limited to."""

    role: Role
    events: frozenset[str]
    redact: frozenset[str] = frozenset()
    scope: str | None = None

    def allows(self, event_type: str) -> bool:
        return "*" in self.events or event_type.rsplit(".", 1)[-1] in self.events


# LJ-18: where an event says which jurisdiction, district or city it belongs to.
SCOPE_FIELDS: Mapping[str, tuple[str, ...]] = {
    "jurisdiction": ("bureau_id", "police_jurisdiction"),
    "district": ("district",),
    "city": ("city",),
}


def _entitled(role: Role, department: str, events: set[str], scope: str | None = None) -> Entitlement:
    # SPEC 0.4: what the feed removes comes from the data-minimisation table.
    return Entitlement(role, frozenset(events), feed_redactions(department), scope)


_CIVIL_AFFAIRS_EVENTS = {
    "PersonRegistered",
    "PersonUpdated",
    "FacilityRegistered",
    "FacilityUpdated",
    "AdmissionFiled",
    "AdmissionComplianceChanged",
    "FilingCompleted",
    "FilingOverdue",
    "EmergencyAssistanceReferred",
    "EmergencyDetermined",
    "EmergencyExemptionWithdrawn",
    "UnfiledCareAdviserRecorded",
    "DischargeRecorded",
    "DischargeDocumentsOverdue",
    "FollowUpOverdue",
    "ConsentSigned",
    "Rank4AcknowledgementOverdue",
    # LJ-10: a rank-4 signature on a major public interest awaiting civil affairs' decision,
    # and its rejection (its confirmation is the ConsentSigned that follows)
    "Rank4PublicInterestPending",
    "Rank4PublicInterestRejected",
    "SelfPayProposed",
    "SelfPayReviewed",
    "SelfPayDecided",
    "SelfPayReopened",
    "MajorTreatmentEvaluated",
    # LJ-11.3 / LJ-11.1: a rescue reopened for consent when the emergency's exemptions are
    # withdrawn; civil affairs follows the consent (and the rank-4 signature) it now needs
    "TreatmentReopened",
    "SettlementCompleted",
    "SettlementReversed",
    "ManualReimbursementRequested",
    "ManualReimbursementProgressed",
    "CostAnomalyFlagged",
    "CostAnomalyWithdrawn",
    "IdentityVerified",
    "FundApplicationSubmitted",
    "FundApplicationReviewed",
    "PublicNoticePublished",
    "FundDisbursed",
    "FundRefundDemanded",
}
_FUND_EVENTS = {
    "FundApplicationSubmitted",
    "FundApplicationReviewed",
    "FundStepOverdue",
    "PublicNoticePublished",
    "FundDisbursed",
    "FundRefundDemanded",
    "FundRefundRecorded",
    "FundRefundOverdue",
    "FundWrittenOff",
    "FundTrainingDue",
    "FundPreallocationBelowMinimum",
}

# LJ-18: each department sees only what it is entitled to, and only within its scope: a
# police bureau its jurisdiction, a district's civil affairs its district, a city's fund
# agency and finance bureau their city. Data, not code paths.
DEPARTMENTS: Mapping[str, Entitlement] = {
    "civil_affairs": _entitled(Role.CIVIL_AFFAIRS, "civil_affairs", _CIVIL_AFFAIRS_EVENTS, "district"),
    "medical_insurance": _entitled(
        Role.MEDICAL_INSURANCE,
        "medical_insurance",
        {
            "FacilityRegistered",
            "FacilityUpdated",
            "AdmissionFiled",
            "AdmissionComplianceChanged",
            "FilingCompleted",
            "UnfiledCareAdviserRecorded",
            "DischargeRecorded",
            "DischargeDocumentsOverdue",
            "SelfPayDecided",
            "SelfPayReopened",
            "SettlementCompleted",
            "SettlementReversed",
            "ManualReimbursementRequested",
            "ManualReimbursementProgressed",
            "CostAnomalyFlagged",
            "CostAnomalyWithdrawn",
            "FundApplicationSubmitted",
            "FundApplicationReviewed",
            "FundDisbursed",
        },
    ),
    "health_bureau": _entitled(
        Role.HEALTH_BUREAU,
        "health_bureau",
        {
            "FacilityRegistered",
            "FacilityUpdated",
            "DischargeRecorded",
            "DischargeDocumentsOverdue",
            "MajorTreatmentEvaluated",
            "CostAnomalyFlagged",
            "CostAnomalyWithdrawn",
            "FundApplicationSubmitted",
            "FundApplicationReviewed",
            "FundStepOverdue",
            "PublicNoticePublished",
            "FundDisbursed",
        },
    ),
    "police": _entitled(
        Role.POLICE,
        "police",
        {"IdentityCheckRequested", "IdentityVerified", "IdentityCheckOverdue", "FundRefundDemanded"},
        "jurisdiction",
    ),
    "fund_agency": _entitled(Role.FUND_AGENCY, "fund_agency", _FUND_EVENTS, "city"),
    "finance": _entitled(
        Role.FINANCE,
        "finance",
        {
            "FundApplicationReviewed",
            "FundStepOverdue",
            "PublicNoticePublished",
            "FundDisbursed",
            "FundRefundDemanded",
            "SettlementCompleted",
            "SettlementReversed",
        },
        "city",
    ),
    "auditor": _entitled(Role.AUDITOR, "auditor", {"*"}),
}


class FeedEvent(BaseModel):
    position: int
    id: str
    type: str
    source: str
    time: str
    subject: str | None
    data: dict[str, Any]


class FeedPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "department": "civil_affairs",
                    "events": [
                        {
                            "position": 1207,
                            "id": "01a262f1-7100-7971-ac9e-fdb39788f63d",
                            "type": "medaid.settlement.SettlementCompleted",
                            "source": "settlement",
                            "time": "2026-12-11T02:31:00Z",
                            "subject": "01a22f94-a340-725f-8166-77cff015ea38",
                            "data": {"admission_id": "01a22f94-a340-725f-8166-77cff015ea38", "total": "2850.00"},
                        }
                    ],
                    "next_cursor": 1208,
                    "has_more": False,
                }
            ]
        }
    )

    department: str
    events: list[FeedEvent]
    next_cursor: int
    has_more: bool


def redact(data: Any, fields: frozenset[str]) -> Any:
    if isinstance(data, dict):
        return {k: redact(v, fields) for k, v in data.items() if k not in fields}
    if isinstance(data, list):
        return [redact(v, fields) for v in data]
    return data


def entitlement_for(department: str, principal: Principal) -> tuple[Entitlement, frozenset[str] | None]:
    """The department's entitlement and the caller's scope ids (``None``: not scoped)."""
    ent = DEPARTMENTS.get(department)
    if ent is None:
        raise NotFound(f"no feed for department {department!r}; known: {', '.join(DEPARTMENTS)}", field="department")
    if principal.role != ent.role:
        raise Forbidden(f"the {department} feed is for role {ent.role.value}, not {principal.role.value}")
    if ent.scope is None:
        return ent, None
    ids = frozenset(principal.scope_ids(ent.scope))
    if not ids:
        # LJ-18: a scoped department's caller without a scope sees nothing, not everything.
        raise Forbidden(f"the {department} feed needs a {ent.scope} scope in the token")
    return ent, ids


def _in_scope(runtime: Runtime, t: Any, kind: str, ids: frozenset[str]) -> ColumnElement[bool]:
    """LJ-18: an event is in the caller's scope when it names one of the caller's ids; an
    event naming none is in the scope the service itself serves (its configured district or
    city), if any; events about no one (reference data) are in every scope."""
    fields = SCOPE_FIELDS[kind]
    service = runtime.settings.feed_scopes().get(kind)
    service_types = f"medaid.{runtime.settings.service_name}."
    conds: list[ColumnElement[bool]] = [t.c.payload[f].astext.in_(sorted(ids)) for f in fields]
    conds.append(t.c.event_type.in_([service_types + name for name in REFERENCE_EVENTS]))
    if service is not None and service in ids:
        conds.append(and_(*[t.c.payload[f].astext.is_(None) for f in fields]))
    return or_(*conds)


async def read_feed(
    runtime: Runtime,
    ent: Entitlement,
    department: str,
    after: int,
    limit: int,
    scope_ids: frozenset[str] | None = None,
) -> FeedPage:
    t = runtime.db.tables.outbox
    source = f"/medaid/{runtime.settings.service_name}"
    events: list[FeedEvent] = []
    cursor = after
    async with runtime.db.read() as s:
        # Scan in position order; entitlement filtering in SQL would need the type list per
        # department, which is small, so it is pushed down as an IN list.
        query = select(t).where(t.c.feed_position > after).order_by(t.c.feed_position).limit(limit + 1)
        if "*" not in ent.events:
            types = [f"medaid.{runtime.settings.service_name}.{name}" for name in ent.events]
            query = query.where(t.c.event_type.in_(types))
        if ent.scope is not None:
            query = query.where(_in_scope(runtime, t, ent.scope, scope_ids or frozenset()))
        rows = (await s.execute(query)).mappings().all()
    for row in rows[:limit]:
        cursor = row["feed_position"]
        events.append(
            FeedEvent(
                position=row["feed_position"],
                id=str(row["id"]),
                type=row["event_type"],
                source=source,
                time=row["occurred_at"].isoformat(),
                subject=row["subject"],
                data=redact(row["payload"], ent.redact),
            )
        )
    return FeedPage(department=department, events=events, next_cursor=cursor, has_more=len(rows) > limit)


def feed_router() -> APIRouter:
    router = APIRouter(prefix="/feed", tags=["information-sharing feed (LJ-18)"])

    @router.get("/{department}", response_model=FeedPage, summary="Page through a department's feed")
    async def get_feed(
        department: str,
        principal: CurrentPrincipal,
        request: Request,
        after: Annotated[int, Query(ge=0, description="the next_cursor of the previous page; 0 to start")] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> FeedPage:
        """Events in commit order after the cursor. Poll with the returned ``next_cursor``:
        nothing is missed or repeated."""
        ent, ids = entitlement_for(department, principal)
        return await read_feed(request.app.state.runtime, ent, department, after, limit, ids)

    @router.get(
        "/{department}/stream",
        summary="Live feed (server-sent events)",
        response_class=EventSourceResponse,
        responses={
            200: {
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
                "description": "One `event` per feed event (its type), `id` its position, `data` the event as JSON",
            }
        },
    )
    async def stream_feed(
        department: str,
        principal: CurrentPrincipal,
        request: Request,
        after: Annotated[int, Query(ge=0)] = 0,
    ) -> EventSourceResponse:
        """Server-sent events: one ``event`` per feed event, ``id`` = its position (a client
        reconnecting with ``Last-Event-ID`` resumes after it)."""
        ent, ids = entitlement_for(department, principal)
        runtime: Runtime = request.app.state.runtime
        last_id = request.headers.get("last-event-id")
        start = int(last_id) if last_id and last_id.isdigit() else after

        async def events() -> AsyncIterator[dict[str, str]]:
            cursor = start
            while not await request.is_disconnected():
                page = await read_feed(runtime, ent, department, cursor, 100, ids)
                for event in page.events:
                    yield {
                        "id": str(event.position),
                        "event": event.type,
                        "data": json.dumps(on_the_wire(event.model_dump())),
                    }
                cursor = page.next_cursor
                if not page.has_more:
                    await asyncio.sleep(1.0)

        return EventSourceResponse(events())

    return router
