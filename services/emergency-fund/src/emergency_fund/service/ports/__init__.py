"""What the use cases need from storage: the fund's typed repository (``Repository``: its
records by key, and named queries per area in this package's modules), implemented on
PostgreSQL in ``adapters/repository`` and in memory for the fast tier.

The string-keyed table gateway (``Store``) below is being retired: use cases still calling it
are moved to records and named queries one area at a time, then it goes.

Filters are ``{"column": value}`` (equality), ``{"column__in": [...]}``, ``__ne``, ``__lt``,
``__le``, ``__gt``, ``__ge``, ``__isnull`` (True/False). Rows are plain dicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from emergency_fund.domain.records import (
    Application,
    ApplicationCase,
    ApplicationStep,
    Blacklist,
    Case,
    ChannelPayment,
    CivilAffairsCheck,
    CommitteeMember,
    CoReviewNote,
    CostAverage,
    CostItem,
    Disbursement,
    Disease,
    Facility,
    Fund,
    IdentitySignal,
    LedgerEntry,
    LedgerTxn,
    LivingStandard,
    Notice,
    Person,
    Preallocation,
    PreallocationCheck,
    Pursuit,
    RefundDemand,
    RefundPayment,
    RegistrationBatch,
    RegistrationDelivered,
    Settlement,
    Training,
    VagrantRegistration,
)
from emergency_fund.service.ports.applications import ApplicationQueries
from emergency_fund.service.ports.cases import CaseQueries
from emergency_fund.service.ports.funds import FundQueries
from medaid_shared.pagination import PageRequest
from medaid_shared.parameters import ParameterVersion
from medaid_shared.record_table import Records

Row = dict[str, Any]
Where = Mapping[str, Any]


@dataclass(frozen=True)
class Within:
    """A list's rows whose ``column`` is among the ``their_column`` values of the ``table``
    rows matching ``where`` (a semi-join: the scope of a case's rows is the case's)."""

    column: str
    table: str
    their_column: str
    where: Where


class Store(Protocol):
    async def insert(self, table: str, row: Mapping[str, Any]) -> None: ...

    async def insert_ignore(self, table: str, row: Mapping[str, Any]) -> bool:
        """Insert unless a unique key already holds the row; True if inserted."""
        ...

    async def upsert(self, table: str, row: Mapping[str, Any], keys: Sequence[str]) -> None: ...

    async def one(self, table: str, where: Where, *, lock: bool = False) -> Row | None: ...

    async def many(
        self,
        table: str,
        where: Where | None = None,
        *,
        order_by: Sequence[str] = (),
        limit: int | None = None,
        lock: bool = False,
    ) -> list[Row]: ...

    async def page(
        self,
        table: str,
        where: Where,
        page: PageRequest,
        key: Sequence[str],
        *,
        descending: bool = False,
        within: Within | None = None,
    ) -> list[Row]:
        """One page of a list, paged in SQL (``medaid_shared.pagination.keyset``): the rows
        matching ``where`` (and ``within``) whose ``key`` columns come after the cursor, in
        key order, at most ``page.limit + 1`` — the route makes the envelope (``page_of``)."""
        ...

    async def exclusion_proposal_page(
        self, case_where: Where, item_status: str, page: PageRequest
    ) -> list[tuple[str, str | None]]:
        """GD-14: one page of the exclusion proposals of the cases matching ``case_where`` —
        a whole case's (cost item None) and its cost items' in ``item_status`` — as
        (case id, cost item id), by case and then cost item (the case's own first)."""
        ...

    async def update(self, table: str, where: Where, values: Mapping[str, Any]) -> int: ...

    async def parameter_versions(self) -> list[ParameterVersion]:
        """The stored versions of the fund's parameter kinds (the kernel's table)."""
        ...

    async def lock(self, key: str) -> None:
        """A transaction-scoped advisory lock (serialises e.g. one city's ledger postings)."""
        ...

    async def balances(self, city: str, accounts: Sequence[str] | None = None) -> dict[str, Decimal]:
        """Sum of ledger entries per account (the only source of a balance, GD-3)."""
        ...

    async def txn_totals(self, city: str, kind: str, fiscal_year: int | None = None) -> dict[str, Decimal]:
        """Per account: the sum of entries of one kind of transaction (optionally one fiscal year)."""
        ...

    async def fund_use(self, cities: Sequence[str], year: int) -> list[Row]:
        """Disbursed amounts per city, facility and month (Asia/Shanghai) of a year."""
        ...

    async def overdue_steps(self, cities: Sequence[str] | None, now: datetime, page: PageRequest) -> list[Row]:
        """One page of the review steps past their deadline, by due time, application, step."""
        ...


class Repository(Store, CaseQueries, ApplicationQueries, FundQueries, Protocol):
    """The fund's records by key (one record table per kind), and its named queries (one
    repository per unit of work)."""

    @property
    def funds(self) -> Records[Fund]: ...
    @property
    def ledger_txns(self) -> Records[LedgerTxn]: ...
    @property
    def ledger_entries(self) -> Records[LedgerEntry]: ...
    @property
    def preallocations(self) -> Records[Preallocation]: ...
    @property
    def preallocation_checks(self) -> Records[PreallocationCheck]: ...
    @property
    def registration_batches(self) -> Records[RegistrationBatch]: ...
    @property
    def registrations_delivered(self) -> Records[RegistrationDelivered]: ...
    @property
    def committee_members(self) -> Records[CommitteeMember]: ...
    @property
    def trainings(self) -> Records[Training]: ...
    @property
    def facilities(self) -> Records[Facility]: ...
    @property
    def persons(self) -> Records[Person]: ...
    @property
    def settlements(self) -> Records[Settlement]: ...
    @property
    def identity_signals(self) -> Records[IdentitySignal]: ...
    @property
    def diseases(self) -> Records[Disease]: ...
    @property
    def cost_averages(self) -> Records[CostAverage]: ...
    @property
    def living_standards(self) -> Records[LivingStandard]: ...
    @property
    def cases(self) -> Records[Case]: ...
    @property
    def cost_items(self) -> Records[CostItem]: ...
    @property
    def channel_payments(self) -> Records[ChannelPayment]: ...
    @property
    def civil_affairs_checks(self) -> Records[CivilAffairsCheck]: ...
    @property
    def vagrant_registrations(self) -> Records[VagrantRegistration]: ...
    @property
    def applications(self) -> Records[Application]: ...
    @property
    def application_cases(self) -> Records[ApplicationCase]: ...
    @property
    def application_steps(self) -> Records[ApplicationStep]: ...
    @property
    def co_review_notes(self) -> Records[CoReviewNote]: ...
    @property
    def notices(self) -> Records[Notice]: ...
    @property
    def disbursements(self) -> Records[Disbursement]: ...
    @property
    def refund_demands(self) -> Records[RefundDemand]: ...
    @property
    def refund_payments(self) -> Records[RefundPayment]: ...
    @property
    def pursuits(self) -> Records[Pursuit]: ...
    @property
    def blacklist_entries(self) -> Records[Blacklist]: ...
