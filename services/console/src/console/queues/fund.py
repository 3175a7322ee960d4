"""The emergency fund (GD-18 … GD-21): applications by step with due dates, notices
running, channel confirmations, exclusion proposals, emergency-period extensions and refunds."""

from __future__ import annotations

from typing import Any

from console.labels import ROLES, status_label
from console.queues.base import Ctx, Queue, Row, gather_reads, items_of, roles
from console.workdays import NO_DUE, local_text


async def _applications(ctx: Ctx, states: tuple[str, ...]) -> list[Row]:
    """GD-20.2: each application with the step it waits for, due by the step's deadline."""
    listed: list[dict[str, Any]] = []
    for state in states:
        listed += await ctx.api.list("emergency-fund", "/applications", state=state)
    rows = []
    for app in listed:
        step = app.get("open_step")
        due = await ctx.calendars.due(step.get("due_at"), step.get("overdue")) if step else NO_DUE
        rows.append(
            Row(
                {
                    "application": app.get("application_id"),
                    "facility": app.get("facility_id"),
                    "requested": app.get("requested_amount"),
                    "approved": app.get("approved_amount") or "",
                    "state": status_label(app.get("state")),
                    "submitted_at": local_text(app.get("submitted_at")),
                    "flagged": "是" if app.get("flagged") else "",
                },
                href=f"/fund/applications/{app['application_id']}",
                due=due,
            )
        )
    return rows


APPLICATION_COLUMNS = (
    ("application", "申请编号"),
    ("facility", "医疗机构"),
    ("requested", "申请金额（元）"),
    ("approved", "核定金额（元）"),
    ("state", "所处环节"),
    ("submitted_at", "提交时间"),
    ("flagged", "失信标记"),
)


async def agency_queue(ctx: Ctx) -> list[Row]:
    return await _applications(ctx, ("submitted", "agency_approved"))


async def health_queue(ctx: Ctx) -> list[Row]:
    return await _applications(ctx, ("agency_approved",))


async def finance_queue(ctx: Ctx) -> list[Row]:
    return await _applications(ctx, ("forwarded_to_finance",))


async def all_open_applications(ctx: Ctx) -> list[Row]:
    return await _applications(ctx, ("submitted", "agency_approved", "forwarded_to_finance"))


async def refunds(ctx: Ctx) -> list[Row]:
    found = await ctx.api.list("emergency-fund", "/refunds")
    return [
        Row(
            {
                "refund": r.get("refund_id"),
                "case": r.get("case_id"),
                "facility": r.get("facility_id"),
                "amount": r.get("amount") or r.get("demanded_amount"),
                "state": status_label(r.get("state")),
            }
        )
        for r in found
    ]


async def notices_running(ctx: Ctx) -> list[Row]:
    cities = ctx.session.scope_ids("city")
    found = await ctx.api.list("emergency-fund", "/reports/notices-running", city=cities[0] if cities else None)
    rows = []
    for n in found:
        due = await ctx.calendars.due(n.get("ends_at"))
        rows.append(
            Row(
                {
                    "application": n.get("application_id"),
                    "publisher": status_label(n.get("publisher")),
                    "starts_at": local_text(n.get("starts_at")),
                    "ends_at": local_text(n.get("ends_at")),
                },
                href=f"/fund/applications/{n['application_id']}" if n.get("application_id") else None,
                due=due,
            )
        )
    return rows


# GD-18.1: the departments that confirm what an existing channel paid.
CHANNEL_CONFIRMERS = ("medical_insurance", "police", "hrss", "fund_agency")


async def channel_confirmations(ctx: Ctx) -> list[Row]:
    """GD-18.1: the hospitals' channel claims awaiting the caller's department (the
    auditor: awaiting each department), oldest claim first."""
    role = ctx.session.role
    awaiting = ("me",) if role in CHANNEL_CONFIRMERS else CHANNEL_CONFIRMERS
    found = await gather_reads([ctx.api.get("emergency-fund", "/channel-confirmations", awaiting=a) for a in awaiting])
    items = sorted((i for f in found for i in items_of(f)), key=lambda i: str(i.get("recorded_at") or ""))
    return [
        Row(
            {
                "case": i.get("case_id"),
                "facility": i.get("facility_id"),
                "patient": i.get("name_masked") or i.get("patient_ref"),
                "channel": status_label(i.get("channel")),
                "claimed": i.get("claimed_amount"),
                "reference": i.get("reference") or "",
                "awaiting": ROLES.get(str(i.get("awaiting")), i.get("awaiting")),
                "recorded_at": local_text(i.get("recorded_at")),
            },
            href=f"/fund/cases/{i['case_id']}/channels/{i['channel']}",
        )
        for i in items
        if i.get("case_id") and i.get("channel")
    ]


