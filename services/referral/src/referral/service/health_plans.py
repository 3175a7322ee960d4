"""LJ-15.1 (with LJ-15.2): after discharge the institution (centralized) or the village
committee with the guardian (decentralized) makes or adjusts the rehabilitation and
health-management plan from the discharge summary."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.contracts.common import SupportType
from medaid_shared.errors import RuleViolation, ValidationFailed
from medaid_shared.pagination import PageRequest
from referral.domain.discharge import DischargeDocument
from referral.domain.parameters import HEALTH_PLAN_WINDOW, HealthPlanWindow
from referral.domain.records import Admission, HealthPlan, Person
from referral.service import parameters, timeline
from referral.service.commands import HealthPlanIn
from referral.service.context import Ctx, new_id
from referral.service.scope import list_filter, require, sees_person

PLAN_DEADLINE = "health_plan.due"  # LJ-15.1

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
    await ctx.uow.close_deadline(PLAN_DEADLINE, cmd.admission_id)  # made (or adjusted): the duty is met
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


# LJ-15.1: whose plan it is to make, by the person's support type
PLAN_MAKER = {support: role for support, (role, _, _) in MAKER.items()}


async def start(ctx: Ctx, admission_id: str, discharged_at: datetime) -> dict[str, Any]:
    """LJ-15.1: the discharge starts the plan's duty, due at the end of the version's working
    days on the official calendar (SPEC 0.1); a deadline flags it overdue the instant after.
    The admission's fields that say so."""
    applied = await parameters.in_force(ctx, HEALTH_PLAN_WINDOW, discharged_at)
    window: HealthPlanWindow = applied.values
    due = ctx.calendar.add_working_days(discharged_at, window.working_days)
    await ctx.uow.schedule(
        PLAN_DEADLINE, admission_id, due.after(1), basis="working_days", payload={"admission_id": admission_id}
    )
    return {
        "health_plan_due_at": due.at,
        "health_plan_calendar_provisional": due.calendar_provisional,
        "health_plan_overdue_at": None,
        "health_plan_parameters_version": applied.version_id,
    }


async def on_plan_due(ctx: Ctx, row: Any) -> None:
    """LJ-15.1: no plan was made for the discharge by its due instant: flag it."""
    admission_id = row["payload"]["admission_id"]
    adm = await ctx.repo.get_admission(admission_id, for_update=True)
    if adm is None or adm.health_plan_overdue_at is not None or await ctx.repo.planned_admissions([admission_id]):
        return
    await ctx.repo.update_admission(admission_id, health_plan_overdue_at=clock.now())
    await ctx.uow.audit(
        None,
        "health_plan.overdue",
        admission_id,
        reason="LJ-15.1: no health plan made by its due instant",
        details={"due_at": adm.health_plan_due_at.isoformat() if adm.health_plan_due_at else None},
    )


async def on_plan_due_moved(ctx: Ctx, row: Any, moved: Any) -> None:
    """SPEC 0.1: a loaded calendar notice moved the plan's due instant; a flag raised before
    the corrected instant is withdrawn (the deadline fires again then)."""
    changes: dict[str, Any] = {
        "health_plan_due_at": moved.due_at - timedelta(seconds=1),  # it fires the instant after
        "health_plan_calendar_provisional": moved.calendar_provisional,
    }
    if moved.reopened:
        changes["health_plan_overdue_at"] = None
    await ctx.repo.update_admission(row["payload"]["admission_id"], **changes)


def _maker_support(principal: Principal) -> str | None:
    """An institution makes only centralized persons' plans, a village committee only
    decentralized persons'; a town or civil affairs oversees both."""
    for support, role in PLAN_MAKER.items():
        if principal.role == role:
            return support.value
    return None


async def due_list(ctx: Ctx, principal: Principal, page: PageRequest) -> list[dict[str, Any]]:
    """LJ-15.1: one page of the discharges in the caller's scope whose health plan is still to
    make, the nearest due first (so the overdue first; a discharge recorded before plans had
    a due instant by its discharge), paged in SQL."""
    found = await ctx.repo.health_plans_due(list_filter(principal), page, support_type=_maker_support(principal))
    ids = [a.admission_id for a in found]
    summaries = await ctx.repo.admissions_with_document(ids, DischargeDocument.DISCHARGE_SUMMARY.value)
    people = {p.person_id: p for p in await ctx.repo.persons([a.person_id for a in found])}
    return [_due_view(a, people.get(a.person_id), a.admission_id in summaries) for a in found]


def _due_view(adm: Admission, person: Person | None, summary_issued: bool) -> dict[str, Any]:
    return {
        "admission_id": adm.admission_id,
        "person_id": adm.person_id,
        "name_masked": person.name_masked if person else None,
        "support_type": adm.support_type,
        "institution_id": adm.institution_id,
        "village_id": adm.village_id,
        "town_id": adm.town_id,
        "facility_id": adm.facility_id,
        "discharged_at": adm.discharged_at,
        "summary_issued": summary_issued,  # the plan is made from it
        "due_at": adm.health_plan_due_at,
        "calendar_provisional": bool(adm.health_plan_calendar_provisional),
        "overdue": adm.health_plan_overdue_at is not None,
        "overdue_at": adm.health_plan_overdue_at,
        "parameters_version": adm.health_plan_parameters_version,
        "who": PLAN_MAKER[SupportType(adm.support_type)].value,
        "rule": "LJ-15.1",
    }


def due_sort_key(item: dict[str, Any]) -> tuple[Any, ...]:
    """The list's order as the repository's query sorts it (the due instant, else the discharge)."""
    return (item["due_at"] or item["discharged_at"], item["admission_id"])
