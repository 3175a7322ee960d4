"""Settlement: read model, bills, statements, medical-aid ledger, policy parameters,
manual reimbursements, cost flags.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "settlement"

# Statements are immutable: a correction is a reversal plus a new statement (SPEC §5).
IMMUTABLE = """
CREATE OR REPLACE FUNCTION settlement.refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is immutable: corrections are reversals plus new records', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("support_type", sa.String(length=20), nullable=False),
        sa.Column("institution_id", sa.String(length=100), nullable=True),
        sa.Column("village_id", sa.String(length=100), nullable=True),
        sa.Column("town_id", sa.String(length=100), nullable=True),
        sa.Column("basic_insurance_enrolled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
        schema="settlement",
    )
    op.create_table(
        "facility",
        sa.Column("facility_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=40), nullable=False),
        sa.Column("designated", sa.Boolean(), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("facility_id"),
        schema="settlement",
    )
    op.create_table(
        "admission",
        sa.Column("admission_id", sa.String(length=100), nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("facility_id", sa.String(length=100), nullable=False),
        sa.Column("admitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("support_type", sa.String(length=20), nullable=False),
        sa.Column("institution_id", sa.String(length=100), nullable=True),
        sa.Column("village_id", sa.String(length=100), nullable=True),
        sa.Column("town_id", sa.String(length=100), nullable=True),
        sa.Column("facility_level", sa.String(length=40), nullable=False),
        sa.Column("facility_designated", sa.Boolean(), nullable=False),
        sa.Column("facility_region", sa.String(length=40), nullable=False),
        sa.Column("primary_first_visit", sa.Boolean(), nullable=False),
        sa.Column("referral_slip", sa.Boolean(), nullable=False),
        sa.Column("out_of_region_approved", sa.Boolean(), nullable=True),
        sa.Column("referral_compliant", sa.Boolean(), nullable=False),
        sa.Column("filing_state", sa.String(length=30), nullable=False),
        sa.Column("discharged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("diagnosis_group_enc", sa.LargeBinary(), nullable=True),
        sa.Column("diagnosis_group_idx", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("admission_id"),
        schema="settlement",
    )
    op.create_index(
        op.f("ix_settlement_admission_diagnosis_group_idx"),
        "admission",
        ["diagnosis_group_idx"],
        unique=False,
        schema="settlement",
    )
    op.create_index(
        op.f("ix_settlement_admission_facility_id"), "admission", ["facility_id"], unique=False, schema="settlement"
    )
    op.create_index(
        op.f("ix_settlement_admission_person_id"), "admission", ["person_id"], unique=False, schema="settlement"
    )
    op.create_table(
        "self_pay_decision",
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("admission_id", sa.String(length=100), nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("item_code", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("item_id"),
        schema="settlement",
    )
    op.create_index(
        op.f("ix_settlement_self_pay_decision_admission_id"),
        "self_pay_decision",
        ["admission_id"],
        unique=False,
        schema="settlement",
    )
    op.create_table(
        "bill",
        sa.Column("bill_id", sa.String(length=100), nullable=False),
        sa.Column("facility_id", sa.String(length=100), nullable=False),
        sa.Column("bill_number", sa.String(length=100), nullable=False),
        sa.Column("admission_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("replaces_bill_id", sa.String(length=100), nullable=True),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('interim', 'final')", name="bill_kind"),
        sa.ForeignKeyConstraint(
            ["replaces_bill_id"],
            ["settlement.bill.bill_id"],
        ),
        sa.PrimaryKeyConstraint("bill_id"),
        sa.UniqueConstraint("facility_id", "bill_number"),
        sa.UniqueConstraint("replaces_bill_id"),
        schema="settlement",
    )
    op.create_index(
        op.f("ix_settlement_bill_admission_id"), "bill", ["admission_id"], unique=False, schema="settlement"
    )
    op.create_table(
        "bill_line",
        sa.Column("bill_id", sa.String(length=100), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("admission_id", sa.String(length=100), nullable=False),
        sa.Column("facility_id", sa.String(length=100), nullable=False),
        sa.Column("item_code", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("in_catalogue", sa.Boolean(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("self_pay_item_id", sa.String(length=100), nullable=True),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.CheckConstraint("amount > 0 AND unit_price > 0 AND quantity > 0", name="bill_line_positive"),
        sa.ForeignKeyConstraint(
            ["bill_id"],
            ["settlement.bill.bill_id"],
        ),
        sa.PrimaryKeyConstraint("bill_id", "line_no"),
        schema="settlement",
    )
    op.create_index(
        "ix_bill_line_admission_date", "bill_line", ["admission_id", "service_date"], unique=False, schema="settlement"
    )
    op.create_index(
        "ix_bill_line_facility_date", "bill_line", ["facility_id", "service_date"], unique=False, schema="settlement"
    )
    op.create_table(
        "statement",
        sa.Column("statement_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("reverses_statement_id", sa.String(length=100), nullable=True),
        sa.Column("admission_id", sa.String(length=100), nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("facility_id", sa.String(length=100), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("aid_year", sa.Integer(), nullable=False),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("in_catalogue_total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("out_of_catalogue_total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("deductible_applied", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("basic_insurance", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("critical_illness", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("medical_aid", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("support_fund", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("self_pay_support", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("hospital_borne", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("personal_cash", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("patient_advance", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("critical_base", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("bill_ids", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("parameter_versions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("example_parameters", sa.Boolean(), nullable=False),
        sa.Column("manual_reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("gates_applied", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_role", sa.String(length=50), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('settlement', 'reversal')", name="statement_kind"),
        sa.CheckConstraint("mode IN ('one_stop', 'manual')", name="statement_mode"),
        sa.ForeignKeyConstraint(
            ["reverses_statement_id"],
            ["settlement.statement.statement_id"],
        ),
        sa.PrimaryKeyConstraint("statement_id"),
        sa.UniqueConstraint("reverses_statement_id"),
        schema="settlement",
    )
    op.create_index(
        op.f("ix_settlement_statement_admission_id"), "statement", ["admission_id"], unique=False, schema="settlement"
    )
    op.create_index(
        op.f("ix_settlement_statement_facility_id"), "statement", ["facility_id"], unique=False, schema="settlement"
    )
    op.create_index(
        op.f("ix_settlement_statement_person_id"), "statement", ["person_id"], unique=False, schema="settlement"
    )
    op.create_table(
        "statement_line",
        sa.Column("statement_id", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("payer", sa.String(length=30), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("parameter_version", sa.String(length=200), nullable=True),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("bill_ref", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["settlement.statement.statement_id"],
        ),
        sa.PrimaryKeyConstraint("statement_id", "seq"),
        schema="settlement",
    )
    op.create_table(
        "aid_ledger",
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("basic_paid", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("critical_base", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("critical_paid", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("aid_used", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("aid_ceiling", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("aid_used >= 0 AND aid_used <= aid_ceiling", name="aid_within_ceiling"),
        sa.PrimaryKeyConstraint("person_id", "year"),
        schema="settlement",
    )
    op.create_table(
        "aid_ledger_entry",
        sa.Column("entry_id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.String(length=100), nullable=False),
        sa.Column("basic_paid", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("critical_base", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("critical_paid", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("aid_used", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entry_id"),
        sa.UniqueConstraint("statement_id"),
        schema="settlement",
    )
    op.create_index(
        "ix_aid_ledger_entry_person_year", "aid_ledger_entry", ["person_id", "year"], unique=False, schema="settlement"
    )
    op.create_table(
        "parameter_version",
        sa.Column("version_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("facility_level", sa.String(length=40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("values", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("example", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("loaded_by", sa.String(length=200), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version_id"),
        schema="settlement",
    )
    op.create_index(
        "ix_parameter_version_key",
        "parameter_version",
        ["kind", "region", "facility_level"],
        unique=False,
        schema="settlement",
    )
    op.create_table(
        "manual_reimbursement",
        sa.Column("statement_id", sa.String(length=100), nullable=False),
        sa.Column("admission_id", sa.String(length=100), nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("facility_id", sa.String(length=100), nullable=False),
        sa.Column("support_type", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reimbursable", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("application_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("calendar_provisional", sa.Boolean(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_by", sa.String(length=200), nullable=True),
        sa.Column("applied_late", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["settlement.statement.statement_id"],
        ),
        sa.PrimaryKeyConstraint("statement_id"),
        schema="settlement",
    )
    op.create_index(
        op.f("ix_settlement_manual_reimbursement_admission_id"),
        "manual_reimbursement",
        ["admission_id"],
        unique=False,
        schema="settlement",
    )
    op.create_table(
        "cost_flag",
        sa.Column("flag_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("facility_id", sa.String(length=100), nullable=False),
        sa.Column("admission_id", sa.String(length=100), nullable=True),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("metric", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("threshold", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("flag_id"),
        sa.UniqueConstraint("kind", "subject", "period"),
        schema="settlement",
    )
    op.create_index("ix_cost_flag_period", "cost_flag", ["period", "kind"], unique=False, schema="settlement")
    op.create_index(
        op.f("ix_settlement_cost_flag_facility_id"), "cost_flag", ["facility_id"], unique=False, schema="settlement"
    )
    op.create_table(
        "diagnosis_test_rule",
        sa.Column("diagnosis_group_idx", sa.String(length=64), nullable=False),
        sa.Column("item_code_prefix", sa.String(length=100), nullable=False),
        sa.Column("loaded_by", sa.String(length=200), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("diagnosis_group_idx", "item_code_prefix"),
        schema="settlement",
    )
    op.execute(IMMUTABLE)
    for table in ("statement", "statement_line", "bill", "bill_line", "aid_ledger_entry"):
        op.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON settlement.{table} "
            "FOR EACH ROW EXECUTE FUNCTION settlement.refuse_change()"
        )


def downgrade() -> None:
    op.drop_table("diagnosis_test_rule", schema=SCHEMA)
    op.drop_table("cost_flag", schema=SCHEMA)
    op.drop_table("manual_reimbursement", schema=SCHEMA)
    op.drop_table("parameter_version", schema=SCHEMA)
    op.drop_table("aid_ledger_entry", schema=SCHEMA)
    op.drop_table("aid_ledger", schema=SCHEMA)
    op.drop_table("statement_line", schema=SCHEMA)
    op.drop_table("statement", schema=SCHEMA)
    op.drop_table("bill_line", schema=SCHEMA)
    op.drop_table("bill", schema=SCHEMA)
    op.drop_table("self_pay_decision", schema=SCHEMA)
    op.drop_table("admission", schema=SCHEMA)
    op.drop_table("facility", schema=SCHEMA)
    op.drop_table("person", schema=SCHEMA)
    op.execute("DROP FUNCTION IF EXISTS settlement.refuse_change()")
