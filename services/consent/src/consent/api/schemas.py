"""What the consent service answers, as typed models: signing authority, consents, the
rank-4 filings with civil affairs, self-pay items with their double review, treatments,
major-treatment evaluations, experts, guardian absences and public-interest
confirmations. Each model allows no field it does not name (``tests_consent`` checks every
answer its API tests receive against the document). Money is a decimal string."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ConfigDict, Field

from medaid_shared.answers import Out

Money = str

# --- examples: 覃*兰's admission at 柳江区人民医院, as /docs shows it ---------------------------
ADMISSION_ID = "01a22f94-a340-725f-8166-77cff015ea38"
PERSON_ID = "0193a5b2-7c4e-7d11-9a3f-5b2c8e1f4a10"
FACILITY_ID = "LJ-RMYY"
ITEM_ID = "spi-01a23556a3007345881e33c26a9d0282"
TREATMENT_ID = "trt-01a2358d91807b1d90953e7d83b7dc0a"
ITEM_CONSENT_ID = "con-01a23ec7a10079cca23e7ec83d71f8d2"
TREATMENT_CONSENT_ID = "con-01a2536111007bfbb0af1d87cd825476"
EVALUATION_ID = "eva-01a243edfd00741a9819e7edee8aa1d9"
RANK4_CONSENT_ID = "con-01a262f171007971ac9efdb39788f63d"
REASONS = [
    "single cost 1080.00 ≥ 200.00: consent form and initial review",
    "single cost 1080.00 > 1000.00: civil-affairs filing",
]

PERSON_SIGNER: dict[str, Any] = {"signer_id": PERSON_ID, "role": "patient", "rank": 1, "holder": "person"}
ITEM_CONSENT: dict[str, Any] = {
    "consent_id": ITEM_CONSENT_ID,
    "admission_id": ADMISSION_ID,
    "person_id": PERSON_ID,
    "treatment_id": None,
    "item_id": ITEM_ID,
    "decision": "self_pay_form",
    "signer": PERSON_SIGNER,
    "skipped_ranks": [],
    "major_public_interest_reason": None,
    "public_interest_confirmation_id": None,
    "filed_with_civil_affairs": False,
    "signature_ref": "ESIG-LJRMYY-20261202-0031",
    "signed_at": "2026-12-02T06:10:00Z",
    "rule": "LJ-10",
}
TREATMENT_CONSENT: dict[str, Any] = {
    **ITEM_CONSENT,
    "consent_id": TREATMENT_CONSENT_ID,
    "treatment_id": TREATMENT_ID,
    "item_id": None,
    "decision": "major",
    "signature_ref": "ESIG-LJRMYY-20261208-0007",
    "signed_at": "2026-12-08T02:00:00Z",
}
TRAIL: list[dict[str, Any]] = [
    {
        "step": "proposed",
        "actor": "his-lj-rmyy",
        "role": "hospital",
        "at": "2026-12-02T06:00:00Z",
        "outcome": "needs_review",
        "reason": "; ".join(REASONS),
    },
    {
        "step": "consent_form",
        "actor": PERSON_ID,
        "role": "patient",
        "at": "2026-12-02T06:10:00Z",
        "outcome": "signed",
        "reason": "LJ-10 rank 1 (person)",
    },
    {
        "step": "initial",
        "actor": "fly-head-wei",
        "role": "institution",
        "at": "2026-12-02T08:00:00Z",
        "outcome": "approved",
        "reason": None,
    },
    {
        "step": "civil_affairs_filing",
        "actor": "fly-head-wei",
        "role": "institution",
        "at": "2026-12-02T08:05:00Z",
        "outcome": "filed",
        "reason": "single cost 1080.00 > 1000.00: civil-affairs filing",
    },
    {
        "step": "civil_affairs",
        "actor": "ljmz-lan",
        "role": "civil_affairs",
        "at": "2026-12-03T02:00:00Z",
        "outcome": "approved",
        "reason": None,
    },
    {
        "step": "decided",
        "actor": "system",
        "role": "system",
        "at": "2026-12-03T02:00:00Z",
        "outcome": "approved",
        "reason": None,
    },
]
ITEM: dict[str, Any] = {
    "item_id": ITEM_ID,
    "admission_id": ADMISSION_ID,
    "person_id": PERSON_ID,
    "facility_id": FACILITY_ID,
    "item_code": "XJ01DHM059B001010100433",
    "item_name": "注射用美罗培南",
    "category": "drug",
    "unit_price": "180.00",
    "quantity": 6,
    "amount": "1080.00",
    "attending_doctor": "dr-huang",
    "emergency": False,
    "needs_review": True,
    "needs_civil_affairs": True,
    "cumulative_scope": "admission",
    "cumulative_before": "0.00",
    "cumulative_after": "1080.00",
    "parameters_version": "self_pay_review:any:any:default",
    "status": "approved",
    "outcome": "approved",
    "proposed_at": "2026-12-02T06:00:00Z",
    "decided_at": "2026-12-03T02:00:00Z",
    "necessity": "重症肺炎，头孢曲松治疗72小时无效，痰培养示产ESBL肺炎克雷伯菌",
    "rules": ["LJ-7.0", "LJ-7.1", "LJ-7.2", "LJ-7.3"],
    "reasons": REASONS,
    "single_cost": "1080.00",
    "consent_form": ITEM_CONSENT,
    "trail": TRAIL,
}
ITEM_PROPOSED: dict[str, Any] = {
    **ITEM,
    "status": "awaiting_consent_form",
    "outcome": None,
    "decided_at": None,
    "consent_form": None,
    "trail": TRAIL[:1],
}
ITEM_FILED: dict[str, Any] = {
    **ITEM,
    "status": "awaiting_civil_affairs_review",
    "outcome": None,
    "decided_at": None,
    "trail": TRAIL[:4],
}
ITEM_SUMMARY: dict[str, Any] = {
    k: ITEM_FILED[k]
    for k in (
        "item_id",
        "admission_id",
        "person_id",
        "facility_id",
        "item_code",
        "amount",
        "status",
        "outcome",
        "proposed_at",
    )
}
TREATMENT: dict[str, Any] = {
    "treatment_id": TREATMENT_ID,
    "admission_id": ADMISSION_ID,
    "person_id": PERSON_ID,
    "facility_id": FACILITY_ID,
    "kind": "major",
    "category": "surgery",
    "attending_doctor": "dr-huang",
    "status": "consented",
    "consent_required": True,
    "trusteeship_covered": False,
    "emergency_reason": None,
    "recorded_by": "his-lj-rmyy",
    "recorded_at": "2026-12-02T07:00:00Z",
    "procedure_code": "47.0100",
    "labelled_kind": "major",
    "item_id": None,
    "parameters_version": "major_treatment:any:any:default",
    "description": "腹腔镜下阑尾切除术",
    "rules": ["LJ-11.1", "LJ-11.2"],
    "reclassified": None,
    "consent": TREATMENT_CONSENT,
}
EXPERT: dict[str, Any] = {
    "expert_id": "QC-LZ-0207",
    "name": "韦*明",
    "hospital_id": "LZ-RMYY",
    "specialty": "surgery",
    "active": True,
}
ROTATION: dict[str, Any] = {
    "basis": "least_recently_assigned",
    "order": ["QC-LZ-0207", "QC-LZ-0311"],
    "chosen": "QC-LZ-0207",
    "excluded": [{"expert_id": "QC-LJ-0102", "reason": "from_treating_hospital"}],
    "parameters_version": "major_treatment:any:any:default",
}
EVALUATION: dict[str, Any] = {
    "evaluation_id": EVALUATION_ID,
    "treatment_id": TREATMENT_ID,
    "admission_id": ADMISSION_ID,
    "person_id": PERSON_ID,
    "facility_id": FACILITY_ID,
    "category": "surgery",
    "treatment_status": "awaiting_consent",
    "attending": {
        "doctor": "dr-huang",
        "opinion": "急性化脓性阑尾炎，保守治疗无效",
        "recommendation": "proceed",
        "at": "2026-12-05T03:00:00Z",
    },
    "expert": {
        **EXPERT,
        "opinion": "手术指征明确，同意腹腔镜下阑尾切除",
        "recommendation": "proceed",
        "at": "2026-12-06T02:00:00Z",
    },
    "assignment": {"assigned_by": "ljwjj-zhou", "assigned_at": "2026-12-04T02:00:00Z", "rotation": ROTATION},
    "conclusion": "proceed",
    "completed_at": "2026-12-06T02:00:00Z",
    "rule": "LJ-11.2",
}
RANK4_FILING: dict[str, Any] = {
    "consent_id": RANK4_CONSENT_ID,
    "admission_id": ADMISSION_ID,
    "person_id": PERSON_ID,
    "signer": {"signer_id": "fly-head-wei", "role": "institution"},
    "major_public_interest": False,
    "filed_at": "2026-12-11T02:32:00Z",
    "acknowledgement_due_at": "2026-12-14T15:59:59Z",
    "calendar_provisional": False,
    "parameters_version": "rank4_filing:any:any:default",
    "acknowledged_at": None,
    "acknowledged_by": None,
    "acknowledgement_note": None,
    "overdue": False,
    "overdue_at": None,
    "public_interest_state": None,
    "public_interest_decided_at": None,
    "public_interest_decided_by": None,
    "public_interest_note": None,
    "rule": "LJ-10",
}
RANKS: list[dict[str, Any]] = [
    {
        "rank": 1,
        "holder": "person",
        "state": "available",
        "signer_ids": [PERSON_ID],
        "scope": None,
        "reasons": [],
        "detail": "assessed fully capable and lucid on 2026-12-01 by institution doctor",
    },
    {
        "rank": 2,
        "holder": "guardian",
        "state": "skipped",
        "signer_ids": [],
        "scope": None,
        "reasons": ["guardian_verified_none"],
        "detail": "verified that no guardian exists (evidence LJ-FLY-NO-GUARDIAN)",
    },
    {
        "rank": 3,
        "holder": "written_agent",
        "state": "available",
        "signer_ids": ["agent-qin-li"],
        "scope": None,
        "reasons": [],
        "detail": "agent-qin-li delegated by town_government (百朋镇委〔2026〕12号) until 2027-06-30",
    },
    {
        "rank": 4,
        "holder": "institution_head",
        "state": "available",
        "signer_ids": [],
        "scope": "institution:LJ-FLY",
        "reasons": [],
        "detail": "institution head; the signature is filed with civil affairs",
    },
]


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class SignerOut(Out):
    """Who signed, by id and role, and at which rank of signing authority (LJ-10)."""

    model_config = _examples(PERSON_SIGNER)

    signer_id: str = Field(
        description="the signer's login: the person's own id, a guardian's or agent's, or an office's"
    )
    role: str
    rank: int | None = None
    holder: str | None = None


class SkippedRankOut(Out):
    """A rank of signing authority passed over, and why (LJ-10)."""

    model_config = _examples({k: RANKS[1][k] for k in ("rank", "holder", "reasons", "detail")})

    rank: int
    holder: str
    reasons: list[str]
    detail: str


class RankOut(Out):
    """One rank of signing authority as it stands for the person."""

    model_config = _examples(RANKS[2])

    rank: int
    holder: str
    state: str
    signer_ids: list[str]
    scope: str | None
    reasons: list[str]
    detail: str


class SigningAuthorityOut(Out):
    """Who may sign for the person now (LJ-10), rank by rank."""

    model_config = _examples(
        {
            "person_id": PERSON_ID,
            "as_of": "2026-12-08",
            "major_public_interest": False,
            "eligible_rank": 1,
            "eligible": RANKS[0],
            "skipped": [],
            "blocked_by": None,
            "ranks": RANKS,
            "rule": "LJ-10",
        }
    )

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

    model_config = _examples(RANK4_FILING)

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
    public_interest_state: str | None = Field(
        description="LJ-10: pending (signed on a major public interest civil affairs has not confirmed yet: "
        "it does not count), confirmed or rejected; null when signed on a confirmed interest or none"
    )
    public_interest_decided_at: datetime | None
    public_interest_decided_by: str | None
    public_interest_note: str | None
    rule: str


class ConsentOut(Out):
    """A signed consent (or refusal) to a treatment or self-pay item."""

    model_config = _examples(ITEM_CONSENT, TREATMENT_CONSENT)

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

    model_config = _examples(TRAIL[2])

    step: str
    actor: str
    role: str
    at: datetime
    outcome: str
    reason: str | None


class ItemOut(Out):
    """A self-pay item with its reviews (LJ-7.1–7.3)."""

    model_config = _examples(ITEM, ITEM_PROPOSED, ITEM_FILED)

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

    model_config = _examples(ITEM_SUMMARY)

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

    model_config = _examples(
        {
            **{
                k: ITEM_FILED[k]
                for k in (
                    "item_id",
                    "admission_id",
                    "person_id",
                    "facility_id",
                    "item_code",
                    "item_name",
                    "amount",
                    "status",
                    "proposed_at",
                )
            },
            "due_at": "2026-12-07T15:59:59Z",
            "calendar_provisional": False,
            "overdue": False,
            "overdue_at": None,
            "parameters_version": "self_pay_steps:any:any:default",
            "rule": "LJ-7.3",
        }
    )

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

    model_config = _examples(TREATMENT)

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
    consent: ConsentOut | None = Field(default=None, description="LJ-10: the consent that counts")
    pending_consent: ConsentOut | None = Field(
        default=None,
        description="LJ-10: a rank-4 signature on a major public interest awaiting civil affairs' confirmation",
    )


class AdmissionRecordsOut(Out):
    """An admission's treatments, consents and self-pay items."""

    model_config = _examples(
        {
            "admission_id": ADMISSION_ID,
            "person_id": PERSON_ID,
            "facility_id": FACILITY_ID,
            "treatments": [TREATMENT],
            "consents": [ITEM_CONSENT, TREATMENT_CONSENT],
            "self_pay_items": [{**ITEM_SUMMARY, "status": "approved", "outcome": "approved"}],
        }
    )

    admission_id: str
    person_id: str
    facility_id: str
    treatments: list[TreatmentOut]
    consents: list[ConsentOut]
    self_pay_items: list[ItemSummaryOut]


