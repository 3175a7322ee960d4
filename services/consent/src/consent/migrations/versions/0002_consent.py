"""Consent service tables: the read model of persons, admissions and facilities; guardian
absences; treatments and immutable consents; the expert pool, assignments and evaluation
records; versioned policy parameters; self-pay items and their reviews.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

S = "consent"
TS = sa.DateTime(timezone=True)
MONEY = sa.Numeric(14, 2)


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("name_masked", sa.String(100), nullable=False),
        sa.Column("support_type", sa.String(20), nullable=False),
        sa.Column("institution_id", sa.String(64), nullable=True),
        sa.Column("village_id", sa.String(64), nullable=True),
        sa.Column("town_id", sa.String(64), nullable=True),
        sa.Column("capacity", JSONB, nullable=True),
        sa.Column("guardian", JSONB, nullable=True),
        sa.Column("agents", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("trusteeship", JSONB, nullable=True),
        sa.Column("disability_level", sa.String(20), nullable=True),
        sa.Column("source_event_id", sa.String(100), nullable=False),
        sa.Column("source_time", TS, nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        schema=S,
    )
    op.create_table(
        "admission",
        sa.Column("admission_id", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("facility_id", sa.String(64), nullable=False),
        sa.Column("admitted_at", TS, nullable=False),
        sa.Column("emergency", sa.Boolean, nullable=False),
        sa.Column("support_type", sa.String(20), nullable=False),
        sa.Column("institution_id", sa.String(64), nullable=True),
        sa.Column("village_id", sa.String(64), nullable=True),
        sa.Column("town_id", sa.String(64), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        schema=S,
    )
    op.create_index("ix_consent_admission_person_id", "admission", ["person_id"], schema=S)
    op.create_table(
        "facility",
        sa.Column("facility_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("level", sa.String(40), nullable=False),
        sa.Column("designated", sa.Boolean, nullable=False),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        schema=S,
    )
    op.create_table(
        "guardian_absence",
        sa.Column("absence_id", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("evidence_ref", sa.String(200), nullable=False),
        sa.Column("evidence_note", sa.LargeBinary, nullable=True),
        sa.Column("verified_by", sa.String(200), nullable=False),
        sa.Column("verified_role", sa.String(40), nullable=False),
        sa.Column("verified_at", TS, nullable=False),
        schema=S,
    )
    op.create_index("ix_consent_guardian_absence_person_id", "guardian_absence", ["person_id"], schema=S)
    op.create_table(
        "treatment",
        sa.Column("treatment_id", sa.String(64), primary_key=True),
        sa.Column("admission_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("facility_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("category", sa.String(40), nullable=True),
        sa.Column("description", sa.LargeBinary, nullable=False),
        sa.Column("attending_doctor", sa.String(200), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("consent_required", sa.Boolean, nullable=False),
        sa.Column("trusteeship_covered", sa.Boolean, nullable=False),
        sa.Column("emergency_reason", sa.Text, nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        schema=S,
    )
    op.create_index("ix_consent_treatment_admission_id", "treatment", ["admission_id"], schema=S)
    op.create_table(
        "consent",
        sa.Column("consent_id", sa.String(64), primary_key=True),
        sa.Column("admission_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("treatment_id", sa.String(64), nullable=True, unique=True),
        sa.Column("item_id", sa.String(64), nullable=True, unique=True),
        sa.Column("decision", sa.String(40), nullable=False),
        sa.Column("signer_id", sa.String(200), nullable=False),
        sa.Column("signer_role", sa.String(40), nullable=False),
        sa.Column("signer_rank", sa.Integer, nullable=False),
        sa.Column("signer_holder", sa.String(40), nullable=False),
        sa.Column("skipped_ranks", JSONB, nullable=False),
        sa.Column("major_public_interest_reason", sa.Text, nullable=True),
        sa.Column("filed_with_civil_affairs", sa.Boolean, nullable=False),
        sa.Column("signature_ref", sa.String(200), nullable=True),
        sa.Column("signed_at", TS, nullable=False),
        sa.CheckConstraint("(treatment_id IS NULL) <> (item_id IS NULL)", name="consent_one_subject"),
        sa.CheckConstraint("signer_rank BETWEEN 1 AND 4", name="consent_rank"),
        schema=S,
    )
    op.create_index("ix_consent_consent_admission_id", "consent", ["admission_id"], schema=S)
    # A consent is immutable: no UPDATE or DELETE, ever (TRUNCATE stays for test resets).
    op.execute(
        f"""
        CREATE FUNCTION "{S}".consent_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'a signed consent is immutable';
        END $$
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER consent_immutable BEFORE UPDATE OR DELETE ON "{S}".consent
            FOR EACH ROW EXECUTE FUNCTION "{S}".consent_immutable()
        """
    )
    op.create_table(
        "expert",
        sa.Column("expert_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("hospital_id", sa.String(64), nullable=False),
        sa.Column("specialty", sa.String(100), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        schema=S,
    )
    op.create_table(
        "expert_assignment",
        sa.Column("treatment_id", sa.String(64), sa.ForeignKey(f"{S}.treatment.treatment_id"), primary_key=True),
        sa.Column("expert_id", sa.String(64), sa.ForeignKey(f"{S}.expert.expert_id"), nullable=False),
        sa.Column("specialty", sa.String(100), nullable=True),
        sa.Column("rotation", JSONB, nullable=False),
        sa.Column("assigned_by", sa.String(200), nullable=False),
        sa.Column("assigned_at", TS, nullable=False),
        schema=S,
    )
    op.create_index("ix_consent_expert_assignment_expert_id", "expert_assignment", ["expert_id"], schema=S)
    op.create_table(
        "evaluation",
        sa.Column("evaluation_id", sa.String(64), primary_key=True),
        sa.Column(
            "treatment_id",
            sa.String(64),
            sa.ForeignKey(f"{S}.treatment.treatment_id"),
            nullable=False,
            unique=True,
        ),
        sa.Column("attending_doctor", sa.String(200), nullable=True),
        sa.Column("attending_opinion", sa.LargeBinary, nullable=True),
        sa.Column("attending_recommendation", sa.String(20), nullable=True),
        sa.Column("attending_at", TS, nullable=True),
        sa.Column("expert_id", sa.String(64), nullable=True),
        sa.Column("expert_opinion", sa.LargeBinary, nullable=True),
        sa.Column("expert_recommendation", sa.String(20), nullable=True),
        sa.Column("expert_at", TS, nullable=True),
        sa.Column("conclusion", sa.String(20), nullable=True),
        sa.Column("completed_at", TS, nullable=True),
        schema=S,
    )
    op.create_table(
        "policy_parameters",
        sa.Column("version", sa.String(64), primary_key=True),
        sa.Column("effective_from", TS, nullable=False, unique=True),
        sa.Column("review_threshold", MONEY, nullable=False),
        sa.Column("civil_affairs_single_threshold", MONEY, nullable=False),
        sa.Column("civil_affairs_cumulative_threshold", MONEY, nullable=False),
        sa.Column("cumulative_scope", sa.String(20), nullable=False),
        sa.Column("expert_from_other_hospital", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        schema=S,
    )
    op.create_table(
        "self_pay_item",
        sa.Column("item_id", sa.String(64), primary_key=True),
        sa.Column("admission_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("facility_id", sa.String(64), nullable=False),
        sa.Column("item_code", sa.String(64), nullable=False),
        sa.Column("item_name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("unit_price", MONEY, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("necessity", sa.LargeBinary, nullable=False),
        sa.Column("attending_doctor", sa.String(200), nullable=False),
        sa.Column("emergency", sa.Boolean, nullable=False),
        sa.Column("needs_review", sa.Boolean, nullable=False),
        sa.Column("needs_civil_affairs", sa.Boolean, nullable=False),
        sa.Column("cumulative_scope", sa.String(20), nullable=False),
        sa.Column("cumulative_before", MONEY, nullable=False),
        sa.Column("cumulative_after", MONEY, nullable=False),
        sa.Column("local_year", sa.Integer, nullable=False),
        sa.Column("parameters_version", sa.String(64), nullable=False),
        sa.Column("triage", JSONB, nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("proposed_by", sa.String(200), nullable=False),
        sa.Column("proposed_at", TS, nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        sa.CheckConstraint("amount > 0 AND unit_price > 0 AND quantity > 0", name="self_pay_positive"),
        schema=S,
    )
    op.create_index("ix_consent_self_pay_item_admission_id", "self_pay_item", ["admission_id", "proposed_at"], schema=S)
    op.create_index("ix_consent_self_pay_item_person_id", "self_pay_item", ["person_id", "local_year"], schema=S)
    op.create_table(
        "self_pay_review",
        sa.Column("review_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
        sa.Column("item_id", sa.String(64), sa.ForeignKey(f"{S}.self_pay_item.item_id"), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("participant", sa.String(40), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("reviewer_id", sa.String(200), nullable=False),
        sa.Column("reviewer_role", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("reviewed_at", TS, nullable=False),
        sa.UniqueConstraint("item_id", "stage", "participant"),
        schema=S,
    )


def downgrade() -> None:
    for name in (
        "self_pay_review",
        "self_pay_item",
        "policy_parameters",
        "evaluation",
        "expert_assignment",
        "expert",
        "consent",
        "treatment",
        "guardian_absence",
        "facility",
        "admission",
        "person",
    ):
        op.drop_table(name, schema=S)
    op.execute(f'DROP FUNCTION IF EXISTS "{S}".consent_immutable()')
