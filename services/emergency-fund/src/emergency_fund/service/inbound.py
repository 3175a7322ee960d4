"""Facts learnt from other services' events (never from their tables): the local read models
and what they change in cases."""

from __future__ import annotations

from emergency_fund.domain.eligibility import IdentityStatus
from emergency_fund.service import applications, refunds
from emergency_fund.service.base import Env, audit, sealed_birth_facts, sealed_person_index
from emergency_fund.service.cases import (
    CaseState,
    apply_identity_signals,
    mark_destitute,
    open_referred_case,
    refresh_settlement_channels,
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
    await env.repo.upsert(
        "person",
        {
            "person_id": event.person_id,
            "id_digest": digest,
            "name_masked": event.name_masked,
            "id_masked": event.id_number_masked,
            "support_type": event.support_type.value,
            "updated_at": env.now,
        },
        ["person_id"],
    )
    person = await env.repo.one("person", {"person_id": event.person_id})
    assert person is not None
    if digest is None:
        return
    for case in await env.repo.many("case", {"id_digest": digest, "destitute": False}):
        await mark_destitute(env, case["id"], person)


async def on_facility(env: Env, event: FacilityRegistered) -> None:
    """A hospital's city (the fund it belongs to) as referral registered it; an ownership the
    agency recorded is kept."""
    existing = await env.repo.one("facility", {"facility_id": event.facility_id})
    await env.repo.upsert(
        "facility",
        {
            "facility_id": event.facility_id,
            "city": event.city,
            "name": event.name,
            "ownership": existing["ownership"] if existing else "unknown",
            "police_jurisdiction": event.police_jurisdiction,
            "source": "referral",
            "updated_at": env.now,
        },
        ["facility_id"],
    )


async def on_referred(env: Env, event: EmergencyAssistanceReferred) -> None:
    """LJ-11.4: referral's emergency-and-unable-to-pay signal opens a case."""
    await open_referred_case(env, event=event)


async def on_settlement(env: Env, event: SettlementCompleted) -> None:
    """GD-22.3 / GD-18.1: a destitute person's medical aid comes from settlement's statement."""
    inserted = await env.repo.insert_ignore(
        "settlement",
        {
            "statement_id": event.statement_id,
            "admission_id": event.admission_id,
            "person_id": event.person_id,
            "facility_id": event.facility_id,
            "total": event.total,
            "basic_insurance": event.basic_insurance + event.critical_illness,
            "medical_aid": event.medical_aid,
            "completed_at": event.completed_at,
            "reversed": False,
        },
    )
    if inserted:
        await _refresh_admission(env, event.admission_id)


async def on_settlement_reversed(env: Env, event: SettlementReversed) -> None:
    await env.repo.update("settlement", {"statement_id": event.reversed_statement_id}, {"reversed": True})
    await _refresh_admission(env, event.admission_id)


async def _refresh_admission(env: Env, admission_id: str) -> None:
    for case in await env.repo.many("case", {"admission_id": admission_id}):
        if case["state"] in ("open", "claimed"):
            await refresh_settlement_channels(env, case["id"])


async def on_letter_sent_late(env: Env, event: IdentityLetterSentLate) -> None:
    """GD-16.1: identity-check found the letter this case rests on sent later after the
    admission than "immediately" allows: the case carries the flag for the agency's review
    (GD-22: a hospital that delays the letter to reach the unidentified path)."""
    case = await env.repo.one("case", {"identity_check_request_id": event.request_id}, lock=True)
    if case is None or (case["facility_id"], case["patient_ref"]) != (event.facility_id, event.patient_ref):
        return
    if case["letter_sent_late_at"] is not None:
        return
    await env.repo.update("case", {"id": case["id"]}, {"letter_sent_late_at": event.received_at})
    await audit(
        env,
        "case.letter_sent_late",
        case["id"],
        reason=f"the letter reached the bureau more than {event.max_hours_after_admission} hours after the admission",
        rule="GD-16.1",
        request=event.request_id,
        parameters_version=event.parameters_version,
    )


async def on_identity_requested(env: Env, event: IdentityCheckRequested) -> None:
    """GD-16.1: the hospital's letter reached the bureau — whose letter it is and for which
    admission number, so a case can name only its own hospital's letter for its patient."""
    existing = await env.repo.one("identity_signal", {"request_id": event.request_id})
    if existing is not None:
        await env.repo.update("identity_signal", {"request_id": event.request_id}, {"received_at": event.received_at})
    else:
        await env.repo.insert(
            "identity_signal",
            {
                "request_id": event.request_id,
                "facility_id": event.facility_id,
                "patient_ref": event.patient_ref,
                "reference_number": event.reference_number,
                "received_at": event.received_at,
            },
        )
    await _apply_signals(env, event.request_id)


async def on_identity_overdue(env: Env, event: IdentityCheckOverdue) -> None:
    """GD-16.3: the police's 3 working days passed without a reply."""
    await env.repo.upsert(
        "identity_signal",
        {
            "request_id": event.request_id,
            "facility_id": event.facility_id,
            "patient_ref": event.patient_ref,
            "reference_number": event.reference_number,
            "overdue_at": event.due_at,
        },
        ["request_id"],
    )
    await _apply_signals(env, event.request_id)


async def on_identity_reopened(env: Env, event: IdentityCheckReopened) -> None:
    """SPEC 0.1 / GD-16.3: the year's calendar notice moved the bureau's reply window. A
    letter that went overdue before its real end is not overdue: an unidentified claim
    accepted on it goes on hold (its claim withdrawn, its application left) until the real
    deadline passes or the reply comes; money already paid on it is flagged to the agency."""
    if not event.reopened:
        return
    signal = await env.repo.one("identity_signal", {"request_id": event.request_id})
    if signal is None or signal["overdue_at"] is None:
        return
    await env.repo.update("identity_signal", {"request_id": event.request_id}, {"overdue_at": None})
    for case in await env.repo.many("case", {"identity_check_request_id": event.request_id}, lock=True):
        if signal["outcome"] is not None or case["identity_status"] != IdentityStatus.UNIDENTIFIED.value:
            continue
        reason = (
            f"SPEC 0.1 / GD-16.3: the police's real reply window ends {event.reply_due_at.isoformat()} "
            "(calendar notice loaded); the claim waits for it"
        )
        if case["state"] == CaseState.IN_APPLICATION:
            await applications.withdraw_case(env, case, reason)
        if case["state"] in (CaseState.CLAIMED, CaseState.IN_APPLICATION):
            await env.repo.update(
                "case",
                {"id": case["id"]},
                {
                    "state": CaseState.OPEN,
                    "claim_medical": None,
                    "claim_living": None,
                    "claimed_at": None,
                    "application_id": None,
                    "updated_at": env.now,
                },
            )
            await audit(env, "case.identity_hold", case["id"], reason=reason, rule="GD-16.3")
        elif case["state"] == CaseState.PAID:
            await audit(
                env,
                "case.flag",
                case["id"],
                reason=f"{reason}; paid during the bureau's real reply time — the agency reviews it",
                rule="GD-16.3",
            )
        await apply_identity_signals(env, case["id"])


async def on_identity_verified(env: Env, event: IdentityVerified) -> None:
    """GD-16.2 / GD-16.3 / GD-16.4: the bureau's reply, in time or late."""
    row = {
        "request_id": event.request_id,
        "facility_id": event.facility_id,
        "patient_ref": event.patient_ref,
        "reference_number": event.reference_number,
        "outcome": event.outcome,
        "late": event.late,
        "replied_at": event.replied_at,
        "name_masked": event.name_masked,
        "id_masked": event.id_number_masked,
        "id_digest": sealed_person_index(env, event.id_number_sealed),
        "birth_facts": sealed_birth_facts(env, event.id_number_sealed),
    }
    await env.repo.upsert("identity_signal", row, ["request_id"])
    if event.outcome == "identified" and event.late:
        signal = await env.repo.one("identity_signal", {"request_id": event.request_id})
        assert signal is not None
        await refunds.on_late_identification(env, signal)
    else:
        await _apply_signals(env, event.request_id)


async def _apply_signals(env: Env, request_id: str) -> None:
    """GD-16.3: a letter's news reaches the one case that names it."""
    cases = await env.repo.many(
        "case", {"identity_check_request_id": request_id, "identity_status": IdentityStatus.UNIDENTIFIED.value}
    )
    for case in cases:
        await apply_identity_signals(env, case["id"])
