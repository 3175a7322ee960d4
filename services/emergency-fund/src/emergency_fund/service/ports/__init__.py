"""What the use cases need from storage: the fund's typed repository — its records by key
(one record table per kind, ``medaid_shared.record_table``) and named queries per area in
this package's modules — implemented on PostgreSQL in ``adapters/repository`` and in memory
for the fast use-case tier (``tests_emergency_fund/memory``)."""

from __future__ import annotations

from typing import Protocol

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
from medaid_shared.record_table import Records


class Repository(CaseQueries, ApplicationQueries, FundQueries, Protocol):
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
