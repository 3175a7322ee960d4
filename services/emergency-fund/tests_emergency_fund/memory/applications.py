"""The repository's named applications queries in memory (``service.ports.applications``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

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
from medaid_shared.pagination import PageRequest, sort_key
from tests_emergency_fund.memory.base import MemoryRepositoryBase

R = TypeVar("R")


def keyset_page(
    found: Iterable[R], page: PageRequest, key: Callable[[R], tuple[Any, ...]], *, descending: bool = False
) -> list[R]:
    """What ``medaid_shared.pagination.keyset`` selects in SQL: the records after the
    cursor in key order, at most ``limit + 1``."""
    ordered = sorted(found, key=lambda r: sort_key(*key(r)), reverse=descending)
    if page.after is not None:
        after = tuple(page.after)
        ordered = [r for r in ordered if (sort_key(*key(r)) < after if descending else sort_key(*key(r)) > after)]
    return ordered[: page.limit + 1]


def _in_scope(record: Any, scope: InScope) -> bool:
    return (scope.facility_ids is None or record.facility_id in scope.facility_ids) and (
        scope.cities is None or record.city in scope.cities
    )


class MemoryApplicationQueries(MemoryRepositoryBase):
    """Named queries, answered by filtering the records."""

    async def public_notices(
        self, city: str | None, now: datetime, ending_from: datetime, page: PageRequest | None, newest: int
    ) -> list[Notice]:
        """As ``ApplicationQueries``."""
        found = self.notices.where(
            lambda n: n.starts_at <= now and n.ends_at >= ending_from and (not city or n.city == city)
        )
        if page is None:
            return sorted(found, key=lambda n: (n.starts_at, n.id), reverse=True)[:newest]
        return keyset_page(found, page, lambda n: (n.starts_at, n.id), descending=True)

    async def facility_names(self, facility_ids: Sequence[str]) -> dict[str, str]:
        """As ``ApplicationQueries``."""
        return {f.facility_id: f.name for f in self.facilities.where(lambda f: f.facility_id in facility_ids)}

    async def application_page(self, scope: InScope, state: str | None, page: PageRequest) -> list[Application]:
        """As ``ApplicationQueries``."""
        found = self.applications.where(lambda a: _in_scope(a, scope) and (state is None or a.state == state))
        return keyset_page(found, page, lambda a: (a.id,))

    async def undecided_steps_of(self, application_ids: Sequence[str]) -> list[ApplicationStep]:
        """As ``ApplicationQueries``."""
        return self.application_steps.where(lambda s: s.application_id in application_ids and s.decided_at is None)

    async def cases_of_application(self, application_id: str, *, active_only: bool = False) -> list[ApplicationCase]:
        """As ``ApplicationQueries``."""
        found = self.application_cases.where(
            lambda ac: ac.application_id == application_id and not (active_only and ac.withdrawn_reason is not None)
        )
        return sorted(found, key=lambda ac: ac.case_id)

    async def steps_of(self, application_id: str) -> list[ApplicationStep]:
        """As ``ApplicationQueries``."""
        found = self.application_steps.where(lambda s: s.application_id == application_id)
        return sorted(found, key=lambda s: (s.started_at, s.step))

    async def co_review_notes_of(self, application_id: str) -> list[CoReviewNote]:
        """As ``ApplicationQueries``."""
        found = self.co_review_notes.where(lambda n: n.application_id == application_id)
        return sorted(found, key=lambda n: (n.created_at, n.id))

    async def notices_of(self, application_id: str) -> list[Notice]:
        """As ``ApplicationQueries``."""
        found = self.notices.where(lambda n: n.application_id == application_id)
        return sorted(found, key=lambda n: (n.starts_at, n.id))

    async def disbursement_of(self, application_id: str, *, for_update: bool = False) -> Disbursement | None:
        """As ``ApplicationQueries``."""
        found = self.disbursements.where(lambda d: d.application_id == application_id)
        return found[0] if found else None

    async def cost_lists_of(self, case_ids: Sequence[str]) -> list[CostItem]:
        """As ``ApplicationQueries``."""
        found = self.cost_items.where(lambda i: i.case_id in case_ids)
        return sorted(found, key=lambda i: (i.occurred_at, i.id))

    async def channel_payments_for_review(self, case_id: str) -> list[ChannelPayment]:
        """As ``ApplicationQueries``."""
        return sorted(self.channel_payments.where(lambda c: c.case_id == case_id), key=lambda c: c.channel)

    async def cases_awaiting_identity(
        self, request_id: str, facility_id: str, patient_ref: str, *, for_update: bool = False
    ) -> list[Case]:
        """As ``ApplicationQueries``."""
        return self.cases.where(
            lambda c: (
                c.identity_check_request_id == request_id
                and c.facility_id == facility_id
                and c.patient_ref == patient_ref
                and c.identity_status == IdentityStatus.UNIDENTIFIED.value
            )
        )

    async def refund_of_case(self, case_id: str) -> RefundDemand | None:
        """As ``ApplicationQueries``."""
        found = self.refund_demands.where(lambda r: r.case_id == case_id)
        return found[0] if found else None

    async def refund_page(self, scope: InScope, state: str | None, page: PageRequest) -> list[RefundDemand]:
        """As ``ApplicationQueries``."""
        found = self.refund_demands.where(lambda r: _in_scope(r, scope) and (state is None or r.state == state))
        return keyset_page(found, page, lambda r: (r.id,))

    async def payments_of_refund(self, refund_id: str) -> list[RefundPayment]:
        """As ``ApplicationQueries``."""
        found = self.refund_payments.where(lambda p: p.refund_id == refund_id)
        return sorted(found, key=lambda p: (p.paid_at, p.id))

    async def pursuit_of_refund(self, refund_id: str) -> list[Pursuit]:
        """As ``ApplicationQueries``."""
        found = self.pursuits.where(lambda p: p.refund_id == refund_id)
        return sorted(found, key=lambda p: (p.recorded_at, p.id))
