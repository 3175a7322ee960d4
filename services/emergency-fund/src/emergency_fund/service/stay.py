"""The stay and the emergency period from facts (GD-13.3, GD-13.5, SPEC 0.5).

Living days count the days the patient actually spent in hospital within the emergency
period: from admission to the end of the stay the hospital records (discharge, death,
transfer — its claim, with who said it and when), or until now while the stay lasts. An
extension of the period names its category and the evidence that fits it, and counts only
once the agency or the health department approves it; where the fund holds the patient's ID
number, the category must match what the number says (``cases.held_birth_facts``).
"""

from __future__ import annotations

from typing import Any

from emergency_fund.domain import eligibility as el
from emergency_fund.domain.money import ZERO, cents
from emergency_fund.service import applications, refunds
from emergency_fund.service.base import Env, audit, load_params, out
from emergency_fund.service.cases import (
    EDITABLE,
    WITHDRAWN_CLAIM,
    CaseState,
    case_scope,
    case_view,
    check_requested_extension,
    current_case,
    editable_case,
    evaluate,
    extension_evidence,
    held_birth_facts,
    minimised,
    the_case,
    touch,
)
from emergency_fund.service.commands import ExtensionCmd, ExtensionDecisionCmd, StayEndCmd
from medaid_shared.authz import Role
from medaid_shared.clock import to_local
from medaid_shared.contracts.referral import DischargeRecorded
from medaid_shared.errors import Conflict, ValidationFailed
from medaid_shared.minimisation import DIAGNOSIS_ANSWERS
from medaid_shared.pagination import PageRequest

REQUESTED, APPROVED, REJECTED = "requested", "approved", "rejected"
# SPEC 0.4: an extension's evidence (a newborn's date of birth) in the work queue only for the
# roles the minimisation table names (the agency and the health department that decide it).
QUEUE_EVIDENCE = {
    "evidence": frozenset(Role(r) for r in DIAGNOSIS_ANSWERS["emergency-fund ExtensionRequestOut.evidence"])
}


async def record_stay_end(env: Env, case_id: str, cmd: StayEndCmd) -> tuple[int, Any]:
    """GD-13.5: the hospital records when the stay ended (discharge, death, transfer); living
    days count only the stay within the emergency period."""
    case = await the_case(env, case_id)
    if case.stay_end_source == "referral" and case.stay_ended_at is not None:
        raise Conflict(
            f"the stay ended {case.stay_ended_at.isoformat()} by referral's discharge record; "
            "the hospital's word does not replace it",
            rule="GD-13.5",
            field="at",
        )
    case = await editable_case(env, case_id)
    if not case.admitted_at <= cmd.at <= env.now:
        raise ValidationFailed("a stay ends between admission and now", field="at")
    await touch(
        env,
        case_id,
        stay_end_source="hospital",
        stay_ended_at=cmd.at,
        stay_end_outcome=cmd.outcome,
        stay_end_note=cmd.note or None,
        stay_end_recorded_by=env.principal.subject,
        stay_end_recorded_at=env.now,
    )
    await audit(env, "case.stay_end", case_id, reason=cmd.note or None, rule="GD-13.5", outcome=cmd.outcome, at=cmd.at)
    return 200, await case_view(env, case_id)


async def on_discharge(env: Env, event: DischargeRecorded) -> None:
    """GD-13.5 with SPEC 0.5: referral's discharge record ends the stay of a case the fund
    holds for that admission (a person referral knows) — the fact from the system of record
    replaces the hospital's claim. A claim filed on another stay end is withdrawn (its living
    days change); on a case already in an application or paid the fact is recorded and the
    decision taken again where the stay was shorter than it assumed (``_decide_again``). A
    discharge of an admission the fund has no case for changes nothing."""
    case = await env.repo.case_of_admission(event.admission_id, for_update=True)
    if case is None or case.facility_id != event.facility_id:
        return
    if case.stay_end_source == "referral" and case.stay_ended_at == event.discharged_at:
        return
    values: dict[str, Any] = {
        "stay_ended_at": event.discharged_at,
        "stay_end_outcome": "discharged",
        "stay_end_note": None,
        "stay_end_recorded_by": "referral",
        "stay_end_recorded_at": env.now,
        "stay_end_source": "referral",
    }
    moved = case.stay_ended_at != event.discharged_at
    if case.state == CaseState.CLAIMED and moved:
        values |= WITHDRAWN_CLAIM
        await audit(env, "case.claim_withdrawn", case.id, reason="GD-13.5: referral's discharge ended the stay")
    await touch(env, case.id, **values)
    action = "case.stay_end" if case.state in EDITABLE else "case.stay_end_after_decision"
    await audit(env, action, case.id, rule="GD-13.5", source="referral", at=event.discharged_at, outcome="discharged")
    if case.state not in EDITABLE and moved:
        await _decide_again(env, case.id, event)


