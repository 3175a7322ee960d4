"""The console's work queue (LJ-15.1, LJ-16): for an institution head, a village committee or
a town government, what is theirs to do now — health plans to make after a discharge, town
visits due, decentralized persons waiting for a disability assessment — scoped to the caller."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.contracts.common import SupportType
from referral.domain.discharge import DischargeDocument
from referral.service import followups
from referral.service.context import Ctx
from referral.service.health_plans import PLAN_MAKER
from referral.service.scope import list_filter

# LJ-16: who visits
VISITORS = frozenset({Role.TOWN_GOVERNMENT, Role.CIVIL_AFFAIRS})


async def queue(ctx: Ctx, principal: Principal, *, within_days: int) -> list[dict[str, Any]]:
    """The caller's open work, oldest first: plans not yet made for a discharge in scope
    (LJ-15.1, made from the discharge summary), visits due within ``within_days`` or overdue,
    and persons flagged for a disability assessment (LJ-16; towns and civil affairs)."""
    items = await _plans_due(ctx, principal)
    if principal.role in VISITORS:
        items += await _visits_due(ctx, principal, within_days)
        items += [
            {
                "item_id": f"assessment:{u['person_id']}",
                "kind": "disability_assessment",
                "person_id": u["person_id"],
                "name_masked": u["name_masked"],
                "town_id": u["town_id"],
                "village_id": u["village_id"],
                "admission_id": None,
                "since": None,
                "due_at": None,
                "overdue": False,
                "who": Role.TOWN_GOVERNMENT.value,
                "rule": "LJ-16",
            }
            for u in await followups.unassessed(ctx, principal)
        ]
    return items


async def _plans_due(ctx: Ctx, principal: Principal) -> list[dict[str, Any]]:
    support_type = None
    if principal.role == Role.INSTITUTION:
        support_type = SupportType.CENTRALIZED.value
    elif principal.role == Role.VILLAGE_COMMITTEE:
        support_type = SupportType.DECENTRALIZED.value
    discharged = await ctx.repo.discharged_admissions(list_filter(principal), support_type=support_type, limit=2000)
    ids = [a.admission_id for a in discharged]
    planned = await ctx.repo.planned_admissions(ids)
    summaries = await ctx.repo.admissions_with_document(ids, DischargeDocument.DISCHARGE_SUMMARY.value)
    people = {p.person_id: p for p in await ctx.repo.persons([a.person_id for a in discharged])}
    out = []
    for a in discharged:
        if a.admission_id in planned:
            continue
        person = people.get(a.person_id)
        out.append(
            {
                "item_id": f"health_plan:{a.admission_id}",
                "kind": "health_plan",
                "person_id": a.person_id,
                "name_masked": person.name_masked if person else None,
                "town_id": a.town_id,
                "village_id": a.village_id,
                "admission_id": a.admission_id,
                "since": a.discharged_at,
                "due_at": a.health_plan_due_at,
                "overdue": a.health_plan_overdue_at is not None,
                "summary_issued": a.admission_id in summaries,  # the plan is made from it
                "who": PLAN_MAKER[SupportType(a.support_type)].value,
                "rule": "LJ-15.1",
            }
        )
    return out


async def _visits_due(ctx: Ctx, principal: Principal, within_days: int) -> list[dict[str, Any]]:
    horizon = clock.now() + timedelta(days=within_days)
    return [
        {
            "item_id": f"visit:{v['person_id']}",
            "kind": "followup_visit",
            "person_id": v["person_id"],
            "name_masked": v["name_masked"],
            "town_id": v["town_id"],
            "village_id": v["village_id"],
            "admission_id": None,
            "since": v["last_visit_at"],
            "due_at": v["due_at"],
            "overdue": v["overdue"],
            "who": Role.TOWN_GOVERNMENT.value,
            "rule": "LJ-16",
        }
        for v in await followups.listing(ctx, principal, town_id=None, overdue=None)
        if v["overdue"] or v["due_at"] <= horizon
    ]
