"""What the consent service answers, as typed models: signing authority, consents, the
rank-4 filings with civil affairs, self-pay items with their double review, treatments,
major-treatment evaluations, experts, guardian absences and public-interest
confirmations. Each model allows no field it does not name (``tests_consent`` checks every
answer its API tests receive against the document). Money is a decimal string."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from medaid_shared.answers import Out

Money = str


class SignerOut(Out):
    """Who signed, by id and role, and at which rank of signing authority (LJ-10)."""

    id: str
    role: str
    rank: int | None = None
    holder: str | None = None


class SkippedRankOut(Out):
    """A rank of signing authority passed over, and why (LJ-10)."""

    rank: int
    holder: str
    reasons: list[str]
    detail: str


class RankOut(Out):
    """One rank of signing authority as it stands for the person."""

    rank: int
    holder: str
    state: str
    signer_ids: list[str]
    scope: str | None
    reasons: list[str]
    detail: str


class SigningAuthorityOut(Out):
    """Who may sign for the person now (LJ-10), rank by rank."""

    person_id: str
    as_of: date
    major_public_interest: bool
    eligible_rank: int | None
    eligible: RankOut | None
    skipped: list[SkippedRankOut]
    blocked_by: RankOut | None
    ranks: list[RankOut]
    rule: str


class Rank4FilingOut(Out):
    """A rank-4 signature filed with civil affairs and its acknowledgement (LJ-10)."""

    consent_id: str
    admission_id: str
    person_id: str
    signer: SignerOut
    major_public_interest: bool
    filed_at: datetime
    acknowledgement_due_at: datetime
    calendar_provisional: bool
    parameters_version: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    acknowledgement_note: str | None
    overdue: bool
    overdue_at: datetime | None
    rule: str


class Rank4SignaturesOut(Out):
    """Civil affairs' list of rank-4 signatures in one state."""

    state: str = Field(examples=["open"])
    items: list[Rank4FilingOut]
    next_cursor: str | None = Field(
        description="pass as `cursor` to get the next page; null when this is the last page",
        examples=[
            "eyJsIjoiL3YxL3Jhbms0LXNpZ25hdHVyZXMiLCJrIjpbIjIwMjYtMDYtMTVUMDI6MDA6MDAuMDAwMDAwWiIsImNvbi0wMTkzYWJjZCJdfQ"
        ],
    )
    rule: str


class ConsentOut(Out):
    """A signed consent (or refusal) to a treatment or self-pay item."""

    consent_id: str
    admission_id: str
    person_id: str
    treatment_id: str | None
    item_id: str | None
    decision: str
    signer: SignerOut
    skipped_ranks: list[SkippedRankOut]
    major_public_interest_reason: str | None
    public_interest_confirmation_id: str | None
    filed_with_civil_affairs: bool
    signature_ref: str | None
    signed_at: datetime
    rule: str
    civil_affairs_filing: Rank4FilingOut | None = None


class TrailStepOut(Out):
    """One step of a self-pay item's review trail."""

    step: str
    actor: str
    role: str
    at: datetime
    outcome: str
    reason: str | None


class ItemOut(Out):
    """A self-pay item with its reviews (LJ-7.1–7.3)."""

    item_id: str
    admission_id: str
    person_id: str
    facility_id: str
    item_code: str
    item_name: str
    category: str
    unit_price: Money
    quantity: int
    amount: Money
    attending_doctor: str
    emergency: bool
    needs_review: bool
    needs_civil_affairs: bool
    cumulative_scope: str
    cumulative_before: Money
    cumulative_after: Money
    parameters_version: str
    status: str
    outcome: str | None
    proposed_at: datetime
    decided_at: datetime | None
    necessity: str | None = Field(
        description="Why it is needed; empty for roles whose purpose does not include it (SPEC 0.4)"
    )
    rules: list[str]
    reasons: list[str]
    single_cost: Money
    consent_form: ConsentOut | None
    trail: list[TrailStepOut]


class ItemSummaryOut(Out):
    """A self-pay item on a list."""

    item_id: str
    admission_id: str | None = None
    person_id: str | None = None
    facility_id: str | None = None
    item_code: str
    amount: Money
    status: str
    outcome: str | None
    proposed_at: datetime


