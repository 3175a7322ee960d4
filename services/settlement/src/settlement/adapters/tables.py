"""The settlement service's tables, all in its own PostgreSQL schema.

Read model (from referral's and consent's events): person, facility, admission,
self_pay_decision. Own records: bill + bill_line (never edited: a correction is a new bill
that replaces the old one), statement + statement_line (immutable: a correction is a
reversal plus a new statement; a trigger refuses UPDATE and DELETE), the medical-aid ledger
per person and year with its entries, policy parameter versions, manual reimbursements,
cost flags and the diagnosis-group test rules of LJ-9.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ARRAY,
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

from medaid_shared.parameter_store import ServiceParameters, parameter_table
from medaid_shared.tables import kernel_tables
from settlement.domain.parameters import CATALOGUE, window_defaults

SCHEMA = "settlement"
metadata = MetaData(schema=SCHEMA)
kernel = kernel_tables(metadata)

TS = DateTime(timezone=True)
ID = String(100)


def money(name: str, nullable: bool = False) -> Column[Any]:
    return Column(name, Numeric(14, 2), nullable=nullable)


person = Table(
    "person",
    metadata,
    Column("person_id", ID, primary_key=True),
    Column("support_type", String(20), nullable=False),
    Column("institution_id", ID, nullable=True),
    Column("village_id", ID, nullable=True),
    Column("town_id", ID, nullable=True),
    Column("basic_insurance_enrolled", Boolean, nullable=False),
    Column("updated_at", TS, nullable=False),
    # LJ-13.2: the guardian may apply for the person's manual reimbursement.
    Column("guardian_id", ID, nullable=True),
)

facility = Table(
    "facility",
    metadata,
    Column("facility_id", ID, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("level", String(40), nullable=False),
    Column("designated", Boolean, nullable=False),
    Column("region", String(40), nullable=False),
    Column("updated_at", TS, nullable=False),
)

admission = Table(
    "admission",
    metadata,
    Column("admission_id", ID, primary_key=True),
    Column("person_id", ID, nullable=False, index=True),
    Column("facility_id", ID, nullable=False, index=True),
    Column("admitted_at", TS, nullable=False),
    # the emergency stands (claimed at admission, not withdrawn: EmergencyExemptionWithdrawn)
    Column("emergency", Boolean, nullable=False),
    # SPEC 0.5 / LJ-11.3: when referral recorded its basis (EmergencyDetermined); until then
    # the emergency is only the hospital's claim and unlocks nothing
    Column("emergency_determined_at", TS, nullable=True),
    Column("support_type", String(20), nullable=False),
    Column("institution_id", ID, nullable=True),
    Column("village_id", ID, nullable=True),
    Column("town_id", ID, nullable=True),
    Column("facility_level", String(40), nullable=False),
    Column("facility_designated", Boolean, nullable=False),
    Column("facility_region", String(40), nullable=False),
    Column("primary_first_visit", Boolean, nullable=False),
    Column("referral_slip", Boolean, nullable=False),
    Column("out_of_region_approved", Boolean, nullable=True),
    Column("referral_compliant", Boolean, nullable=False),
    Column("filing_state", String(30), nullable=False),
    Column("discharged_at", TS, nullable=True),
    # SPEC 0.4: the diagnosis group is encrypted; the blind index groups and joins in SQL.
    Column("diagnosis_group_enc", LargeBinary, nullable=True),
    Column("diagnosis_group_idx", String(64), nullable=True, index=True),
    # the hospital's and the national platform's ids, printed on the statement
    Column("hospital_admission_no", String(40), nullable=True),
    Column("psn_no", String(30), nullable=True),
    Column("mdtrt_id", String(30), nullable=True),
    Column("setl_id", String(30), nullable=True),
    # LJ-4.3c: the unit civil affairs recorded as having advised the unfiled outside care
    # (UnfiledCareAdviserRecorded: kind, id, name, evidence_ref, recorded_at)
    Column("unfiled_care_adviser", JSONB, nullable=True),
    Column("updated_at", TS, nullable=False),
)

# LJ-11.1 / LJ-11.2: the treatments consent recorded and whether each was consented
# (TreatmentRecorded, ConsentSigned, MajorTreatmentEvaluated).
treatment = Table(
    "treatment",
    metadata,
    Column("treatment_id", ID, primary_key=True),
    Column("admission_id", ID, nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("consent_required", Boolean, nullable=False),
    Column("recorded_at", TS, nullable=False),
    Column("consent_id", ID, nullable=True),
    Column("consented_at", TS, nullable=True),
    Column("evaluation_conclusion", String(30), nullable=True),
    Column("updated_at", TS, nullable=False),
)

self_pay_decision = Table(
    "self_pay_decision",
    metadata,
    Column("item_id", ID, primary_key=True),
    Column("admission_id", ID, nullable=False, index=True),
    Column("person_id", ID, nullable=False),
    Column("item_code", String(100), nullable=False),
    money("amount"),
    # SPEC 0.5: a proposed item is known here before it is decided (outcome still empty).
    Column("outcome", String(30), nullable=True),
    Column("decided_at", TS, nullable=True),
)

bill = Table(
    "bill",
    metadata,
    Column("bill_id", ID, primary_key=True),
    Column("facility_id", ID, nullable=False),
    Column("bill_number", String(100), nullable=False),
    Column("admission_id", ID, nullable=False, index=True),
    Column("kind", String(10), nullable=False),
    Column("replaces_bill_id", ID, ForeignKey(f"{SCHEMA}.bill.bill_id"), nullable=True, unique=True),
    money("total"),
    Column("line_count", Integer, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("reason", Text, nullable=True),
    Column("submitted_by", String(200), nullable=False),
    Column("submitted_at", TS, nullable=False),
    UniqueConstraint("facility_id", "bill_number"),
    CheckConstraint("kind IN ('interim', 'final')", name="bill_kind"),
)

bill_line = Table(
    "bill_line",
    metadata,
    Column("bill_id", ID, ForeignKey(f"{SCHEMA}.bill.bill_id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("admission_id", ID, nullable=False),
    Column("facility_id", ID, nullable=False),
    Column("item_code", String(100), nullable=False),
    Column("category", String(20), nullable=False),
    Column("in_catalogue", Boolean, nullable=False),
    Column("quantity", Numeric(12, 3), nullable=False),
    money("unit_price"),
    money("amount"),
    Column("service_date", Date, nullable=False),
    Column("self_pay_item_id", ID, nullable=True),
    Column("emergency", Boolean, nullable=False),
    # LJ-11.1: the treatment (consent service) the line bills, checked against its consent
    Column("treatment_id", ID, nullable=True),
    # SPEC 0.5: the catalogue entry the membership was looked up in (never sent by the hospital).
    Column("catalogue_version", String(200), nullable=True),
    PrimaryKeyConstraint("bill_id", "line_no"),
    Index("ix_bill_line_admission_date", "admission_id", "service_date"),
    Index("ix_bill_line_facility_date", "facility_id", "service_date"),
    CheckConstraint("amount > 0 AND unit_price > 0 AND quantity > 0", name="bill_line_positive"),
)

# LJ-8, LJ-9, LJ-15.4: the active bill lines summed per admission and service day, kept
# up to date on write by triggers (migration 0007), so the quarterly analysis reads about a
# third of the rows and never aggregates the lines themselves.
service_day_cost = Table(
    "service_day_cost",
    metadata,
    Column("admission_id", ID, nullable=False),
    Column("service_date", Date, nullable=False),
    Column("facility_id", ID, nullable=False),
    Column("total", Numeric(16, 2), nullable=False),
    Column("self_pay", Numeric(16, 2), nullable=False),
    Column("categories", ARRAY(String(20)), nullable=False),
    PrimaryKeyConstraint("admission_id", "facility_id", "service_date"),
    Index("ix_service_day_cost_date", "service_date"),
)

statement = Table(
    "statement",
    metadata,
    Column("statement_id", ID, primary_key=True),
    Column("kind", String(12), nullable=False),  # settlement | reversal
    Column("reverses_statement_id", ID, ForeignKey(f"{SCHEMA}.statement.statement_id"), nullable=True, unique=True),
    Column("admission_id", ID, nullable=False, index=True),
    Column("person_id", ID, nullable=False, index=True),
    Column("facility_id", ID, nullable=False, index=True),
    Column("mode", String(10), nullable=False),
    Column("aid_year", Integer, nullable=False),
    money("total"),
    money("in_catalogue_total"),
    money("out_of_catalogue_total"),
    money("deductible_applied"),
    money("basic_insurance"),
    money("critical_illness"),
    money("medical_aid"),
    money("support_fund"),
    money("self_pay_support"),
    money("hospital_borne"),
    money("personal_cash"),
    money("patient_advance"),
    money("critical_base"),
    Column("bill_ids", JSONB, nullable=False),
    Column("parameter_versions", JSONB, nullable=False),
    Column("example_parameters", Boolean, nullable=False),
    Column("manual_reasons", JSONB, nullable=False),
    Column("gates_applied", JSONB, nullable=False),
    Column("reason", Text, nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_role", String(50), nullable=False),
    Column("completed_at", TS, nullable=False),
    # LJ-13.1 / SPEC 0.5: the national one-stop result the statement took its insurance and
    # aid from, and where that result differs from the own computation
    Column("platform_setl_id", String(30), nullable=True),
    Column("platform_differences", JSONB, nullable=True),
    # LJ-11.1 / LJ-11.2: bill lines of treatments never consented (or not to proceed)
    Column("unconsented_lines", JSONB, nullable=True),
    # LJ-4.3c: who bears what the unfiled gate refuses — the adviser when known, else the person
    Column("unfiled_care_bearer", JSONB, nullable=True),
    CheckConstraint("kind IN ('settlement', 'reversal')", name="statement_kind"),
    CheckConstraint("mode IN ('one_stop', 'manual')", name="statement_mode"),
)

statement_line = Table(
    "statement_line",
    metadata,
    Column("statement_id", ID, ForeignKey(f"{SCHEMA}.statement.statement_id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("payer", String(30), nullable=False),
    money("amount"),
    Column("rule", String(20), nullable=False),
    Column("parameter_version", String(200), nullable=True),
    Column("basis", Text, nullable=False),
    Column("bill_ref", String(200), nullable=True),
    PrimaryKeyConstraint("statement_id", "seq"),
)

aid_ledger = Table(
    "aid_ledger",
    metadata,
    Column("person_id", ID, nullable=False),
    Column("year", Integer, nullable=False),
    money("basic_paid"),
    money("critical_base"),
    money("critical_paid"),
    money("aid_used"),
    money("aid_ceiling"),
    Column("updated_at", TS, nullable=False),
    PrimaryKeyConstraint("person_id", "year"),
    # LJ-6.2: the database itself refuses a year's aid above the ceiling.
    CheckConstraint("aid_used >= 0 AND aid_used <= aid_ceiling", name="aid_within_ceiling"),
)

aid_ledger_entry = Table(
    "aid_ledger_entry",
    metadata,
    Column("entry_id", BigInteger, Identity(), primary_key=True),
    Column("person_id", ID, nullable=False),
    Column("year", Integer, nullable=False),
    Column("statement_id", ID, nullable=False, unique=True),
    money("basic_paid"),
    money("critical_base"),
    money("critical_paid"),
    money("aid_used"),
    Column("at", TS, nullable=False),
    Index("ix_aid_ledger_entry_person_year", "person_id", "year"),
)

parameter_version = parameter_table(metadata)  # the kernel's versioned parameters (LJ-6.1, LJ-6.2)
PARAMETERS = ServiceParameters(CATALOGUE, parameter_version, defaults_from=window_defaults)

manual_reimbursement = Table(
    "manual_reimbursement",
    metadata,
    Column("statement_id", ID, ForeignKey(f"{SCHEMA}.statement.statement_id"), primary_key=True),
    Column("admission_id", ID, nullable=False, index=True),
    Column("person_id", ID, nullable=False),
    Column("facility_id", ID, nullable=False),
    Column("support_type", String(20), nullable=False),
    Column("reason", Text, nullable=False),
    money("reimbursable"),
    Column("application_due_at", TS, nullable=True),
    Column("calendar_provisional", Boolean, nullable=False),
    Column("requested_at", TS, nullable=False),
    Column("applied_at", TS, nullable=True),
    Column("applied_by", String(200), nullable=True),
    Column("applied_late", Boolean, nullable=True),
    # LJ-13.2 as a workflow: requested → applied → approved | rejected → paid (approved only).
    Column("state", String(20), nullable=False, server_default="requested"),
    Column("window_version", String(200), nullable=True),
    Column("applied_role", String(40), nullable=True),
    # LJ-6.2: the aid reserved on the person's yearly ceiling at application, and what the
    # ledger holds for it now (the approved aid, or nothing once rejected or reversed).
    money("aid_reserved", nullable=True),
    money("aid_held", nullable=True),
    Column("reviewed_at", TS, nullable=True),
    Column("reviewed_by", String(200), nullable=True),
    Column("review_reasons", JSONB, nullable=True),
    money("approved_basic_insurance", nullable=True),
    money("approved_critical_illness", nullable=True),
    money("approved_medical_aid", nullable=True),
    Column("paid_at", TS, nullable=True),
    Column("paid_by", String(200), nullable=True),
    money("paid_amount", nullable=True),
    Column("payment_ref", String(100), nullable=True),
    CheckConstraint(
        "state IN ('requested', 'applied', 'approved', 'rejected', 'paid', 'reversed')", name="manual_state"
    ),
)

# LJ-13.1 / SPEC 0.5: the hospital's one-stop settlement on the national medical-security
# platform (2207 output). Each revision is kept as posted: a correction of the same setl_id
# supersedes the one in force, a reversal on the platform marks it reversed (no fact to settle on).
PLATFORM_MONEY = (
    "medfee_sumamt",
    "inscp_scp_amt",
    "fulamt_ownpay_amt",
    "act_pay_dedc",
    "hifp_pay",
    "hifmi_pay",
    "maf_pay",
    "oth_pay",
    "acct_pay",
    "psn_cash_pay",
)
platform_settlement = Table(
    "platform_settlement",
    metadata,
    Column("admission_id", ID, nullable=False),
    Column("revision", Integer, nullable=False, server_default="1"),
    Column("setl_id", String(30), nullable=False),
    Column("mdtrt_id", String(30), nullable=True),
    Column("facility_id", ID, nullable=False),
    Column("setl_time", TS, nullable=False),
    *(money(name) for name in PLATFORM_MONEY),
    Column("fingerprint", String(64), nullable=False),
    Column("posted_by", String(200), nullable=False),
    Column("posted_role", String(50), nullable=False),
    Column("posted_at", TS, nullable=False),
    Column("reason", Text, nullable=True),  # why this revision corrects the one before
    Column("superseded_at", TS, nullable=True),
    Column("reversed_at", TS, nullable=True),
    Column("reversal_reason", Text, nullable=True),
    PrimaryKeyConstraint("admission_id", "revision"),
    Index("ix_platform_settlement_setl_id", "setl_id"),
    Index(
        "uq_platform_settlement_current",
        "admission_id",
        unique=True,
        postgresql_where=text("superseded_at IS NULL"),
    ),
)

cost_flag = Table(
    "cost_flag",
    metadata,
    Column("flag_id", ID, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("rule", String(20), nullable=False),
    Column("facility_id", ID, nullable=False, index=True),
    Column("admission_id", ID, nullable=True),
    Column("subject", ID, nullable=False),
    Column("period", String(10), nullable=False),
    Column("metric", Numeric(18, 4), nullable=False),
    Column("threshold", Numeric(18, 4), nullable=False),
    Column("detail", Text, nullable=False),
    Column("flagged_at", TS, nullable=False),
    # LJ-11.1 / LJ-13.1 / SPEC 0.5: a flag a settlement raised stands on that statement; the
    # statement's reversal withdraws it (the re-issued statement raises again what still holds).
    Column("statement_id", ID, nullable=True),
    Column("withdrawn_at", TS, nullable=True),
    Column("withdrawn_by_statement_id", ID, nullable=True),
    Column("withdrawn_reason", Text, nullable=True),
    Index("ix_cost_flag_period", "period", "kind"),
    Index("ix_cost_flag_statement", "statement_id"),
    # one standing flag per kind, subject and quarter; withdrawn ones stay beside it
    Index(
        "uq_cost_flag_standing",
        "kind",
        "subject",
        "period",
        unique=True,
        postgresql_where=text("withdrawn_at IS NULL"),
    ),
)

diagnosis_test_rule = Table(
    "diagnosis_test_rule",
    metadata,
    Column("diagnosis_group_idx", String(64), nullable=False),
    Column("item_code_prefix", String(100), nullable=False),
    Column("loaded_by", String(200), nullable=False),
    Column("loaded_at", TS, nullable=False),
    PrimaryKeyConstraint("diagnosis_group_idx", "item_code_prefix"),
)

# SPEC 0.5: the insurance catalogue (医保目录), versioned reference data owned here.
catalogue_item = Table(
    "catalogue_item",
    metadata,
    Column("version_id", String(200), primary_key=True),
    Column("code", String(100), nullable=False),
    Column("name", String(300), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("in_catalogue", Boolean, nullable=False),
    Column("region", String(40), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date, nullable=True),
    Column("example", Boolean, nullable=False),
    Column("source", String(300), nullable=False),
    Column("loaded_by", String(200), nullable=False),
    Column("loaded_at", TS, nullable=False),
    Index("ix_catalogue_item_code", "code", "region"),
)
