"""Events published by the settlement service."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel

from medaid_shared.contracts.common import Money
from medaid_shared.events import Event


class PlatformDifference(BaseModel):
    """SPEC 0.5 / LJ-13.1: a field where the national platform's one-stop result differs from
    settlement's own computation."""

    field: str  # the platform's field name (2207): hifp_pay, hifmi_pay, maf_pay, medfee_sumamt …
    platform: Money
    computed: Money
    rule: str
    note: str


class UnfiledCareBearer(BaseModel):
    """LJ-4.3c: outside care with no filing at all — who bears what medical aid, the support
    fund and support money do not pay: the adviser civil affairs recorded (建议方), or the
    person (当事人) while none is known. A unit's name, never a private person's."""

    bearer: str  # adviser | person
    amount: Money
    adviser_kind: str | None = None  # facility | institution | village_committee | town_government | other_unit
    adviser_id: str | None = None
    adviser_name: str | None = None


class SettlementCompleted(Event):
    """A settlement statement (one-stop LJ-13.1 or manual LJ-13.2) and who pays what."""

    event_type: ClassVar[str] = "medaid.settlement.SettlementCompleted"
    topic: ClassVar[str] = "settlement.statement"
    key_field: ClassVar[str] = "admission_id"

    statement_id: str
    admission_id: str
    person_id: str
    facility_id: str
    mode: str  # one_stop | manual
    total: Money
    basic_insurance: Money
    critical_illness: Money
    medical_aid: Money
    support_fund: Money
    self_pay_support: Money  # LJ-14.1: approved self-pay from support money / temporary assistance
    hospital_borne: Money  # LJ-7.4
    personal_cash: Money
    aid_year: int
    completed_at: datetime
    # Additive, optional: what a reader of the statement needs without asking back.
    patient_advance: Money | None = None  # LJ-3.2b: paid first by the patient in manual mode
    manual_reasons: list[str] = []
    parameter_versions: list[str] = []
    example_parameters: bool = False
    gates_applied: list[str] = []  # e.g. LJ-4.3c, LJ-4.3b
    # SPEC 0.5: a statement issued again because a fact it stood on changed.
    reason: str | None = None
    replaces_statement_id: str | None = None
    # LJ-13.1 / SPEC 0.5: the national one-stop result the statement took its insurance and
    # aid from, and where it differs from the own computation.
    platform_setl_id: str | None = None
    platform_differences: list[PlatformDifference] = []
    # LJ-4.3c: who bears the cost of unfiled outside care (None: the gate did not apply).
    unfiled_care_bearer: UnfiledCareBearer | None = None


class SettlementReversed(Event):
    event_type: ClassVar[str] = "medaid.settlement.SettlementReversed"
    topic: ClassVar[str] = "settlement.statement"
    key_field: ClassVar[str] = "admission_id"

    statement_id: str
    reversed_statement_id: str
    admission_id: str
    person_id: str
    medical_aid_released: Money
    reason: str
    reversed_at: datetime


class ManualReimbursementRequested(Event):
    """LJ-3.2b / LJ-13.2: the patient pays first; aid after review, application deadline."""

    event_type: ClassVar[str] = "medaid.settlement.ManualReimbursementRequested"
    topic: ClassVar[str] = "settlement.statement"
    key_field: ClassVar[str] = "admission_id"

    admission_id: str
    person_id: str
    facility_id: str
    reason: str
    application_due_at: datetime | None = None
    calendar_provisional: bool = False
    statement_id: str | None = None
    reimbursable: Money | None = None
    support_type: str | None = None


class ManualReimbursementProgressed(Event):
    """LJ-13.2: a manual reimbursement moved on — applied (the aid reserved on the yearly
    ceiling, LJ-6.2), approved (the amounts kept), rejected (the aid released) or paid.
    Medical insurance's reasons stay with the service (free text)."""

    event_type: ClassVar[str] = "medaid.settlement.ManualReimbursementProgressed"
    topic: ClassVar[str] = "settlement.statement"
    key_field: ClassVar[str] = "admission_id"

    statement_id: str
    admission_id: str
    person_id: str
    facility_id: str
    state: str  # applied | approved | rejected | paid
    by_role: str
    at: datetime
    aid_held: Money
    approved_total: Money | None = None
    paid_amount: Money | None = None


class ManualReimbursementOverdue(Event):
    """LJ-13.2: a centralized person's institution did not apply within 15 working days."""

    event_type: ClassVar[str] = "medaid.settlement.ManualReimbursementOverdue"
    topic: ClassVar[str] = "settlement.statement"
    key_field: ClassVar[str] = "admission_id"

    statement_id: str
    admission_id: str
    person_id: str
    facility_id: str
    institution_id: str | None = None
    due_at: datetime
    calendar_provisional: bool = False


class CostAnomalyFlagged(Event):
    """LJ-8, LJ-9, LJ-15.4: a hospital or a case flagged for inspection."""

    event_type: ClassVar[str] = "medaid.settlement.CostAnomalyFlagged"
    topic: ClassVar[str] = "settlement.analytics"
    key_field: ClassVar[str] = "facility_id"

    flag_id: str
    kind: str  # self_pay_share | high_cost_case | long_stay | unrelated_tests | bed_hanging | cost_above_average
    rule: str
    facility_id: str
    admission_id: str | None = None
    period: str
    detail: str
    flagged_at: datetime
    metric: Decimal | None = None
    threshold: Decimal | None = None


class CostAnomalyWithdrawn(Event):
    """LJ-11.1 / LJ-13.1 / SPEC 0.5: a flag a settlement raised no longer stands — the
    statement that raised it was reversed (a late consent, a corrected national result…).
    The re-issued statement raises again (CostAnomalyFlagged) what still holds."""

    event_type: ClassVar[str] = "medaid.settlement.CostAnomalyWithdrawn"
    topic: ClassVar[str] = "settlement.analytics"
    key_field: ClassVar[str] = "facility_id"

    flag_id: str
    kind: str
    rule: str
    facility_id: str
    admission_id: str | None = None
    period: str
    statement_id: str  # the statement that raised the flag
    reversal_statement_id: str  # the reversal that withdrew it
    reason: str
    withdrawn_at: datetime


class CatalogueItemPublished(Event):
    """SPEC 0.5: one version of an item's insurance-catalogue membership (医保目录), published
    by the catalogue's owner so consent decides LJ-7.0 from the catalogue, never from the
    proposing hospital's word."""

    event_type: ClassVar[str] = "medaid.settlement.CatalogueItemPublished"
    topic: ClassVar[str] = "settlement.catalogue"
    key_field: ClassVar[str] = "code"

    version_id: str
    code: str
    name: str
    kind: str  # drug | consumable | test | service
    in_catalogue: bool
    region: str  # a region, or "any"
    effective_from: date
    effective_to: date | None = None
    example: bool = False
    published_at: datetime
