"""LJ-10: civil affairs decides on a rank-4 signature given on a major public interest it had
not confirmed beforehand. Until then the signature is filed but does not count: the treatment
still awaits its consent, the self-pay form its signature (so no review, approval or payment
follows), and no ConsentSigned is announced. Confirmed, it counts from then on as if signed on
a confirmed interest; rejected, it never counts and the treatment or form awaits a signer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from consent.domain.access import can_view_person
from consent.domain.records import CivilAffairsFiling, Consent, PublicInterestConfirmation
from consent.domain.treatment import TreatmentStatus
from consent.service import events, selfpay
from consent.service.common import encrypt, load_person, new_id
from consent.service.consents import announce_consent
from consent.service.ports import Ctx
from consent.service.rank4 import PublicInterestState, filing_view
from medaid_shared import clock
from medaid_shared.authz import Principal
from medaid_shared.errors import Conflict, NotFound


async def _pending(ctx: Ctx, principal: Principal, consent_id: str) -> tuple[CivilAffairsFiling, Consent]:
    filing = await ctx.repo.get_filing(consent_id, lock=True)
    consent = await ctx.repo.get_consent(consent_id)
    if filing is None or consent is None:
        raise NotFound(f"no rank-4 signature {consent_id} is filed with civil affairs")
    if not can_view_person(principal, await load_person(ctx, consent.person_id), set()):
        raise NotFound(f"no rank-4 signature {consent_id} is filed with civil affairs")
    if filing.public_interest_state != PublicInterestState.PENDING.value:
        state = filing.public_interest_state or "not needed: it was signed on a confirmed interest or none"
        raise Conflict(
            f"the major public interest of rank-4 signature {consent_id} is not awaiting a decision ({state})",
            field="consent_id",
            rule="LJ-10",
        )
    return filing, consent


async def decide(ctx: Ctx, principal: Principal, consent_id: str, *, confirm: bool, reason: str) -> dict[str, Any]:
    """LJ-10: civil affairs confirms or rejects the major public interest a pending rank-4
    signature cites (once)."""
    filing, consent = await _pending(ctx, principal, consent_id)
    now = clock.now()
    state = PublicInterestState.CONFIRMED if confirm else PublicInterestState.REJECTED
    values: dict[str, Any] = {
        "public_interest_state": state.value,
        "public_interest_decided_at": now,
        "public_interest_decided_by": principal.subject,
        "public_interest_note": reason,
    }
    await ctx.repo.update_filing(consent_id, **values)
    if confirm:
        await _confirmed(ctx, principal, consent, reason)
    else:
        await ctx.uow.emit(
            events.rank4_public_interest_rejected(consent, rejected_by=principal.subject, rejected_at=now)
        )
    await ctx.uow.audit(
        principal,
        f"public_interest.{'confirm' if confirm else 'reject'}",
        consent_id,
        reason=f"LJ-10: civil affairs {state.value} the major public interest of a rank-4 signature",
        details={"treatment_id": consent.treatment_id, "item_id": consent.item_id},
    )
    return filing_view(replace(filing, **values))


async def _confirmed(ctx: Ctx, principal: Principal, consent: Consent, reason: str) -> None:
    """The signature counts now: the confirmation is recorded for its subject, the consent is
    announced and the treatment is consented or the self-pay form goes to review (LJ-7.2)."""
    subject_id = consent.treatment_id or consent.item_id
    assert subject_id is not None  # a signature is on a treatment or an item
    if await ctx.repo.confirmation(subject_id) is None:
        confirmation_id = new_id("pic")
        await ctx.repo.add_confirmation(
            PublicInterestConfirmation(
                confirmation_id=confirmation_id,
                subject_id=subject_id,
                subject_kind="treatment" if consent.treatment_id else "self_pay_item",
                person_id=consent.person_id,
                admission_id=consent.admission_id,
                reason=encrypt(ctx, reason, f"public_interest_confirmation:{confirmation_id}"),
                confirmed_by=principal.subject,
                confirmed_at=clock.now(),
            )
        )
    await announce_consent(ctx, consent)
    if consent.item_id:
        await selfpay.form_signed(ctx, consent.item_id)
        return
    assert consent.treatment_id is not None
    treatment = await ctx.repo.get_treatment(consent.treatment_id, lock=True)
    done = {TreatmentStatus.CONSENTED.value, TreatmentStatus.NOT_TO_PROCEED.value}
    if treatment is not None and treatment.status not in done:
        await ctx.repo.update_treatment(
            consent.treatment_id, status=TreatmentStatus.CONSENTED.value, updated_at=clock.now()
        )
