"""LJ-10 rank 4 and civil affairs: a rank-4 signature "报民政局备案" reaches civil affairs' work
list with an acknowledgement deadline (a versioned parameter, working days on the official
calendar) and is flagged overdue when nobody acknowledged it in time; a rank-4 signature on
a major public interest counts only once civil affairs confirmed that interest."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from enum import StrEnum
from typing import Any

from consent.domain.access import can_view_person
from consent.domain.parameters import RANK4_FILING, Rank4Filing
from consent.domain.records import CivilAffairsFiling, Consent, PublicInterestConfirmation
from consent.service import events
from consent.service.common import encrypt, load_admission, load_person, new_id, parameters_for
from consent.service.ports import Ctx
from medaid_shared import clock
from medaid_shared.authz import Principal
from medaid_shared.errors import Conflict, NotFound
from medaid_shared.pagination import PageRequest

ACKNOWLEDGEMENT_DUE = "consent.rank4.acknowledgement"  # LJ-10


class WorkListState(StrEnum):
    OPEN = "open"  # not yet acknowledged (overdue ones included)
    OVERDUE = "overdue"
    ACKNOWLEDGED = "acknowledged"


class PublicInterestState(StrEnum):
    PENDING = "pending"  # signed on a major public interest civil affairs has not confirmed yet
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


async def file_with_civil_affairs(
    ctx: Ctx, consent: Consent, facility_id: str, *, public_interest_pending: bool = False
) -> CivilAffairsFiling:
    """LJ-10: a rank-4 signature is filed with civil affairs — it goes on their work list with
    the acknowledgement deadline of the version in force, and a deadline that flags it. One on
    a major public interest not confirmed yet is filed pending civil affairs' confirmation."""
    applied = await parameters_for(ctx, RANK4_FILING, facility_id)
    params: Rank4Filing = applied.values
    now = consent.signed_at
    due = ctx.calendar.add_working_days(now, params.acknowledgement_working_days)
    row = CivilAffairsFiling(
        consent_id=consent.consent_id,
        admission_id=consent.admission_id,
        person_id=consent.person_id,
        signer_id=consent.signer_id,
        signer_role=consent.signer_role,
        major_public_interest=consent.major_public_interest_reason is not None,
        filed_at=now,
        acknowledgement_due_at=due.at,
        calendar_provisional=due.calendar_provisional,
        parameters_version=applied.version_id,
        public_interest_state=PublicInterestState.PENDING.value if public_interest_pending else None,
    )
    await ctx.repo.add_filing(row)
    if public_interest_pending:
        await ctx.uow.emit(events.rank4_public_interest_pending(consent, row))
    await ctx.uow.schedule(
        ACKNOWLEDGEMENT_DUE,
        consent.consent_id,
        due.after(1),
        basis="working_days",
        payload={"consent_id": consent.consent_id},
    )
    return row


async def standing_signatures(
    ctx: Ctx, *, treatment_id: str | None = None, item_id: str | None = None
) -> tuple[Consent | None, tuple[Consent, CivilAffairsFiling] | None]:
    """LJ-10: the signature that counts on a treatment or self-pay form (one not on a major
    public interest awaiting civil affairs, or one civil affairs confirmed), and the one pending
    civil affairs' decision with its filing; a rejected one is neither."""
    found = (
        await ctx.repo.consents_for(treatment_id=treatment_id)
        if treatment_id
        else await ctx.repo.consents_for(item_id=item_id)
    )
    counting: Consent | None = None
    pending: tuple[Consent, CivilAffairsFiling] | None = None
    for consent in found:
        filing = await ctx.repo.get_filing(consent.consent_id)
        state = filing.public_interest_state if filing else None
        if filing is not None and state == PublicInterestState.PENDING.value:
            pending = (consent, filing)
        elif state != PublicInterestState.REJECTED.value:
            counting = consent
    return counting, pending


def filing_view(row: CivilAffairsFiling) -> dict[str, Any]:
    return {
        "consent_id": row.consent_id,
        "admission_id": row.admission_id,
        "person_id": row.person_id,
        "signer": {"signer_id": row.signer_id, "role": row.signer_role},
        "major_public_interest": row.major_public_interest,
        "filed_at": row.filed_at,
        "acknowledgement_due_at": row.acknowledgement_due_at,
        "calendar_provisional": row.calendar_provisional,
        "parameters_version": row.parameters_version,
        "acknowledged_at": row.acknowledged_at,
        "acknowledged_by": row.acknowledged_by,
        "acknowledgement_note": row.acknowledgement_note,
        "overdue": row.overdue_at is not None,
        "overdue_at": row.overdue_at,
        "public_interest_state": row.public_interest_state,
        "public_interest_decided_at": row.public_interest_decided_at,
        "public_interest_decided_by": row.public_interest_decided_by,
        "public_interest_note": row.public_interest_note,
        "rule": "LJ-10",
    }


async def work_list(ctx: Ctx, principal: Principal, page: PageRequest, state: WorkListState) -> list[dict[str, Any]]:
    """LJ-10: one page of civil affairs' work list of rank-4 signatures in ``state``, oldest
    filed first, paged in SQL (the state is a condition of the query)."""
    rows = await ctx.repo.filing_page(
        page,
        acknowledged=state == WorkListState.ACKNOWLEDGED,
        overdue_only=state == WorkListState.OVERDUE,
    )
    return [filing_view(r) for r in rows]


