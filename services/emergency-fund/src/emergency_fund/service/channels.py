"""Existing channels first, confirmed by the department responsible (GD-18.1, SPEC 0.5).

The hospital records what each channel paid (its claim); the department that runs the
channel confirms the amount (it replaces the claim), settlement's statements confirm the
basic insurance and medical aid of persons settlement knows, and the agency may waive a
confirmation with a reason. The departments see the confirmations awaiting them as a queue.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from emergency_fund.domain import channels as ch
from emergency_fund.domain import eligibility as el
from emergency_fund.domain.money import ZERO, cents
from emergency_fund.domain.records import Case, ChannelPayment
from emergency_fund.domain.workflow import AppState
from emergency_fund.service import applications, refunds
from emergency_fund.service.base import Env, audit, load_params, out
from emergency_fund.service.cases import (
    EDITABLE,
    SETTLEMENT_CHANNELS,
    WITHDRAWN_CLAIM,
    CaseState,
    case_scope,
    case_view,
    editable_case,
    the_case,
    touch,
)
from emergency_fund.service.commands import ChannelConfirmationCmd, ChannelPaymentCmd, ChannelWaiverCmd
from medaid_shared.errors import Conflict, ValidationFailed
from medaid_shared.pagination import PageRequest

# Cases whose channels a department may still confirm: before the agency's decision.
UNDER_REVIEW = EDITABLE | {CaseState.IN_APPLICATION}
OVERSIGHT = {"fund_agency", "auditor"}


async def record_claim(env: Env, case_id: str, cmd: ChannelPaymentCmd) -> tuple[int, Any]:
    """GD-18.1: what the hospital says an existing channel paid (0 when it pays nothing) —
    its claim, until the department responsible confirms it."""
    case = await editable_case(env, case_id)
    channel = cmd.channel.value
    if case.destitute and case.admission_id and channel in SETTLEMENT_CHANNELS:
        raise Conflict(
            f"{channel} of a destitute person comes from settlement's statements", rule="GD-22.3", field="channel"
        )
    existing = await env.repo.channel_payments.get((case_id, channel), for_update=True)
    if existing is not None and existing.status == ch.ChannelStatus.CONFIRMED.value:
        raise Conflict(
            f"{channel} was confirmed by {existing.confirmed_role}: the department's amount stands",
            rule="GD-18.1",
            field="channel",
        )
    claim: dict[str, Any] = {
        "amount": cmd.amount,
        "claimed_amount": cmd.amount,
        "reference": cmd.reference,
        "source": "hospital",
        "status": ch.ChannelStatus.CLAIMED.value,
        "waiver_reason": None,
        "waived_by": None,
        "waived_at": None,
        "recorded_at": env.now,
        "recorded_by": env.principal.subject,
    }
    await env.repo.channel_payments.put(
        replace(existing, **claim) if existing else ChannelPayment(case_id=case_id, channel=channel, **claim)
    )
    await touch(env, case_id)
    await audit(env, "case.channel", case_id, rule="GD-18.1", channel=channel, amount=cmd.amount)
    return 201, await case_view(env, case_id)


async def case_under_review(env: Env, case_id: str) -> Case:
    """A case whose channels may still change: not yet past the agency's review."""
    case = await the_case(env, case_id, lock=True)
    if case.state not in UNDER_REVIEW:
        raise Conflict(f"case {case_id} is {case.state}; its channels are settled", rule="GD-18.1")
    if case.state == CaseState.IN_APPLICATION and case.application_id:
        app = await env.repo.applications.get(case.application_id)
        if app is not None and app.state != AppState.SUBMITTED.value:
            raise Conflict(f"application {app.id} is {app.state}: the agency has decided on this case", rule="GD-18.1")
    return case


async def _decided(env: Env, case: Case) -> bool:
    """Whether the agency has decided on the case already (approved, forwarded, or paid)."""
    if case.state == CaseState.PAID:
        return True
    if case.state == CaseState.IN_APPLICATION and case.application_id:
        app = await env.repo.applications.get(case.application_id)
        return app is not None and app.state != AppState.SUBMITTED.value
    return False


async def case_for_confirmation(env: Env, case_id: str) -> tuple[Case, bool]:
    """A case whose channel a department may confirm: under review, or already decided (SPEC
    0.5: a department's fact is never refused; the decision is taken again). A case closed
    otherwise (excluded, refunded, a refund already demanded, a rejected application) is
    settled."""
    case = await the_case(env, case_id, lock=True)
    if case.state in UNDER_REVIEW or case.state == CaseState.PAID:
        decided = await _decided(env, case)
        if case.state == CaseState.IN_APPLICATION and decided:
            app = await env.repo.applications.get(case.application_id or "")
            if app is None or app.state not in applications.OPEN_STATES:
                raise Conflict(
                    f"application {case.application_id} is {app.state if app else 'gone'}: its channels are settled",
                    rule="GD-18.1",
                )
        return case, decided
    raise Conflict(f"case {case_id} is {case.state}; its channels are settled", rule="GD-18.1")


async def _decide_again(env: Env, case: Case, channel: str, used: Any, confirmed: Any) -> str:
    """SPEC 0.5 with GD-18.1: a department confirmed its channel after the agency's decision.
    When the channel paid more than the decision assumed, the gap the fund pays shrinks by the
    difference and the decision is taken again: money already paid is demanded back (the
    difference, at most what was paid; due like any refund, GD-16.4); a case not yet paid
    leaves its application and is open again for the hospital's new claim on the confirmed
    amount. A channel that paid the same or less leaves the decision standing (the hospital
    claimed no more). Returns what happened."""
    difference = cents(confirmed - used)
    if difference <= ZERO:
        return "decision_stands"
    reason = (
        f"GD-18.1: {channel} confirmed {confirmed} after the agency's decision, which rested on {used}; "
        "the fund's gap is smaller by the difference"
    )
    if case.state == CaseState.PAID:
        await refunds.demand(env, case, reason, None, amount=min(difference, case.paid_amount or ZERO))
        return "refund_demanded"
    await applications.withdraw_case(env, case, reason)
    await touch(env, case.id, **WITHDRAWN_CLAIM)
    return "withdrawn_from_application"


