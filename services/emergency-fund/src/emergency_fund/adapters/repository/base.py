"""The repository's records by key, on the fund's tables (SPEC 0.4: the encrypted fields
are sealed and opened by the repository's column cipher)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from emergency_fund.adapters import tables
from emergency_fund.domain import records
from medaid_shared.crypto import ColumnCipher, EncryptedField, FieldCipher
from medaid_shared.record_table import SqlRecords

# SPEC 0.4: a case's disease code rests encrypted; no query filters cases by it, so it has
# no blind index (the catalogue and the cost references are not personal and stay in clear).
ENCRYPTED = (
    EncryptedField("case", "disease_code", "disease_code_enc", "id"),
    # SPEC 0.4 / GD-13.3: the birth date and sex an ID number says (never filtered on).
    EncryptedField("case", "birth_facts", "birth_facts_enc", "id"),
    EncryptedField("identity_signal", "birth_facts", "birth_facts_enc", "request_id"),
    # SPEC 0.4: a delivered registration file carries diagnoses; it rests encrypted.
    EncryptedField("registration_batch", "content", "content_enc", "id"),
)


class RepositoryBase:
    """One record table per kind of record, on one session."""

    def __init__(self, session: AsyncSession, cipher: FieldCipher | None = None) -> None:
        self.session = session
        self._columns = ColumnCipher(cipher, ENCRYPTED)
        self.funds = SqlRecords(session, tables.fund, records.Fund, self._columns)
        self.ledger_txns = SqlRecords(session, tables.ledger_txn, records.LedgerTxn, self._columns)
        self.ledger_entries = SqlRecords(session, tables.ledger_entry, records.LedgerEntry, self._columns)
        self.preallocations = SqlRecords(session, tables.preallocation, records.Preallocation, self._columns)
        self.preallocation_checks = SqlRecords(
            session, tables.preallocation_check, records.PreallocationCheck, self._columns
        )
        self.registration_batches = SqlRecords(
            session, tables.registration_batch, records.RegistrationBatch, self._columns
        )
        self.registrations_delivered = SqlRecords(
            session, tables.registration_delivered, records.RegistrationDelivered, self._columns
        )
        self.committee_members = SqlRecords(session, tables.committee_member, records.CommitteeMember, self._columns)
        self.trainings = SqlRecords(session, tables.training, records.Training, self._columns)
        self.facilities = SqlRecords(session, tables.facility, records.Facility, self._columns)
        self.persons = SqlRecords(session, tables.person, records.Person, self._columns)
        self.settlements = SqlRecords(session, tables.settlement, records.Settlement, self._columns)
        self.identity_signals = SqlRecords(session, tables.identity_signal, records.IdentitySignal, self._columns)
        self.diseases = SqlRecords(session, tables.disease, records.Disease, self._columns)
        self.cost_averages = SqlRecords(session, tables.cost_average, records.CostAverage, self._columns)
        self.living_standards = SqlRecords(session, tables.living_standard, records.LivingStandard, self._columns)
        self.cases = SqlRecords(session, tables.case, records.Case, self._columns)
        self.cost_items = SqlRecords(session, tables.cost_item, records.CostItem, self._columns)
        self.channel_payments = SqlRecords(session, tables.channel_payment, records.ChannelPayment, self._columns)
        self.civil_affairs_checks = SqlRecords(
            session, tables.civil_affairs_check, records.CivilAffairsCheck, self._columns
        )
        self.vagrant_registrations = SqlRecords(
            session, tables.vagrant_registration, records.VagrantRegistration, self._columns
        )
        self.applications = SqlRecords(session, tables.application, records.Application, self._columns)
        self.application_cases = SqlRecords(session, tables.application_case, records.ApplicationCase, self._columns)
        self.application_steps = SqlRecords(session, tables.application_step, records.ApplicationStep, self._columns)
        self.co_review_notes = SqlRecords(session, tables.co_review_note, records.CoReviewNote, self._columns)
        self.notices = SqlRecords(session, tables.notice, records.Notice, self._columns)
        self.disbursements = SqlRecords(session, tables.disbursement, records.Disbursement, self._columns)
        self.refund_demands = SqlRecords(session, tables.refund_demand, records.RefundDemand, self._columns)
        self.refund_payments = SqlRecords(session, tables.refund_payment, records.RefundPayment, self._columns)
        self.pursuits = SqlRecords(session, tables.pursuit, records.Pursuit, self._columns)
        self.blacklist_entries = SqlRecords(session, tables.blacklist, records.Blacklist, self._columns)
