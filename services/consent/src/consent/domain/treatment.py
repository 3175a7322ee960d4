"""Treatments and what each needs before it is carried out (LJ-11, LJ-5).

- LJ-11.1 routine treatment: carried out after the eligible signer (LJ-10) signs.
- LJ-11.2 major treatment (surgery, high-risk procedure, high self-pay item) — by data: a
  procedure code on the versioned surgery / high-risk list, or a self-pay item at or above
  the versioned high self-pay threshold, is major whatever the hospital's label; the
  major-treatment evaluation record (重大治疗评估备案表) by the attending doctor and a
  third-party expert first; only then is a consent accepted (still signed per LJ-10). A
  "do not proceed" blocks consent for that procedure in that admission, however recorded.
- LJ-11.3 emergency rescue: treated first, no prior signature; a later signature is accepted.
  When referral withdraws the emergency's exemptions (SPEC 0.5), a rescue not yet signed is
  reopened: judged without the emergency, it needs its consent like any other treatment.
- LJ-5 special trusteeship: routine treatment at the agreement hospital under a valid
  agreement follows the agreement (no per-treatment consent); major treatment does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from consent.domain.model import Person
from consent.domain.parameters import MajorTreatment
from medaid_shared.errors import Conflict, RuleViolation


class Kind(StrEnum):
    ROUTINE = "routine"
    MAJOR = "major"
    EMERGENCY = "emergency"


class MajorCategory(StrEnum):
    SURGERY = "surgery"
    HIGH_RISK_PROCEDURE = "high_risk_procedure"
    HIGH_SELF_PAY_ITEM = "high_self_pay_item"


class TreatmentStatus(StrEnum):
    AWAITING_CONSENT = "awaiting_consent"
    AWAITING_EVALUATION = "awaiting_evaluation"
    NOT_TO_PROCEED = "not_to_proceed"
    COVERED_BY_TRUSTEESHIP = "covered_by_trusteeship"
    EMERGENCY_TREATED = "emergency_treated"
    CONSENTED = "consented"


class Decision(StrEnum):
    """ConsentSigned.decision."""

    ROUTINE = "routine"
    MAJOR = "major"
    EMERGENCY_FOLLOWUP = "emergency_followup"
    SELF_PAY_FORM = "self_pay_form"


@dataclass(frozen=True)
class Classified:
    """What a treatment is by data (LJ-11.2), and why when it differs from its label."""

    kind: Kind
    category: MajorCategory | None
    reason: str | None = None


def classify(
    kind: Kind, category: MajorCategory | None, procedure_code: str | None, params: MajorTreatment
) -> Classified:
    """LJ-11.2: a procedure on the versioned surgery or high-risk list is a major treatment
    whatever the hospital's label; an emergency rescue stays one (LJ-11.3)."""
    if kind == Kind.EMERGENCY or procedure_code is None:
        return Classified(kind, category)
    listed = (
        (MajorCategory.SURGERY, params.surgery_code_prefixes),
        (MajorCategory.HIGH_RISK_PROCEDURE, params.high_risk_code_prefixes),
    )
    for by_data, prefixes in listed:
        prefix = next((p for p in prefixes if procedure_code.startswith(p)), None)
        if prefix is None:
            continue
        if kind == Kind.MAJOR:
            return Classified(kind, category)
        return Classified(
            Kind.MAJOR,
            by_data,
            f"procedure {procedure_code} is {by_data.value.replace('_', ' ')} by the list ({prefix}): "
            f"major whatever the label {kind.value}",
        )
    return Classified(kind, category)


@dataclass(frozen=True)
class Intake:
    status: TreatmentStatus
    consent_required: bool
    trusteeship_covered: bool
    rules: tuple[str, ...]


def intake(kind: Kind, person: Person, facility_id: str, day: date, *, refused_before: bool = False) -> Intake:
    """The status a newly recorded treatment starts in; ``refused_before``: an evaluation of
    the same procedure in this admission concluded not to proceed (LJ-11.2)."""
    if kind == Kind.EMERGENCY:
        # LJ-11.3: the hospital treats first; no prior signature.
        return Intake(TreatmentStatus.EMERGENCY_TREATED, False, False, ("LJ-11.3",))
    if refused_before:
        # LJ-11.2: recording the procedure again (under any label) does not reopen it.
        return Intake(TreatmentStatus.NOT_TO_PROCEED, True, False, ("LJ-11.2",))
    if kind == Kind.MAJOR:
        # LJ-11.2 (and LJ-5: a trusteeship does not exempt a major treatment).
        return Intake(TreatmentStatus.AWAITING_EVALUATION, True, False, ("LJ-11.2", "LJ-10"))
    if person.trusteeship is not None and person.trusteeship.covers(facility_id, day):
        # LJ-5: routine treatment follows the special-trusteeship agreement.
        return Intake(TreatmentStatus.COVERED_BY_TRUSTEESHIP, False, True, ("LJ-5",))
    return Intake(TreatmentStatus.AWAITING_CONSENT, True, False, ("LJ-11.1", "LJ-10"))


def reopen_rescue(
    procedure_code: str | None,
    person: Person,
    facility_id: str,
    day: date,
    params: MajorTreatment,
    *,
    refused_before: bool = False,
) -> tuple[Classified, Intake]:
    """LJ-11.3 / SPEC 0.5: an emergency rescue whose exemptions referral withdrew (no basis, or
    a contest upheld) is judged as it would have been without the emergency — routine or major
    by its procedure code (LJ-11.2) — and needs what that treatment needs: the eligible
    signer's consent (LJ-11.1), or the evaluation first (LJ-11.2)."""
    by_data = classify(Kind.ROUTINE, None, procedure_code, params)
    start = intake(by_data.kind, person, facility_id, day, refused_before=refused_before)
    return by_data, Intake(start.status, start.consent_required, start.trusteeship_covered, ("LJ-11.3", *start.rules))


def consent_decision(kind: Kind, status: TreatmentStatus) -> Decision:
    """Whether a signature is accepted for a treatment in ``status``, and as what."""
    if status == TreatmentStatus.CONSENTED:
        raise Conflict("this treatment is already consented; a consent is immutable")
    if status == TreatmentStatus.COVERED_BY_TRUSTEESHIP:
        raise Conflict(
            "routine treatment under the special-trusteeship agreement needs no per-treatment consent (LJ-5)"
        )
    if status == TreatmentStatus.AWAITING_EVALUATION:
        raise RuleViolation(
            "the major-treatment evaluation record (重大治疗评估备案表) is not complete: no consent before it",
            rule="LJ-11.2",
            field="treatment_id",
        )
    if status == TreatmentStatus.NOT_TO_PROCEED:
        raise RuleViolation(
            "the major-treatment evaluation concluded not to proceed", rule="LJ-11.2", field="treatment_id"
        )
    if status == TreatmentStatus.EMERGENCY_TREATED:
        return Decision.EMERGENCY_FOLLOWUP  # LJ-11.3: the later signature is accepted
    return Decision.MAJOR if kind == Kind.MAJOR else Decision.ROUTINE
