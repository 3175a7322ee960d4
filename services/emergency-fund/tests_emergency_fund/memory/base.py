"""The fund's records in memory, for the fast use-case tier (the twin of
``adapters/repository/base.py``)."""

from __future__ import annotations

from emergency_fund.domain import records
from medaid_shared.fakes import MemoryRecords
from medaid_shared.parameters import ParameterVersion


class MemoryRepositoryBase:
    """One in-memory record table per kind of record."""

    def __init__(self) -> None:
        self.versions: list[ParameterVersion] = []
        self.locks: list[str] = []
        self.funds: MemoryRecords[records.Fund] = MemoryRecords("city")
        self.ledger_txns: MemoryRecords[records.LedgerTxn] = MemoryRecords("id")
        self.ledger_entries: MemoryRecords[records.LedgerEntry] = MemoryRecords("id")
        self.preallocations: MemoryRecords[records.Preallocation] = MemoryRecords("id")
        self.preallocation_checks: MemoryRecords[records.PreallocationCheck] = MemoryRecords(("city", "year"))
        self.registration_batches: MemoryRecords[records.RegistrationBatch] = MemoryRecords("id")
        self.registrations_delivered: MemoryRecords[records.RegistrationDelivered] = MemoryRecords(("city", "case_id"))
        self.committee_members: MemoryRecords[records.CommitteeMember] = MemoryRecords("id")
        self.trainings: MemoryRecords[records.Training] = MemoryRecords("id")
        self.facilities: MemoryRecords[records.Facility] = MemoryRecords("facility_id")
        self.persons: MemoryRecords[records.Person] = MemoryRecords("person_id")
        self.settlements: MemoryRecords[records.Settlement] = MemoryRecords("statement_id")
        self.identity_signals: MemoryRecords[records.IdentitySignal] = MemoryRecords("request_id")
        self.diseases: MemoryRecords[records.Disease] = MemoryRecords("id")
        self.cost_averages: MemoryRecords[records.CostAverage] = MemoryRecords(("facility_id", "disease_code", "year"))
        self.living_standards: MemoryRecords[records.LivingStandard] = MemoryRecords(("city", "effective_from"))
        self.cases: MemoryRecords[records.Case] = MemoryRecords("id")
        self.cost_items: MemoryRecords[records.CostItem] = MemoryRecords("id")
        self.channel_payments: MemoryRecords[records.ChannelPayment] = MemoryRecords(("case_id", "channel"))
        self.civil_affairs_checks: MemoryRecords[records.CivilAffairsCheck] = MemoryRecords("id")
        self.vagrant_registrations: MemoryRecords[records.VagrantRegistration] = MemoryRecords("case_id")
        self.applications: MemoryRecords[records.Application] = MemoryRecords("id")
        self.application_cases: MemoryRecords[records.ApplicationCase] = MemoryRecords(("application_id", "case_id"))
        self.application_steps: MemoryRecords[records.ApplicationStep] = MemoryRecords(("application_id", "step"))
        self.co_review_notes: MemoryRecords[records.CoReviewNote] = MemoryRecords("id")
        self.notices: MemoryRecords[records.Notice] = MemoryRecords("id")
        self.disbursements: MemoryRecords[records.Disbursement] = MemoryRecords("id")
        self.refund_demands: MemoryRecords[records.RefundDemand] = MemoryRecords("id")
        self.refund_payments: MemoryRecords[records.RefundPayment] = MemoryRecords("id")
        self.pursuits: MemoryRecords[records.Pursuit] = MemoryRecords("id")
        self.blacklist_entries: MemoryRecords[records.Blacklist] = MemoryRecords("id")

    async def parameter_versions(self) -> list[ParameterVersion]:
        """The parameter versions a test loaded (none: every kind at its default)."""
        return list(self.versions)

    async def lock(self, key: str) -> None:
        """Nothing to serialise in memory; the keys locked are kept for a test to read."""
        self.locks.append(key)
