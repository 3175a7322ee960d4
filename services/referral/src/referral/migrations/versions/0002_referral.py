"""Referral tables: facilities, persons, referrals, admissions, filings, discharge documents,
violations, health plans, follow-ups, visits and the one-person external-care file.

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


def upgrade() -> None:
    op.create_table(
        "admission",
        sa.Column("admission_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("referral_id", sa.String(length=64), nullable=True),
        sa.Column("admitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_to_hospital_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("able_to_pay", sa.Boolean(), nullable=False),
        sa.Column("support_type", sa.String(length=20), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=True),
        sa.Column("village_id", sa.String(length=64), nullable=True),
        sa.Column("town_id", sa.String(length=64), nullable=True),
        sa.Column("referral_compliance", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("filing_rule", sa.String(length=20), nullable=False),
        sa.Column("filing_state", sa.String(length=20), nullable=False),
        sa.Column("filing_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filing_id", sa.String(length=64), nullable=True),
        sa.Column("phone_reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("phone_reported_by", sa.String(length=200), nullable=True),
        sa.Column("phone_form_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fit_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fit_by", sa.String(length=200), nullable=True),
        sa.Column("discharged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("documents_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("diagnosis_group", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("admission_id"),
        schema="referral",
    )
    op.create_index(
        op.f("ix_referral_admission_facility_id"), "admission", ["facility_id"], unique=False, schema="referral"
    )
    op.create_index(
        op.f("ix_referral_admission_institution_id"), "admission", ["institution_id"], unique=False, schema="referral"
    )
    op.create_index(
        op.f("ix_referral_admission_person_id"), "admission", ["person_id"], unique=False, schema="referral"
    )
    op.create_index(
        op.f("ix_referral_admission_referral_id"), "admission", ["referral_id"], unique=False, schema="referral"
    )
    op.create_index(op.f("ix_referral_admission_town_id"), "admission", ["town_id"], unique=False, schema="referral")
    op.create_index(
        op.f("ix_referral_admission_village_id"), "admission", ["village_id"], unique=False, schema="referral"
    )
    op.create_index(
        "uq_admission_open_person",
        "admission",
        ["person_id"],
        unique=True,
        schema="referral",
        postgresql_where=sa.text("discharged_at IS NULL"),
    )
    op.create_table(
        "discharge_document",
        sa.Column("admission_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("document_ref", sa.String(length=200), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=200), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("admission_id", "kind"),
        schema="referral",
    )
    op.create_table(
        "facility",
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=40), nullable=False),
        sa.Column("designated", sa.Boolean(), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("police_jurisdiction", sa.String(length=64), nullable=True),
        sa.Column("city", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("facility_id"),
        schema="referral",
    )
    op.create_table(
        "filing",
        sa.Column("filing_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("admission_id", sa.String(length=64), nullable=True),
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("referral_id", sa.String(length=64), nullable=True),
        sa.Column("route", sa.String(length=20), nullable=False),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=False),
        sa.Column("planned_departure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escort", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.String(length=2000), nullable=True),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_role", sa.String(length=40), nullable=False),
        sa.Column("submitted_unit", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=True),
        sa.Column("village_id", sa.String(length=64), nullable=True),
        sa.Column("town_id", sa.String(length=64), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("forward_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("forwarded_by", sa.String(length=200), nullable=True),
        sa.Column("forwarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("town_opinion", sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("filing_id"),
        sa.UniqueConstraint("admission_id"),
        schema="referral",
    )
    op.create_index(
        op.f("ix_referral_filing_institution_id"), "filing", ["institution_id"], unique=False, schema="referral"
    )
    op.create_index(op.f("ix_referral_filing_person_id"), "filing", ["person_id"], unique=False, schema="referral")
    op.create_index(op.f("ix_referral_filing_town_id"), "filing", ["town_id"], unique=False, schema="referral")
    op.create_index(op.f("ix_referral_filing_village_id"), "filing", ["village_id"], unique=False, schema="referral")
    op.create_table(
        "followup",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("town_id", sa.String(length=64), nullable=False),
        sa.Column("disability_level", sa.String(length=20), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("last_visit_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
        schema="referral",
    )
    op.create_index(op.f("ix_referral_followup_town_id"), "followup", ["town_id"], unique=False, schema="referral")
    op.create_table(
        "health_plan",
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("admission_id", sa.String(length=64), nullable=False),
        sa.Column("made_by", sa.String(length=200), nullable=False),
        sa.Column("made_role", sa.String(length=40), nullable=False),
        sa.Column("guardian_participated", sa.Boolean(), nullable=False),
        sa.Column("plan_enc", sa.LargeBinary(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("plan_id"),
        schema="referral",
    )
    op.create_index(
        op.f("ix_referral_health_plan_person_id"), "health_plan", ["person_id"], unique=False, schema="referral"
    )
    op.create_table(
        "person",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("id_index", sa.String(length=64), nullable=False),
        sa.Column("id_digest", sa.String(length=64), nullable=False),
        sa.Column("id_enc", sa.LargeBinary(), nullable=False),
        sa.Column("id_masked", sa.String(length=18), nullable=False),
        sa.Column("name_enc", sa.LargeBinary(), nullable=False),
        sa.Column("name_masked", sa.String(length=100), nullable=False),
        sa.Column("support_type", sa.String(length=20), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=True),
        sa.Column("village_id", sa.String(length=64), nullable=True),
        sa.Column("town_id", sa.String(length=64), nullable=True),
        sa.Column("capacity", postgresql.JSONB(astext_type=Text()), nullable=True),
        sa.Column("guardian", postgresql.JSONB(astext_type=Text()), nullable=True),
        sa.Column("agents", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("contacts_enc", sa.LargeBinary(), nullable=True),
        sa.Column("disability_level", sa.String(length=20), nullable=True),
        sa.Column("trusteeship", postgresql.JSONB(astext_type=Text()), nullable=True),
        sa.Column("basic_insurance_enrolled", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
        sa.UniqueConstraint("id_index"),
        schema="referral",
    )
    op.create_index(
        op.f("ix_referral_person_institution_id"), "person", ["institution_id"], unique=False, schema="referral"
    )
    op.create_index(op.f("ix_referral_person_town_id"), "person", ["town_id"], unique=False, schema="referral")
    op.create_index(op.f("ix_referral_person_village_id"), "person", ["village_id"], unique=False, schema="referral")
    op.create_table(
        "referral",
        sa.Column("referral_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("from_facility_id", sa.String(length=64), nullable=False),
        sa.Column("to_facility_id", sa.String(length=64), nullable=False),
        sa.Column("first_visit_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slip_ref", sa.String(length=200), nullable=True),
        sa.Column("slip_doctor", sa.String(length=200), nullable=True),
        sa.Column("transfer_application_ref", sa.String(length=200), nullable=True),
        sa.Column("approval_state", sa.String(length=20), nullable=False),
        sa.Column("approval_by", sa.String(length=200), nullable=True),
        sa.Column("approval_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approval_ref", sa.String(length=200), nullable=True),
        sa.Column("approval_reason", sa.String(length=1000), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("referral_id"),
        schema="referral",
    )
    op.create_index(
        op.f("ix_referral_referral_from_facility_id"), "referral", ["from_facility_id"], unique=False, schema="referral"
    )
    op.create_index(op.f("ix_referral_referral_person_id"), "referral", ["person_id"], unique=False, schema="referral")
    op.create_index(
        op.f("ix_referral_referral_to_facility_id"), "referral", ["to_facility_id"], unique=False, schema="referral"
    )
    op.create_table(
        "timeline_entry",
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("ref_id", sa.String(length=100), nullable=False),
        sa.Column("admission_id", sa.String(length=64), nullable=True),
        sa.Column("summary", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        schema="referral",
    )
    op.create_index(
        op.f("ix_referral_timeline_entry_person_id"),
        "timeline_entry",
        ["person_id", "at"],
        unique=False,
        schema="referral",
    )
    op.create_table(
        "violation",
        sa.Column("violation_id", sa.String(length=64), nullable=False),
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("admission_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("violation_id"),
        schema="referral",
    )
    op.create_index(
        op.f("ix_referral_violation_admission_id"), "violation", ["admission_id"], unique=False, schema="referral"
    )
    op.create_index(
        op.f("ix_referral_violation_facility_id"), "violation", ["facility_id"], unique=False, schema="referral"
    )
    op.create_table(
        "visit",
        sa.Column("visit_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("town_id", sa.String(length=64), nullable=False),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("visitor", sa.String(length=200), nullable=False),
        sa.Column("notes_enc", sa.LargeBinary(), nullable=True),
        sa.Column("needs_care", sa.Boolean(), nullable=False),
        sa.Column("was_overdue", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("visit_id"),
        schema="referral",
    )
    op.create_index(op.f("ix_referral_visit_person_id"), "visit", ["person_id"], unique=False, schema="referral")
    op.create_index(op.f("ix_referral_visit_town_id"), "visit", ["town_id"], unique=False, schema="referral")


def downgrade() -> None:
    op.drop_table("visit", schema="referral")
    op.drop_table("violation", schema="referral")
    op.drop_table("timeline_entry", schema="referral")
    op.drop_table("referral", schema="referral")
    op.drop_table("person", schema="referral")
    op.drop_table("health_plan", schema="referral")
    op.drop_table("followup", schema="referral")
    op.drop_table("filing", schema="referral")
    op.drop_table("facility", schema="referral")
    op.drop_table("discharge_document", schema="referral")
    op.drop_table("admission", schema="referral")
