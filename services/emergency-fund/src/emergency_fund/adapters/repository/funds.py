"""The repository's named funds queries on PostgreSQL (``service.ports.funds``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import extract, func, select, text

from emergency_fund.adapters import tables
from emergency_fund.adapters.repository.base import RepositoryBase
from emergency_fund.domain.parameters import CATALOGUE
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
from medaid_shared.pagination import PageRequest, keyset
from medaid_shared.parameter_store import ParameterStore
from medaid_shared.parameters import ParameterVersion


class SqlFundQueries(RepositoryBase):
    """Named queries, each one statement."""

    # ------------------------------------------------------------ parameters (SPEC 0.6)

    async def parameter_versions(self) -> list[ParameterVersion]:
        return await ParameterStore(self.session, tables.kernel.parameter_version, CATALOGUE).versions()

    # ------------------------------------------------------------ ledger (GD-3)

    async def _advisory_lock(self, key: str) -> None:
        await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"emergency_fund.{key}"})

    async def lock_fund(self, city: str) -> None:
        await self._advisory_lock(f"fund.{city}")

    async def account_balances(self, city: str, accounts: Sequence[str] | None = None) -> dict[str, Decimal]:
        e = tables.ledger_entry
        query = select(e.c.account, func.sum(e.c.amount)).where(e.c.city == city).group_by(e.c.account)
        if accounts is not None:
            query = query.where(e.c.account.in_(list(accounts)))
        return {str(a): Decimal(s) for a, s in (await self.session.execute(query)).all()}

    async def totals_of_kind(self, city: str, kind: str, fiscal_year: int | None = None) -> dict[str, Decimal]:
        e, t = tables.ledger_entry, tables.ledger_txn
        query = (
            select(e.c.account, func.sum(e.c.amount))
            .join(t, t.c.id == e.c.txn_id)
            .where(t.c.city == city, t.c.kind == kind)
            .group_by(e.c.account)
        )
        if fiscal_year is not None:
            query = query.where(t.c.fiscal_year == fiscal_year)
        return {str(a): Decimal(s) for a, s in (await self.session.execute(query)).all()}

    async def txn_of_ref(self, kind: str, ref: str) -> LedgerTxn | None:
        t = tables.ledger_txn
        return await self.ledger_txns.first(select(t).where(t.c.kind == kind, t.c.ref == ref))

    async def ledger_page(self, city: str, account: str | None, page: PageRequest) -> list[LedgerTxn]:
        t, e = tables.ledger_txn, tables.ledger_entry
        query = select(t).where(t.c.city == city)
        if account is not None:
            # GD-3: a transaction touching the account is one with an entry on it — asked in
            # SQL, so a page is never short of what the filter left out.
            query = query.where(t.c.id.in_(select(e.c.txn_id).where(e.c.account == account)))
        return await self.ledger_txns.all(keyset(query, page, t.c.id, descending=True))

    async def entries_of(self, txn_ids: Sequence[str]) -> list[LedgerEntry]:
        e = tables.ledger_entry
        return await self.ledger_entries.all(select(e).where(e.c.txn_id.in_(list(txn_ids))).order_by(e.c.id))

    # ------------------------------------------------------------ pre-allocation (GD-7)

    async def refund_demands_of_city(self, city: str) -> list[RefundDemand]:
        r = tables.refund_demand
        return await self.refund_demands.all(select(r).where(r.c.city == city).order_by(r.c.id))

    async def refund_payments_of(self, refund_ids: Sequence[str]) -> list[RefundPayment]:
        p = tables.refund_payment
        return await self.refund_payments.all(select(p).where(p.c.refund_id.in_(list(refund_ids))).order_by(p.c.id))

    async def disbursements_of(self, application_ids: Sequence[str]) -> list[Disbursement]:
        d = tables.disbursement
        query = select(d).where(d.c.application_id.in_(list(application_ids))).order_by(d.c.id)
        return await self.disbursements.all(query)

    # ------------------------------------------------------------ organisation (GD-8)

    async def committee_of(self, city: str) -> list[CommitteeMember]:
        m = tables.committee_member
        query = select(m).where(m.c.city == city).order_by(m.c.appointed_on, m.c.id)
        return await self.committee_members.all(query)

    async def trainings_of(self, city: str, year: int) -> list[Training]:
        t = tables.training
        query = select(t).where(t.c.city == city, t.c.year == year).order_by(t.c.held_on, t.c.id)
        return await self.trainings.all(query)

    # ------------------------------------------------------------ reports

    async def monthly_use(self, cities: Sequence[str], year: int) -> list[MonthlyUse]:
        d = tables.disbursement
        local = func.timezone("Asia/Shanghai", d.c.disbursed_at)
        month = extract("month", local)
        query = (
            select(
                d.c.city,
                d.c.facility_id,
                month.label("month"),
                func.count().label("applications"),
                func.sum(d.c.amount).label("amount"),
                func.sum(d.c.from_preallocation).label("from_preallocation"),
                func.sum(d.c.from_fund_cash).label("from_fund_cash"),
            )
            .where(d.c.city.in_(list(cities)), extract("year", local) == year)
            .group_by(d.c.city, d.c.facility_id, month)
            .order_by(d.c.city, d.c.facility_id, month)
        )
        rows = (await self.session.execute(query)).mappings().all()
        return [MonthlyUse(**{**r, "month": int(r["month"])}) for r in rows]

    async def overdue_steps_page(self, cities: Sequence[str], now: datetime, page: PageRequest) -> list[OverdueStep]:
        s, a = tables.application_step, tables.application
        query = (
            select(
                s.c.application_id,
                s.c.step,
                s.c.started_at,
                s.c.due_at,
                s.c.calendar_provisional,
                s.c.decided_at,
                s.c.late,
                a.c.city,
                a.c.facility_id,
                a.c.state,
            )
            .join(a, a.c.id == s.c.application_id)
            .where((s.c.decided_at.is_(None) & (s.c.due_at < now)) | s.c.late)
            .where(a.c.city.in_(list(cities)))
        )
        # An application has one step of each kind: (due, application, step) orders totally.
        query = keyset(query, page, s.c.due_at, s.c.application_id, s.c.step)
        return [OverdueStep(**r) for r in (await self.session.execute(query)).mappings().all()]

    async def running_notices_page(self, cities: Sequence[str], now: datetime, page: PageRequest) -> list[Notice]:
        n = tables.notice
        query = select(n).where(n.c.city.in_(list(cities)), n.c.starts_at <= now, n.c.ends_at > now)
        return await self.notices.all(keyset(query, page, n.c.ends_at, n.c.id))

    # ------------------------------------------------------------ registration export (GD-19)

    async def cases_admitted(
        self, city: str, start: datetime, end: datetime, page: PageRequest | None = None
    ) -> list[Case]:
        c = tables.case
        query = select(c).where(c.c.city == city, c.c.admitted_at >= start, c.c.admitted_at < end)
        if page is None:
            return await self.cases.all(query.order_by(c.c.admitted_at, c.c.id))
        return await self.cases.all(keyset(query, page, c.c.admitted_at, c.c.id))

    async def cases_of_city(self, city: str) -> list[Case]:
        c = tables.case
        return await self.cases.all(select(c).where(c.c.city == city).order_by(c.c.admitted_at, c.c.id))

    async def facilities_of_city(self, city: str, page: PageRequest | None = None) -> list[Facility]:
        f = tables.facility
        query = select(f).where(f.c.city == city)
        if page is None:
            return await self.facilities.all(query.order_by(f.c.facility_id))
        return await self.facilities.all(keyset(query, page, f.c.facility_id))

    async def cost_items_of_cases(self, case_ids: Sequence[str]) -> list[CostItem]:
        i = tables.cost_item
        return await self.cost_items.all(select(i).where(i.c.case_id.in_(list(case_ids))).order_by(i.c.id))

    async def channel_payments_of_cases(self, case_ids: Sequence[str]) -> list[ChannelPayment]:
        p = tables.channel_payment
        query = select(p).where(p.c.case_id.in_(list(case_ids))).order_by(p.c.case_id, p.c.channel)
        return await self.channel_payments.all(query)

    async def civil_affairs_checks_of_cases(self, case_ids: Sequence[str]) -> list[CivilAffairsCheck]:
        k = tables.civil_affairs_check
        query = select(k).where(k.c.case_id.in_(list(case_ids))).order_by(k.c.seq)
        return await self.civil_affairs_checks.all(query)

    async def vagrant_registrations_of_cases(self, case_ids: Sequence[str]) -> list[VagrantRegistration]:
        v = tables.vagrant_registration
        return await self.vagrant_registrations.all(select(v).where(v.c.case_id.in_(list(case_ids))))

    async def application_links_of_cases(self, case_ids: Sequence[str]) -> list[ApplicationCase]:
        ac = tables.application_case
        return await self.application_cases.all(select(ac).where(ac.c.case_id.in_(list(case_ids))))

    async def applications_by_ids(self, application_ids: Sequence[str]) -> list[Application]:
        a = tables.application
        return await self.applications.all(select(a).where(a.c.id.in_(list(application_ids))))

    async def notices_of_applications(self, application_ids: Sequence[str]) -> list[Notice]:
        n = tables.notice
        return await self.notices.all(select(n).where(n.c.application_id.in_(list(application_ids))))

    async def refund_demands_of_cases(self, case_ids: Sequence[str]) -> list[RefundDemand]:
        r = tables.refund_demand
        return await self.refund_demands.all(select(r).where(r.c.case_id.in_(list(case_ids))).order_by(r.c.id))

    async def delivered_of_city(self, city: str) -> list[RegistrationDelivered]:
        d = tables.registration_delivered
        return await self.registrations_delivered.all(select(d).where(d.c.city == city))

    async def last_registration_batch(self, city: str) -> RegistrationBatch | None:
        b = tables.registration_batch
        return await self.registration_batches.first(select(b).where(b.c.city == city).order_by(b.c.seq.desc()))

    async def registration_batches_after(self, city: str, after: int, limit: int) -> list[RegistrationBatch]:
        b = tables.registration_batch
        query = select(b).where(b.c.city == city, b.c.seq > after).order_by(b.c.seq).limit(limit)
        return await self.registration_batches.all(query)

    async def lock_registration_export(self, city: str) -> None:
        await self._advisory_lock(f"registration-export:{city}")

    # ------------------------------------------------------------ reference data (GD-12, GD-13.4, GD-13.5)

    async def facilities_by_ids(self, facility_ids: Sequence[str]) -> list[Facility]:
        f = tables.facility
        return await self.facilities.all(select(f).where(f.c.facility_id.in_(list(facility_ids))))

    async def diseases_page(self, scopes: Sequence[str], page: PageRequest) -> list[Disease]:
        d = tables.disease
        query = select(d).where(d.c.scope.in_(list(scopes)))
        return await self.diseases.all(keyset(query, page, d.c.scope, d.c.code, d.c.id))

    async def cost_averages_page(self, facility_id: str, year: int | None, page: PageRequest) -> list[CostAverage]:
        c = tables.cost_average
        query = select(c).where(c.c.facility_id == facility_id)
        if year is not None:
            query = query.where(c.c.year == year)
        return await self.cost_averages.all(keyset(query, page, c.c.year, c.c.disease_code))

    async def cost_average_in_force(
        self, facility_id: str, disease_code: str, year: int, fallback_years: int
    ) -> CostAverage | None:
        c = tables.cost_average
        query = select(c).where(
            c.c.facility_id == facility_id,
            c.c.disease_code == disease_code,
            c.c.year <= year,
            c.c.year >= year - fallback_years,
        )
        return await self.cost_averages.first(query.order_by(c.c.year.desc()))

    async def living_standard_in_force(self, city: str, on: date) -> LivingStandard | None:
        s = tables.living_standard
        query = select(s).where(s.c.city == city, s.c.effective_from <= on).order_by(s.c.effective_from.desc())
        return await self.living_standards.first(query)

    async def living_standards_page(self, city: str, page: PageRequest) -> list[LivingStandard]:
        s = tables.living_standard
        return await self.living_standards.all(keyset(select(s).where(s.c.city == city), page, s.c.effective_from))