async def acknowledge(ctx: Ctx, principal: Principal, consent_id: str, *, note: str | None) -> dict[str, Any]:
    """LJ-10: civil affairs takes note of a rank-4 signature filed with it (once)."""
    await ctx.uow.lock_deadline(ACKNOWLEDGEMENT_DUE, consent_id)
    row = await ctx.repo.get_filing(consent_id, lock=True)
    if row is None:
        raise NotFound(f"no rank-4 signature {consent_id} is filed with civil affairs")
    if row.acknowledged_at is not None:
        raise Conflict(f"the rank-4 signature {consent_id} is already acknowledged", rule="LJ-10")
    now = clock.now()
    values: dict[str, Any] = {
        "acknowledged_at": now,
        "acknowledged_by": principal.subject,
        "acknowledgement_note": note,
    }
    await ctx.repo.update_filing(consent_id, **values)
    await ctx.uow.close_deadline(ACKNOWLEDGEMENT_DUE, consent_id)
    await ctx.uow.audit(
        principal,
        "rank4.acknowledge",
        consent_id,
        reason="LJ-10: rank-4 signature filed with civil affairs, acknowledged",
        details={"late": row.overdue_at is not None, "parameters_version": row.parameters_version},
    )
    return filing_view(replace(row, **values))


async def on_acknowledgement_due(ctx: Ctx, row: Any) -> None:
    """LJ-10: nobody at civil affairs acknowledged the rank-4 signature in time: flag it."""
    consent_id = row["payload"]["consent_id"]
    filing = await ctx.repo.get_filing(consent_id, lock=True)
    if filing is None or filing.acknowledged_at is not None or filing.overdue_at is not None:
        return
    now = clock.now()
    await ctx.repo.update_filing(consent_id, overdue_at=now)
    await ctx.uow.emit(events.rank4_acknowledgement_overdue(replace(filing, overdue_at=now)))
    await ctx.uow.audit(
        None,
        "rank4.overdue",
        consent_id,
        reason="LJ-10: rank-4 signature not acknowledged by civil affairs by its deadline",
        details={"due_at": filing.acknowledgement_due_at.isoformat()},
    )


async def on_acknowledgement_due_moved(ctx: Ctx, row: Any, moved: Any) -> None:
    """SPEC 0.1: a loaded calendar notice moved the deadline; a flag raised before the real
    deadline is withdrawn (the deadline fires again then)."""
    values: dict[str, Any] = {
        "acknowledgement_due_at": moved.due_at - timedelta(seconds=1),  # it fires the instant after
        "calendar_provisional": moved.calendar_provisional,
    }
    if moved.reopened:
        values["overdue_at"] = None
    await ctx.repo.update_filing(row["payload"]["consent_id"], **values)


class Subject(StrEnum):
    TREATMENT = "treatment"
    SELF_PAY_ITEM = "self_pay_item"


async def confirm_public_interest(
    ctx: Ctx, principal: Principal, subject: Subject, subject_id: str, *, reason: str
) -> dict[str, Any]:
    """LJ-10: civil affairs confirms the major public interest on which a rank-4 head may sign
    this treatment or self-pay item (one confirmation per subject)."""
    row = await (
        ctx.repo.get_treatment(subject_id, lock=True)
        if subject == Subject.TREATMENT
        else ctx.repo.get_item(subject_id, lock=True)
    )
    if row is None:
        raise NotFound(f"unknown {subject.value.replace('_', '-')} {subject_id}")
    person = await load_person(ctx, row.person_id)
    adm = await load_admission(ctx, row.admission_id)
    if not can_view_person(principal, person, {adm.facility_id}):
        raise NotFound(f"unknown {subject.value.replace('_', '-')} {subject_id}")
    if await ctx.repo.confirmation(subject_id) is not None:
        raise Conflict(f"the major public interest of {subject_id} is already confirmed", rule="LJ-10")
    confirmation_id = new_id("pic")
    now = clock.now()
    await ctx.repo.add_confirmation(
        PublicInterestConfirmation(
            confirmation_id=confirmation_id,
            subject_id=subject_id,
            subject_kind=subject.value,
            person_id=person.person_id,
            admission_id=adm.admission_id,
            reason=encrypt(ctx, reason, f"public_interest_confirmation:{confirmation_id}"),
            confirmed_by=principal.subject,
            confirmed_at=now,
        )
    )
    await ctx.uow.audit(
        principal,
        "public_interest.confirm",
        subject_id,
        reason="LJ-10: civil affairs confirmed the major public interest for a rank-4 signature",
        details={"confirmation_id": confirmation_id, "subject": subject.value},
    )
    return {
        "confirmation_id": confirmation_id,
        "subject": subject.value,
        "subject_id": subject_id,
        "person_id": person.person_id,
        "admission_id": adm.admission_id,
        "confirmed_by": principal.subject,
        "confirmed_at": now,
        "rule": "LJ-10",
    }


async def public_interest_confirmation(ctx: Ctx, subject_id: str, reason: str | None) -> str | None:
    """The id of civil affairs' confirmation of the major public interest for ``subject_id``
    (only looked up when the signer cites one)."""
    if not (reason and reason.strip()):
        return None
    found = await ctx.repo.confirmation(subject_id)
    return found.confirmation_id if found else None


async def require_no_standing_signature(
    ctx: Ctx, *, treatment_id: str | None = None, item_id: str | None = None
) -> None:
    """LJ-10: one signature per treatment or self-pay form counts or is pending civil affairs'
    decision; only one whose major public interest civil affairs rejected leaves room for another."""
    counting, pending = await standing_signatures(ctx, treatment_id=treatment_id, item_id=item_id)
    if pending is not None:
        raise Conflict(
            f"{treatment_id or item_id} is already signed ({pending[0].consent_id}, pending civil affairs' "
            "confirmation of its major public interest)",
            rule="LJ-10",
        )
    if counting is not None:
        raise Conflict(f"{treatment_id or item_id} is already signed ({counting.consent_id})", rule="LJ-10")
