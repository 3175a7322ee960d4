"""LJ-16: the town government visits decentralized persons — fully disabled at least
monthly, semi-disabled at least quarterly, self-care at least yearly; an overdue visit is
flagged (FollowUpOverdue) and listed per town."""

from __future__ import annotations

from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal
from medaid_shared.calendar import Due
from medaid_shared.contracts.common import DisabilityLevel, SupportType
from medaid_shared.errors import RuleViolation, ValidationFailed
from medaid_shared.pagination import PageRequest
from referral.domain.followup import needs_followup, next_visit_due
from referral.domain.records import Followup, Person, Visit
from referral.service import events, timeline
from referral.service.commands import VisitIn
from referral.service.context import Ctx, new_id
from referral.service.scope import list_filter

KIND = "followup.visit"


def _subject(person_id: str, cycle: int) -> str:
    return f"{person_id}:{cycle}"


async def _start_cycle(ctx: Ctx, person: Person, cycle: int, since: Any, last_visit_at: Any) -> Followup:
    level = _level(person)
    assert level is not None  # a schedule follows the level (LJ-16)
    due_at = next_visit_due(since, level, ctx.settings.followup_interval_months)
    await ctx.uow.schedule(
        KIND,
        _subject(person.person_id, cycle),
        Due(due_at),
        basis="clock",
        payload={"person_id": person.person_id, "cycle": cycle},
    )
    assert person.town_id is not None  # a decentralized person lives in a town (LJ-2.1)
    return Followup(
        person_id=person.person_id,
        town_id=person.town_id,
        disability_level=level.value,
        cycle=cycle,
        last_visit_at=last_visit_at,
        due_at=due_at,
        overdue=False,
        active=True,
    )


async def sync(ctx: Ctx, person: Person, previous: Person | None) -> None:
    """LJ-16: keep the person's visit schedule in line with the record. A new decentralized
    person with a disability level gets a first due date counted from registration; a
    change of level or town restarts the count from the last visit."""
    existing = await ctx.repo.get_followup(person.person_id, for_update=True)
    wanted = needs_followup(SupportType(person.support_type), _level(person))
    if existing is not None and existing.active:
        same = existing.disability_level == person.disability_level and existing.town_id == person.town_id
        if wanted and same:
            return
        await ctx.uow.close_deadline(KIND, _subject(person.person_id, existing.cycle), state="cancelled")
    if not wanted:
        if existing is not None and existing.active:
            await ctx.repo.update_followup(person.person_id, active=False, overdue=False)
        return
    last = existing.last_visit_at if existing else None
    cycle = existing.cycle + 1 if existing else 1
    row = await _start_cycle(ctx, person, cycle, last or clock.now(), last)
    if existing is None:
        await ctx.repo.add_followup(row)
    else:
        await _restart(ctx, row)


async def _restart(ctx: Ctx, plan: Followup) -> None:
    """The person's schedule replaced by the new cycle (one row per person)."""
    changes: dict[str, Any] = {k: v for k, v in vars(plan).items() if k != "person_id"}
    await ctx.repo.update_followup(plan.person_id, **changes)


def _level(person: Person) -> DisabilityLevel | None:
    return DisabilityLevel(person.disability_level) if person.disability_level else None


