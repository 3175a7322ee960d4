"""Storing a signature (LJ-10, LJ-11.1): immutable, with signer, rank, role, time and the
reasons every higher rank was skipped; ConsentSigned."""

from __future__ import annotations

from typing import Any

from consent.domain.records import Consent
from consent.domain.signing import AcceptedSigner
from consent.domain.treatment import Decision
from consent.service import events, rank4
from consent.service.common import encrypt, load_admission, new_id
from consent.service.ports import Ctx
from medaid_shared import clock
from medaid_shared.authz import Principal


async def store_consent(
    ctx: Ctx,
    principal: Principal,
    *,
    person_id: str,
    admission_id: str,
    decision: Decision,
    signer: AcceptedSigner,
    treatment_id: str | None = None,
    item_id: str | None = None,
    signature_ref: str | None = None,
) -> dict[str, Any]:
    consent_id = new_id("con")
    now = clock.now()
    skipped = [s.as_dict() for s in signer.skipped]
    row = Consent(
        consent_id=consent_id,
        admission_id=admission_id,
        person_id=person_id,
        treatment_id=treatment_id,
        item_id=item_id,
        decision=decision.value,
        signer_id=signer.signer_id,
        signer_role=signer.role.value,
        signer_rank=int(signer.rank),
        signer_holder=signer.holder,
        skipped_ranks=skipped,
        major_public_interest_reason=signer.major_public_interest_reason,
        filed_with_civil_affairs=signer.filed_with_civil_affairs,
        signature_ref=signature_ref,
        signed_at=now,
        signer_name_enc=_signer_name(ctx, principal, person_id, consent_id),
        public_interest_confirmation_id=signer.public_interest_confirmation_id,
    )
    await ctx.repo.add_consent(row)
    filing = None
    if signer.filed_with_civil_affairs:
        # LJ-10: a rank-4 signature is filed with civil affairs: it reaches their work list.
        adm = await load_admission(ctx, admission_id)
        filing = await rank4.file_with_civil_affairs(
            ctx, row, adm.facility_id, public_interest_pending=signer.public_interest_pending
        )
    if not signer.public_interest_pending:  # LJ-10: a pending one is announced once confirmed
        await announce_consent(ctx, row)
    await ctx.uow.audit(
        principal,
        "consent.sign",
        consent_id,
        reason=signer.major_public_interest_reason or f"LJ-10 rank {int(signer.rank)} ({signer.holder})",
        details={
            "decision": decision.value,
            "treatment_id": treatment_id,
            "item_id": item_id,
            "rank": int(signer.rank),
            "skipped_ranks": skipped,
        },
    )
    view = consent_view(row)
    if filing is not None:
        view["civil_affairs_filing"] = rank4.filing_view(filing)
    return view


async def announce_consent(ctx: Ctx, row: Consent) -> None:
    """ConsentSigned: the consent counts (LJ-10, LJ-11.1) — at signing, or for a rank-4
    signature on a major public interest once civil affairs confirmed the interest."""
    await ctx.uow.emit(events.consent_signed(row))


def signer_name_aad(consent_id: str) -> str:
    return f"consent:{consent_id}:signer_name"


def _signer_name(ctx: Ctx, principal: Principal, person_id: str, consent_id: str) -> bytes | None:
    """LJ annex 3: the display name of the signer's token (LJ-10 accepts only the signer's own
    token), encrypted (SPEC 0.4); a person signing for themselves is named from the full
    name referral sealed for consent."""
    if principal.name is None or principal.subject == person_id:
        return None
    return encrypt(ctx, principal.name, signer_name_aad(consent_id))


def consent_view(row: Consent) -> dict[str, Any]:
    return {
        "consent_id": row.consent_id,
        "admission_id": row.admission_id,
        "person_id": row.person_id,
        "treatment_id": row.treatment_id,
        "item_id": row.item_id,
        "decision": row.decision,
        "signer": {
            "signer_id": row.signer_id,
            "role": row.signer_role,
            "rank": row.signer_rank,
            "holder": row.signer_holder,
        },
        "skipped_ranks": row.skipped_ranks,
        "major_public_interest_reason": row.major_public_interest_reason,
        "public_interest_confirmation_id": row.public_interest_confirmation_id,
        "filed_with_civil_affairs": row.filed_with_civil_affairs,
        "signature_ref": row.signature_ref,
        "signed_at": row.signed_at,
        "rule": "LJ-10",
    }