class ExpertOut(Out):
    """An expert of the major-treatment evaluation pool (LJ-11.2)."""

    model_config = _examples(EXPERT)

    expert_id: str
    name: str
    hospital_id: str
    specialty: str
    active: bool


class ExpertListedOut(ExpertOut):
    """An expert on the pool's list, with the rotation's count."""

    model_config = _examples({**EXPERT, "assignments": 4, "last_assigned_at": "2026-12-04T02:00:00Z"})

    assignments: int
    last_assigned_at: datetime | None


class AttendingPartOut(Out):
    """The attending doctor's part of an evaluation."""

    model_config = _examples(EVALUATION["attending"])

    doctor: str | None
    opinion: str | None
    recommendation: str | None
    at: datetime | None


class ExpertPartOut(ExpertOut):
    """The assigned expert's part of an evaluation."""

    model_config = _examples(EVALUATION["expert"])

    opinion: str | None
    recommendation: str | None
    at: datetime | None


class ExcludedExpertOut(Out):
    """An expert the rotation passed over, and why."""

    model_config = _examples(ROTATION["excluded"][0])

    expert_id: str
    reason: str


class RotationOut(Out):
    """How the rotation chose the expert."""

    model_config = _examples(ROTATION)

    basis: str
    order: list[str]
    chosen: str
    excluded: list[ExcludedExpertOut]
    parameters_version: str


