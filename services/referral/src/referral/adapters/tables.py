"""The referral service's tables, all in its own PostgreSQL schema.

Sensitive values (ID numbers, names, diagnoses / reasons, plan and visit notes) are stored
only as AES-GCM ciphertexts (``*_enc``); ID numbers are found through a blind index.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from medaid_shared.parameter_store import parameter_table
from medaid_shared.tables import kernel_tables

SCHEMA = "referral"
metadata = MetaData(schema=SCHEMA)
kernel = kernel_tables(metadata)
# The kernel's versioned parameters: filing and discharge windows (LJ-4.2, LJ-12).
parameter_version = parameter_table(metadata)

TS = DateTime(timezone=True)
ID = String(64)

facility = Table(
    "facility",
    metadata,
    Column("facility_id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("level", String(40), nullable=False),
    Column("designated", Boolean, nullable=False),
    Column("region", String(40), nullable=False),
    Column("police_jurisdiction", String(64), nullable=True),
    Column("city", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
)

person = Table(
    "person",
    metadata,
    Column("person_id", ID, primary_key=True),
    Column("id_index", String(64), nullable=False, unique=True),  # blind index of the ID number
    Column("id_enc", LargeBinary, nullable=False),
    Column("id_masked", String(18), nullable=False),
    Column("name_enc", LargeBinary, nullable=False),
    Column("name_masked", String(100), nullable=False),
    Column("support_type", String(20), nullable=False),
    Column("institution_id", ID, nullable=True, index=True),
    Column("village_id", ID, nullable=True, index=True),
    Column("town_id", ID, nullable=True, index=True),
    Column("capacity", JSONB, nullable=True),
    Column("guardian", JSONB, nullable=True),  # masked; the full name is in contacts_enc
    Column("agents", JSONB, nullable=False),  # masked; full names in contacts_enc
    Column("contacts_enc", LargeBinary, nullable=True),
    Column("disability_level", String(20), nullable=True),
    Column("trusteeship", JSONB, nullable=True),
    Column("basic_insurance_enrolled", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
)

referral = Table(
    "referral",
    metadata,
    Column("referral_id", ID, primary_key=True),
    Column("person_id", ID, nullable=False, index=True),
    Column("from_facility_id", ID, nullable=False, index=True),
    Column("to_facility_id", ID, nullable=False, index=True),
    Column("first_visit_at", TS, nullable=False),
    Column("slip_ref", String(200), nullable=True),
    Column("slip_doctor", String(200), nullable=True),
    Column("transfer_application_ref", String(200), nullable=True),
    Column("approval_state", String(20), nullable=False),
    Column("approval_by", String(200), nullable=True),
    Column("approval_at", TS, nullable=True),
    Column("approval_ref", String(200), nullable=True),
    Column("approval_reason", String(1000), nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
)

admission = Table(
    "admission",
    metadata,
    Column("admission_id", ID, primary_key=True),
    Column("person_id", ID, nullable=False, index=True),
    Column("facility_id", ID, nullable=False, index=True),
    Column("referral_id", ID, nullable=True, index=True),
    Column("admitted_at", TS, nullable=False),
    Column("sent_to_hospital_at", TS, nullable=True),
    Column("emergency", Boolean, nullable=False),
    Column("able_to_pay", Boolean, nullable=False),
    # the person's placement at admission (scope of institution / village / town)
    Column("support_type", String(20), nullable=False),
    Column("institution_id", ID, nullable=True, index=True),
    Column("village_id", ID, nullable=True, index=True),
    Column("town_id", ID, nullable=True, index=True),
    Column("referral_compliance", JSONB, nullable=False),
    Column("filing_rule", String(20), nullable=False),
    Column("filing_state", String(20), nullable=False),
    Column("filing_due_at", TS, nullable=False),
    # LJ-4.2b: the same instant; LJ-4.2c (interpretation): when an unstarted chain is unfiled
    Column("unfiled_due_at", TS, nullable=False),
    Column("filing_id", ID, nullable=True),
    Column("phone_reported_at", TS, nullable=True),
    Column("phone_reported_by", String(200), nullable=True),
    Column("phone_form_due_at", TS, nullable=True),
    Column("fit_at", TS, nullable=True),
    Column("fit_by", String(200), nullable=True),
    Column("discharged_at", TS, nullable=True),
    Column("documents_due_at", TS, nullable=True),
    Column("diagnosis_group_enc", LargeBinary, nullable=True),  # SPEC 0.4: encrypted at rest
    # LJ-11.3 / SPEC 0.5: the emergency as a recorded determination (claimed, determined,
    # lapsed, contested, confirmed); the condition is a diagnosis, encrypted at rest (SPEC 0.4)
    Column("emergency_status", String(20), nullable=True),
    Column("emergency_due_at", TS, nullable=True),
    Column("emergency_condition_enc", LargeBinary, nullable=True),
    Column("emergency_arrival_channel", String(30), nullable=True),
    Column("emergency_onset_at", TS, nullable=True),
    Column("emergency_determined_at", TS, nullable=True),
    Column("emergency_determined_by", String(200), nullable=True),
    Column("emergency_review", JSONB, nullable=True),
    # LJ-12 seen from the patient's side: the carer's or guardian's claim (SPEC 0.5)
    Column("patient_fit_at", TS, nullable=True),
    Column("patient_fit_report", JSONB, nullable=True),
    Column("documents_withheld_report", JSONB, nullable=True),
    # SPEC 0.3: the person's carer says the person is not admitted there
    Column("disputed_at", TS, nullable=True),
    Column("disputed_by", String(200), nullable=True),
    Column("dispute_reason", Text, nullable=True),
    # LJ-4.3c: the adviser (建议方) of unfiled outside care, as civil affairs recorded it
    Column("unfiled_care_adviser", JSONB, nullable=True),
    # LJ-15.1: the health plan after the discharge — due when (official calendar), on a
    # provisional year or not, flagged overdue when, under which version (NULL before the
    # discharge, and for discharges recorded before plans had a due instant)
    Column("health_plan_due_at", TS, nullable=True),
    Column("health_plan_calendar_provisional", Boolean, nullable=True),
    Column("health_plan_overdue_at", TS, nullable=True),
    Column("health_plan_parameters_version", String(200), nullable=True),
    # the hospital's and the national platform's identifiers of this admission (printed on forms)
    Column("hospital_admission_no", String(40), nullable=True),
    Column("psn_no", String(30), nullable=True),
    Column("mdtrt_id", String(30), nullable=True),
    Column("setl_id", String(30), nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
    # one open admission per person and facility (SPEC 0.3: another hospital's never blocks it)
    Index(
        "uq_admission_open_person_facility",
        "person_id",
        "facility_id",
        unique=True,
        postgresql_where=text("discharged_at IS NULL AND disputed_at IS NULL"),
    ),
)

# the national list of urgent and critical illnesses (国卫办医发〔2013〕32号), reference data
urgent_condition = Table(
    "urgent_condition",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("example", Boolean, nullable=False),
    Column("source", String(200), nullable=False),
    Column("loaded_by", String(200), nullable=False),
    Column("loaded_at", TS, nullable=False),
)

filing = Table(
    "filing",
    metadata,
    Column("filing_id", ID, primary_key=True),
    Column("person_id", ID, nullable=False, index=True),
    Column("admission_id", ID, nullable=True, unique=True),
    Column("facility_id", ID, nullable=False),
    Column("referral_id", ID, nullable=True),
    Column("route", String(20), nullable=False),  # centralized | decentralized
    Column("reason_enc", LargeBinary, nullable=False),  # 外出就医原因 (diagnosis): sensitive
    Column("planned_departure_at", TS, nullable=True),
    Column("escort", String(200), nullable=True),
    Column("notes", String(2000), nullable=True),
    Column("submitted_by", String(200), nullable=False),
    Column("submitted_role", String(40), nullable=False),
    Column("submitted_unit", ID, nullable=False),  # institution or village committee
    Column("submitted_unit_name", String(200), nullable=True),  # as printed on the form
    Column("submitted_by_name", String(200), nullable=True),
    # the person's placement when filed (scope of institution / village / town)
    Column("institution_id", ID, nullable=True, index=True),
    Column("village_id", ID, nullable=True, index=True),
    Column("town_id", ID, nullable=True, index=True),
    Column("submitted_at", TS, nullable=False),
    Column("forward_due_at", TS, nullable=True),
    Column("forwarded_by", String(200), nullable=True),
    Column("forwarded_by_name", String(200), nullable=True),
    Column("forwarded_at", TS, nullable=True),
    Column("town_opinion", String(1000), nullable=True),
)

discharge_document = Table(
    "discharge_document",
    metadata,
    Column("admission_id", ID, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("document_ref", String(200), nullable=False),
    Column("issued_at", TS, nullable=False),
    Column("issued_by", String(200), nullable=False),
    Column("late", Boolean, nullable=False),
    PrimaryKeyConstraint("admission_id", "kind"),
)

violation = Table(
    "violation",
    metadata,
    Column("violation_id", ID, primary_key=True),
    Column("facility_id", ID, nullable=False, index=True),
    Column("admission_id", ID, nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("rule", String(20), nullable=False),
    Column("details", JSONB, nullable=False),
    Column("due_at", TS, nullable=True),
    Column("recorded_at", TS, nullable=False),
)

health_plan = Table(
    "health_plan",
    metadata,
    Column("plan_id", ID, primary_key=True),
    Column("person_id", ID, nullable=False, index=True),
    Column("admission_id", ID, nullable=False),
    Column("made_by", String(200), nullable=False),
    Column("made_role", String(40), nullable=False),
    Column("guardian_participated", Boolean, nullable=False),
    Column("plan_enc", LargeBinary, nullable=False),
    Column("review_on", Date, nullable=True),
    Column("made_at", TS, nullable=False),
)

followup = Table(
    "followup",
    metadata,
    Column("person_id", ID, primary_key=True),
    Column("town_id", ID, nullable=False, index=True),
    Column("disability_level", String(20), nullable=False),
    Column("cycle", Integer, nullable=False),
    Column("last_visit_at", TS, nullable=True),
    Column("due_at", TS, nullable=False),
    Column("overdue", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
)

visit = Table(
    "visit",
    metadata,
    Column("visit_id", ID, primary_key=True),
    Column("person_id", ID, nullable=False, index=True),
    Column("town_id", ID, nullable=False, index=True),
    Column("visited_at", TS, nullable=False),
    Column("visitor", String(200), nullable=False),
    Column("notes_enc", LargeBinary, nullable=True),
    Column("needs_care", Boolean, nullable=False),
    Column("was_overdue", Boolean, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", TS, nullable=False),
)

timeline_entry = Table(
    "timeline_entry",
    metadata,
    Column("seq", BigInteger, Identity(), primary_key=True),
    Column("person_id", ID, nullable=False),
    Column("at", TS, nullable=False),
    Column("kind", String(60), nullable=False),
    Column("source", String(40), nullable=False),
    Column("ref_id", String(100), nullable=False),
    Column("admission_id", ID, nullable=True),
    Column("summary", JSONB, nullable=False),
    Index(None, "person_id", "at"),
)

TABLES = {
    "facility": facility,
    "person": person,
    "referral": referral,
    "admission": admission,
    "urgent_condition": urgent_condition,
    "filing": filing,
    "discharge_document": discharge_document,
    "violation": violation,
    "health_plan": health_plan,
    "followup": followup,
    "visit": visit,
    "timeline_entry": timeline_entry,
}
