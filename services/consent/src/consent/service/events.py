"""Every event consent publishes, built here and only here, from the records the use case
stored — the treatment, the signature, the rank-4 filing, the evaluation record, the self-pay
item and its review — and what it decided on them (issue 12, point 2): one event type, one
builder, and every emitter calls it.

``tests_consent/test_events.py`` holds every other module to this."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from consent.domain.model import GuardianAbsence
from consent.domain.records import (
    CivilAffairsFiling,
    Consent,
    Evaluation,
    ExpertAssignment,
    ExpertRecord,
    ItemReview,
    SelfPayItem,
    Treatment,
)
from medaid_shared.contracts.consent import (
    ConsentSigned,
    GuardianAbsenceVerified,
    MajorTreatmentEvaluated,
    Rank4AcknowledgementOverdue,
    Rank4PublicInterestPending,
    Rank4PublicInterestRejected,
    SelfPayDecided,
    SelfPayProposed,
    SelfPayReopened,
    SelfPayReviewed,
    SkippedRank,
    TrailStep,
    TreatmentRecorded,
    TreatmentReopened,
)

# ---- signatures and who may sign (LJ-10) --------------------------------------------------


def consent_signed(consent: Consent) -> ConsentSigned:
    """The consent counts (LJ-10, LJ-11.1), with the ranks passed over and why."""
    return ConsentSigned(
        consent_id=consent.consent_id,
        admission_id=consent.admission_id,
        person_id=consent.person_id,
        decision=consent.decision,
        signer_id=consent.signer_id,
        signer_rank=consent.signer_rank,
        signer_role=consent.signer_role,
        signed_at=consent.signed_at,
        skipped_ranks=[
            SkippedRank(
                rank=s["rank"],
                reason=", ".join(s["reasons"]) + (f": {s['detail']}" if s["detail"] else ""),
                holder=s["holder"],
                reasons=s["reasons"],
            )
            for s in consent.skipped_ranks
        ],
        treatment_id=consent.treatment_id,
        item_id=consent.item_id,
        filed_with_civil_affairs=consent.filed_with_civil_affairs,
        major_public_interest=consent.major_public_interest_reason is not None,
    )


def guardian_absence_verified(absence: GuardianAbsence) -> GuardianAbsenceVerified:
    """LJ-10 rank 2: no guardian, or the guardian on file cannot act, as verified."""
    return GuardianAbsenceVerified(
        person_id=absence.person_id,
        absence_id=absence.absence_id,
        evidence_ref=absence.evidence_ref,
        verified_by=absence.verified_by,
        verified_role=absence.verified_role,
        verified_at=absence.verified_at,
        finding=absence.finding,
        guardian_id=absence.guardian_id,
    )


def rank4_public_interest_pending(consent: Consent, filing: CivilAffairsFiling) -> Rank4PublicInterestPending:
    """LJ-10: civil affairs learns of a signature awaiting its decision on the public interest."""
    return Rank4PublicInterestPending(
        consent_id=consent.consent_id,
        admission_id=consent.admission_id,
        person_id=consent.person_id,
        treatment_id=consent.treatment_id,
        item_id=consent.item_id,
        signer_id=consent.signer_id,
        signer_role=consent.signer_role,
        signed_at=consent.signed_at,
        acknowledgement_due_at=filing.acknowledgement_due_at,
        parameters_version=filing.parameters_version,
    )


def rank4_public_interest_rejected(
    consent: Consent, *, rejected_by: str, rejected_at: datetime
) -> Rank4PublicInterestRejected:
    return Rank4PublicInterestRejected(
        consent_id=consent.consent_id,
        admission_id=consent.admission_id,
        person_id=consent.person_id,
        treatment_id=consent.treatment_id,
        item_id=consent.item_id,
        rejected_by=rejected_by,
        rejected_at=rejected_at,
    )


def rank4_acknowledgement_overdue(filing: CivilAffairsFiling) -> Rank4AcknowledgementOverdue:
    """LJ-10: the filing, flagged overdue, that nobody at civil affairs acknowledged in time."""
    assert filing.overdue_at is not None
    return Rank4AcknowledgementOverdue(
        consent_id=filing.consent_id,
        admission_id=filing.admission_id,
        person_id=filing.person_id,
        signer_role=filing.signer_role,
        major_public_interest=filing.major_public_interest,
        filed_at=filing.filed_at,
        due_at=filing.acknowledgement_due_at,
        overdue_at=filing.overdue_at,
        parameters_version=filing.parameters_version,
    )


# ---- treatments (LJ-11) -------------------------------------------------------------------


def treatment_recorded(treatment: Treatment) -> TreatmentRecorded:
    return TreatmentRecorded(
        treatment_id=treatment.treatment_id,
        admission_id=treatment.admission_id,
        person_id=treatment.person_id,
        kind=treatment.kind,
        category=treatment.category,
        status=treatment.status,
        consent_required=treatment.consent_required,
        trusteeship_covered=treatment.trusteeship_covered,
        recorded_at=treatment.recorded_at,
    )


def treatment_reopened(
    treatment: Treatment, *, previous_kind: str, reason: str, rules: Sequence[str]
) -> TreatmentReopened:
    """LJ-11.3: a rescue classified again, as stored, once its emergency lost its exemptions."""
    return TreatmentReopened(
        treatment_id=treatment.treatment_id,
        admission_id=treatment.admission_id,
        person_id=treatment.person_id,
        previous_kind=previous_kind,
        kind=treatment.kind,
        category=treatment.category,
        status=treatment.status,
        consent_required=treatment.consent_required,
        trusteeship_covered=treatment.trusteeship_covered,
        reason=reason,
        reopened_at=treatment.updated_at,
        rules=list(rules),
    )


def major_treatment_evaluated(
    treatment: Treatment, evaluation: Evaluation, expert: ExpertRecord, assignment: ExpertAssignment
) -> MajorTreatmentEvaluated:
    """LJ-11.2: the completed evaluation record, with the expert the rotation assigned."""
    assert evaluation.conclusion is not None and evaluation.completed_at is not None
    return MajorTreatmentEvaluated(
        evaluation_id=evaluation.evaluation_id,
        admission_id=treatment.admission_id,
        person_id=treatment.person_id,
        treatment=treatment.category or "major",
        attending_doctor=evaluation.attending_doctor,
        expert_id=expert.expert_id,
        expert_hospital_id=expert.hospital_id,
        conclusion=evaluation.conclusion,
        evaluated_at=evaluation.completed_at,
        treatment_id=treatment.treatment_id,
        rotation=assignment.rotation.get("basis"),
    )


# ---- self-pay items (LJ-7) ----------------------------------------------------------------


def self_pay_proposed(item: SelfPayItem) -> SelfPayProposed:
    """The item as triaged (LJ-7.0): an emergency item needs neither review nor filing."""
    return SelfPayProposed(
        item_id=item.item_id,
        admission_id=item.admission_id,
        person_id=item.person_id,
        item_code=item.item_code,
        unit_price=item.unit_price,
        quantity=item.quantity,
        amount=item.amount,
        emergency=item.emergency,
        needs_review=item.needs_review and not item.emergency,
        needs_civil_affairs_filing=item.needs_civil_affairs and not item.emergency,
        proposed_at=item.proposed_at,
        cumulative_scope=item.cumulative_scope,
        cumulative_amount=item.cumulative_after,
        parameters_version=item.parameters_version,
    )


def self_pay_reviewed(item: SelfPayItem, review: ItemReview) -> SelfPayReviewed:
    return SelfPayReviewed(
        item_id=item.item_id,
        admission_id=item.admission_id,
        stage=review.stage,
        outcome=review.outcome,
        reviewer_id=review.reviewer_id,
        reviewer_role=review.reviewer_role,
        reason=review.reason,
        reviewed_at=review.reviewed_at,
    )


def self_pay_decided(item: SelfPayItem, *, rules: Sequence[str], trail: Sequence[dict[str, Any]]) -> SelfPayDecided:
    """The decided item, its final outcome (LJ-7.4, LJ-14.1) and the whole trail."""
    assert item.outcome is not None and item.decided_at is not None
    return SelfPayDecided(
        item_id=item.item_id,
        admission_id=item.admission_id,
        person_id=item.person_id,
        item_code=item.item_code,
        amount=item.amount,
        outcome=item.outcome,
        decided_at=item.decided_at,
        rules=list(rules),
        trail=[TrailStep(**step) for step in trail],
        parameters_version=item.parameters_version,
    )


def self_pay_reopened(
    item: SelfPayItem, *, previous_outcome: str, status: str, reason: str, reopened_at: datetime, rules: Sequence[str]
) -> SelfPayReopened:
    """LJ-11.3 / LJ-7.4: an "emergency" item reopened once its emergency lost its exemptions."""
    return SelfPayReopened(
        item_id=item.item_id,
        admission_id=item.admission_id,
        person_id=item.person_id,
        item_code=item.item_code,
        amount=item.amount,
        previous_outcome=previous_outcome,
        status=status,
        reason=reason,
        reopened_at=reopened_at,
        rules=list(rules),
    )