async def exclusion_proposals(ctx: Ctx) -> list[Row]:
    """GD-14: the hospitals' proposals to exclude a case or a cost item, awaiting the agency."""
    found = await ctx.api.get("emergency-fund", "/exclusion-proposals")
    return [
        Row(
            {
                "case": p.get("case_id"),
                "facility": p.get("facility_id"),
                "patient_ref": p.get("patient_ref"),
                "item": p.get("cost_item_id") or "整个个案",
                "amount": p.get("amount") or "",
                "exclusion": status_label(p.get("exclusion")),
                "reason": p.get("reason") or "",
                "proposed_at": local_text(p.get("proposed_at")),
            },
            href=f"/fund/cases/{p['case_id']}/exclusions",
        )
        for p in items_of(found)
        if p.get("case_id")
    ]


def _evidence_text(evidence: Any) -> str:
    """The evidence the hospital named for an extension (GD-13.3), as one line."""
    if not isinstance(evidence, dict):
        return ""
    parts = []
    if evidence.get("date_of_birth"):
        parts.append(f"出生日期 {evidence['date_of_birth']}")
    if evidence.get("pregnancy_record"):
        parts.append(f"孕产记录 {evidence['pregnancy_record']}")
    return "；".join(parts)


async def emergency_extensions(ctx: Ctx) -> list[Row]:
    """GD-13.3: the hospitals' requests to extend the emergency period, awaiting the agency
    or the health department, oldest first."""
    found = await ctx.api.get("emergency-fund", "/emergency-extensions")
    requests = sorted(items_of(found), key=lambda e: str(e.get("requested_at") or ""))
    return [
        Row(
            {
                "case": e.get("case_id"),
                "facility": e.get("facility_id"),
                "patient_ref": e.get("patient_ref"),
                "category": status_label(e.get("category")),
                "hours": e.get("hours"),
                "evidence": _evidence_text(e.get("evidence")),
                "reason": e.get("reason") or "",
                "requested_at": local_text(e.get("requested_at")),
            },
            href=f"/fund/cases/{e['case_id']}/extension",
        )
        for e in requests
        if e.get("case_id")
    ]


CITY = roles("fund_agency", "health_bureau", "finance", "auditor")

QUEUES: tuple[Queue, ...] = (
    Queue(
        "fund-agency",
        "救助申请审核（GD-20.2，经办机构10个工作日）",
        roles("fund_agency"),
        APPLICATION_COLUMNS,
        agency_queue,
    ),
    Queue(
        "fund-health",
        "救助申请转报财政（GD-20.2，卫生健康部门5个工作日）",
        roles("health_bureau"),
        APPLICATION_COLUMNS,
        health_queue,
    ),
    Queue(
        "fund-finance",
        "救助资金拨付（GD-20.2，财政20个工作日；GD-21 公示期满后）",
        roles("finance"),
        APPLICATION_COLUMNS,
        finance_queue,
    ),
    Queue(
        "fund-co-review",
        "救助申请联审（GD-20.2）",
        roles("police", "civil_affairs", "medical_insurance", "auditor"),
        APPLICATION_COLUMNS,
        all_open_applications,
    ),
    Queue(
        "notices",
        "公示中（GD-21）",
        CITY,
        (("application", "申请编号"), ("publisher", "公示单位"), ("starts_at", "开始"), ("ends_at", "结束")),
        notices_running,
    ),
    Queue(
        "channel-confirmations",
        "待确认的既有渠道支付（GD-18.1）",
        roles(*CHANNEL_CONFIRMERS, "auditor"),
        (
            ("case", "个案"),
            ("facility", "医疗机构"),
            ("patient", "患者"),
            ("channel", "渠道"),
            ("claimed", "医疗机构申报金额（元）"),
            ("reference", "凭证"),
            ("awaiting", "确认部门"),
            ("recorded_at", "申报时间"),
        ),
        channel_confirmations,
        "医疗机构申报的既有渠道支付金额，须由主管部门确认后方作为审核依据",
        dated=False,
    ),
    Queue(
        "exclusion-proposals",
        "不予支付的提议（GD-14）",
        roles("fund_agency", "auditor"),
        (
            ("case", "个案"),
            ("facility", "医疗机构"),
            ("patient_ref", "住院号"),
            ("item", "费用项目"),
            ("amount", "金额（元）"),
            ("exclusion", "情形"),
            ("reason", "医疗机构说明"),
            ("proposed_at", "提议时间"),
        ),
        exclusion_proposals,
        "医疗机构提议不予支付的个案或费用，由经办机构认定",
        dated=False,
    ),
    Queue(
        "emergency-extensions",
        "待审批的急救期延长（GD-13.3）",
        roles("fund_agency", "health_bureau", "auditor"),
        (
            ("case", "个案"),
            ("facility", "医疗机构"),
            ("patient_ref", "住院号"),
            ("category", "情形"),
            ("hours", "申请急救期（小时）"),
            ("evidence", "证明材料"),
            ("reason", "医疗机构理由"),
            ("requested_at", "申请时间"),
        ),
        emergency_extensions,
        "医疗机构申请延长急救期，经办机构或卫生健康部门批准后方计入",
        dated=False,
    ),
    Queue(
        "refunds",
        "退款追缴（GD-16.4）",
        CITY,
        (("refund", "编号"), ("case", "个案"), ("facility", "医疗机构"), ("amount", "金额（元）"), ("state", "状态")),
        refunds,
        dated=False,
    ),
)
