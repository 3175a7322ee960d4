"""Facts learnt from other services' events (never from their tables): the local read models
and what they change in cases."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from emergency_fund.domain.eligibility import IdentityStatus
from emergency_fund.domain.records import Facility, IdentitySignal, Person, Settlement
from emergency_fund.service import applications, refunds
from emergency_fund.service.base import Env, audit, sealed_birth_facts, sealed_person_index
from emergency_fund.service.cases import (
    WITHDRAWN_CLAIM,
    CaseState,
    apply_identity_signals,
    mark_destitute,
    open_referred_case,
    refresh_settlement_channels,
    touch,
)
from medaid_shared.contracts.identity_check import (
    IdentityCheckOverdue,
    IdentityCheckReopened,
    IdentityCheckRequested,
    IdentityLetterSentLate,
    IdentityVerified,
)
from medaid_shared.contracts.referral import (
    EmergencyAssistanceReferred,
    FacilityRegistered,
    PersonRegistered,
)
from medaid_shared.contracts.settlement import SettlementCompleted, SettlementReversed


async def on_person(env: Env, event: PersonRegistered) -> None:
    """Referral's persons are destitute persons (GD-22.3); matched to cases by the fund's
    own index of the ID number sealed for it (SPEC 0.4), never by the number itself."""
    digest = sealed_person_index(env, event.id_number_sealed)
    await env.repo.persons.put(
        Person(
            person_id=event.person_id,
            id_digest=digest,  # type: ignore[arg-type]  # the table refuses a person without one, as before
            name_masked=event.name_masked,
            id_masked=event.id_number_masked,
            support_type=event.support_type.value,
            updated_at=env.now,
        )
    )
    if digest is None:
        return
    for case in await env.repo.undestitute_cases_of_person(digest):
        await mark_destitute(env, case.id, event.person_id)


async def on_facility(env: Env, event: FacilityRegistered) -> None:
    """A hospital's city (the fund it belongs to) as referral registered it; an ownership the
    agency recorded is kept."""
    existing = await env.repo.facilities.get(event.facility_id)
    await env.repo.facilities.put(
        Facility(
            facility_id=event.facility_id,
            city=event.city,
            name=event.name,
            ownership=existing.ownership if existing else "unknown",
            police_jurisdiction=event.police_jurisdiction,
            source="referral",
            updated_at=env.now,
        )
    )


async def on_referred(env: Env, event: EmergencyAssistanceReferred) -> None:
    """LJ-11.4: referral's emergency-and-unable-to-pay signal opens a case."""
    await open_referred_case(env, event=event)


async def on_settlement(env: Env, event: SettlementCompleted) -> None:
    """GD-22.3 / GD-18.1: a destitute person's medical aid comes from settlement's statement."""
    inserted = await env.repo.settlements.add_new(
        Settlement(
            statement_id=event.statement_id,
            admission_id=event.admission_id,
            person_id=event.person_id,
            facility_id=event.facility_id,
            total=event.total,
            basic_insurance=event.basic_insurance + event.critical_illness,
            medical_aid=event.medical_aid,
            completed_at=event.completed_at,
            reversed=False,
        )
    )
    if inserted:
        await _refresh_admission(env, event.admission_id)


async def on_settlement_reversed(env: Env, event: SettlementReversed) -> None:
    """GD-22.3: a reversed statement no longer counts for the admission's channels."""
    await env.repo.settlements.update(event.reversed_statement_id, reversed=True)
    await _refresh_admission(env, event.admission_id)


async def _refresh_admission(env: Env, admission_id: str) -> None:
    case = await env.repo.case_of_admission(admission_id)
    if case is not None and case.state in ("open", "claimed"):
        await refresh_settlement_channels(env, case.id)


async def on_letter_sent_late(env: Env, event: IdentityLetterSentLate) -> None:
    """GD-16.1: identity-check found the letter this case rests on sent later after the
    admission than "immediately" allows: the case carries the flag for the agency's review
    (GD-22: a hospital that delays the letter to reach the unidentified path)."""
    case = await env.repo.case_of_letter(event.request_id, for_update=True)
    if case is None or (case.facility_id, case.patient_ref) != (event.facility_id, event.patient_ref):
        return
    if case.letter_sent_late_at is not None:
        return
    await env.repo.cases.update(case.id, letter_sent_late_at=event.received_at)
    await audit(
        env,
        "case.letter_sent_late",
        case.id,
        reason=f"the letter reached the bureau more than {event.max_hours_after_admission} hours after the admission",
        rule="GD-16.1",
        request=event.request_id,
        parameters_version=event.parameters_version,
    )


