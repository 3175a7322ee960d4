"""Events published by the consent service. Keyed by admission, so one admission's
consents and self-pay decisions stay in order."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel

from medaid_shared.contracts.common import Money
from medaid_shared.events import Event


class SkippedRank(BaseModel):
    rank: int
    reason: str
    holder: str | None = None  # person | guardian | written_agent
    reasons: list[str] = []  # machine-readable skip reason codes (LJ-10)


class TrailStep(BaseModel):
    """One step of a self-pay item's history: who, in which role, when, what and why."""

    step: str  # proposed | consent_form | initial | civil_affairs_filing | civil_affairs | decided
    actor: str
    role: str
    at: datetime
    outcome: str
    reason: str | None = None


class ConsentSigned(Event):
    """LJ-10 / LJ-11.1: a consent signed by the eligible signer."""

    event_type: ClassVar[str] = "medaid.consent.ConsentSigned"
    topic: ClassVar[str] = "consent.admission"
    key_field: ClassVar[str] = "admission_id"

    consent_id: str
    admission_id: str
    person_id: str
    decision: str  # routine | major | emergency_followup | self_pay_form
    signer_id: str
    signer_rank: int
    signer_role: str
    signed_at: datetime
    skipped_ranks: list[SkippedRank] = []
    treatment_id: str | None = None
    item_id: str | None = None
    filed_with_civil_affairs: bool = False  # LJ-10: a rank-4 signature is filed with civil affairs
    major_public_interest: bool = False


class SelfPayProposed(Event):
    """LJ-7.0 / LJ-7.1: the hospital proposes an out-of-catalogue item."""

    event_type: ClassVar[str] = "medaid.consent.SelfPayProposed"
    topic: ClassVar[str] = "consent.admission"
    key_field: ClassVar[str] = "admission_id"

    item_id: str
    admission_id: str
    person_id: str
    item_code: str
    unit_price: Money
    quantity: int
    amount: Money
    emergency: bool = False
    needs_review: bool
    needs_civil_affairs_filing: bool
    proposed_at: datetime
    cumulative_scope: str | None = None  # admission | calendar_year (LJ-7.3 interpretation)
    cumulative_amount: Money | None = None  # cumulative self-pay including this item
    parameters_version: str | None = None


class SelfPayReviewed(Event):
    """LJ-7.2 / LJ-7.3: one review step's outcome."""

    event_type: ClassVar[str] = "medaid.consent.SelfPayReviewed"
    topic: ClassVar[str] = "consent.admission"
    key_field: ClassVar[str] = "admission_id"

    item_id: str
    admission_id: str
    stage: str  # initial | civil_affairs
    outcome: str  # approved | rejected (events published before the one vocabulary say "objected")
    reviewer_id: str
    reviewer_role: str
    reason: str | None = None
    reviewed_at: datetime


class SelfPayDecided(Event):
    """The final outcome of a self-pay item, which settlement applies (LJ-7.4, LJ-14.1)."""

    event_type: ClassVar[str] = "medaid.consent.SelfPayDecided"
    topic: ClassVar[str] = "consent.admission"
    key_field: ClassVar[str] = "admission_id"

    item_id: str
    admission_id: str
    person_id: str
    item_code: str
    amount: Money
    outcome: str  # approved | rejected | emergency | below_threshold
    decided_at: datetime
    rules: list[str] = []
    trail: list[TrailStep] = []
    parameters_version: str | None = None


class MajorTreatmentEvaluated(Event):
    """LJ-11.2: the major-treatment evaluation record (重大治疗评估备案表) is complete."""

    event_type: ClassVar[str] = "medaid.consent.MajorTreatmentEvaluated"
    topic: ClassVar[str] = "consent.admission"
    key_field: ClassVar[str] = "admission_id"

    evaluation_id: str
    admission_id: str
    person_id: str
    treatment: str
    attending_doctor: str
    expert_id: str
    expert_hospital_id: str
    conclusion: str  # proceed | do_not_proceed
    evaluated_at: datetime
    treatment_id: str | None = None
    rotation: str | None = None  # how the expert was chosen (fair rotation)


class TreatmentRecorded(Event):
    """LJ-11 / LJ-5: a treatment the hospital records, and whether it needs a consent first
    (emergency rescue is treated without prior signature, LJ-11.3)."""

    event_type: ClassVar[str] = "medaid.consent.TreatmentRecorded"
    topic: ClassVar[str] = "consent.admission"
    key_field: ClassVar[str] = "admission_id"

    treatment_id: str
    admission_id: str
    person_id: str
    kind: str  # routine | major | emergency
    category: str | None = None
    status: str
    consent_required: bool
    trusteeship_covered: bool = False
    recorded_at: datetime


