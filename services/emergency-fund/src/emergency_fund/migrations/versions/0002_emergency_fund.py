"""Emergency-fund tables: fund and double-entry ledger (GD-3, GD-7, GD-8), read models of
other services' facts, reference data and parameters, cases (GD-12 … GD-18, GD-22.3, GD-23),
applications, steps and notices (GD-20, GD-21), disbursement, write-off and refunds (GD-16.4),
blacklist (GD-24).

The ledger's double-entry invariant (GD-3) is also enforced by the database: a deferred
constraint trigger rejects, at commit, any transaction whose entries do not sum to zero.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "emergency_fund"

BALANCED_FUNCTION = f"""
CREATE FUNCTION {SCHEMA}.ledger_txn_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total numeric;
BEGIN
    SELECT coalesce(sum(amount), 0) INTO total FROM {SCHEMA}.ledger_entry WHERE txn_id = NEW.txn_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'ledger transaction % does not balance (sum %)', NEW.txn_id, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;
"""

BALANCED_TRIGGER = f"""
CREATE CONSTRAINT TRIGGER ledger_entry_balanced
AFTER INSERT OR UPDATE OR DELETE ON {SCHEMA}.ledger_entry
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.ledger_txn_balanced();
"""

APPEND_ONLY_FUNCTION = f"""
CREATE FUNCTION {SCHEMA}.ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only (GD-3): % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;
"""


def upgrade() -> None:
    op.create_table(
        "application",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("requested_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("approved_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("flagged", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_index(
        op.f("ix_emergency_fund_application_city"), "application", ["city", "state"], unique=False, schema=SCHEMA
    )
    op.create_index(
        op.f("ix_emergency_fund_application_facility_id"), "application", ["facility_id"], unique=False, schema=SCHEMA
    )
    op.create_table(
        "blacklist",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("id_digest", sa.String(length=64), nullable=False),
        sa.Column("name_masked", sa.String(length=100), nullable=True),
        sa.Column("id_masked", sa.String(length=30), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("listed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("listed_by", sa.String(length=200), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.String(length=200), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_index(
        op.f("ix_emergency_fund_blacklist_id_digest"), "blacklist", ["id_digest"], unique=False, schema=SCHEMA
    )
    op.create_table(
        "case",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("admission_id", sa.String(length=64), nullable=True),
        sa.Column("person_id", sa.String(length=64), nullable=True),
        sa.Column("patient_ref", sa.String(length=100), nullable=False),
        sa.Column("admitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("identity_status", sa.String(length=20), nullable=False),
        sa.Column("name_enc", sa.LargeBinary(), nullable=True),
        sa.Column("id_number_enc", sa.LargeBinary(), nullable=True),
        sa.Column("id_digest", sa.String(length=64), nullable=True),
        sa.Column("name_masked", sa.String(length=100), nullable=True),
        sa.Column("id_masked", sa.String(length=30), nullable=True),
        sa.Column("destitute", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("disease_code", sa.String(length=40), nullable=True),
        sa.Column("emergency_hours", sa.Integer(), nullable=False),
        sa.Column("extension_category", sa.String(length=60), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column(
            "unable_to_pay_basis",
            postgresql.JSONB(astext_type=Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("civil_affairs_statuses", postgresql.JSONB(astext_type=Text()), nullable=True),
        sa.Column("waiver_amount", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False),
        sa.Column("waiver_reason", sa.Text(), nullable=True),
        sa.Column("excluded", sa.String(length=40), nullable=True),
        sa.Column("excluded_reason", sa.Text(), nullable=True),
        sa.Column("identity_gate", sa.String(length=40), nullable=True),
        sa.Column("identified_late", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("blacklist_flag", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("claim_medical", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("claim_living", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("application_id", sa.String(length=64), nullable=True),
        sa.Column("paid_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_index(op.f("ix_emergency_fund_case_city"), "case", ["city", "state"], unique=False, schema=SCHEMA)
    op.create_index(
        op.f("ix_emergency_fund_case_facility_id"), "case", ["facility_id", "patient_ref"], unique=False, schema=SCHEMA
    )
    op.create_index(
        "uq_case_admission",
        "case",
        ["admission_id"],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("admission_id IS NOT NULL"),
    )
    op.create_index(op.f("ix_emergency_fund_case_id_digest"), "case", ["id_digest"], unique=False, schema=SCHEMA)
    op.create_table(
        "committee_member",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("affiliation", sa.String(length=50), nullable=False),
        sa.Column("appointed_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_table(
        "cost_average",
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("disease_code", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("average_cost", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("facility_id", "disease_code", "year"),
        schema=SCHEMA,
    )
    op.create_table(
        "disease",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=50), nullable=False),
        sa.Column("urgent_critical", sa.Boolean(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("basis", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope", "code", "effective_from"),
        schema=SCHEMA,
    )
    op.create_table(
        "facility",
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("ownership", sa.String(length=20), server_default="unknown", nullable=False),
        sa.Column("police_jurisdiction", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("facility_id"),
        schema=SCHEMA,
    )
    op.create_table(
        "fund",
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("agency_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("city"),
        schema=SCHEMA,
    )
    op.create_table(
        "identity_signal",
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("patient_ref", sa.String(length=100), nullable=False),
        sa.Column("reference_number", sa.String(length=100), nullable=False),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("late", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("name_masked", sa.String(length=100), nullable=True),
        sa.Column("id_masked", sa.String(length=30), nullable=True),
        sa.Column("id_digest", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("request_id"),
        schema=SCHEMA,
    )
    op.create_index(
        op.f("ix_emergency_fund_identity_signal_facility_id"),
        "identity_signal",
        ["facility_id", "patient_ref"],
        unique=False,
        schema=SCHEMA,
    )
    op.create_table(
        "living_standard",
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("monthly_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("city", "effective_from"),
        schema=SCHEMA,
    )
    op.create_table(
        "parameter",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name", "effective_from"),
        schema=SCHEMA,
    )
    op.create_table(
        "person",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("id_digest", sa.String(length=64), nullable=False),
        sa.Column("name_masked", sa.String(length=100), nullable=False),
        sa.Column("id_masked", sa.String(length=30), nullable=False),
        sa.Column("support_type", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
        schema=SCHEMA,
    )
    op.create_index(op.f("ix_emergency_fund_person_id_digest"), "person", ["id_digest"], unique=False, schema=SCHEMA)
    op.create_table(
        "preallocation",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("last_cycle_use", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("basis", sa.Text(), server_default="", nullable=False),
        sa.Column("txn_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_index(
        op.f("ix_emergency_fund_preallocation_city"), "preallocation", ["city", "year"], unique=False, schema=SCHEMA
    )
    op.create_table(
        "settlement",
        sa.Column("statement_id", sa.String(length=64), nullable=False),
        sa.Column("admission_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("medical_aid", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reversed", sa.Boolean(), server_default="false", nullable=False),
        sa.PrimaryKeyConstraint("statement_id"),
        schema=SCHEMA,
    )
    op.create_index(
        op.f("ix_emergency_fund_settlement_admission_id"), "settlement", ["admission_id"], unique=False, schema=SCHEMA
    )
    op.create_table(
        "training",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=300), nullable=False),
        sa.Column("facility_ids", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_index(op.f("ix_emergency_fund_training_city"), "training", ["city", "year"], unique=False, schema=SCHEMA)
    op.create_table(
        "application_case",
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("medical_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("living_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("claimed_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("approved_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("blacklist_flag", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["emergency_fund.application.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["emergency_fund.case.id"],
        ),
        sa.PrimaryKeyConstraint("application_id", "case_id"),
        schema=SCHEMA,
    )
    op.create_table(
        "application_step",
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("calendar_provisional", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("overdue", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("reviewer_id", sa.String(length=200), nullable=True),
        sa.Column("reviewer_role", sa.String(length=50), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("late", sa.Boolean(), server_default="false", nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["emergency_fund.application.id"],
        ),
        sa.PrimaryKeyConstraint("application_id", "step"),
        schema=SCHEMA,
    )
    op.create_table(
        "channel_payment",
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("reference", sa.String(length=200), server_default="", nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["emergency_fund.case.id"],
        ),
        sa.PrimaryKeyConstraint("case_id", "channel"),
        schema=SCHEMA,
    )
    op.create_table(
        "civil_affairs_check",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("statuses", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["emergency_fund.case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_index(
        op.f("ix_emergency_fund_civil_affairs_check_case_id"),
        "civil_affairs_check",
        ["case_id"],
        unique=False,
        schema=SCHEMA,
    )
    op.create_table(
        "co_review_note",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("role", sa.String(length=50), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["emergency_fund.application.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_index(
        op.f("ix_emergency_fund_co_review_note_application_id"),
        "co_review_note",
        ["application_id"],
        unique=False,
        schema=SCHEMA,
    )
    op.create_table(
        "cost_item",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("in_catalogue", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("exclusion", sa.String(length=60), nullable=True),
        sa.Column("exclusion_note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["emergency_fund.case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_index(op.f("ix_emergency_fund_cost_item_case_id"), "cost_item", ["case_id"], unique=False, schema=SCHEMA)
    op.create_table(
        "disbursement",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("from_preallocation", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("from_fund_cash", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("txn_id", sa.String(length=64), nullable=False),
        sa.Column("disbursed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disbursed_by", sa.String(length=200), nullable=False),
        sa.Column("written_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("written_off_by", sa.String(length=200), nullable=True),
        sa.Column("write_off_vouchers", postgresql.JSONB(astext_type=Text()), nullable=True),
        sa.Column("write_off_txn_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint("amount > 0", name="disbursement_positive"),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["emergency_fund.application.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id"),
        schema=SCHEMA,
    )
    op.create_table(
        "ledger_txn",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=True),
        sa.Column("source_ref", sa.String(length=200), nullable=True),
        sa.Column("memo", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_role", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["city"],
            ["emergency_fund.fund.city"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "ref"),
        schema=SCHEMA,
    )
    op.create_index(
        op.f("ix_emergency_fund_ledger_txn_city"),
        "ledger_txn",
        ["city", "kind", "fiscal_year"],
        unique=False,
        schema=SCHEMA,
    )
    op.create_table(
        "notice",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("publisher", sa.String(length=20), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("calendar_provisional", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("entries", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("published_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["emergency_fund.application.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id", "publisher"),
        schema=SCHEMA,
    )
    op.create_index(op.f("ix_emergency_fund_notice_ends_at"), "notice", ["ends_at"], unique=False, schema=SCHEMA)
    op.create_table(
        "refund_demand",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("refunded", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("identity_request_id", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("demanded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("demanded_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint("refunded <= amount", name="refund_not_above_demand"),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["emergency_fund.case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
        schema=SCHEMA,
    )
    op.create_table(
        "vagrant_registration",
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("registration_no", sa.String(length=100), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["emergency_fund.case.id"],
        ),
        sa.PrimaryKeyConstraint("case_id"),
        schema=SCHEMA,
    )
    op.create_table(
        "ledger_entry",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("txn_id", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.CheckConstraint("amount <> 0", name="ledger_entry_nonzero"),
        sa.ForeignKeyConstraint(
            ["txn_id"],
            ["emergency_fund.ledger_txn.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_index(
        op.f("ix_emergency_fund_ledger_entry_txn_id"), "ledger_entry", ["txn_id"], unique=False, schema=SCHEMA
    )
    op.create_index(
        op.f("ix_emergency_fund_ledger_entry_city"), "ledger_entry", ["city", "account"], unique=False, schema=SCHEMA
    )
    op.create_table(
        "pursuit",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("refund_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recovered_from_patient", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["refund_id"],
            ["emergency_fund.refund_demand.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_index(op.f("ix_emergency_fund_pursuit_refund_id"), "pursuit", ["refund_id"], unique=False, schema=SCHEMA)
    op.create_table(
        "refund_payment",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("refund_id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("txn_id", sa.String(length=64), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["refund_id"],
            ["emergency_fund.refund_demand.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_index(
        op.f("ix_emergency_fund_refund_payment_refund_id"), "refund_payment", ["refund_id"], unique=False, schema=SCHEMA
    )
    op.execute(BALANCED_FUNCTION)
    op.execute(BALANCED_TRIGGER)
    op.execute(APPEND_ONLY_FUNCTION)
    for table in ("ledger_entry", "ledger_txn"):
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {SCHEMA}.{table} "
            f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.ledger_append_only()"
        )


def downgrade() -> None:
    for table in ("ledger_entry", "ledger_txn"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {SCHEMA}.{table}")
    op.execute(f"DROP TRIGGER IF EXISTS ledger_entry_balanced ON {SCHEMA}.ledger_entry")
    op.drop_table("refund_payment", schema=SCHEMA)
    op.drop_table("pursuit", schema=SCHEMA)
    op.drop_table("ledger_entry", schema=SCHEMA)
    op.drop_table("vagrant_registration", schema=SCHEMA)
    op.drop_table("refund_demand", schema=SCHEMA)
    op.drop_table("notice", schema=SCHEMA)
    op.drop_table("ledger_txn", schema=SCHEMA)
    op.drop_table("disbursement", schema=SCHEMA)
    op.drop_table("cost_item", schema=SCHEMA)
    op.drop_table("co_review_note", schema=SCHEMA)
    op.drop_table("civil_affairs_check", schema=SCHEMA)
    op.drop_table("channel_payment", schema=SCHEMA)
    op.drop_table("application_step", schema=SCHEMA)
    op.drop_table("application_case", schema=SCHEMA)
    op.drop_table("training", schema=SCHEMA)
    op.drop_table("settlement", schema=SCHEMA)
    op.drop_table("preallocation", schema=SCHEMA)
    op.drop_table("person", schema=SCHEMA)
    op.drop_table("parameter", schema=SCHEMA)
    op.drop_table("living_standard", schema=SCHEMA)
    op.drop_table("identity_signal", schema=SCHEMA)
    op.drop_table("fund", schema=SCHEMA)
    op.drop_table("facility", schema=SCHEMA)
    op.drop_table("disease", schema=SCHEMA)
    op.drop_table("cost_average", schema=SCHEMA)
    op.drop_table("committee_member", schema=SCHEMA)
    op.drop_table("case", schema=SCHEMA)
    op.drop_table("blacklist", schema=SCHEMA)
    op.drop_table("application", schema=SCHEMA)
    op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.ledger_txn_balanced()")
    op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.ledger_append_only()")