async def on_identity_requested(env: Env, event: IdentityCheckRequested) -> None:
    """GD-16.1: the hospital's letter reached the bureau — whose letter it is and for which
    admission number, so a case can name only its own hospital's letter for its patient."""
    existing = await env.repo.identity_signals.get(event.request_id)
    if existing is not None:
        await env.repo.identity_signals.update(event.request_id, received_at=event.received_at)
    else:
        await env.repo.identity_signals.add(
            IdentitySignal(
                request_id=event.request_id,
                facility_id=event.facility_id,
                patient_ref=event.patient_ref,
                reference_number=event.reference_number,
                received_at=event.received_at,
            )
        )
    await _apply_signals(env, event.request_id)


async def _put_signal(env: Env, request_id: str, **news: Any) -> None:
    """Record what identity-check said of a letter, keeping what it said before of the rest."""
    existing = await env.repo.identity_signals.get(request_id, for_update=True)
    signal = replace(existing, **news) if existing else IdentitySignal(request_id=request_id, **news)
    await env.repo.identity_signals.put(signal)


async def on_identity_overdue(env: Env, event: IdentityCheckOverdue) -> None:
    """GD-16.3: the police's 3 working days passed without a reply."""
    await _put_signal(
        env,
        event.request_id,
        facility_id=event.facility_id,
        patient_ref=event.patient_ref,
        reference_number=event.reference_number,
        overdue_at=event.due_at,
    )
    await _apply_signals(env, event.request_id)


async def on_identity_reopened(env: Env, event: IdentityCheckReopened) -> None:
    """SPEC 0.1 / GD-16.3: the year's calendar notice moved the bureau's reply window. A
    letter that went overdue before its real end is not overdue: an unidentified claim
    accepted on it goes on hold (its claim withdrawn, its application left) until the real
    deadline passes or the reply comes; money already paid on it is flagged to the agency."""
    if not event.reopened:
        return
    signal = await env.repo.identity_signals.get(event.request_id)
    if signal is None or signal.overdue_at is None:
        return
    await env.repo.identity_signals.update(event.request_id, overdue_at=None)
    case = await env.repo.case_of_letter(event.request_id, for_update=True)
    if case is not None and signal.outcome is None and case.identity_status == IdentityStatus.UNIDENTIFIED.value:
        reason = (
            f"SPEC 0.1 / GD-16.3: the police's real reply window ends {event.reply_due_at.isoformat()} "
            "(calendar notice loaded); the claim waits for it"
        )
        if case.state == CaseState.IN_APPLICATION:
            await applications.withdraw_case(env, case, reason)
        if case.state in (CaseState.CLAIMED, CaseState.IN_APPLICATION):
            await touch(env, case.id, **WITHDRAWN_CLAIM, application_id=None)
            await audit(env, "case.identity_hold", case.id, reason=reason, rule="GD-16.3")
        elif case.state == CaseState.PAID:
            await audit(
                env,
                "case.flag",
                case.id,
                reason=f"{reason}; paid during the bureau's real reply time — the agency reviews it",
                rule="GD-16.3",
            )
        await apply_identity_signals(env, case.id)


async def on_identity_verified(env: Env, event: IdentityVerified) -> None:
    """GD-16.2 / GD-16.3 / GD-16.4: the bureau's reply, in time or late."""
    await _put_signal(
        env,
        event.request_id,
        facility_id=event.facility_id,
        patient_ref=event.patient_ref,
        reference_number=event.reference_number,
        outcome=event.outcome,
        late=event.late,
        replied_at=event.replied_at,
        name_masked=event.name_masked,
        id_masked=event.id_number_masked,
        id_digest=sealed_person_index(env, event.id_number_sealed),
        birth_facts=sealed_birth_facts(env, event.id_number_sealed),
    )
    if event.outcome == "identified" and event.late:
        signal = await env.repo.identity_signals.get(event.request_id)
        assert signal is not None
        await refunds.on_late_identification(env, signal)
    else:
        await _apply_signals(env, event.request_id)


async def _apply_signals(env: Env, request_id: str) -> None:
    """GD-16.3: a letter's news reaches the one case that names it."""
    case = await env.repo.case_of_letter(request_id)
    if case is not None and case.identity_status == IdentityStatus.UNIDENTIFIED.value:
        await apply_identity_signals(env, case.id)
