"""The repository's named funds queries in memory (``service.ports.funds``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

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
from emergency_fund.service.ports.funds import MonthlyUse, OverdueStep
from medaid_shared.clock import to_local
from medaid_shared.pagination import PageRequest
from tests_emergency_fund.memory.base import MemoryRepositoryBase

R = TypeVar("R")


def _page(records: list[R], page: PageRequest, key: Callable[[R], Any], *, descending: bool = False) -> list[R]:
    """What ``medaid_shared.pagination.keyset`` selects, in memory: after the cursor, in key
    order, at most ``limit + 1``."""
    ordered = sorted(records, key=key, reverse=descending)
    if page.after is not None:
        after = tuple(page.after)
        ordered = [r for r in ordered if (_key(key(r)) < after if descending else _key(key(r)) > after)]
    return ordered[: page.limit + 1]


def _key(value: Any) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else (value,)


class MemoryFundQueries(MemoryRepositoryBase):
    """Named queries, answered by filtering the records."""

    # ------------------------------------------------------------ ledger (GD-3)

    async def lock_fund(self, city: str) -> None:
        self.locks.append(f"fund.{city}")

    def _entries_of_city(self, city: str) -> list[LedgerEntry]:
        return self.ledger_entries.where(lambda e: e.city == city)

    async def account_balances(self, city: str, accounts: Sequence[str] | None = None) -> dict[str, Decimal]:
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for e in self._entries_of_city(city):
            if accounts is None or e.account in accounts:
                sums[e.account] += e.amount
        return dict(sums)

    async def totals_of_kind(self, city: str, kind: str, fiscal_year: int | None = None) -> dict[str, Decimal]:
        txns = {
            t.id
            for t in self.ledger_txns.where(
                lambda t: t.city == city and t.kind == kind and (fiscal_year is None or t.fiscal_year == fiscal_year)
            )
        }
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for e in self.ledger_entries.where(lambda e: e.txn_id in txns):
            sums[e.account] += e.amount
        return dict(sums)

    async def txn_of_ref(self, kind: str, ref: str) -> LedgerTxn | None:
        found = self.ledger_txns.where(lambda t: t.kind == kind and t.ref == ref)
        return found[0] if found else None

    async def ledger_page(self, city: str, account: str | None, page: PageRequest) -> list[LedgerTxn]:
        touching = {e.txn_id for e in self._entries_of_city(city) if e.account == account}
        txns = self.ledger_txns.where(lambda t: t.city == city and (account is None or t.id in touching))
        return _page(txns, page, lambda t: t.id, descending=True)

    async def entries_of(self, txn_ids: Sequence[str]) -> list[LedgerEntry]:
        return sorted(self.ledger_entries.where(lambda e: e.txn_id in txn_ids), key=lambda e: e.id or 0)

    # ------------------------------------------------------------ pre-allocation (GD-7)

    async def refund_demands_of_city(self, city: str) -> list[RefundDemand]:
        return self.refund_demands.where(lambda r: r.city == city)

    async def refund_payments_of(self, refund_ids: Sequence[str]) -> list[RefundPayment]:
        return self.refund_payments.where(lambda p: p.refund_id in refund_ids)

    async def disbursements_of(self, application_ids: Sequence[str]) -> list[Disbursement]:
        return self.disbursements.where(lambda d: d.application_id in application_ids)

    # ------------------------------------------------------------ organisation (GD-8)

    async def committee_of(self, city: str) -> list[CommitteeMember]:
        return sorted(self.committee_members.where(lambda m: m.city == city), key=lambda m: (m.appointed_on, m.id))

    async def trainings_of(self, city: str, year: int) -> list[Training]:
        found = self.trainings.where(lambda t: t.city == city and t.year == year)
        return sorted(found, key=lambda t: (t.held_on, t.id))

    # ------------------------------------------------------------ reports

    async def monthly_use(self, cities: Sequence[str], year: int) -> list[MonthlyUse]:
        groups: dict[tuple[str, str, int], list[Disbursement]] = defaultdict(list)
        for d in self.disbursements.where(lambda d: d.city in cities and to_local(d.disbursed_at).year == year):
            groups[(d.city, d.facility_id, to_local(d.disbursed_at).month)].append(d)
        return [
            MonthlyUse(
                city,
                facility_id,
                month,
                len(ds),
                sum((d.amount for d in ds), Decimal(0)),
                sum((d.from_preallocation for d in ds), Decimal(0)),
                sum((d.from_fund_cash for d in ds), Decimal(0)),
            )
            for (city, facility_id, month), ds in sorted(groups.items())
        ]

    async def overdue_steps_page(self, cities: Sequence[str], now: datetime, page: PageRequest) -> list[OverdueStep]:
        found = []
        for s in self.application_steps.where(lambda s: (s.decided_at is None and s.due_at < now) or s.late):
            a = await self.applications.get(s.application_id)
            if a is not None and a.city in cities:
                found.append(
                    OverdueStep(
                        s.application_id,
                        s.step,
                        s.started_at,
                        s.due_at,
                        s.calendar_provisional,
                        s.decided_at,
                        s.late,
                        a.city,
                        a.facility_id,
                        a.state,
                    )
                )
        return _page(found, page, lambda o: (o.due_at, o.application_id, o.step))

    async def running_notices_page(self, cities: Sequence[str], now: datetime, page: PageRequest) -> list[Notice]:
        found = self.notices.where(lambda n: n.city in cities and n.starts_at <= now < n.ends_at)
        return _page(found, page, lambda n: (n.ends_at, n.id))

    # ------------------------------------------------------------ registration export (GD-19)

    async def cases_admitted(
        self, city: str, start: datetime, end: datetime, page: PageRequest | None = None
    ) -> list[Case]:
        found = self.cases.where(lambda c: c.city == city and start <= c.admitted_at < end)
        if page is None:
            return sorted(found, key=lambda c: (c.admitted_at, c.id))
        return _page(found, page, lambda c: (c.admitted_at, c.id))

    async def cases_of_city(self, city: str) -> list[Case]:
        return sorted(self.cases.where(lambda c: c.city == city), key=lambda c: (c.admitted_at, c.id))

    async def facilities_of_city(self, city: str, page: PageRequest | None = None) -> list[Facility]:
        found = self.facilities.where(lambda f: f.city == city)
        if page is None:
            return sorted(found, key=lambda f: f.facility_id)
        return _page(found, page, lambda f: f.facility_id)

    async def cost_items_of_cases(self, case_ids: Sequence[str]) -> list[CostItem]:
        return self.cost_items.where(lambda i: i.case_id in case_ids)

    async def channel_payments_of_cases(self, case_ids: Sequence[str]) -> list[ChannelPayment]:
        return self.channel_payments.where(lambda p: p.case_id in case_ids)

    async def civil_affairs_checks_of_cases(self, case_ids: Sequence[str]) -> list[CivilAffairsCheck]:
        return sorted(self.civil_affairs_checks.where(lambda k: k.case_id in case_ids), key=lambda k: k.seq or 0)

    async def vagrant_registrations_of_cases(self, case_ids: Sequence[str]) -> list[VagrantRegistration]:
        return self.vagrant_registrations.where(lambda v: v.case_id in case_ids)

    async def application_links_of_cases(self, case_ids: Sequence[str]) -> list[ApplicationCase]:
        return self.application_cases.where(lambda ac: ac.case_id in case_ids)

    async def applications_by_ids(self, application_ids: Sequence[str]) -> list[Application]:
        return self.applications.where(lambda a: a.id in application_ids)

    async def notices_of_applications(self, application_ids: Sequence[str]) -> list[Notice]:
        return self.notices.where(lambda n: n.application_id in application_ids)

    async def refund_demands_of_cases(self, case_ids: Sequence[str]) -> list[RefundDemand]:
        return self.refund_demands.where(lambda r: r.case_id in case_ids)

    async def delivered_of_city(self, city: str) -> list[RegistrationDelivered]:
        return self.registrations_delivered.where(lambda d: d.city == city)

    async def last_registration_batch(self, city: str) -> RegistrationBatch | None:
        found = sorted(self.registration_batches.where(lambda b: b.city == city), key=lambda b: b.seq)
        return found[-1] if found else None

    async def registration_batches_after(self, city: str, after: int, limit: int) -> list[RegistrationBatch]:
        found = self.registration_batches.where(lambda b: b.city == city and b.seq > after)
        return sorted(found, key=lambda b: b.seq)[:limit]

    async def lock_registration_export(self, city: str) -> None:
        self.locks.append(f"registration-export:{city}")

    # ------------------------------------------------------------ reference data (GD-12, GD-13.4, GD-13.5)

    async def facilities_by_ids(self, facility_ids: Sequence[str]) -> list[Facility]:
        return self.facilities.where(lambda f: f.facility_id in facility_ids)

    async def diseases_page(self, scopes: Sequence[str], page: PageRequest) -> list[Disease]:
        return _page(self.diseases.where(lambda d: d.scope in scopes), page, lambda d: (d.scope, d.code, d.id))

    async def cost_averages_page(self, facility_id: str, year: int | None, page: PageRequest) -> list[CostAverage]:
        found = self.cost_averages.where(lambda c: c.facility_id == facility_id and (year is None or c.year == year))
        return _page(found, page, lambda c: (c.year, c.disease_code))

    async def cost_average_in_force(
        self, facility_id: str, disease_code: str, year: int, fallback_years: int
    ) -> CostAverage | None:
        found = self.cost_averages.where(
            lambda c: (
                c.facility_id == facility_id
                and c.disease_code == disease_code
                and year - fallback_years <= c.year <= year
            )
        )
        return max(found, key=lambda c: c.year) if found else None

    async def living_standard_in_force(self, city: str, on: date) -> LivingStandard | None:
        found = self.living_standards.where(lambda s: s.city == city and s.effective_from <= on)
        return max(found, key=lambda s: s.effective_from) if found else None

    async def living_standards_page(self, city: str, page: PageRequest) -> list[LivingStandard]:
        return _page(self.living_standards.where(lambda s: s.city == city), page, lambda s: s.effective_from)
