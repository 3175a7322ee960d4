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


class SelfPayReviewed(Event):
    """LJ-7.2 / LJ-7.3: one review step's outcome."""

    event_type: ClassVar[str] = "medaid.consent.SelfPayReviewed"
    topic: ClassVar[str] = "consent.admission"
    key_field: ClassVar[str] = "admission_id"

    item_id: str
    admission_id: str
    stage: str  # initial | civil_affairs
    outcome: str  # approved | objected
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