class GuardianAbsenceVerified(Event):
    """LJ-10: it is verified, with evidence, that the person has no legal guardian/obligor
    (``finding`` ``no_guardian``), or that the guardian on file or named cannot act
    (``cannot_act``, civil affairs only)."""

    event_type: ClassVar[str] = "medaid.consent.GuardianAbsenceVerified"
    topic: ClassVar[str] = "consent.person"
    key_field: ClassVar[str] = "person_id"

    person_id: str
    absence_id: str
    evidence_ref: str
    verified_by: str
    verified_role: str
    verified_at: datetime
    finding: str = "no_guardian"  # no_guardian | cannot_act
    guardian_id: str | None = None  # cannot_act: the guardian on file it concerns


class Rank4AcknowledgementOverdue(Event):
    """LJ-10: a rank-4 signature filed with civil affairs was not acknowledged on its work
    list by the versioned deadline (working days on the official calendar)."""

    event_type: ClassVar[str] = "medaid.consent.Rank4AcknowledgementOverdue"
    topic: ClassVar[str] = "consent.admission"
    key_field: ClassVar[str] = "admission_id"

    consent_id: str
    admission_id: str
    person_id: str
    signer_role: str
    major_public_interest: bool
    filed_at: datetime
    due_at: datetime
    overdue_at: datetime
    parameters_version: str


class Rank4PublicInterestPending(Event):
    """LJ-10: a rank-4 head signed on a major public interest civil affairs has not confirmed:
    the signature is filed on civil affairs' work list and does not count (no ConsentSigned)
    until civil affairs confirms the interest; ``acknowledgement_due_at`` is the work list's
    deadline, cited by ``parameters_version``."""

    event_type: ClassVar[str] = "medaid.consent.Rank4PublicInterestPending"
    topic: ClassVar[str] = "consent.admission"
    key_field: ClassVar[str] = "admission_id"

    consent_id: str
    admission_id: str
    person_id: str
    treatment_id: str | None = None
    item_id: str | None = None
    signer_id: str
    signer_role: str
    signed_at: datetime
    acknowledgement_due_at: datetime
    parameters_version: str


class Rank4PublicInterestRejected(Event):
    """LJ-10: civil affairs rejected the major public interest a pending rank-4 signature cited:
    the signature never counts, and the treatment or self-pay form awaits another eligible
    signer. (A confirmation is announced as the ConsentSigned that follows it.)"""

    event_type: ClassVar[str] = "medaid.consent.Rank4PublicInterestRejected"
    topic: ClassVar[str] = "consent.admission"
    key_field: ClassVar[str] = "admission_id"

    consent_id: str
    admission_id: str
    person_id: str
    treatment_id: str | None = None
    item_id: str | None = None
    rejected_by: str
    rejected_at: datetime


class TreatmentReopened(Event):
    """LJ-11.3 / LJ-11.1 / SPEC 0.5: an emergency rescue, treated without prior signature, is
    judged again without the emergency because referral withdrew the emergency's exemptions
    (EmergencyExemptionWithdrawn): by its procedure code it is routine or major (LJ-11.2) and
    needs its consent (or the evaluation first) like any other treatment (``status``,
    ``consent_required``). Settlement flags it unconsented until a ConsentSigned arrives."""

    event_type: ClassVar[str] = "medaid.consent.TreatmentReopened"
    topic: ClassVar[str] = "consent.admission"
    key_field: ClassVar[str] = "admission_id"

    treatment_id: str
    admission_id: str
    person_id: str
    previous_kind: str  # emergency
    kind: str  # routine | major
    category: str | None = None
    status: str  # awaiting_consent | awaiting_evaluation | not_to_proceed | covered_by_trusteeship
    consent_required: bool
    trusteeship_covered: bool = False
    reason: str  # EmergencyExemptionWithdrawn.reason: no_basis | contest_upheld
    reopened_at: datetime
    rules: list[str] = []


class SelfPayReopened(Event):
    """LJ-11.3 / LJ-7.4 / SPEC 0.5: an item decided "emergency" is undecided again because
    referral withdrew the emergency's exemptions (EmergencyExemptionWithdrawn): it needs the
    informed-consent form and the double review (``status``), or is decided again below the
    review threshold (a SelfPayDecided follows). Settlement waits for its new outcome."""

    event_type: ClassVar[str] = "medaid.consent.SelfPayReopened"
    topic: ClassVar[str] = "consent.admission"
    key_field: ClassVar[str] = "admission_id"

    item_id: str
    admission_id: str
    person_id: str
    item_code: str
    amount: Money
    previous_outcome: str  # emergency
    status: str  # awaiting_consent_form | recorded_below_threshold
    reason: str  # EmergencyExemptionWithdrawn.reason: no_basis | contest_upheld
    reopened_at: datetime
    rules: list[str] = []
