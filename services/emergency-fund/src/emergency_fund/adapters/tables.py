"""The emergency-fund service's tables, all in its own PostgreSQL schema."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from medaid_shared.tables import kernel_tables

SCHEMA = "emergency_fund"
metadata = MetaData(schema=SCHEMA)
kernel = kernel_tables(metadata)


def ts(name: str, nullable: bool = False) -> Column[Any]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


def money(name: str, nullable: bool = False) -> Column[Any]:
    return Column(name, Numeric(14, 2), nullable=nullable)


def ident(name: str = "id") -> Column[Any]:
    return Column(name, String(64), primary_key=True)


# ------------------------------------------------------------------ fund and ledger (GD-3, GD-7, GD-8)

fund = Table(
    "fund",
    metadata,
    Column("city", String(50), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("agency_name", String(200), nullable=False),
    ts("created_at"),
    Column("created_by", String(200), nullable=False),
)

ledger_txn = Table(
    "ledger_txn",
    metadata,
    ident(),
    Column("city", String(50), ForeignKey(f"{SCHEMA}.fund.city"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("ref", String(200), nullable=True),
    Column("source_ref", String(200), nullable=True),
    Column("memo", Text, nullable=False, server_default=""),
    ts("created_at"),
    Column("created_by", String(200), nullable=False),
    Column("created_role", String(50), nullable=False),
    UniqueConstraint("kind", "ref"),
    Index(None, "city", "kind", "fiscal_year"),
)

ledger_entry = Table(
    "ledger_entry",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("txn_id", String(64), ForeignKey(f"{SCHEMA}.ledger_txn.id"), nullable=False),
    Column("city", String(50), nullable=False),
    Column("account", String(200), nullable=False),
    money("amount"),
    CheckConstraint("amount <> 0", name="ledger_entry_nonzero"),
    Index(None, "city", "account"),
    Index(None, "txn_id"),
)

preallocation = Table(
    "preallocation",
    metadata,
    ident(),
    Column("city", String(50), nullable=False),
    Column("facility_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("kind", String(20), nullable=False),  # allocation | return
    money("amount"),
    money("last_cycle_use", nullable=True),
    Column("basis", Text, nullable=False, server_default=""),
    Column("txn_id", String(64), nullable=False),
    ts("created_at"),
    Column("created_by", String(200), nullable=False),
    Index(None, "city", "year"),
)

# GD-7: the year-end check of a city's pre-allocations against the minimum share (one per
# city and year; a booking corrected into a checked year checks it again).
preallocation_check = Table(
    "preallocation_check",
    metadata,
    Column("city", String(50), primary_key=True),
    Column("year", Integer, primary_key=True),
    money("upper_level_transfers"),
    Column("min_share", Numeric(5, 4), nullable=False),
    money("required_minimum"),
    money("preallocated"),
    money("shortfall"),
    Column("compliant", Boolean, nullable=False),
    Column("parameters_version", String(200), nullable=False),
    ts("checked_at"),
    ts("flagged_at", nullable=True),
)

# GD-19: the registration records delivered on a schedule — one file per delivery with its
# manifest (the sequence number is the platform's cursor) and what each record was when last
# delivered (so a delivery carries the records new or changed since).
registration_batch = Table(
    "registration_batch",
    metadata,
    ident(),
    Column("city", String(50), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("previous_seq", Integer, nullable=True),
    ts("created_at"),
    Column("record_count", Integer, nullable=False),
    Column("record_ids", JSONB, nullable=False),
    Column("fields", JSONB, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content_enc", LargeBinary, nullable=False),  # SPEC 0.4: the CSV carries diagnoses
    Column("parameters_version", String(200), nullable=False),
    UniqueConstraint("city", "seq"),
)

registration_delivered = Table(
    "registration_delivered",
    metadata,
    Column("city", String(50), primary_key=True),
    Column("case_id", String(64), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("batch_seq", Integer, nullable=False),
)

committee_member = Table(
    "committee_member",
    metadata,
    ident(),
    Column("city", String(50), nullable=False),
    Column("name", String(100), nullable=False),
    Column("affiliation", String(50), nullable=False),
    Column("appointed_on", Date, nullable=False),
    ts("created_at"),
    Column("created_by", String(200), nullable=False),
)

training = Table(
    "training",
    metadata,
    ident(),
    Column("city", String(50), nullable=False),
    Column("year", Integer, nullable=False),
    Column("held_on", Date, nullable=False),
    Column("topic", String(300), nullable=False),
    Column("facility_ids", JSONB, nullable=False),
    ts("recorded_at"),
    Column("recorded_by", String(200), nullable=False),
    Index(None, "city", "year"),
)

# ------------------------------------------------------------------ read models from other services' events

facility = Table(
    "facility",
    metadata,
    Column("facility_id", String(64), primary_key=True),
    Column("city", String(50), nullable=False),
    Column("name", String(200), nullable=False),
    Column("ownership", String(20), nullable=False, server_default="unknown"),  # public | non_public | unknown
    Column("police_jurisdiction", String(64), nullable=True),
    Column("source", String(20), nullable=False),  # referral | agency
    ts("updated_at"),
)

person = Table(
    "person",
    metadata,
    Column("person_id", String(64), primary_key=True),
    Column("id_digest", String(64), nullable=False, index=True),
    Column("name_masked", String(100), nullable=False),
    Column("id_masked", String(30), nullable=False),
    Column("support_type", String(20), nullable=False),
    ts("updated_at"),
)

settlement = Table(
    "settlement",
    metadata,
    Column("statement_id", String(64), primary_key=True),
    Column("admission_id", String(64), nullable=False, index=True),
    Column("person_id", String(64), nullable=False),
    Column("facility_id", String(64), nullable=False),
    money("total"),
    money("basic_insurance"),  # basic + critical-illness insurance
    money("medical_aid"),
    ts("completed_at"),
    Column("reversed", Boolean, nullable=False, server_default="false"),
)

identity_signal = Table(
    "identity_signal",
    metadata,
    Column("request_id", String(64), primary_key=True),
    Column("facility_id", String(64), nullable=False),
    Column("patient_ref", String(100), nullable=False),
    Column("reference_number", String(100), nullable=False),
    ts("overdue_at", nullable=True),
    Column("outcome", String(20), nullable=True),
    Column("late", Boolean, nullable=False, server_default="false"),
    ts("replied_at", nullable=True),
    Column("name_masked", String(100), nullable=True),
    Column("id_masked", String(30), nullable=True),
    Column("id_digest", String(64), nullable=True),
    Column("birth_facts_enc", LargeBinary, nullable=True),  # GD-13.3: what the bureau's ID number says
    ts("received_at", nullable=True),  # from IdentityCheckRequested: the letter reached the bureau
    Index(None, "facility_id", "patient_ref"),
)

# ------------------------------------------------------------------ reference data and parameters

disease = Table(
    "disease",
    metadata,
    ident(),
    Column("code", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("scope", String(50), nullable=False),  # national | <city>
    Column("urgent_critical", Boolean, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date, nullable=True),
    Column("basis", String(300), nullable=False),
    ts("created_at"),
    Column("created_by", String(200), nullable=False),
    UniqueConstraint("scope", "code", "effective_from"),
)

cost_average = Table(
    "cost_average",
    metadata,
    Column("facility_id", String(64), nullable=False),
    Column("disease_code", String(40), nullable=False),
    Column("year", Integer, nullable=False),
    money("average_cost"),
    Column("source", String(300), nullable=False),
    ts("imported_at"),
    Column("imported_by", String(200), nullable=False),
    PrimaryKeyConstraint("facility_id", "disease_code", "year"),
)

living_standard = Table(
    "living_standard",
    metadata,
    Column("city", String(50), nullable=False),
    Column("effective_from", Date, nullable=False),
    money("monthly_amount"),
    Column("source", String(300), nullable=False),
    ts("set_at"),
    Column("set_by", String(200), nullable=False),
    PrimaryKeyConstraint("city", "effective_from"),
)

# ------------------------------------------------------------------ cases (GD-12 … GD-18, GD-22.3, GD-23)

case = Table(
    "case",
    metadata,
    ident(),
    Column("city", String(50), nullable=False),
    Column("facility_id", String(64), nullable=False),
    Column("source", String(20), nullable=False),  # hospital | referral (LJ-11.4)
    Column("admission_id", String(64), nullable=True),
    Column("person_id", String(64), nullable=True),
    Column("patient_ref", String(100), nullable=False),  # the hospital's admission number
    # GD-16.3: the police letter (identity-check request) an unidentified patient's case rests on.
    Column("identity_check_request_id", String(64), nullable=True),
    ts("admitted_at"),
    Column("identity_status", String(20), nullable=False),
    Column("name_enc", LargeBinary, nullable=True),
    Column("id_number_enc", LargeBinary, nullable=True),
    # GD-13.3 / SPEC 0.4: the birth date and sex the ID number says, encrypted (``birth_facts``)
    Column("birth_facts_enc", LargeBinary, nullable=True),
    Column("id_digest", String(64), nullable=True, index=True),
    Column("name_masked", String(100), nullable=True),
    Column("id_masked", String(30), nullable=True),
    Column("destitute", Boolean, nullable=False, server_default="false"),
    Column("disease_code_enc", LargeBinary, nullable=True),  # SPEC 0.4: encrypted at rest
    Column("emergency_hours", Integer, nullable=False),
    Column("extension_category", String(60), nullable=True),
    Column("extension_reason", Text, nullable=True),
    # GD-13.3: an extension the hospital requested, with its evidence, until the agency or the
    # health department decides (only an approved one sets emergency_hours)
    Column("extension_hours", Integer, nullable=True),
    Column("extension_evidence", JSONB, nullable=True),
    Column("extension_status", String(20), nullable=True),  # requested | approved | rejected
    Column("extension_requested_by", String(200), nullable=True),
    ts("extension_requested_at", nullable=True),
    Column("extension_decided_by", String(200), nullable=True),
    Column("extension_decided_role", String(40), nullable=True),
    ts("extension_decided_at", nullable=True),
    Column("extension_decision_reason", Text, nullable=True),
    # GD-13.5: the end of the stay (discharge, death, transfer) as the hospital recorded it
    ts("stay_ended_at", nullable=True),
    Column("stay_end_outcome", String(20), nullable=True),
    Column("stay_end_note", Text, nullable=True),
    Column("stay_end_recorded_by", String(200), nullable=True),
    ts("stay_end_recorded_at", nullable=True),
    Column("stay_end_source", String(20), nullable=True),  # hospital | referral (GD-13.5)
    Column("unable_to_pay_basis", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("civil_affairs_statuses", JSONB, nullable=True),
    Column("waiver_amount", Numeric(14, 2), nullable=False, server_default="0"),
    Column("waiver_reason", Text, nullable=True),
    Column("excluded", String(40), nullable=True),
    Column("excluded_reason", Text, nullable=True),
    # GD-14: a case exclusion the hospital proposed, until the agency decides it.
    Column("exclusion_proposed", String(40), nullable=True),
    Column("exclusion_proposed_reason", Text, nullable=True),
    Column("exclusion_proposed_by", String(200), nullable=True),
    ts("exclusion_proposed_at", nullable=True),
    Column("identity_gate", String(40), nullable=True),
    Column("identified_late", Boolean, nullable=False, server_default="false"),
    # GD-16.1: identity-check found the case's police letter sent later than "immediately".
    ts("letter_sent_late_at", nullable=True),
    Column("blacklist_flag", Boolean, nullable=False, server_default="false"),
    money("claim_medical", nullable=True),
    money("claim_living", nullable=True),
    ts("claimed_at", nullable=True),
    Column("application_id", String(64), nullable=True),
    money("paid_amount", nullable=True),
    Column("state", String(30), nullable=False),
    ts("created_at"),
    Column("created_by", String(200), nullable=False),
    ts("updated_at"),
    Index(None, "city", "state"),
    Index("uq_case_admission", "admission_id", unique=True, postgresql_where=text("admission_id IS NOT NULL")),
    # GD-16.3 / GD-13.4: one case per admission number of a hospital, one case per police letter.
    Index("uq_case_admission_number", "facility_id", "patient_ref", unique=True),
    Index(
        "uq_case_identity_check_request",
        "identity_check_request_id",
        unique=True,
        postgresql_where=text("identity_check_request_id IS NOT NULL"),
    ),
)

cost_item = Table(
    "cost_item",
    metadata,
    ident(),
    Column("case_id", String(64), ForeignKey(f"{SCHEMA}.case.id"), nullable=False, index=True),
    ts("occurred_at"),
    Column("category", String(40), nullable=False),
    Column("description", String(300), nullable=False),
    Column("in_catalogue", Boolean, nullable=False),
    money("amount"),
    Column("exclusion", String(60), nullable=True),
    Column("exclusion_note", Text, nullable=True),
    # GD-14: proposed (by the hospital) | accepted | rejected (decided by the agency)
    Column("exclusion_status", String(20), nullable=True),
    Column("exclusion_decided_by", String(200), nullable=True),
    ts("exclusion_decided_at", nullable=True),
    Column("exclusion_decision_reason", Text, nullable=True),
    ts("recorded_at"),
    Column("recorded_by", String(200), nullable=False),
)

channel_payment = Table(
    "channel_payment",
    metadata,
    Column("case_id", String(64), ForeignKey(f"{SCHEMA}.case.id"), nullable=False),
    Column("channel", String(40), nullable=False),
    money("amount"),  # the amount in effect: the confirmed one, else the hospital's claim
    Column("reference", String(200), nullable=False, server_default=""),
    Column("source", String(20), nullable=False),  # hospital | settlement | the confirming role
    ts("recorded_at"),
    Column("recorded_by", String(200), nullable=False),
    # GD-18.1: the hospital's claim until the department responsible confirms (or the agency waives)
    money("claimed_amount", nullable=True),
    Column("status", String(20), nullable=False, server_default="claimed"),
    Column("document_ref", String(200), nullable=True),
    Column("confirmed_by", String(200), nullable=True),
    Column("confirmed_role", String(40), nullable=True),
    ts("confirmed_at", nullable=True),
    Column("waiver_reason", Text, nullable=True),
    Column("waived_by", String(200), nullable=True),
    ts("waived_at", nullable=True),
    PrimaryKeyConstraint("case_id", "channel"),
    Index(None, "status", "channel"),
)

civil_affairs_check = Table(
    "civil_affairs_check",
    metadata,
    ident(),
    Column("seq", BigInteger, Identity(), nullable=False, unique=True),  # the latest check decides
    Column("case_id", String(64), ForeignKey(f"{SCHEMA}.case.id"), nullable=False, index=True),
    Column("statuses", JSONB, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("source", String(20), nullable=False),  # civil_affairs | referral
    ts("checked_at"),
    Column("checked_by", String(200), nullable=False),
)

vagrant_registration = Table(
    "vagrant_registration",
    metadata,
    Column("case_id", String(64), ForeignKey(f"{SCHEMA}.case.id"), primary_key=True),
    Column("registration_no", String(100), nullable=False),
    Column("agency", String(200), nullable=False),
    ts("registered_at"),
    Column("registered_by", String(200), nullable=False),
)

# ------------------------------------------------------------------ applications (GD-20.1, GD-20.2), notices (GD-21)

application = Table(
    "application",
    metadata,
    ident(),
    Column("city", String(50), nullable=False),
    Column("facility_id", String(64), nullable=False),
    Column("state", String(30), nullable=False),
    money("requested_amount"),
    money("approved_amount", nullable=True),
    Column("note", Text, nullable=False, server_default=""),
    Column("flagged", Boolean, nullable=False, server_default="false"),
    # SPEC 0.1 / GD-21: what was decided on a term the loaded calendar notice corrected.
    Column("notice_flag", String(60), nullable=True),
    ts("submitted_at"),
    Column("submitted_by", String(200), nullable=False),
    ts("updated_at"),
    Index(None, "city", "state"),
    Index(None, "facility_id"),
)

application_case = Table(
    "application_case",
    metadata,
    Column("application_id", String(64), ForeignKey(f"{SCHEMA}.application.id"), nullable=False),
    Column("case_id", String(64), ForeignKey(f"{SCHEMA}.case.id"), nullable=False),
    money("medical_amount"),
    money("living_amount"),
    money("claimed_amount"),
    money("approved_amount", nullable=True),
    Column("blacklist_flag", Boolean, nullable=False, server_default="false"),
    Column("withdrawn_reason", Text, nullable=True),
    PrimaryKeyConstraint("application_id", "case_id"),
)

application_step = Table(
    "application_step",
    metadata,
    Column("application_id", String(64), ForeignKey(f"{SCHEMA}.application.id"), nullable=False),
    Column("step", String(20), nullable=False),
    ts("started_at"),
    ts("due_at"),
    Column("calendar_provisional", Boolean, nullable=False, server_default="false"),
    Column("overdue", Boolean, nullable=False, server_default="false"),
    ts("decided_at", nullable=True),
    Column("outcome", String(20), nullable=True),
    Column("reviewer_id", String(200), nullable=True),
    Column("reviewer_role", String(50), nullable=True),
    Column("reason", Text, nullable=True),
    Column("late", Boolean, nullable=False, server_default="false"),
    PrimaryKeyConstraint("application_id", "step"),
)

co_review_note = Table(
    "co_review_note",
    metadata,
    ident(),
    Column("application_id", String(64), ForeignKey(f"{SCHEMA}.application.id"), nullable=False, index=True),
    Column("case_id", String(64), nullable=True),
    Column("role", String(50), nullable=False),
    Column("author", String(200), nullable=False),
    Column("note", Text, nullable=False),
    ts("created_at"),
)

notice = Table(
    "notice",
    metadata,
    ident(),
    Column("application_id", String(64), ForeignKey(f"{SCHEMA}.application.id"), nullable=False),
    Column("city", String(50), nullable=False),
    Column("facility_id", String(64), nullable=False),
    Column("publisher", String(20), nullable=False),
    ts("starts_at"),
    ts("ends_at"),
    Column("working_days", Integer, nullable=False),
    Column("calendar_provisional", Boolean, nullable=False, server_default="false"),
    Column("entries", JSONB, nullable=False),
    money("total"),
    Column("published_by", String(200), nullable=False),
    UniqueConstraint("application_id", "publisher"),
    Index(None, "ends_at"),
)

# ------------------------------------------------------------------ money out: disbursement, write-off, refund

disbursement = Table(
    "disbursement",
    metadata,
    ident(),
    Column("application_id", String(64), ForeignKey(f"{SCHEMA}.application.id"), nullable=False, unique=True),
    Column("city", String(50), nullable=False),
    Column("facility_id", String(64), nullable=False),
    money("amount"),
    money("from_preallocation"),
    money("from_fund_cash"),
    Column("txn_id", String(64), nullable=False),
    ts("disbursed_at"),
    Column("disbursed_by", String(200), nullable=False),
    ts("written_off_at", nullable=True),
    Column("written_off_by", String(200), nullable=True),
    Column("write_off_vouchers", JSONB, nullable=True),
    Column("write_off_txn_id", String(64), nullable=True),
    CheckConstraint("amount > 0", name="disbursement_positive"),
)

refund_demand = Table(
    "refund_demand",
    metadata,
    ident(),
    Column("case_id", String(64), ForeignKey(f"{SCHEMA}.case.id"), nullable=False, unique=True),
    Column("application_id", String(64), nullable=False),
    Column("city", String(50), nullable=False),
    Column("facility_id", String(64), nullable=False),
    money("amount"),
    money("refunded"),
    Column("reason", Text, nullable=False),
    Column("identity_request_id", String(64), nullable=True),
    Column("state", String(20), nullable=False),  # open | refunded
    ts("demanded_at"),
    Column("demanded_by", String(200), nullable=False),
    # GD-16.4: due on the official calendar by the versioned term; flagged once overdue
    ts("due_at", nullable=True),
    Column("calendar_provisional", Boolean, nullable=False, server_default="false"),
    Column("due_parameters_version", String(120), nullable=True),
    ts("overdue_at", nullable=True),
    CheckConstraint("refunded <= amount", name="refund_not_above_demand"),
)

refund_payment = Table(
    "refund_payment",
    metadata,
    ident(),
    Column("refund_id", String(64), ForeignKey(f"{SCHEMA}.refund_demand.id"), nullable=False, index=True),
    money("amount"),
    Column("reference", String(200), nullable=False),
    Column("txn_id", String(64), nullable=False),
    ts("paid_at"),
    Column("recorded_by", String(200), nullable=False),
)

pursuit = Table(
    "pursuit",
    metadata,
    ident(),
    Column("refund_id", String(64), ForeignKey(f"{SCHEMA}.refund_demand.id"), nullable=False, index=True),
    Column("action", String(40), nullable=False),
    Column("note", Text, nullable=False),
    money("recovered_from_patient", nullable=True),
    ts("recorded_at"),
    Column("recorded_by", String(200), nullable=False),
)

# ------------------------------------------------------------------ blacklist (GD-24)

blacklist = Table(
    "blacklist",
    metadata,
    ident(),
    Column("city", String(50), nullable=False),
    Column("id_digest", String(64), nullable=False, index=True),
    Column("name_masked", String(100), nullable=True),
    Column("id_masked", String(30), nullable=True),
    Column("reason", Text, nullable=False),
    Column("evidence", JSONB, nullable=False),
    Column("case_id", String(64), nullable=True),
    ts("listed_at"),
    Column("listed_by", String(200), nullable=False),
    ts("lifted_at", nullable=True),
    Column("lifted_by", String(200), nullable=True),
    Column("lift_reason", Text, nullable=True),
)

TABLES = {t.name: t for t in metadata.tables.values()}
