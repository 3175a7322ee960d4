"""LJ-4.3c: outside care with no filing at all — medical aid pays nothing, and the cost falls
on the adviser (建议方) or the person (当事人). Civil affairs, which runs the external-care
file, records the unit that advised the unfiled care, with its evidence (SPEC 0.5: not the
word of a party that gains); the statement then names it as bearing the cost."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal
from medaid_shared.contracts.common import FilingState
from medaid_shared.errors import Conflict, RuleViolation, ValidationFailed
from referral.service import admissions, events, facilities, timeline
from referral.service.commands import AdviserIn, AdviserKind
from referral.service.context import Ctx


async def record(ctx: Ctx, principal: Principal, admission_id: str, cmd: AdviserIn) -> dict[str, Any]:
    """LJ-4.3c: name the adviser of an admission whose outside care was never filed (once)."""
    adm = await admissions.load(ctx, admission_id, for_update=True)
    if adm.filing_state != FilingState.UNFILED.value:
        raise RuleViolation(
            f"admission {admission_id} is {adm.filing_state}: an adviser bears the cost only of outside "
            "care with no filing at all",
            rule="LJ-4.3c",
            field="admission_id",
        )
    if adm.unfiled_care_adviser is not None:
        raise Conflict(f"the adviser of admission {admission_id} is already recorded", rule="LJ-4.3c")
    name = cmd.adviser_name
    if cmd.adviser_kind == AdviserKind.FACILITY:
        if cmd.adviser_id is None:
            raise ValidationFailed("a facility adviser names the registered facility", field="adviser_id")
        name = (await facilities.known(ctx, cmd.adviser_id, "adviser_id")).name
    elif not name:
        raise ValidationFailed("the adviser unit's name is required", field="adviser_name")
    now = clock.now()
    adviser = {
        "kind": cmd.adviser_kind.value,
        "unit_id": cmd.adviser_id,
        "name": name,
        "evidence_ref": cmd.evidence_ref,
        "recorded_by": principal.subject,
        "recorded_role": principal.role.value,
        "recorded_at": now.isoformat(),
        "rule": "LJ-4.3c",
    }
    await ctx.repo.update_admission(admission_id, unfiled_care_adviser=adviser)
    await ctx.uow.emit(
        events.unfiled_care_adviser_recorded(
            adm,
            kind=cmd.adviser_kind.value,
            unit_id=cmd.adviser_id,
            name=str(name),
            evidence_ref=cmd.evidence_ref,
            recorded_at=now,
        )
    )
    await timeline.record(
        ctx,
        adm.person_id,
        now,
        "unfiled_care_adviser",
        admission_id,
        admission_id=admission_id,
        summary={"adviser_kind": cmd.adviser_kind.value, "adviser_id": cmd.adviser_id, "adviser_name": name},
    )
    await ctx.uow.audit(
        principal,
        "admission.record_adviser",
        admission_id,
        reason="LJ-4.3c: the adviser of unfiled outside care bears its cost",
        details={
            "adviser_kind": cmd.adviser_kind.value,
            "adviser_id": cmd.adviser_id,
            "evidence_ref": cmd.evidence_ref,
        },
    )
    return admissions.view(replace(adm, unfiled_care_adviser=adviser))
