"""The emergency as a recorded determination (LJ-11.3, SPEC 0.5).

"Emergency" unlocks exemptions — no primary first visit or referral slip (LJ-3.2a, LJ-4.2a),
one-stop settlement at a level-2+ facility (LJ-3.2b), "emergency" self-pay outcomes (LJ-7.4)
— so it rests on a basis the hospital records within the emergency window (a versioned
interpretation): the condition from the national list of urgent and critical illnesses
(国卫办医发〔2013〕32号, reference data loaded here), the arrival channel and the onset. Civil
affairs and medical insurance see it and may contest it. An emergency whose basis never came,
or whose contest is upheld, loses its exemptions: the referral compliance is decided again
(AdmissionComplianceChanged, so settlement re-settles) and EmergencyExemptionWithdrawn tells
settlement and consent what is due again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.errors import Conflict, RuleViolation, ValidationFailed
from medaid_shared.pagination import PageRequest
from referral.domain import emergency as emergency_domain
from referral.domain.records import Admission, UrgentCondition
from referral.service import admissions, events, timeline
from referral.service.admissions import EMERGENCY_CLAIMED, EMERGENCY_DEADLINE, EMERGENCY_DETERMINED, EMERGENCY_LAPSED
from referral.service.commands import EmergencyBasisIn, EmergencyReviewIn, UrgentConditionsIn
from referral.service.context import Ctx


async def determine(ctx: Ctx, principal: Principal, admission_id: str, cmd: EmergencyBasisIn) -> dict[str, Any]:
    """LJ-11.3: the hospital records the emergency's basis within the window."""
    await ctx.uow.lock_deadline(EMERGENCY_DEADLINE, admission_id)  # the scheduler's lock order
    adm = await admissions.visible(ctx, principal, admission_id, for_update=True)
    if not adm.emergency:
        raise RuleViolation("this admission was not filed as an emergency", rule="LJ-11.3", field="admission_id")
    now = clock.now()
    lapsed = adm.emergency_status == EMERGENCY_LAPSED
    if lapsed or (adm.emergency_due_at is not None and now > adm.emergency_due_at):
        raise RuleViolation(
            "the emergency window has passed: its basis can no longer be recorded", rule="LJ-11.3", field="admission_id"
        )
    if adm.emergency_status != EMERGENCY_CLAIMED:
        raise Conflict(f"the emergency is already {adm.emergency_status}", field="admission_id")
    if await ctx.repo.get_urgent_condition(cmd.condition_code) is None:
        raise RuleViolation(
            f"{cmd.condition_code} is not on the national list of urgent and critical illnesses",
            rule="LJ-11.3",
            field="condition_code",
        )
    if cmd.onset_at > now:
        raise ValidationFailed("the onset is in the future", field="onset_at")
    changes: dict[str, Any] = {
        "emergency_status": EMERGENCY_DETERMINED,
        "emergency_condition": cmd.condition_code,
        "emergency_arrival_channel": cmd.arrival_channel.value,
        "emergency_onset_at": cmd.onset_at,
        "emergency_determined_at": now,
        "emergency_determined_by": principal.subject,
    }
    await ctx.repo.update_admission(admission_id, **changes)
    adm = replace(adm, **changes)
    await ctx.uow.close_deadline(EMERGENCY_DEADLINE, admission_id)
    await ctx.uow.emit(events.emergency_determined(adm))
    await timeline.record(
        ctx,
        adm.person_id,
        now,
        "emergency_determined",
        admission_id,
        admission_id=admission_id,
        summary={"arrival_channel": cmd.arrival_channel.value},
    )
    await ctx.uow.audit(
        principal, "emergency.determine", admission_id, reason="LJ-11.3", details={"channel": cmd.arrival_channel.value}
    )
    return {**admissions.view(adm), "emergency_condition": cmd.condition_code}


