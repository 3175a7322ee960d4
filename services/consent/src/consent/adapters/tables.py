"""The consent service's tables, all in its own PostgreSQL schema."""

from __future__ import annotations

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
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from medaid_shared.tables import kernel_tables

SCHEMA = "consent"
metadata = MetaData(schema=SCHEMA)
kernel = kernel_tables(metadata)

ts = DateTime(timezone=True)
money = Numeric(14, 2)

# --- local read model, fed by referral's events (never referral's tables) --------------

person = Table(
    "person",
    metadata,
    Column("person_id", String(64), primary_key=True),
    Column("name_masked", String(100), nullable=False),
    # SPEC 0.4: the full name as referral sealed it for consent (ciphertext; annex 3 only)
    Column("name_sealed", Text, nullable=True),
    Column("support_type", String(20), nullable=False),
    Column("institution_id", String(64), nullable=True),
    Column("village_id", String(64), nullable=True),
    Column("town_id", String(64), nullable=True),
    Column("capacity", JSONB, nullable=True),
    Column("guardian", JSONB, nullable=True),
    Column("agents", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("trusteeship", JSONB, nullable=True),
    Column("disability_level", String(20), nullable=True),
    Column("source_event_id", String(100), nullable=False),
    Column("source_time", ts, nullable=True),
    Column("updated_at", ts, nullable=False),
)

admission = Table(
    "admission",
    metadata,
    Column("admission_id", String(64), primary_key=True),
    Column("person_id", String(64), nullable=False, index=True),
    Column("facility_id", String(64), nullable=False),
    Column("admitted_at", ts, nullable=False),
    Column("emergency", Boolean, nullable=False),
    Column("support_type", String(20), nullable=False),
    Column("institution_id", String(64), nullable=True),
    Column("village_id", String(64), nullable=True),
    Column("town_id", String(64), nullable=True),
    # the hospital's and the national platform's ids, printed on annex 3 and annex 4
    Column("hospital_admission_no", String(40), nullable=True),
    Column("psn_no", String(30), nullable=True),
    Column("mdtrt_id", String(30), nullable=True),
    Column("setl_id", String(30), nullable=True),
    Column("updated_at", ts, nullable=False),
    # LJ-11.3 / SPEC 0.5: EmergencyExemptionWithdrawn — never overwritten by AdmissionFiled
    Column("emergency_withdrawn_at", ts, nullable=True),
    Column("emergency_withdrawn_reason", String(40), nullable=True),
)

facility = Table(
    "facility",
    metadata,
    Column("facility_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("level", String(40), nullable=False),
    Column("designated", Boolean, nullable=False),
    Column("region", String(40), nullable=False),
    Column("updated_at", ts, nullable=False),
)

# LJ annex 3: the names of the units that file for a person (institutions, village
# committees), as they signed referral's annex-1 form (FilingCompleted).
unit = Table(
    "unit",
    metadata,
    Column("unit_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("updated_at", ts, nullable=False),
)

# --- LJ-10 verified absence of a guardian ---------------------------------------------

guardian_absence = Table(
    "guardian_absence",
    metadata,
    Column("absence_id", String(64), primary_key=True),
    Column("person_id", String(64), nullable=False, index=True),
    Column("evidence_ref", String(200), nullable=False),
    Column("evidence_note", LargeBinary, nullable=True),  # encrypted
    Column("verified_by", String(200), nullable=False),
    Column("verified_role", String(40), nullable=False),
    Column("verified_at", ts, nullable=False),
    # LJ-10: no_guardian (none exists) | cannot_act (the guardian on file / named cannot act,
    # verified by civil affairs only), and the guardian it concerns
    Column("finding", String(20), nullable=False, server_default=text("'no_guardian'")),
    Column("guardian_id", String(64), nullable=True),
)

# --- treatments and consents (LJ-11, LJ-10) -------------------------------------------

treatment = Table(
    "treatment",
    metadata,
    Column("treatment_id", String(64), primary_key=True),
    Column("admission_id", String(64), nullable=False, index=True),
    Column("person_id", String(64), nullable=False),
    Column("facility_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("category", String(40), nullable=True),
    Column("description", LargeBinary, nullable=False),  # encrypted (may reveal a diagnosis)
    Column("attending_doctor", String(200), nullable=False),
    Column("status", String(40), nullable=False),
    Column("consent_required", Boolean, nullable=False),
    Column("trusteeship_covered", Boolean, nullable=False),
    Column("emergency_reason", Text, nullable=True),
    # LJ-11.2: the procedure code, the hospital's own label, the self-pay item a high
    # self-pay treatment stands for, and the parameter version that classified it
    Column("procedure_code", String(32), nullable=True),
    Column("labelled_kind", String(20), nullable=True),
    Column("item_id", String(64), nullable=True, index=True),
    Column("parameters_version", String(200), nullable=True),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", ts, nullable=False),
    Column("updated_at", ts, nullable=False),
)

consent = Table(
    "consent",
    metadata,
    Column("consent_id", String(64), primary_key=True),
    Column("admission_id", String(64), nullable=False, index=True),
    Column("person_id", String(64), nullable=False),
    # LJ-10: one signature that counts or is pending per subject (the service keeps it: a
    # rank-4 signature whose major public interest civil affairs rejected leaves room for another)
    Column("treatment_id", String(64), nullable=True, index=True),
    Column("item_id", String(64), nullable=True, index=True),
    Column("decision", String(40), nullable=False),
    Column("signer_id", String(200), nullable=False),
    Column("signer_role", String(40), nullable=False),
    Column("signer_rank", Integer, nullable=False),
    Column("signer_holder", String(40), nullable=False),
    Column("skipped_ranks", JSONB, nullable=False),
    Column("major_public_interest_reason", Text, nullable=True),
    Column("filed_with_civil_affairs", Boolean, nullable=False),
    Column("signature_ref", String(200), nullable=True),
    Column("signed_at", ts, nullable=False),
    # SPEC 0.4 / LJ annex 3: the signer's display name from their token at signing, encrypted;
    # opened only to print the form (audit-logged).
    Column("signer_name_enc", LargeBinary, nullable=True),
    # LJ-10: civil affairs' confirmation of the major public interest a rank-4 signature cites
    Column("public_interest_confirmation_id", String(64), nullable=True),
    CheckConstraint("(treatment_id IS NULL) <> (item_id IS NULL)", name="consent_one_subject"),
    CheckConstraint("signer_rank BETWEEN 1 AND 4", name="consent_rank"),
)

# LJ-10: civil affairs confirms the major public interest a rank-4 head would sign on, for
# one treatment or self-pay item, before that signature counts.
public_interest_confirmation = Table(
    "public_interest_confirmation",
    metadata,
    Column("confirmation_id", String(64), primary_key=True),
    Column("subject_id", String(64), nullable=False, unique=True),  # treatment_id | item_id
    Column("subject_kind", String(20), nullable=False),  # treatment | self_pay_item
    Column("person_id", String(64), nullable=False),
    Column("admission_id", String(64), nullable=False),
    Column("reason", LargeBinary, nullable=False),  # encrypted
    Column("confirmed_by", String(200), nullable=False),
    Column("confirmed_at", ts, nullable=False),
)

# LJ-10: every rank-4 signature is filed with civil affairs: its work list, with the
# acknowledgement deadline (a versioned parameter) and the overdue flag.
rank4_filing = Table(
    "rank4_filing",
    metadata,
    Column("consent_id", String(64), ForeignKey(f"{SCHEMA}.consent.consent_id"), primary_key=True),
    Column("admission_id", String(64), nullable=False),
    Column("person_id", String(64), nullable=False),
    Column("signer_id", String(200), nullable=False),
    Column("signer_role", String(40), nullable=False),
    Column("major_public_interest", Boolean, nullable=False),
    Column("filed_at", ts, nullable=False),
    Column("acknowledgement_due_at", ts, nullable=False),
    Column("calendar_provisional", Boolean, nullable=False),
    Column("parameters_version", String(200), nullable=False),
    Column("acknowledged_at", ts, nullable=True),
    Column("acknowledged_by", String(200), nullable=True),
    Column("acknowledgement_note", Text, nullable=True),
    Column("overdue_at", ts, nullable=True),
    # LJ-10: a signature on a major public interest not confirmed yet is pending until civil
    # affairs confirms (it counts) or rejects (it never counts) the interest
    Column("public_interest_state", String(20), nullable=True),
    Column("public_interest_decided_at", ts, nullable=True),
    Column("public_interest_decided_by", String(200), nullable=True),
    Column("public_interest_note", Text, nullable=True),
    Index(None, "acknowledged_at", "filed_at"),
)

# --- LJ-11.2 expert pool, assignment, evaluation record -------------------------------

expert = Table(
    "expert",
    metadata,
    Column("expert_id", String(64), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("hospital_id", String(64), nullable=False),
    Column("specialty", String(100), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", ts, nullable=False),
    Column("updated_at", ts, nullable=False),
)

expert_assignment = Table(
    "expert_assignment",
    metadata,
    Column("treatment_id", String(64), ForeignKey(f"{SCHEMA}.treatment.treatment_id"), primary_key=True),
    Column("expert_id", String(64), ForeignKey(f"{SCHEMA}.expert.expert_id"), nullable=False, index=True),
    Column("specialty", String(100), nullable=True),
    Column("rotation", JSONB, nullable=False),
    Column("assigned_by", String(200), nullable=False),
    Column("assigned_at", ts, nullable=False),
)

evaluation = Table(
    "evaluation",
    metadata,
    Column("evaluation_id", String(64), primary_key=True),
    Column("treatment_id", String(64), ForeignKey(f"{SCHEMA}.treatment.treatment_id"), nullable=False, unique=True),
    Column("attending_doctor", String(200), nullable=True),
    Column("attending_opinion", LargeBinary, nullable=True),  # encrypted
    Column("attending_recommendation", String(20), nullable=True),
    Column("attending_at", ts, nullable=True),
    Column("expert_id", String(64), nullable=True),
    Column("expert_opinion", LargeBinary, nullable=True),  # encrypted
    Column("expert_recommendation", String(20), nullable=True),
    Column("expert_at", ts, nullable=True),
    Column("conclusion", String(20), nullable=True),
    Column("completed_at", ts, nullable=True),
)

# --- LJ-7 self-pay items and their reviews --------------------------------------------

# the kernel's versioned parameters: consent's kinds (LJ-7, LJ-11.2) beside the kernel's
parameter_version = kernel.parameter_version

self_pay_item = Table(
    "self_pay_item",
    metadata,
    Column("item_id", String(64), primary_key=True),
    Column("admission_id", String(64), nullable=False),
    Column("person_id", String(64), nullable=False),
    Column("facility_id", String(64), nullable=False),
    Column("item_code", String(64), nullable=False),
    Column("item_name", String(200), nullable=False),
    Column("category", String(20), nullable=False),
    Column("unit_price", money, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("amount", money, nullable=False),
    Column("necessity", LargeBinary, nullable=False),  # encrypted
    Column("attending_doctor", String(200), nullable=False),
    Column("emergency", Boolean, nullable=False),
    Column("needs_review", Boolean, nullable=False),
    Column("needs_civil_affairs", Boolean, nullable=False),
    Column("cumulative_scope", String(20), nullable=False),
    Column("cumulative_before", money, nullable=False),
    Column("cumulative_after", money, nullable=False),
    Column("local_year", Integer, nullable=False),
    Column("parameters_version", String(200), nullable=False),  # the kernel version id applied
    Column("triage", JSONB, nullable=False),
    Column("status", String(40), nullable=False),
    Column("outcome", String(20), nullable=True),
    Column("proposed_by", String(200), nullable=False),
    Column("proposed_at", ts, nullable=False),
    Column("decided_at", ts, nullable=True),
    # LJ-7.2 / LJ-7.3: the review step the item awaits — due when, on a provisional calendar
    # year or not, flagged overdue when, under which parameter version (NULL once decided,
    # and for items whose step began before steps had a due instant)
    Column("step_due_at", ts, nullable=True),
    Column("step_calendar_provisional", Boolean, nullable=True),
    Column("step_overdue_at", ts, nullable=True),
    Column("step_parameters_version", String(200), nullable=True),
    CheckConstraint("amount > 0 AND unit_price > 0 AND quantity > 0", name="self_pay_positive"),
    Index(None, "admission_id", "proposed_at"),
    Index(None, "person_id", "local_year"),
    Index(None, "status", "step_due_at"),
)

self_pay_review = Table(
    "self_pay_review",
    metadata,
    Column("review_id", String(64), primary_key=True),
    Column("seq", BigInteger, Identity(), nullable=False, unique=True),
    Column("item_id", String(64), ForeignKey(f"{SCHEMA}.self_pay_item.item_id"), nullable=False),
    Column("stage", String(20), nullable=False),  # initial | civil_affairs_filing | civil_affairs
    Column("participant", String(40), nullable=False),
    Column("outcome", String(20), nullable=False),  # approved | rejected | filed
    Column("reviewer_id", String(200), nullable=False),
    Column("reviewer_role", String(40), nullable=False),
    # LJ annex 3 / SPEC 0.4: the reviewer's display name for the printed form, encrypted
    Column("reviewer_name_enc", LargeBinary, nullable=True),
    Column("reason", Text, nullable=True),
    Column("reviewed_at", ts, nullable=False),
    UniqueConstraint("item_id", "stage", "participant"),
)

# SPEC 0.5: the insurance catalogue as settlement publishes it (CatalogueItemPublished).
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
    Column("updated_at", ts, nullable=False),
    Index("ix_catalogue_item_code", "code"),
)
