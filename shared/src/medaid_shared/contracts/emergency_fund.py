"""Events published by the emergency-fund service."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from medaid_shared.contracts.common import Money
from medaid_shared.events import Event


class FundApplicationSubmitted(Event):
    """GD-20.1: a hospital's unit application (附件3) with its individual applications."""

    event_type: ClassVar[str] = "medaid.emergency-fund.FundApplicationSubmitted"
    topic: ClassVar[str] = "emergency-fund.application"
    key_field: ClassVar[str] = "application_id"

    application_id: str
    facility_id: str
    city: str
    case_ids: list[str]
    amount: Money
    submitted_at: datetime
    # GD-24: cases of blacklisted persons, flagged for the agency's review.
    flagged_case_ids: list[str] = []
    review_due_at: datetime | None = None
    calendar_provisional: bool = False


class FundApplicationReviewed(Event):
    """GD-20.2: one step (agency, health, finance) decided."""

    event_type: ClassVar[str] = "medaid.emergency-fund.FundApplicationReviewed"
    topic: ClassVar[str] = "emergency-fund.application"
    key_field: ClassVar[str] = "application_id"

    application_id: str
    step: str  # agency | health | finance
    outcome: str  # approved | rejected
    approved_amount: Money | None = None
    reviewer_id: str
    reason: str | None = None
    late: bool = False
    reviewed_at: datetime
    # LJ-18: the city whose fund this is (scopes the fund agency's and finance's feeds).
    city: str | None = None


class FundStepOverdue(Event):
    event_type: ClassVar[str] = "medaid.emergency-fund.FundStepOverdue"
    topic: ClassVar[str] = "emergency-fund.application"
    key_field: ClassVar[str] = "application_id"

    application_id: str
    step: str
    due_at: datetime
    calendar_provisional: bool = False
    # LJ-18: the city whose fund this is (scopes the fund agency's and finance's feeds).
    city: str | None = None


class PublicNoticePublished(Event):
    """GD-21: a masked public notice (公示) runs for at least 3 working days."""

    event_type: ClassVar[str] = "medaid.emergency-fund.PublicNoticePublished"
    topic: ClassVar[str] = "emergency-fund.application"
    key_field: ClassVar[str] = "application_id"

    notice_id: str
    application_id: str
    publisher: str  # hospital | agency
    starts_at: datetime
    ends_at: datetime
    # LJ-18: the city whose fund this is (scopes the fund agency's and finance's feeds).
    city: str | None = None


class FundDisbursed(Event):
    event_type: ClassVar[str] = "medaid.emergency-fund.FundDisbursed"
    topic: ClassVar[str] = "emergency-fund.application"
    key_field: ClassVar[str] = "application_id"

    disbursement_id: str
    application_id: str
    facility_id: str
    amount: Money
    disbursed_at: datetime
    city: str | None = None
    case_ids: list[str] = []
    # GD-7: the part set against the hospital's pre-allocated money, and the part paid in cash.
    from_preallocation: Money | None = None
    from_fund_cash: Money | None = None
    late: bool = False


class FundRefundOverdue(Event):
    """GD-16.4: a refund demand was not fully returned by its (versioned) due date."""

    event_type: ClassVar[str] = "medaid.emergency-fund.FundRefundOverdue"
    topic: ClassVar[str] = "emergency-fund.case"
    key_field: ClassVar[str] = "case_id"

    refund_id: str
    case_id: str
    facility_id: str
    outstanding: Money
    due_at: datetime
    overdue_at: datetime
    # LJ-18: the city whose fund this is (scopes the fund agency's and finance's feeds).
    city: str | None = None


class FundRefundDemanded(Event):
    """GD-16.4: a late identification: the hospital returns the fund money."""

    event_type: ClassVar[str] = "medaid.emergency-fund.FundRefundDemanded"
    topic: ClassVar[str] = "emergency-fund.case"
    key_field: ClassVar[str] = "case_id"

    refund_id: str
    case_id: str
    facility_id: str
    amount: Money
    reason: str
    demanded_at: datetime
    # LJ-18: the city whose fund this is (scopes the fund agency's and finance's feeds).
    city: str | None = None
    # GD-16.4: the refund falls due then (versioned refund_due term, official calendar).
    due_at: datetime | None = None
    # LJ-18: the police jurisdiction of the hospital (scopes the police feed).
    police_jurisdiction: str | None = None


class FundWrittenOff(Event):
    """GD-21: a disbursement written off (核销) after the hospital's vouchers were checked."""

    event_type: ClassVar[str] = "medaid.emergency-fund.FundWrittenOff"
    topic: ClassVar[str] = "emergency-fund.application"
    key_field: ClassVar[str] = "application_id"

    application_id: str
    disbursement_id: str
    facility_id: str
    amount: Money
    written_off_at: datetime
    # LJ-18: the city whose fund this is (scopes the fund agency's and finance's feeds).
    city: str | None = None


class FundRefundRecorded(Event):
    """GD-16.4: the hospital returned (part of) the money a refund demand asked for."""

    event_type: ClassVar[str] = "medaid.emergency-fund.FundRefundRecorded"
    topic: ClassVar[str] = "emergency-fund.case"
    key_field: ClassVar[str] = "case_id"

    refund_id: str
    case_id: str
    facility_id: str
    amount: Money
    refunded_total: Money
    outstanding: Money
    recorded_at: datetime
    # LJ-18: the city whose fund this is (scopes the fund agency's and finance's feeds).
    city: str | None = None


class FundTrainingDue(Event):
    """GD-8 / GD-11: no training of the city's hospitals is recorded for the year yet."""

    event_type: ClassVar[str] = "medaid.emergency-fund.FundTrainingDue"
    topic: ClassVar[str] = "emergency-fund.fund"
    key_field: ClassVar[str] = "city"

    city: str
    year: int
    due_at: datetime


class FundPreallocationBelowMinimum(Event):
    """GD-7: the year-end check found the city's net pre-allocations of the year below the
    minimum share of its central and provincial transfers (the city is flagged)."""

    event_type: ClassVar[str] = "medaid.emergency-fund.FundPreallocationBelowMinimum"
    topic: ClassVar[str] = "emergency-fund.fund"
    key_field: ClassVar[str] = "city"

    city: str
    year: int
    upper_level_transfers: Money
    min_share: str
    required_minimum: Money
    preallocated: Money
    shortfall: Money
    checked_at: datetime
    parameters_version: str


class FundCaseOpened(Event):
    """GD-16.3: a fund case for an unidentified patient opened on the police letter it names,
    with the admission it was opened for (the fund's record of the admission). Identity-check
    measures how soon after the admission the letter was sent (GD-16.1, "immediately")."""

    event_type: ClassVar[str] = "medaid.emergency-fund.FundCaseOpened"
    topic: ClassVar[str] = "emergency-fund.case"
    key_field: ClassVar[str] = "case_id"

    case_id: str
    facility_id: str
    patient_ref: str
    identity_check_request_id: str
    city: str
    admitted_at: datetime
    opened_at: datetime


class FundCaseClosed(Event):
    """A fund case reached its end: paid (disbursed), excluded (GD-14) or refunded (GD-16.4).
    Identity-check closes the police letter it rests on, so the face photos' retention starts
    (SPEC 0.4)."""

    event_type: ClassVar[str] = "medaid.emergency-fund.FundCaseClosed"
    topic: ClassVar[str] = "emergency-fund.case"
    key_field: ClassVar[str] = "case_id"

    case_id: str
    facility_id: str
    patient_ref: str
    city: str
    outcome: str  # disbursed | excluded | refunded
    closed_at: datetime