class AwaitingStepOut(Out):
    """A self-pay item awaiting the caller's review step (LJ-7.2, LJ-7.3), with its due instant."""

    item_id: str
    admission_id: str
    person_id: str
    facility_id: str
    item_code: str
    item_name: str
    amount: Money
    status: str = Field(
        description="the step it awaits: awaiting_initial_review, awaiting_civil_affairs_filing "
        "or awaiting_civil_affairs_review"
    )
    proposed_at: datetime
    due_at: datetime | None = Field(
        description="the end of the step's last working day (official calendar); null for an item whose step "
        "began before steps had a due instant"
    )
    calendar_provisional: bool = Field(description="the count ran over a year without the official notice")
    overdue: bool
    overdue_at: datetime | None
    parameters_version: str | None = Field(description="the self_pay_steps version that set the due instant")
    rule: str


class TreatmentOut(Out):
    """A treatment recorded for an admission, and whether it needs consent."""

    treatment_id: str
    admission_id: str
    person_id: str
    facility_id: str
    kind: str
    category: str | None
    attending_doctor: str
    status: str
    consent_required: bool
    trusteeship_covered: bool
    emergency_reason: str | None
    recorded_by: str
    recorded_at: datetime
    procedure_code: str | None
    labelled_kind: str | None
    item_id: str | None
    parameters_version: str
    description: str
    rules: list[str] | None = None
    reclassified: str | None = None
    consent: ConsentOut | None = None


class AdmissionRecordsOut(Out):
    """An admission's treatments, consents and self-pay items."""

    admission_id: str
    person_id: str
    facility_id: str
    treatments: list[TreatmentOut]
    consents: list[ConsentOut]
    self_pay_items: list[ItemSummaryOut]


class ExpertOut(Out):
    """An expert of the major-treatment evaluation pool (LJ-11.2)."""

    expert_id: str
    name: str
    hospital_id: str
    specialty: str
    active: bool


class ExpertListedOut(ExpertOut):
    """An expert on the pool's list, with the rotation's count."""

    assignments: int
    last_assigned_at: datetime | None


class AttendingPartOut(Out):
    """The attending doctor's part of an evaluation."""

    doctor: str | None
    opinion: str | None
    recommendation: str | None
    at: datetime | None


class ExpertPartOut(ExpertOut):
    """The assigned expert's part of an evaluation."""

    opinion: str | None
    recommendation: str | None
    at: datetime | None


class ExcludedExpertOut(Out):
    """An expert the rotation passed over, and why."""

    expert_id: str
    reason: str


class RotationOut(Out):
    """How the rotation chose the expert."""

    basis: str
    order: list[str]
    chosen: str
    excluded: list[ExcludedExpertOut]
    parameters_version: str


class AssignmentPartOut(Out):
    """Who assigned the expert, when, and by which rotation."""

    assigned_by: str
    assigned_at: datetime
    rotation: RotationOut


class EvaluationOut(Out):
    """A major-treatment evaluation (LJ-11.2)."""

    evaluation_id: str
    treatment_id: str
    admission_id: str
    person_id: str
    facility_id: str
    category: str
    treatment_status: str
    attending: AttendingPartOut
    expert: ExpertPartOut
    assignment: AssignmentPartOut
    conclusion: str | None
    completed_at: datetime | None
    rule: str


class AssignmentOut(Out):
    """An expert assigned to a treatment's evaluation."""

    treatment_id: str
    evaluation_id: str
    expert: ExpertOut
    rotation: RotationOut
    assigned_by: str
    assigned_at: datetime
    rule: str


class AbsenceOut(Out):
    """A verified absence of a guardian (LJ-10)."""

    absence_id: str
    person_id: str
    evidence_ref: str
    verified_by: str
    verified_role: str
    verified_at: datetime
    finding: str
    guardian_id: str | None
    rule: str


class ConfirmationOut(Out):
    """Civil affairs' confirmation of a major public interest (LJ-10)."""

    confirmation_id: str
    subject: str
    subject_id: str
    person_id: str
    admission_id: str
    confirmed_by: str
    confirmed_at: datetime
    rule: str
