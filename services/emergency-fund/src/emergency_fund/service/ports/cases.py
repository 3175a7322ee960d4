"""The repository's named queries over cases, their cost items, channels, identity signals, stays, exclusions and the blacklist."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from emergency_fund.domain.records import (
    Blacklist,
    Case,
    ChannelPayment,
    CivilAffairsCheck,
    CostItem,
    Disease,
    Person,
    Settlement,
)
from medaid_shared.pagination import PageRequest


@dataclass(frozen=True)
class CaseScope:
    """Whose cases a caller sees: a hospital its facilities' (``facilities``), everyone else
    its cities' (``cities``); exactly one of them is set."""

    facilities: tuple[str, ...] | None = None
    cities: tuple[str, ...] | None = None


class CaseQueries(Protocol):
    """Queries beyond a record's key (each names what it answers)."""

    async def case_of_admission(self, admission_id: str, *, for_update: bool = False) -> Case | None:
        """The case of referral's admission (one per admission)."""
        ...

    async def case_of_patient(self, facility_id: str, patient_ref: str) -> Case | None:
        """The case of a hospital's admission number (one per admission number, GD-16.3)."""
        ...

    async def case_of_letter(self, request_id: str, *, for_update: bool = False) -> Case | None:
        """The case that rests on an identity-check request (police letter; one per letter, GD-16.3)."""
        ...

    async def cases_among(self, case_ids: Collection[str]) -> list[Case]:
        """The cases with these ids (any order)."""
        ...

    async def cases_page(
        self, scope: CaseScope, state: str | None, facility_id: str | None, page: PageRequest
    ) -> list[Case]:
        """One page of the cases in scope (optionally in one state, of one facility), by id."""
        ...

    async def extension_requests(self, scope: CaseScope, states: Collection[str], page: PageRequest) -> list[Case]:
        """GD-13.3: one page of the cases in scope (in ``states``) whose extension request
        awaits a decision, by id."""
        ...

    async def exclusion_proposals(
        self, scope: CaseScope, states: Collection[str], item_status: str, page: PageRequest
    ) -> list[tuple[str, str | None]]:
        """GD-14: one page of the exclusion proposals of the cases in scope (in ``states``) —
        a whole case's (cost item None) and its cost items' in ``item_status`` — as (case id,
        cost item id), by case and then cost item (the case's own first)."""
        ...

    async def channels_awaiting(
        self, channels: Collection[str], scope: CaseScope, states: Collection[str], page: PageRequest
    ) -> list[ChannelPayment]:
        """GD-18.1: one page of the hospital's channel claims (of ``channels``) not yet
        confirmed, of the cases in scope (in ``states``), by case and channel."""
        ...

    async def undestitute_cases_of_person(self, id_digest: str) -> list[Case]:
        """GD-22.3: the person's cases (by the fund's index of the ID number) not yet known destitute."""
        ...

    async def undecided_cases_of_person(self, id_digest: str, states: Collection[str]) -> list[Case]:
        """GD-24: the person's cases in ``states`` (those a listing still flags)."""
        ...

    async def cost_items_of(self, case_id: str) -> list[CostItem]:
        """The case's cost list, by time and id."""
        ...

    async def cost_items_among(self, item_ids: Collection[str]) -> list[CostItem]:
        """The cost items with these ids (any order)."""
        ...

    async def channel_payments_of(self, case_id: str) -> list[ChannelPayment]:
        """What each existing channel paid for the case, by channel."""
        ...

    async def civil_affairs_checks_of(self, case_id: str) -> list[CivilAffairsCheck]:
        """Civil affairs' checks of the case, oldest first (the latest decides)."""
        ...

    async def diseases_coded(self, code: str) -> list[Disease]:
        """The catalogue entries (every scope and period) of a disease code (GD-12)."""
        ...

    async def live_settlements_of_admission(self, admission_id: str) -> list[Settlement]:
        """Settlement's statements of an admission that are not reversed (GD-22.3)."""
        ...

    async def person_of_digest(self, id_digest: str) -> Person | None:
        """Referral's destitute person with this index of the ID number (GD-22.3)."""
        ...

    async def listed(self, id_digest: str, city: str | None = None) -> bool:
        """GD-24: whether the person is on a blacklist (the city's, or any) and not lifted."""
        ...

    async def blacklist_page(self, city: str, active_only: bool, page: PageRequest) -> list[Blacklist]:
        """One page of a city's blacklist (only the entries not lifted, ``active_only``), by id."""
        ...
