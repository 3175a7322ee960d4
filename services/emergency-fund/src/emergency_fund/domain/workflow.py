"""The application workflow (GD-20.1, GD-20.2), public notice (GD-21) and disbursement.

States of a unit application (附件3)::

    submitted ──agency approves──▶ agency_approved ──health forwards──▶ forwarded_to_finance
        │                              │                                     │
        └──── any step rejects (reason) ───────────────▶ rejected            ├─▶ disbursed ─▶ written_off
                                                                             └─▶ rejected (finance)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from emergency_fund.domain.params import Params
from medaid_shared.errors import Conflict, RuleViolation


class AppState(StrEnum):
    SUBMITTED = "submitted"
    AGENCY_APPROVED = "agency_approved"
    FORWARDED_TO_FINANCE = "forwarded_to_finance"
    DISBURSED = "disbursed"
    WRITTEN_OFF = "written_off"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Step(StrEnum):
    """GD-20.2: agency review (10 wd), health forwards to finance (5 wd), finance disburses (20 wd)."""

    AGENCY = "agency"
    HEALTH = "health"
    FINANCE = "finance"


STEP_STATE = {
    Step.AGENCY: AppState.SUBMITTED,
    Step.HEALTH: AppState.AGENCY_APPROVED,
    Step.FINANCE: AppState.FORWARDED_TO_FINANCE,
}
STEP_NEXT = {Step.AGENCY: Step.HEALTH, Step.HEALTH: Step.FINANCE}


def step_working_days(step: Step, params: Params) -> int:
    """GD-20.2: the working days each step has, on the official calendar."""
    return {
        Step.AGENCY: params.agency_review_working_days,
        Step.HEALTH: params.health_forward_working_days,
        Step.FINANCE: params.finance_disburse_working_days,
    }[step]


def deadline_kind(step: Step) -> str:
    return f"fund.step.{step.value}"


def require_step(state: str, step: Step) -> None:
    """A step decides only while the application waits for it."""
    if state != STEP_STATE[step].value:
        raise Conflict(f"the application is {state}; the {step.value} step cannot decide now", rule="GD-20.2")


class Publisher(StrEnum):
    """GD-21: the applying hospital and the handling agency each publish."""

    HOSPITAL = "hospital"
    AGENCY = "agency"


NOTICE_ALLOWED_STATES = {
    Publisher.HOSPITAL: {AppState.SUBMITTED, AppState.AGENCY_APPROVED, AppState.FORWARDED_TO_FINANCE},
    Publisher.AGENCY: {AppState.AGENCY_APPROVED, AppState.FORWARDED_TO_FINANCE},
}


def require_notice_allowed(state: str, publisher: Publisher) -> None:
    if AppState(state) not in NOTICE_ALLOWED_STATES[publisher]:
        detail = (
            "the agency publishes after its review approved the application"
            if publisher is Publisher.AGENCY
            else "the hospital publishes a submitted application that is still under review"
        )
        raise Conflict(f"the application is {state}: {detail}", rule="GD-21")


@dataclass(frozen=True)
class NoticeTerm:
    publisher: str
    starts_at: datetime
    ends_at: datetime


def notice_has_run(notice: NoticeTerm, now: datetime) -> bool:
    """GD-21: a notice has run its term only *after* its last instant — its last day's
    23:59:59 is still inside the term, to the end of that second."""
    return now >= notice.ends_at.replace(microsecond=0) + timedelta(seconds=1)


def require_notices_complete(notices: Sequence[NoticeTerm], now: datetime) -> None:
    """GD-21: no disbursement before the hospital's and the agency's notices have both run
    their full term (at least 3 working days each)."""
    by_publisher = {n.publisher: n for n in notices}
    missing = [p.value for p in Publisher if p.value not in by_publisher]
    if missing:
        raise RuleViolation(
            f"no disbursement without a completed public notice: not yet published by the {' and the '.join(missing)}",
            rule="GD-21",
        )
    for publisher in Publisher:
        notice = by_publisher[publisher.value]
        if not notice_has_run(notice, now):
            raise RuleViolation(
                f"no disbursement before the {publisher.value}'s public notice ends at {notice.ends_at.isoformat()}",
                rule="GD-21",
            )


def mask_unidentified(case_id: str) -> str:
    """Public label of an unidentified patient: 身份不明 plus a short case reference."""
    return f"身份不明患者 {case_id[:8]}"
