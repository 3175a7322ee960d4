"""The repository's named cases queries in memory (``service.ports.cases``)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any, TypeVar

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
from emergency_fund.service.ports.cases import CaseScope
from medaid_shared.pagination import PageRequest, sort_key
from tests_emergency_fund.memory.base import MemoryRepositoryBase

R = TypeVar("R")


def keyset_page(records: Iterable[R], page: PageRequest, key: Callable[[R], tuple[Any, ...]]) -> list[R]:
    """As ``medaid_shared.pagination.keyset``: in key order, after the cursor, at most limit + 1."""
    ordered = sorted(records, key=lambda r: sort_key(*key(r)))
    if page.after is not None:
        after = page.after
        ordered = [r for r in ordered if sort_key(*key(r)) > after]
    return ordered[: page.limit + 1]


def in_scope(scope: CaseScope, case: Case) -> bool:
    """The cases a caller sees (a hospital its facilities', everyone else its cities')."""
    if scope.facilities is not None:
        return case.facility_id in scope.facilities
    return case.city in (scope.cities or ())


class MemoryCaseQueries(MemoryRepositoryBase):
    """Named queries, answered by filtering the records."""

    def _first_case(self, test: Callable[[Case], bool]) -> Case | None:
        found = self.cases.where(test)
        return found[0] if found else None

    async def case_of_admission(self, admission_id: str, *, for_update: bool = False) -> Case | None:
        """As ``CaseQueries``."""
        return self._first_case(lambda c: c.admission_id == admission_id)

    async def case_of_patient(self, facility_id: str, patient_ref: str) -> Case | None:
        """As ``CaseQueries``."""
        return self._first_case(lambda c: (c.facility_id, c.patient_ref) == (facility_id, patient_ref))

    async def case_of_letter(self, request_id: str, *, for_update: bool = False) -> Case | None:
        """As ``CaseQueries``."""
        return self._first_case(lambda c: c.identity_check_request_id == request_id)

    async def cases_among(self, case_ids: Collection[str]) -> list[Case]:
        """As ``CaseQueries``."""
        return self.cases.where(lambda c: c.id in case_ids)

    async def cases_page(
        self, scope: CaseScope, state: str | None, facility_id: str | None, page: PageRequest
    ) -> list[Case]:
        """As ``CaseQueries``."""
        found = self.cases.where(
            lambda c: (
                in_scope(scope, c)
                and (not state or c.state == state)
                and (not facility_id or c.facility_id == facility_id)
            )
        )
        return keyset_page(found, page, lambda c: (c.id,))

    async def extension_requests(self, scope: CaseScope, states: Collection[str], page: PageRequest) -> list[Case]:
        """As ``CaseQueries``."""
        found = self.cases.where(
            lambda c: in_scope(scope, c) and c.extension_status == "requested" and c.state in states
        )
        return keyset_page(found, page, lambda c: (c.id,))

    async def exclusion_proposals(
        self, scope: CaseScope, states: Collection[str], item_status: str, page: PageRequest
    ) -> list[tuple[str, str | None]]:
        """As ``CaseQueries``."""
        scoped = {c.id: c for c in self.cases.where(lambda c: in_scope(scope, c) and c.state in states)}
        keys: list[tuple[str, str]] = [(c.id, "") for c in scoped.values() if c.exclusion_proposed is not None]
        keys += [
            (i.case_id, i.id)
            for i in self.cost_items.where(lambda i: i.case_id in scoped and i.exclusion_status == item_status)
        ]
        return [(c, i or None) for c, i in keyset_page(keys, page, lambda k: k)]

    async def channels_awaiting(
        self, channels: Collection[str], scope: CaseScope, states: Collection[str], page: PageRequest
    ) -> list[ChannelPayment]:
        """As ``CaseQueries``."""
        scoped = {c.id for c in self.cases.where(lambda c: in_scope(scope, c) and c.state in states)}
        found = self.channel_payments.where(
            lambda p: p.status == "claimed" and p.channel in channels and p.case_id in scoped
        )
        return keyset_page(found, page, lambda p: (p.case_id, p.channel))

    async def undestitute_cases_of_person(self, id_digest: str) -> list[Case]:
        """As ``CaseQueries``."""
        return self.cases.where(lambda c: c.id_digest == id_digest and not c.destitute)

    async def undecided_cases_of_person(self, id_digest: str, states: Collection[str]) -> list[Case]:
        """As ``CaseQueries``."""
        return self.cases.where(lambda c: c.id_digest == id_digest and c.state in states)

    async def cost_items_of(self, case_id: str) -> list[CostItem]:
        """As ``CaseQueries``."""
        return sorted(self.cost_items.where(lambda i: i.case_id == case_id), key=lambda i: (i.occurred_at, i.id))

    async def cost_items_among(self, item_ids: Collection[str]) -> list[CostItem]:
        """As ``CaseQueries``."""
        return self.cost_items.where(lambda i: i.id in item_ids)

    async def channel_payments_of(self, case_id: str) -> list[ChannelPayment]:
        """As ``CaseQueries``."""
        return sorted(self.channel_payments.where(lambda p: p.case_id == case_id), key=lambda p: p.channel)

    async def civil_affairs_checks_of(self, case_id: str) -> list[CivilAffairsCheck]:
        """As ``CaseQueries`` (in the order added: the memory tier numbers no ``seq``)."""
        return self.civil_affairs_checks.where(lambda c: c.case_id == case_id)

    async def diseases_coded(self, code: str) -> list[Disease]:
        """As ``CaseQueries``."""
        return self.diseases.where(lambda d: d.code == code)

    async def live_settlements_of_admission(self, admission_id: str) -> list[Settlement]:
        """As ``CaseQueries``."""
        return self.settlements.where(lambda s: s.admission_id == admission_id and not s.reversed)

    async def person_of_digest(self, id_digest: str) -> Person | None:
        """As ``CaseQueries``."""
        found = self.persons.where(lambda p: p.id_digest == id_digest)
        return found[0] if found else None

    async def listed(self, id_digest: str, city: str | None = None) -> bool:
        """As ``CaseQueries``."""
        return bool(
            self.blacklist_entries.where(
                lambda b: b.id_digest == id_digest and b.lifted_at is None and (city is None or b.city == city)
            )
        )

    async def blacklist_page(self, city: str, active_only: bool, page: PageRequest) -> list[Blacklist]:
        """As ``CaseQueries``."""
        found = self.blacklist_entries.where(lambda b: b.city == city and (not active_only or b.lifted_at is None))
        return keyset_page(found, page, lambda b: (b.id,))