async def confirm(env: Env, case_id: str, channel: el.Channel, cmd: ChannelConfirmationCmd) -> tuple[int, Any]:
    """GD-18.1: the department responsible states what its channel paid (0 when nothing);
    its amount replaces the hospital's claim. The agency's two channels cite a document.
    After the agency's decision the confirmation is recorded all the same and the decision
    follows it (SPEC 0.5, ``_decide_again``)."""
    ch.check_confirmation(channel, env.principal.role.value, cmd.document_ref)
    case, decided = await case_for_confirmation(env, case_id)
    existing = await env.repo.channel_payments.get((case_id, channel.value), for_update=True)
    if existing is not None and existing.source == "settlement":
        raise Conflict(
            f"{channel.value} of this case comes from settlement's statements", rule="GD-22.3", field="channel"
        )
    payment = ChannelPayment(
        case_id=case_id,
        channel=channel.value,
        amount=cmd.amount,
        claimed_amount=existing.claimed_amount if existing else None,
        reference=existing.reference if existing else "",
        source=env.principal.role.value,
        status=ch.ChannelStatus.CONFIRMED.value,
        document_ref=cmd.document_ref,
        confirmed_by=env.principal.subject,
        confirmed_role=env.principal.role.value,
        confirmed_at=env.now,
        waiver_reason=None,
        waived_by=None,
        waived_at=None,
        recorded_at=existing.recorded_at if existing else env.now,
        recorded_by=existing.recorded_by if existing else env.principal.subject,
    )
    await env.repo.channel_payments.put(payment)
    await touch(env, case_id)
    await audit(
        env,
        "case.channel_confirmed",
        case_id,
        reason=cmd.note or None,
        rule="GD-18.1",
        channel=channel.value,
        amount=cmd.amount,
        claimed=existing.claimed_amount if existing else None,
        document=cmd.document_ref,
        state=case.state,
    )
    if decided:
        used = existing.amount if existing else ZERO
        outcome = await _decide_again(env, case, channel.value, used, cmd.amount)
        await audit(
            env,
            "case.channel_confirmed_after_decision",
            case_id,
            reason=outcome,
            rule="GD-18.1",
            channel=channel.value,
            amount=cmd.amount,
            decided_on=used,
        )
    return 201, await case_view(env, case_id)


async def waive(env: Env, case_id: str, channel: el.Channel, cmd: ChannelWaiverCmd) -> tuple[int, Any]:
    """GD-18.1: the agency accepts the hospital's claim for a channel without the
    department's confirmation, with the reason (audited)."""
    case = await case_under_review(env, case_id)
    existing = await env.repo.channel_payments.get((case_id, channel.value), for_update=True)
    if existing is None:
        raise ValidationFailed(f"the hospital has recorded nothing for {channel.value}", field="channel")
    if existing.status != ch.ChannelStatus.CLAIMED.value:
        raise Conflict(f"{channel.value} is {existing.status}; only a claim awaits confirmation", field="channel")
    params = await load_params(env, case.admitted_at)
    ch.check_waiver(channel, existing.amount, params.channels_zero_needs_department)
    await env.repo.channel_payments.update(
        (case_id, channel.value),
        status=ch.ChannelStatus.WAIVED.value,
        waiver_reason=cmd.reason,
        waived_by=env.principal.subject,
        waived_at=env.now,
    )
    await touch(env, case_id)
    await audit(
        env,
        "case.channel_waived",
        case_id,
        reason=cmd.reason,
        rule="GD-18.1",
        channel=channel.value,
        amount=existing.amount,
        parameters=params.version_of("channels_zero_needs_department"),
    )
    return 200, await case_view(env, case_id)


async def awaiting(env: Env, awaiting: str, page: PageRequest) -> list[dict[str, Any]]:
    """The channel amounts awaiting confirmation by a role (``me``: the caller's), in the
    caller's cities — the departments' work queue (GD-18.1)."""
    role = env.principal.role.value if awaiting == "me" else awaiting
    if role != env.principal.role.value and env.principal.role.value not in OVERSIGHT:
        raise ValidationFailed("a department sees the confirmations awaiting itself (awaiting=me)", field="awaiting")
    channels = ch.channels_confirmed_by(role)
    if not channels:
        raise ValidationFailed(f"{role} confirms no channel", field="awaiting")
    rows = await env.repo.channels_awaiting([c.value for c in channels], case_scope(env.principal), UNDER_REVIEW, page)
    cases = {c.id: c for c in await env.repo.cases_among({r.case_id for r in rows})}
    return [_queue_item(cases[r.case_id], r) for r in rows]


def _queue_item(case: Case, row: ChannelPayment) -> dict[str, Any]:
    return out(
        {
            "case_id": case.id,
            "city": case.city,
            "facility_id": case.facility_id,
            "patient_ref": case.patient_ref,
            "admitted_at": case.admitted_at,
            "identity_status": case.identity_status,
            "name_masked": case.name_masked,
            "case_state": case.state,
            "application_id": case.application_id,
            "channel": row.channel,
            "claimed_amount": row.claimed_amount,
            "reference": row.reference,
            "recorded_at": row.recorded_at,
            "awaiting": ch.CONFIRMED_BY[el.Channel(row.channel)],
            "rule": "GD-18.1",
        }
    )