async def review(ctx: Ctx, principal: Principal, admission_id: str, cmd: EmergencyReviewIn) -> dict[str, Any]:
    """SPEC 0.5: civil affairs or medical insurance contest the emergency. Upheld, the
    emergency loses its exemptions; dismissed, it stands confirmed. One decision per admission.
    The exemptions are withdrawn once (LJ-11.3): a contest upheld on an emergency that already
    lapsed records the decision and withdraws nothing again (domain.emergency.on_review)."""
    await ctx.uow.lock_deadline(EMERGENCY_DEADLINE, admission_id)  # the scheduler's lock order
    adm = await admissions.load(ctx, admission_id, for_update=True)
    if not adm.emergency:
        raise RuleViolation("this admission was not filed as an emergency", rule="LJ-11.3", field="admission_id")
    try:
        step = emergency_domain.on_review(adm.emergency_status, cmd.upheld)
    except emergency_domain.AlreadyReviewed:
        raise Conflict("the emergency was already reviewed", field="admission_id") from None
    except emergency_domain.NoBasisToConfirm:
        raise RuleViolation(
            "an emergency with no basis on record cannot be confirmed", rule="LJ-11.3", field="upheld"
        ) from None
    now = clock.now()
    decision = {
        "upheld": cmd.upheld,
        "reason": cmd.reason,
        "by": principal.subject,
        "role": principal.role.value,
        "at": now.isoformat(),
    }
    changes: dict[str, Any] = {"emergency_status": step.status, "emergency_review": decision}
    await ctx.repo.update_admission(admission_id, **changes)
    adm = replace(adm, **changes)
    await ctx.uow.close_deadline(EMERGENCY_DEADLINE, admission_id, state="cancelled")
    if step.withdraws:
        adm = await _withdraw(ctx, adm, "contest_upheld", principal.role)
    await ctx.uow.audit(principal, "emergency.review", admission_id, reason=cmd.reason, details={"upheld": cmd.upheld})
    return admissions.view(adm)


async def on_basis_due(ctx: Ctx, row: Any) -> None:
    """LJ-11.3 (interpretation): the window passed with no basis on record → the emergency
    lapses and loses its exemptions (once: a reviewed emergency is left as it is)."""
    adm = await ctx.repo.get_admission(row["subject"], for_update=True)
    step = emergency_domain.on_basis_due(adm.emergency_status) if adm is not None else None
    if adm is None or step is None:
        return
    await ctx.repo.update_admission(adm.admission_id, emergency_status=step.status)
    if step.withdraws:
        await _withdraw(ctx, replace(adm, emergency_status=step.status), "no_basis", None)
    await ctx.uow.audit(None, "emergency.lapsed", adm.admission_id, reason="LJ-11.3")


async def _withdraw(ctx: Ctx, adm: Admission, reason: str, role: Role | None) -> Admission:
    """The exemptions go: referral compliance decided again (LJ-3.2a, LJ-4.2a) and
    EmergencyExemptionWithdrawn for one-stop settlement (LJ-3.2b) and self-pay (LJ-7.4)."""
    now = clock.now()
    adm = await admissions.refresh(ctx, adm)
    await ctx.uow.emit(events.emergency_exemption_withdrawn(adm, reason, now, role.value if role else None))
    await timeline.record(
        ctx,
        adm.person_id,
        now,
        "emergency_withdrawn",
        adm.admission_id,
        admission_id=adm.admission_id,
        summary={"reason": reason},
    )
    return adm


# ---- the national list of urgent and critical illnesses (reference data) ------------------


async def load_conditions(ctx: Ctx, principal: Principal, cmd: UrgentConditionsIn) -> dict[str, Any]:
    """The list (国卫办医发〔2013〕32号, plus the city's additions) loaded from a file; an
    example list says so. Loading again replaces the names; codes on record stay."""
    now = clock.now()
    for c in cmd.conditions:
        await ctx.repo.put_urgent_condition(
            UrgentCondition(
                code=c.code,
                name=c.name,
                example=cmd.example,
                source=cmd.source,
                loaded_by=principal.subject,
                loaded_at=now,
            )
        )
    await ctx.uow.audit(
        principal, "urgent_conditions.load", cmd.source, reason="LJ-11.3", details={"count": len(cmd.conditions)}
    )
    return {"loaded": len(cmd.conditions), "example": cmd.example}


async def list_conditions(ctx: Ctx, page: PageRequest) -> list[dict[str, Any]]:
    """One page of the national list of urgent and critical illnesses, by code (in SQL)."""
    rows = await ctx.repo.urgent_condition_page(page)
    return [{"code": r.code, "name": r.name, "example": r.example, "source": r.source} for r in rows]
