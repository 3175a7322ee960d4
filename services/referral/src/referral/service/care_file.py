"""LJ-15.3: the one-person external-care file, fed by the other services' events too:
consents, self-pay decisions and major-treatment evaluations (consent), settlements and
their reversals (settlement). Entries hold no names, ID numbers or diagnoses."""

from __future__ import annotations

from typing import Any

from medaid_shared.authz import Principal
from medaid_shared.contracts.consent import ConsentSigned, MajorTreatmentEvaluated, SelfPayDecided
from medaid_shared.contracts.settlement import SettlementCompleted, SettlementReversed
from medaid_shared.events import EventMeta
from referral.service import persons, timeline
from referral.service.context import Ctx


async def on_consent_signed(ctx: Ctx, event: ConsentSigned, meta: EventMeta) -> None:
    """LJ-15.3 ← LJ-10 / LJ-11.1: a consent signed by the eligible signer."""
    await timeline.record(
        ctx,
        event.person_id,
        event.signed_at,
        "consent_signed",
        event.consent_id,
        source="consent",
        admission_id=event.admission_id,
        summary={
            "decision": event.decision,
            "signer_rank": event.signer_rank,
            "signer_role": event.signer_role,
            "skipped_ranks": [s.rank for s in event.skipped_ranks],
            "event_id": meta.id,
        },
    )


async def on_self_pay_decided(ctx: Ctx, event: SelfPayDecided, meta: EventMeta) -> None:
    """LJ-15.3 ← LJ-7.4 / LJ-14.1: the outcome of a self-pay item."""
    await timeline.record(
        ctx,
        event.person_id,
        event.decided_at,
        "self_pay_decided",
        event.item_id,
        source="consent",
        admission_id=event.admission_id,
        summary={
            "item_code": event.item_code,
            "amount": str(event.amount),
            "outcome": event.outcome,
            "rules": event.rules,
            "event_id": meta.id,
        },
    )


async def on_major_treatment_evaluated(ctx: Ctx, event: MajorTreatmentEvaluated, meta: EventMeta) -> None:
    """LJ-15.3 ← LJ-11.2: the major-treatment evaluation record (the treatment itself stays
    in the consent service)."""
    await timeline.record(
        ctx,
        event.person_id,
        event.evaluated_at,
        "major_treatment_evaluated",
        event.evaluation_id,
        source="consent",
        admission_id=event.admission_id,
        summary={"conclusion": event.conclusion, "expert_hospital_id": event.expert_hospital_id, "event_id": meta.id},
    )


async def on_settlement_completed(ctx: Ctx, event: SettlementCompleted, meta: EventMeta) -> None:
    """LJ-15.3 ← LJ-6.1 / LJ-13: who paid what."""
    await timeline.record(
        ctx,
        event.person_id,
        event.completed_at,
        "settlement_completed",
        event.statement_id,
        source="settlement",
        admission_id=event.admission_id,
        summary={
            "facility_id": event.facility_id,
            "mode": event.mode,
            "total": str(event.total),
            "basic_insurance": str(event.basic_insurance),
            "critical_illness": str(event.critical_illness),
            "medical_aid": str(event.medical_aid),
            "support_fund": str(event.support_fund),
            "self_pay_support": str(event.self_pay_support),
            "hospital_borne": str(event.hospital_borne),
            "personal_cash": str(event.personal_cash),
            "event_id": meta.id,
        },
    )


async def on_settlement_reversed(ctx: Ctx, event: SettlementReversed, meta: EventMeta) -> None:
    """LJ-15.3: a statement reversed (corrections are reversals plus a new statement)."""
    await timeline.record(
        ctx,
        event.person_id,
        event.reversed_at,
        "settlement_reversed",
        event.statement_id,
        source="settlement",
        admission_id=event.admission_id,
        summary={
            "reversed_statement_id": event.reversed_statement_id,
            "medical_aid_released": str(event.medical_aid_released),
            "reason": event.reason,
            "event_id": meta.id,
        },
    )


async def read(ctx: Ctx, principal: Principal, person_id: str, *, export: str) -> dict[str, Any]:
    """LJ-15.3: civil affairs reads (or exports) the whole file; the read is audit-logged."""
    person = await persons.load_person(ctx, person_id)
    entries = await timeline.entries(ctx, person_id)
    await ctx.uow.audit(
        principal, "care_file.read", person_id, reason="LJ-15.3", details={"entries": len(entries), "export": export}
    )
    return {"person": persons.summary_view(person), "entries": entries}