async def record_visit(ctx: Ctx, principal: Principal, person: Person, cmd: VisitIn) -> dict[str, Any]:
    """LJ-16: the town records a visit; the next one falls due one interval later."""
    if person.support_type != SupportType.DECENTRALIZED.value:
        raise RuleViolation("town visits are for decentralized persons", rule="LJ-16", field="person_id")
    principal.require_scope("town", person.town_id, f"person {person.person_id}")
    now = clock.now()
    if cmd.visited_at > now:
        raise ValidationFailed("the visit is in the future", field="visited_at")
    plan = await ctx.repo.get_followup(person.person_id, for_update=True)
    was_overdue = bool(plan and plan.active and (plan.overdue or cmd.visited_at > plan.due_at))
    visit_id = new_id()
    assert person.town_id is not None  # the town's own person (scope checked above)
    await ctx.repo.add_visit(
        Visit(
            visit_id=visit_id,
            person_id=person.person_id,
            town_id=person.town_id,
            visited_at=cmd.visited_at,
            visitor=cmd.visitor,
            notes_enc=ctx.cipher.encrypt_text(cmd.notes, f"referral.visit:{visit_id}:notes") if cmd.notes else None,
            needs_care=cmd.needs_care,
            was_overdue=was_overdue,
            recorded_by=principal.subject,
            recorded_at=now,
        )
    )
    next_due = None
    if plan is not None and plan.active:
        last = max(cmd.visited_at, plan.last_visit_at) if plan.last_visit_at else cmd.visited_at
        await ctx.uow.close_deadline(KIND, _subject(person.person_id, plan.cycle))
        row = await _start_cycle(ctx, person, plan.cycle + 1, last, last)
        await _restart(ctx, row)
        next_due = row.due_at
    await timeline.record(
        ctx,
        person.person_id,
        cmd.visited_at,
        "follow_up_visit",
        visit_id,
        summary={"town_id": person.town_id, "needs_care": cmd.needs_care, "was_overdue": was_overdue},
    )
    await ctx.uow.audit(
        principal, "visit.record", person.person_id, reason="LJ-16 follow-up visit", details={"visit_id": visit_id}
    )
    return {
        "visit_id": visit_id,
        "person_id": person.person_id,
        "visited_at": cmd.visited_at,
        "was_overdue": was_overdue,
        "next_due_at": next_due,
    }


async def on_visit_due(ctx: Ctx, row: Any) -> None:
    """Scheduler: LJ-16 visit overdue → flag it and publish FollowUpOverdue."""
    person_id = row["payload"]["person_id"]
    plan = await ctx.repo.get_followup(person_id, for_update=True)
    if plan is None or not plan.active or plan.cycle != row["payload"]["cycle"]:
        return
    await ctx.repo.update_followup(person_id, overdue=True)
    await ctx.uow.emit(events.follow_up_overdue(plan, row["due_at"]))
    await ctx.uow.audit(None, "followup.overdue", person_id, reason="LJ-16", details={"town_id": plan.town_id})


async def listing(
    ctx: Ctx, principal: Principal, page: PageRequest | None = None, *, town_id: str | None, overdue: bool | None
) -> list[dict[str, Any]]:
    """LJ-16: the visit schedule per town, overdue ones flagged (a town sees its villages);
    with a ``page``, one page of it paged in SQL."""
    scope = list_filter(principal)
    if town_id is not None and scope.excludes("town_id", town_id):
        return []
    plans = await ctx.repo.active_followups(scope, page, town_id=town_id, overdue=overdue)
    people = {p.person_id: p for p in await ctx.repo.persons([x.person_id for x in plans])}
    return [
        {
            "person_id": p.person_id,
            "name_masked": people[p.person_id].name_masked if p.person_id in people else None,
            "village_id": people[p.person_id].village_id if p.person_id in people else None,
            "town_id": p.town_id,
            "disability_level": p.disability_level,
            "last_visit_at": p.last_visit_at,
            "due_at": p.due_at,
            "overdue": p.overdue,
        }
        for p in plans
    ]


async def unassessed(ctx: Ctx, principal: Principal, page: PageRequest | None = None) -> list[dict[str, Any]]:
    """LJ-16: decentralized persons with no disability level on record are never visited on
    a schedule (the interval follows the level) — each is flagged for assessment. With a
    ``page``, one page of them paged in SQL (a decentralized person always has a town)."""
    rows = await ctx.repo.unassessed_persons(list_filter(principal), page)
    return [
        {
            "person_id": r.person_id,
            "name_masked": r.name_masked,
            "village_id": r.village_id,
            "town_id": r.town_id,
            "flag": "disability_assessment_needed",
            "rule": "LJ-16",
        }
        for r in rows
    ]


async def summary(ctx: Ctx, principal: Principal) -> list[dict[str, Any]]:
    """LJ-16: per town, how many persons are followed, how many visits are overdue and how
    many decentralized persons wait for a disability assessment."""
    plans = await ctx.repo.active_followups(list_filter(principal), None, town_id=None, overdue=None)
    towns: dict[str, dict[str, Any]] = {}

    def town(town_id: str) -> dict[str, Any]:
        return towns.setdefault(town_id, {"town_id": town_id, "persons": 0, "overdue": 0, "unassessed": 0})

    for p in plans:
        t = town(p.town_id)
        t["persons"] += 1
        t["overdue"] += int(p.overdue)
    for u in await unassessed(ctx, principal):
        town(u["town_id"])["unassessed"] += 1
    return [towns[k] for k in sorted(towns)]
