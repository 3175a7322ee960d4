"""The repository's named queries over the fund and its ledger, pre-allocation, committee, reports and reference data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from emergency_fund.domain.records import (
    Application,
    ApplicationCase,
    Case,
    ChannelPayment,
    CivilAffairsCheck,
    CommitteeMember,
    CostAverage,
    CostItem,
    Disbursement,
    Disease,
    Facility,
    LedgerEntry,
    LedgerTxn,
    LivingStandard,
    Notice,
    RefundDemand,
    RefundPayment,
    RegistrationBatch,
    RegistrationDelivered,
    Training,
    VagrantRegistration,
)
from medaid_shared.pagination import PageRequest
from medaid_shared.parameters import ParameterVersion


@dataclass(frozen=True)
class MonthlyUse:
    """What the fund disbursed to one hospital of a city in one month (Asia/Shanghai)."""

    city: str
    facility_id: str
    month: int
    applications: int
    amount: Decimal
    from_preallocation: Decimal
    from_fund_cash: Decimal


@dataclass(frozen=True)
class OverdueStep:
    """A review step past its deadline (GD-20.2), with its application's city, hospital and state."""

    application_id: str
    step: str
    started_at: datetime
    due_at: datetime
    calendar_provisional: bool
    decided_at: datetime | None
    late: bool
    city: str
    facility_id: str
    state: str


