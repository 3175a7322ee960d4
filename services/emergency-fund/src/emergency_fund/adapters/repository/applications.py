"""The repository's named applications queries on PostgreSQL (``service.ports.applications``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, select

from emergency_fund.adapters import tables
from emergency_fund.adapters.repository.base import RepositoryBase
from emergency_fund.domain.eligibility import IdentityStatus
from emergency_fund.domain.records import (
    Application,
    ApplicationCase,
    ApplicationStep,
    Case,
    ChannelPayment,
    CoReviewNote,
    CostItem,
    Disbursement,
    Notice,
    Pursuit,
    RefundDemand,
    RefundPayment,
)
from emergency_fund.service.ports.applications import InScope
from medaid_shared.pagination import PageRequest, keyset


def _in_scope(table: Table, scope: InScope) -> ColumnElement[bool]:
    conditions = []
    if scope.facility_ids is not None:
        conditions.append(table.c.facility_id.in_(list(scope.facility_ids)))
    if scope.cities is not None:
        conditions.append(table.c.city.in_(list(scope.cities)))
    return and_(True, *conditions)


def _in_state(table: Table, state: str | None) -> ColumnElement[bool]:
    return and_(True) if state is None else table.c.state == state


class SqlApplicationQueries(RepositoryBase):
    """Named queries, each one statement."""

    async def public_notices(
        self, city: str | None, now: datetime, ending_from: datetime, page: PageRequest | None, newest: int
    ) -> list[Notice]:
        """As ``ApplicationQueries``."""
        n = tables.notice
        query: Select[Any] = select(n).where(n.c.starts_at <= now, n.c.ends_at >= ending_from)
        if city:
            query = query.where(n.c.city == city)
        if page is None:
            query = query.order_by(n.c.starts_at.desc(), n.c.id.desc()).limit(newest)
        else:
            query = keyset(query, page, n.c.starts_at, n.c.id, descending=True)
        return await self.notices.all(query)

    async def facility_names(self, facility_ids: Sequence[str]) -> dict[str, str]:
        """As ``ApplicationQueries``."""
        f = tables.facility
        rows = await self.session.execute(
            select(f.c.facility_id, f.c.name).where(f.c.facility_id.in_(list(facility_ids)))
        )
        return {str(i): str(name) for i, name in rows.all()}

    async def application_page(self, scope: InScope, state: str | None, page: PageRequest) -> list[Application]:
        """As ``ApplicationQueries``."""
        a = tables.application
        query = select(a).where(_in_scope(a, scope), _in_state(a, state))
        return await self.applications.all(keyset(query, page, a.c.id))

    async def undecided_steps_of(self, application_ids: Sequence[str]) -> list[ApplicationStep]:
        """As ``ApplicationQueries``."""
        s = tables.application_step
        query = select(s).where(s.c.application_id.in_(list(application_ids)), s.c.decided_at.is_(None))
        return await self.application_steps.all(query)

    async def cases_of_application(self, application_id: str, *, active_only: bool = False) -> list[ApplicationCase]:
        """As ``ApplicationQueries``."""
        ac = tables.application_case
        query = select(ac).where(ac.c.application_id == application_id)
        if active_only:
            query = query.where(ac.c.withdrawn_reason.is_(None))
        return await self.application_cases.all(query.order_by(ac.c.case_id))

    async def steps_of(self, application_id: str) -> list[ApplicationStep]:
        """As ``ApplicationQueries``."""
        s = tables.application_step
        query = select(s).where(s.c.application_id == application_id).order_by(s.c.started_at, s.c.step)
        return await self.application_steps.all(query)

    async def co_review_notes_of(self, application_id: str) -> list[CoReviewNote]:
        """As ``ApplicationQueries``."""
        c = tables.co_review_note
        query = select(c).where(c.c.application_id == application_id).order_by(c.c.created_at, c.c.id)
        return await self.co_review_notes.all(query)

    async def notices_of(self, application_id: str) -> list[Notice]:
        """As ``ApplicationQueries``."""
        n = tables.notice
        query = select(n).where(n.c.application_id == application_id).order_by(n.c.starts_at, n.c.id)
        return await self.notices.all(query)

    async def disbursement_of(self, application_id: str, *, for_update: bool = False) -> Disbursement | None:
        """As ``ApplicationQueries``."""
        d = tables.disbursement
        query = select(d).where(d.c.application_id == application_id)
        return await self.disbursements.first(query.with_for_update() if for_update else query)

    async def cost_lists_of(self, case_ids: Sequence[str]) -> list[CostItem]:
        """As ``ApplicationQueries``."""
        i = tables.cost_item
        query = select(i).where(i.c.case_id.in_(list(case_ids))).order_by(i.c.occurred_at, i.c.id)
        return await self.cost_items.all(query)

    async def channel_payments_for_review(self, case_id: str) -> list[ChannelPayment]:
        """As ``ApplicationQueries``."""
        c = tables.channel_payment
        return await self.channel_payments.all(select(c).where(c.c.case_id == case_id).order_by(c.c.channel))

    async def cases_awaiting_identity(
        self, request_id: str, facility_id: str, patient_ref: str, *, for_update: bool = False
    ) -> list[Case]:
        """As ``ApplicationQueries``."""
        c = tables.case
        query = select(c).where(
            c.c.identity_check_request_id == request_id,
            c.c.facility_id == facility_id,
            c.c.patient_ref == patient_ref,
            c.c.identity_status == IdentityStatus.UNIDENTIFIED.value,
        )
        return await self.cases.all(query.with_for_update() if for_update else query)

    async def refund_of_case(self, case_id: str) -> RefundDemand | None:
        """As ``ApplicationQueries``."""
        r = tables.refund_demand
        return await self.refund_demands.first(select(r).where(r.c.case_id == case_id))

    async def refund_page(self, scope: InScope, state: str | None, page: PageRequest) -> list[RefundDemand]:
        """As ``ApplicationQueries``."""
        r = tables.refund_demand
        query = select(r).where(_in_scope(r, scope), _in_state(r, state))
        return await self.refund_demands.all(keyset(query, page, r.c.id))

    async def payments_of_refund(self, refund_id: str) -> list[RefundPayment]:
        """As ``ApplicationQueries``."""
        p = tables.refund_payment
        query = select(p).where(p.c.refund_id == refund_id).order_by(p.c.paid_at, p.c.id)
        return await self.refund_payments.all(query)

    async def pursuit_of_refund(self, refund_id: str) -> list[Pursuit]:
        """As ``ApplicationQueries``."""
        p = tables.pursuit
        query = select(p).where(p.c.refund_id == refund_id).order_by(p.c.recorded_at, p.c.id)
        return await self.pursuits.all(query)
