"""Referral: guardians to verify, filings received and to forward, violations, follow-up
visits due and out-of-region approvals (LJ-4, LJ-10, LJ-16, LJ-17)."""

from __future__ import annotations

from console.labels import ROLES, status_label
from console.queues.base import Ctx, Queue, Row, roles
from console.workdays import local_text


async def guardians_to_verify(ctx: Ctx) -> list[Row]:
    """LJ-10: a guardian neither on file nor verified absent blocks ranks 3 and 4 until
    someone records the absence with evidence."""
    persons = await ctx.api.list("referral", "/persons")
    return [
        Row(
            {
                "person": p.get("name_masked") or p.get("person_id"),
                "support_type": status_label(p.get("support_type")),
                "place": p.get("institution_id") or p.get("village_id") or "",
            },
            href=f"/act/guardian-absence/{p['person_id']}",
        )
        for p in persons
        if not p.get("guardian") and p.get("person_id")
    ]


async def filings_received(ctx: Ctx) -> list[Row]:
    filings = await ctx.api.list("referral", "/filings")
    return [
        Row(
            {
                "filing": f.get("filing_id"),
                "person": f.get("person_id"),
                "facility": f.get("facility_id"),
                "state": status_label(f.get("filing_state")),
                "submitted_at": local_text(f.get("submitted_at") or f.get("created_at")),
            },
            href=f"/print/filings/{f['filing_id']}",
        )
        for f in filings
    ]


async def filings_to_forward(ctx: Ctx) -> list[Row]:
    filings = await ctx.api.list("referral", "/filings", awaiting_forward="true")
    rows = []
    for f in filings:
        due = await ctx.calendars.due(f.get("forward_due_at"))
        rows.append(
            Row(
                {
                    "filing": f.get("filing_id"),
                    "person": f.get("person_id"),
                    "facility": f.get("facility_id"),
                    "state": status_label(f.get("filing_state")),
                    "submitted_at": local_text(f.get("submitted_at") or f.get("created_at")),
                },
                href=f"/filings/{f['filing_id']}",
                due=due,
            )
        )
    return rows


async def violations(ctx: Ctx) -> list[Row]:
    found = await ctx.api.list("referral", "/violations")
    return [
        Row(
            {
                "kind": status_label(v.get("kind")),
                "facility": v.get("facility_id"),
                "admission": v.get("admission_id"),
                "detail": v.get("detail") or v.get("document_kind") or "",
                "recorded_at": local_text(v.get("recorded_at") or v.get("created_at")),
            }
        )
        for v in found
    ]


async def follow_ups(ctx: Ctx) -> list[Row]:
    towns = ctx.session.scope_ids("town")
    found = await ctx.api.list("referral", "/follow-ups", town_id=towns[0] if towns else None)
    rows = []
    for v in found:
        due = await ctx.calendars.due(v.get("due_at") or v.get("next_visit_due_at"), v.get("overdue"))
        rows.append(
            Row(
                {
                    "person": v.get("person_id"),
                    "disability": status_label(v.get("disability_level")),
                    "last_visit": local_text(v.get("last_visit_at")),
                },
                href=f"/act/visit/{v['person_id']}" if v.get("person_id") else None,
                due=due,
            )
        )
    return rows


async def health_plans_due(ctx: Ctx) -> list[Row]:
    """LJ-15.1: referral's list of the discharges whose health plan is still to make, scoped
    to the user's institution, village, town or district, each with the plan's due instant
    (overdue first); the plan is made from the discharge summary, so the row says whether it
    is issued."""
    rows = []
    for p in await ctx.api.list("referral", "/health-plans/due"):
        person = p.get("person_id")
        rows.append(
            Row(
                {
                    "person": p.get("name_masked") or person,
                    "admission": p.get("admission_id"),
                    "discharged_at": local_text(p.get("discharged_at")),
                    "summary": "已出具" if p.get("summary_issued") else "未出具",
                    "who": ROLES.get(str(p.get("who")), p.get("who")),
                },
                href=f"/act/health-plan/{person}?admission_id={p.get('admission_id')}" if person else None,
                due=await ctx.calendars.due(p.get("due_at"), p.get("overdue")),
            )
        )
    return rows


