"""The repository's named cases queries on PostgreSQL (``service.ports.cases``)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, Select, String, literal, select, union_all

from emergency_fund.adapters import tables
from emergency_fund.adapters.repository.base import RepositoryBase
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
from medaid_shared.pagination import PageRequest, keyset

_case = tables.case


def _in_scope(scope: CaseScope) -> ColumnElement[bool]:
    """The cases a caller sees (a hospital its facilities', everyone else its cities')."""
    if scope.facilities is not None:
        return _case.c.facility_id.in_(list(scope.facilities))
    return _case.c.city.in_(list(scope.cities or ()))


def _scoped_ids(scope: CaseScope, states: Collection[str]) -> Select[tuple[str]]:
    return select(_case.c.id).where(_in_scope(scope), _case.c.state.in_(sorted(states)))


class SqlCaseQueries(RepositoryBase):
    """Named queries, each one statement."""

    async def _one_case(self, condition: ColumnElement[bool], for_update: bool) -> Case | None:
        query = select(_case).where(condition)
        return await self.cases.first(query.with_for_update() if for_update else query)

    async def case_of_admission(self, admission_id: str, *, for_update: bool = False) -> Case | None:
        """As ``CaseQueries``."""
        return await self._one_case(_case.c.admission_id == admission_id, for_update)

    async def case_of_patient(self, facility_id: str, patient_ref: str) -> Case | None:
        """As ``CaseQueries``."""
        return await self._one_case((_case.c.facility_id == facility_id) & (_case.c.patient_ref == patient_ref), False)

    async def case_of_letter(self, request_id: str, *, for_update: bool = False) -> Case | None:
        """As ``CaseQueries``."""
        return await self._one_case(_case.c.identity_check_request_id == request_id, for_update)

    async def cases_among(self, case_ids: Collection[str]) -> list[Case]:
        """As ``CaseQueries``."""
        if not case_ids:
            return []
        return await self.cases.all(select(_case).where(_case.c.id.in_(sorted(case_ids))))

    async def cases_page(
        self, scope: CaseScope, state: str | None, facility_id: str | None, page: PageRequest
    ) -> list[Case]:
        """As ``CaseQueries``."""
        query = select(_case).where(_in_scope(scope))
        if state:
            query = query.where(_case.c.state == state)
        if facility_id:
            query = query.where(_case.c.facility_id == facility_id)
        return await self.cases.all(keyset(query, page, _case.c.id))

    async def extension_requests(self, scope: CaseScope, states: Collection[str], page: PageRequest) -> list[Case]:
        """As ``CaseQueries``."""
        query = select(_case).where(
            _in_scope(scope), _case.c.extension_status == "requested", _case.c.state.in_(sorted(states))
        )
        return await self.cases.all(keyset(query, page, _case.c.id))

    async def exclusion_proposals(
        self, scope: CaseScope, states: Collection[str], item_status: str, page: PageRequest
    ) -> list[tuple[str, str | None]]:
        """As ``CaseQueries``."""
        item = tables.cost_item
        scoped = _scoped_ids(scope, states)
        proposals = union_all(
            select(_case.c.id.label("case_id"), literal("", String).label("cost_item_id")).where(
                _case.c.id.in_(scoped), _case.c.exclusion_proposed.is_not(None)
            ),
            select(item.c.case_id, item.c.id).where(item.c.case_id.in_(scoped), item.c.exclusion_status == item_status),
        ).subquery()
        query = keyset(select(proposals), page, proposals.c.case_id, proposals.c.cost_item_id)
        return [(str(c), str(i) or None) for c, i in (await self.session.execute(query)).all()]

    async def channels_awaiting(
        self, channels: Collection[str], scope: CaseScope, states: Collection[str], page: PageRequest
    ) -> list[ChannelPayment]:
        """As ``CaseQueries``."""
        cp = tables.channel_payment
        query = select(cp).where(
            cp.c.status == "claimed", cp.c.channel.in_(list(channels)), cp.c.case_id.in_(_scoped_ids(scope, states))
        )
        return await self.channel_payments.all(keyset(query, page, cp.c.case_id, cp.c.channel))

    async def undestitute_cases_of_person(self, id_digest: str) -> list[Case]:
        """As ``CaseQueries``."""
        return await self.cases.all(select(_case).where(_case.c.id_digest == id_digest, _case.c.destitute.is_(False)))

    async def undecided_cases_of_person(self, id_digest: str, states: Collection[str]) -> list[Case]:
        """As ``CaseQueries``."""
        query = select(_case).where(_case.c.id_digest == id_digest, _case.c.state.in_(sorted(states)))
        return await self.cases.all(query)

    async def cost_items_of(self, case_id: str) -> list[CostItem]:
        """As ``CaseQueries``."""
        item = tables.cost_item
        query = select(item).where(item.c.case_id == case_id).order_by(item.c.occurred_at, item.c.id)
        return await self.cost_items.all(query)

    async def cost_items_among(self, item_ids: Collection[str]) -> list[CostItem]:
        """As ``CaseQueries``."""
        if not item_ids:
            return []
        item = tables.cost_item
        return await self.cost_items.all(select(item).where(item.c.id.in_(sorted(item_ids))))

    async def channel_payments_of(self, case_id: str) -> list[ChannelPayment]:
        """As ``CaseQueries``."""
        cp = tables.channel_payment
        return await self.channel_payments.all(select(cp).where(cp.c.case_id == case_id).order_by(cp.c.channel))

    async def civil_affairs_checks_of(self, case_id: str) -> list[CivilAffairsCheck]:
        """As ``CaseQueries``."""
        ca = tables.civil_affairs_check
        return await self.civil_affairs_checks.all(select(ca).where(ca.c.case_id == case_id).order_by(ca.c.seq))

    async def diseases_coded(self, code: str) -> list[Disease]:
        """As ``CaseQueries``."""
        d = tables.disease
        return await self.diseases.all(select(d).where(d.c.code == code))

    async def live_settlements_of_admission(self, admission_id: str) -> list[Settlement]:
        """As ``CaseQueries``."""
        s = tables.settlement
        return await self.settlements.all(select(s).where(s.c.admission_id == admission_id, s.c.reversed.is_(False)))

    async def person_of_digest(self, id_digest: str) -> Person | None:
        """As ``CaseQueries``."""
        p = tables.person
        return await self.persons.first(select(p).where(p.c.id_digest == id_digest))

    async def listed(self, id_digest: str, city: str | None = None) -> bool:
        """As ``CaseQueries``."""
        b = tables.blacklist
        query = select(b.c.id).where(b.c.id_digest == id_digest, b.c.lifted_at.is_(None))
        if city is not None:
            query = query.where(b.c.city == city)
        return (await self.session.execute(query.limit(1))).first() is not None

    async def blacklist_page(self, city: str, active_only: bool, page: PageRequest) -> list[Blacklist]:
        """As ``CaseQueries``."""
        b = tables.blacklist
        query = select(b).where(b.c.city == city)
        if active_only:
            query = query.where(b.c.lifted_at.is_(None))
        return await self.blacklist_entries.all(keyset(query, page, b.c.id))