class FundQueries(Protocol):
    """Queries beyond a record's key (each names what it answers)."""

    # ------------------------------------------------------------ parameters (SPEC 0.6)

    async def parameter_versions(self) -> list[ParameterVersion]:
        """The loaded versions of the fund's parameter kinds (the kernel's table)."""
        ...

    # ------------------------------------------------------------ ledger (GD-3)

    async def lock_fund(self, city: str) -> None:
        """GD-3: serialise the city's ledger postings until the transaction ends (a balance read
        then posted against stays true)."""
        ...

    async def account_balances(self, city: str, accounts: Sequence[str] | None = None) -> dict[str, Decimal]:
        """GD-3: per account (all, or those named), the sum of the city's ledger entries — the
        only source of a balance."""
        ...

    async def totals_of_kind(self, city: str, kind: str, fiscal_year: int | None = None) -> dict[str, Decimal]:
        """Per account: the sum of the entries of the city's transactions of one kind (of one
        fiscal year when given)."""
        ...

    async def txn_of_ref(self, kind: str, ref: str) -> LedgerTxn | None:
        """The transaction of a kind booked under a reference (an inflow is booked once)."""
        ...

    async def ledger_page(self, city: str, account: str | None, page: PageRequest) -> list[LedgerTxn]:
        """One page of the city's transactions, the latest first (those with an entry on
        ``account`` when given), at most ``page.limit + 1``."""
        ...

    async def entries_of(self, txn_ids: Sequence[str]) -> list[LedgerEntry]:
        """The entries of these transactions, in the order posted."""
        ...

    # ------------------------------------------------------------ pre-allocation (GD-7)

    async def refund_demands_of_city(self, city: str) -> list[RefundDemand]:
        """Every refund demand of the city's hospitals (GD-16.4)."""
        ...

    async def refund_payments_of(self, refund_ids: Sequence[str]) -> list[RefundPayment]:
        """The payments made on these refund demands."""
        ...

    async def disbursements_of(self, application_ids: Sequence[str]) -> list[Disbursement]:
        """The disbursements of these applications."""
        ...

    # ------------------------------------------------------------ organisation (GD-8)

    async def committee_of(self, city: str) -> list[CommitteeMember]:
        """The city's supervisory committee, by appointment date."""
        ...

    async def trainings_of(self, city: str, year: int) -> list[Training]:
        """The trainings the city held in a year, by date."""
        ...

    # ------------------------------------------------------------ reports

    async def monthly_use(self, cities: Sequence[str], year: int) -> list[MonthlyUse]:
        """What the fund disbursed per city, hospital and month (Asia/Shanghai) of a year."""
        ...

    async def overdue_steps_page(self, cities: Sequence[str], now: datetime, page: PageRequest) -> list[OverdueStep]:
        """GD-20.2: one page of the review steps still open past their deadline or decided
        late, by due time, application and step."""
        ...

    async def running_notices_page(self, cities: Sequence[str], now: datetime, page: PageRequest) -> list[Notice]:
        """GD-21: one page of the notices running at ``now``, the first to end first."""
        ...

    # ------------------------------------------------------------ registration export (GD-19)

    async def cases_admitted(
        self, city: str, start: datetime, end: datetime, page: PageRequest | None = None
    ) -> list[Case]:
        """The city's cases admitted in [start, end), by admission and id (one page of them
        when ``page`` is given)."""
        ...

    async def cases_of_city(self, city: str) -> list[Case]:
        """Every case of the city, by admission and id."""
        ...

    async def facilities_of_city(self, city: str, page: PageRequest | None = None) -> list[Facility]:
        """The city's hospitals by id (one page of them when ``page`` is given)."""
        ...

    async def cost_items_of_cases(self, case_ids: Sequence[str]) -> list[CostItem]:
        """The cost items of these cases."""
        ...

    async def channel_payments_of_cases(self, case_ids: Sequence[str]) -> list[ChannelPayment]:
        """The channel payments of these cases."""
        ...

    async def civil_affairs_checks_of_cases(self, case_ids: Sequence[str]) -> list[CivilAffairsCheck]:
        """The civil-affairs checks of these cases, in the order recorded."""
        ...

    async def vagrant_registrations_of_cases(self, case_ids: Sequence[str]) -> list[VagrantRegistration]:
        """The vagrant registrations of these cases."""
        ...

    async def application_links_of_cases(self, case_ids: Sequence[str]) -> list[ApplicationCase]:
        """The application lines that claim these cases."""
        ...

    async def applications_by_ids(self, application_ids: Sequence[str]) -> list[Application]:
        """These applications."""
        ...

    async def notices_of_applications(self, application_ids: Sequence[str]) -> list[Notice]:
        """The public notices of these applications."""
        ...

    async def refund_demands_of_cases(self, case_ids: Sequence[str]) -> list[RefundDemand]:
        """The refund demands of these cases."""
        ...

    async def delivered_of_city(self, city: str) -> list[RegistrationDelivered]:
        """What the city's registration deliveries last sent of each case (its digest)."""
        ...

    async def last_registration_batch(self, city: str) -> RegistrationBatch | None:
        """The city's latest registration delivery."""
        ...

    async def registration_batches_after(self, city: str, after: int, limit: int) -> list[RegistrationBatch]:
        """At most ``limit`` of the city's registration deliveries after the sequence number
        ``after``, oldest first."""
        ...

    async def lock_registration_export(self, city: str) -> None:
        """GD-19: serialise the city's registration deliveries until the transaction ends."""
        ...

    # ------------------------------------------------------------ reference data (GD-12, GD-13.4, GD-13.5)

    async def facilities_by_ids(self, facility_ids: Sequence[str]) -> list[Facility]:
        """These hospitals (those known)."""
        ...

    async def diseases_page(self, scopes: Sequence[str], page: PageRequest) -> list[Disease]:
        """One page of the listed diseases of these scopes, by scope, code and id."""
        ...

    async def cost_averages_page(self, facility_id: str, year: int | None, page: PageRequest) -> list[CostAverage]:
        """One page of a hospital's average costs per case (of one year when given), by year and disease."""
        ...

    async def cost_average_in_force(
        self, facility_id: str, disease_code: str, year: int, fallback_years: int
    ) -> CostAverage | None:
        """GD-13.4: the hospital's average cost for the disease of ``year``, else the latest
        of the ``fallback_years`` before."""
        ...

    async def living_standard_in_force(self, city: str, on: date) -> LivingStandard | None:
        """GD-13.5: the city's minimum-living standard in force on a day (the latest effective by then)."""
        ...

    async def living_standards_page(self, city: str, page: PageRequest) -> list[LivingStandard]:
        """One page of the city's minimum-living standards, by effective date."""
        ...