WORK_KINDS = {
    "followup_visit": ("随访（LJ-16）", "/act/visit/{}"),
    "disability_assessment": ("失能等级评估（LJ-16）", None),
}


async def care_work(ctx: Ctx) -> list[Row]:
    """LJ-16: referral's work queue, already scoped to the caller's town or district — visits
    due and persons still waiting for a disability assessment (its health plans have their
    own queue, read from referral's list of them)."""
    rows = []
    for w in await ctx.api.list("referral", "/work-queue"):
        if w.get("kind") == "health_plan":
            continue
        what, action = WORK_KINDS.get(w.get("kind", ""), (status_label(w.get("kind")), None))
        person = w.get("person_id")
        rows.append(
            Row(
                {
                    "work": what,
                    "person": w.get("name_masked") or person,
                    "since": local_text(w.get("since")),
                },
                href=action.format(person) if action and person else None,
                due=await ctx.calendars.due(w.get("due_at"), w.get("overdue")),
            )
        )
    return rows


async def out_of_region_approvals(ctx: Ctx) -> list[Row]:
    found = await ctx.api.list("referral", "/referrals", pending="true")
    return [
        Row(
            {
                "referral": r.get("referral_id"),
                "person": r.get("person_id"),
                "to": r.get("to_facility_id"),
                "state": status_label(r.get("approval_state")),
            },
            href=f"/act/referral-approval/{r['referral_id']}" if r.get("referral_id") else None,
        )
        for r in found
    ]


QUEUES: tuple[Queue, ...] = (
    Queue(
        "guardians",
        "待核实监护人情况（LJ-10）",
        roles("civil_affairs", "town_government"),
        (("person", "人员"), ("support_type", "供养方式"), ("place", "机构 / 村")),
        guardians_to_verify,
        "既无在册监护人、也未核实无监护人的人员：第三、四顺位签字须待核实",
        dated=False,
    ),
    Queue(
        "filings",
        "收到的外出就医备案（LJ-4.2）",
        roles("civil_affairs", "medical_insurance", "auditor"),
        (
            ("filing", "备案编号"),
            ("person", "人员"),
            ("facility", "医疗机构"),
            ("state", "备案状态"),
            ("submitted_at", "提交时间"),
        ),
        filings_received,
        dated=False,
    ),
    Queue(
        "violations",
        "违规记录（LJ-17）",
        roles("civil_affairs", "medical_insurance", "health_bureau", "auditor"),
        (
            ("kind", "类别"),
            ("facility", "医疗机构"),
            ("admission", "住院记录"),
            ("detail", "说明"),
            ("recorded_at", "记录时间"),
        ),
        violations,
        dated=False,
    ),
    Queue(
        "filings-to-forward",
        "待转报的外出就医备案（LJ-4.2c）",
        roles("town_government"),
        (
            ("filing", "备案编号"),
            ("person", "人员"),
            ("facility", "医疗机构"),
            ("state", "备案状态"),
            ("submitted_at", "提交时间"),
        ),
        filings_to_forward,
    ),
    Queue(
        "follow-ups",
        "到期随访（LJ-16）",
        roles("town_government", "civil_affairs"),
        (("person", "人员"), ("disability", "失能等级"), ("last_visit", "上次随访")),
        follow_ups,
    ),
    Queue(
        "health-plans",
        "待制定的康复和健康计划（LJ-15.1）",
        roles("institution", "village_committee", "town_government", "civil_affairs"),
        (
            ("person", "人员"),
            ("admission", "住院记录"),
            ("discharged_at", "出院时间"),
            ("summary", "出院小结"),
            ("who", "制定单位"),
        ),
        health_plans_due,
        "出院后由供养机构（集中供养）或村（居）委会会同监护人（分散供养）根据出院小结制定",
    ),
    Queue(
        "care-work",
        "随访与失能评估（LJ-16）",
        roles("town_government", "civil_affairs"),
        (("work", "待办事项"), ("person", "人员"), ("since", "上次随访")),
        care_work,
    ),
    Queue(
        "out-of-region",
        "异地转诊审批（LJ-4.3a）",
        roles("medical_insurance"),
        (("referral", "转诊编号"), ("person", "人员"), ("to", "转往机构"), ("state", "审批状态")),
        out_of_region_approvals,
        dated=False,
    ),
)