class AssignmentPartOut(Out):
    """Who assigned the expert, when, and by which rotation."""

    model_config = _examples(EVALUATION["assignment"])

    assigned_by: str
    assigned_at: datetime
    rotation: RotationOut


class EvaluationOut(Out):
    """A major-treatment evaluation (LJ-11.2)."""

    model_config = _examples(EVALUATION)

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

    model_config = _examples(
        {
            "treatment_id": TREATMENT_ID,
            "evaluation_id": EVALUATION_ID,
            "expert": EXPERT,
            "rotation": ROTATION,
            "assigned_by": "ljwjj-zhou",
            "assigned_at": "2026-12-04T02:00:00Z",
            "rule": "LJ-11.2",
        }
    )

    treatment_id: str
    evaluation_id: str
    expert: ExpertOut
    rotation: RotationOut
    assigned_by: str
    assigned_at: datetime
    rule: str


class AbsenceOut(Out):
    """A verified absence of a guardian (LJ-10)."""

    model_config = _examples(
        {
            "absence_id": "abs-01a24e3ab5007e0d8c948a90308d4284",
            "person_id": PERSON_ID,
            "evidence_ref": "LJ-FLY-NO-GUARDIAN",
            "verified_by": "fly-head-wei",
            "verified_role": "institution",
            "verified_at": "2026-12-01T02:00:00Z",
            "finding": "no_guardian",
            "guardian_id": None,
            "rule": "LJ-10",
        }
    )

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

    model_config = _examples(
        {
            "confirmation_id": "pic-01a249145900733784d139f4e580eeeb",
            "subject": "treatment",
            "subject_id": TREATMENT_ID,
            "person_id": PERSON_ID,
            "admission_id": ADMISSION_ID,
            "confirmed_by": "ljmz-lan",
            "confirmed_at": "2026-12-06T02:00:00Z",
            "rule": "LJ-10",
        }
    )

    confirmation_id: str
    subject: str
    subject_id: str
    person_id: str
    admission_id: str
    confirmed_by: str
    confirmed_at: datetime
    rule: str