async def _decide_again(env: Env, case_id: str, event: DischargeRecorded) -> None:
    """SPEC 0.5 with GD-13.5: referral's discharge arrived after the agency's decision and the
    stay was shorter than the living cost the decision rested on. Like a channel confirmed
    late (GD-18.1): a case not yet paid leaves its application and is open for the hospital's
    new claim on the real days; money paid is demanded back by the difference (at most what
    was paid, due like any refund, GD-16.4). A stay no shorter leaves the decision standing."""
    case = await current_case(env, case_id, lock=True)
    assessment, _, _ = await evaluate(env, case)
    claimed = case.claim_living or ZERO
    difference = cents(claimed - assessment.living_max)
    if difference <= ZERO or case.state not in (CaseState.IN_APPLICATION, CaseState.PAID):
        await audit(env, "case.stay_end_after_decision", case_id, reason="decision_stands", rule="GD-13.5")
        return
    reason = (
        f"GD-13.5: referral's discharge at {event.discharged_at.isoformat()} ended the stay after the decision; "
        f"living cost {claimed} was claimed on the days it assumed, {assessment.living_max} at most on the real ones"
    )
    if case.state == CaseState.PAID:
        await refunds.demand(env, case, reason, None, amount=min(difference, case.paid_amount or ZERO))
        return
    await applications.withdraw_case(env, case, reason)
    await touch(env, case_id, **WITHDRAWN_CLAIM)
    await audit(env, "case.claim_withdrawn", case_id, reason=reason, rule="GD-13.5")


async def request_extension(env: Env, case_id: str, cmd: ExtensionCmd) -> tuple[int, Any]:
    """GD-13.3: the hospital asks to extend the emergency period for a poor critically ill
    pregnant woman or a newborn, with the reason and the evidence that fits the category;
    the period stays the normal one until the agency or the health department approves."""
    case = await editable_case(env, case_id)
    params = await load_params(env, case.admitted_at)
    stored = cmd.evidence.model_dump(mode="json", exclude_none=True) if cmd.evidence else None
    evidence = extension_evidence(stored)
    el.check_extension(
        cmd.category,
        cmd.reason,
        cmd.hours,
        params,
        evidence=evidence,
        admitted_on=to_local(case.admitted_at).date(),
        held=held_birth_facts(env, case),
    )
    await touch(
        env,
        case_id,
        emergency_hours=params.emergency_period_hours,  # a new request replaces an earlier decision
        extension_category=cmd.category,
        extension_reason=cmd.reason,
        extension_hours=cmd.hours,
        extension_evidence=stored,
        extension_status=REQUESTED,
        extension_requested_by=env.principal.subject,
        extension_requested_at=env.now,
        extension_decided_by=None,
        extension_decided_role=None,
        extension_decided_at=None,
        extension_decision_reason=None,
    )
    await audit(
        env,
        "case.extension_requested",
        case_id,
        reason=cmd.reason,
        rule="GD-13.3",
        hours=cmd.hours,
        category=cmd.category,
    )
    return 200, await case_view(env, case_id)


async def decide_extension(env: Env, case_id: str, cmd: ExtensionDecisionCmd) -> tuple[int, Any]:
    """GD-13.3: the agency or the health department approves (the extended period applies)
    or rejects (the normal period stays) the hospital's request, with the reason."""
    case = await the_case(env, case_id)
    if case.extension_status != REQUESTED:
        raise Conflict(f"case {case_id} has no extension request to decide", rule="GD-13.3", field="decision")
    case = await editable_case(env, case_id)
    params = await load_params(env, case.admitted_at)
    if cmd.decision == APPROVED:
        # the parameters may have changed since the request: the approval checks them again
        check_requested_extension(env, case, params)
    hours = case.extension_hours if cmd.decision == APPROVED else params.emergency_period_hours
    await touch(
        env,
        case_id,
        emergency_hours=hours,
        extension_status=cmd.decision,
        extension_decided_by=env.principal.subject,
        extension_decided_role=env.principal.role.value,
        extension_decided_at=env.now,
        extension_decision_reason=cmd.reason,
    )
    await audit(
        env, "case.extension_decided", case_id, reason=cmd.reason, rule="GD-13.3", decision=cmd.decision, hours=hours
    )
    return 200, await case_view(env, case_id)


async def pending_extensions(env: Env, page: PageRequest) -> list[dict[str, Any]]:
    """The extension requests awaiting a decision in the caller's cities (a work queue)."""
    rows = await env.repo.extension_requests(case_scope(env.principal), EDITABLE, page)
    return [
        minimised(
            env.principal,
            out(
                {
                    "case_id": r.id,
                    "city": r.city,
                    "facility_id": r.facility_id,
                    "patient_ref": r.patient_ref,
                    "admitted_at": r.admitted_at,
                    "category": r.extension_category,
                    "hours": r.extension_hours,
                    "reason": r.extension_reason,
                    "evidence": r.extension_evidence,
                    "requested_at": r.extension_requested_at,
                    "rule": "GD-13.3",
                }
            ),
            QUEUE_EVIDENCE,
        )
        for r in rows
    ]
