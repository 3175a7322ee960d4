"""LJ-15.1 (with LJ-15.2): after discharge the institution (centralized) or the village
committee with the guardian (decentralized) makes or adjusts the rehabilitation and
health-management plan from the discharge summary."""

from __future__ import annotations

from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.contracts.common import SupportType
from medaid_shared.errors import RuleViolation, ValidationFailed
from medaid_shared.pagination import PageRequest
from referral.domain.discharge import DischargeDocument
from referral.domain.records import HealthPlan, Person
from referral.service import timeline
from referral.service.commands import HealthPlanIn
from referral.service.context import Ctx, new_id
from referral.service.scope import require, sees_person

MAKER = {
    SupportType.CENTRALIZED: (Role.INSTITUTION, "institution_id", "institution"),
    SupportType.DECENTRALIZED: (Role.VILLAGE_COMMITTEE, "village_id", "village"),
}


def _aad(plan_id: str) -> str:
    return f"referral.health_plan:{plan_id}:plan"


async def make(ctx: Ctx, principal: Principal, person: Person, cmd: HealthPlanIn) -> dict[str, Any]:
    """LJ-15.1: the plan, by the right carer, from a discharge with its summary issued."""
    support = SupportType(person.support_type)
    role, field, kind = MAKER[support]
    if principal.role != role:
        raise RuleViolation(
            f"a {support.value} person's health plan is made by the {role.value.replace('_', ' ')}",
            rule="LJ-15.1",
            field="person_id",
        )
    principal.require_scope(kind, getattr(person, field), "this person")
    adm = await ctx.repo.get_admission(cmd.admission_id)
    if adm is None or adm.person_id != person.person_id:
        raise ValidationFailed(f"unknown admission {cmd.admission_id} for this person", field="admission_id")
    if adm.discharged_at is None:
        raise RuleViolation("the plan follows the discharge", rule="LJ-15.1", field="admission_id")
    issued = await ctx.repo.documents(cmd.admission_id)
    if not any(d.kind == DischargeDocument.DISCHARGE_SUMMARY.value for d in issued):
        raise RuleViolation("the plan is made from the discharge summary, not yet issued", rule="LJ-15.1")
    guardian = person.guardian or {}
    if support == SupportType.DECENTRALIZED and not cmd.guardian_participated and not guardian.get("verified_none"):
        raise RuleViolation(
            "a decentralized person's plan is made together with the guardian",
            rule="LJ-15.1",
            field="guardian_participated",
        )
    plan_id = new_id()
    now = clock.now()
    row = HealthPlan(
        plan_id=plan_id,
        person_id=person.person_id,
        admission_id=cmd.admission_id,
        made_by=principal.subject,
        made_role=principal.role.value,
        guardian_participated=cmd.guardian_participated,
        plan_enc=ctx.cipher.encrypt_text(cmd.plan, _aad(plan_id)),
        review_on=cmd.review_on,
        made_at=now,
    )
    await ctx.repo.add_health_plan(row)
    await timeline.record(
        ctx,
        person.person_id,
        now,
        "health_plan",
        plan_id,
        admission_id=cmd.admission_id,
        summary={"by": principal.role.value, "guardian_participated": cmd.guardian_participated},
    )
    await ctx.uow.audit(principal, "health_plan.make", person.person_id, reason="LJ-15.1", details={"plan_id": plan_id})
    return view(ctx, row)


def view(ctx: Ctx, row: HealthPlan) -> dict[str, Any]:
    return {
        "plan_id": row.plan_id,
        "person_id": row.person_id,
        "admission_id": row.admission_id,
        "made_by": row.made_by,
        "made_role": row.made_role,
        "guardian_participated": row.guardian_participated,
        "plan": ctx.cipher.decrypt_text(row.plan_enc, _aad(row.plan_id)),
        "review_on": row.review_on,
        "made_at": row.made_at,
    }


async def listing(ctx: Ctx, principal: Principal, person: Person, page: PageRequest) -> list[dict[str, Any]]:
    """One page of the person's plans, newest last (the last one is in force), in SQL."""
    require(sees_person(principal, person), f"person {person.person_id}")
    rows = await ctx.repo.health_plan_page(person.person_id, page)
    return [view(ctx, r) for r in rows]
