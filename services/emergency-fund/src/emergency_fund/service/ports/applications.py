"""The repository's named queries over applications, review steps, notices, disbursements and refunds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

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
from medaid_shared.pagination import PageRequest


@dataclass(frozen=True)
class InScope:
    """The records a caller may list: those of its facilities (a hospital), else of its cities."""

    facility_ids: tuple[str, ...] | None = None
    cities: tuple[str, ...] | None = None


class ApplicationQueries(Protocol):
    """Queries beyond a record's key (each names what it answers)."""

    async def public_notices(
        self, city: str | None, now: datetime, ending_from: datetime, page: PageRequest | None, newest: int
    ) -> list[Notice]:
        """GD-21: the notices started by ``now`` that end at or after ``ending_from`` (of one
        city, or all), the latest to start first (then by id, descending): one page of them
        (``page``), else the ``newest`` ones."""
        ...

    async def facility_names(self, facility_ids: Sequence[str]) -> dict[str, str]:
        """The names of these facilities (those known), by facility id."""
        ...

    async def application_page(self, scope: InScope, state: str | None, page: PageRequest) -> list[Application]:
        """One page of the applications in scope (optionally in one state), by id."""
        ...

    async def undecided_steps_of(self, application_ids: Sequence[str]) -> list[ApplicationStep]:
        """GD-20.2: the review steps of these applications not decided yet."""
        ...

    async def cases_of_application(self, application_id: str, *, active_only: bool = False) -> list[ApplicationCase]:
        """The cases an application gathers, by case id (``active_only``: those not withdrawn, GD-16.4)."""
        ...

    async def steps_of(self, application_id: str) -> list[ApplicationStep]:
        """An application's review steps, in the order started."""
        ...

    async def co_review_notes_of(self, application_id: str) -> list[CoReviewNote]:
        """GD-20.2: the co-reviewers' notes on an application, in the order written."""
        ...

    async def notices_of(self, application_id: str) -> list[Notice]:
        """GD-21: an application's public notices (hospital's and agency's), in the order started."""
        ...

    async def disbursement_of(self, application_id: str, *, for_update: bool = False) -> Disbursement | None:
        """The disbursement of an application (at most one, GD-21)."""
        ...

    async def cost_lists_of(self, case_ids: Sequence[str]) -> list[CostItem]:
        """GD-20.1: the cost items of these cases, by when they occurred (then id)."""
        ...

    async def channel_payments_for_review(self, case_id: str) -> list[ChannelPayment]:
        """GD-18.1: a case's other payment channels, as the agency's review weighs them."""
        ...

    async def cases_awaiting_identity(
        self, request_id: str, facility_id: str, patient_ref: str, *, for_update: bool = False
    ) -> list[Case]:
        """GD-16.4: the still unidentified cases resting on one identity-check request of a
        facility's patient."""
        ...

    async def refund_of_case(self, case_id: str) -> RefundDemand | None:
        """GD-16.4: the refund demand of a case (at most one)."""
        ...

    async def refund_page(self, scope: InScope, state: str | None, page: PageRequest) -> list[RefundDemand]:
        """One page of the refund demands in scope (optionally in one state), by id."""
        ...

    async def payments_of_refund(self, refund_id: str) -> list[RefundPayment]:
        """GD-16.4: what the hospital returned of a demand, in the order paid."""
        ...

    async def pursuit_of_refund(self, refund_id: str) -> list[Pursuit]:
        """GD-16.4: the steps of pursuing the patient for a demand, in the order recorded."""
        ...
