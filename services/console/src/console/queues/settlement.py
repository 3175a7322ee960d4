"""Settlement: manual reimbursements and the quarter's analytics flags (LJ-8, LJ-9, LJ-13.2,
LJ-15.4)."""

from __future__ import annotations

from console.labels import status_label
from console.queues.base import Ctx, Queue, Row, items_of, roles
from console.workdays import NO_DUE
from medaid_shared import clock

# LJ-13.2: where a manual reimbursement goes next, by its state.
NEXT_STEP = {
    "requested": "reimbursement-application",
    "applied": "reimbursement-review",
    "approved": "reimbursement-payment",
}


async def manual_reimbursements(ctx: Ctx) -> list[Row]:
    """LJ-13.2: statements awaiting the application (due by the versioned window after
    discharge), the review, or the payment."""
    found = await ctx.api.list("settlement", "/reimbursements", pending="true")
    rows = []
    for m in found:
        state = m.get("state")
        # only the application has a due instant: the window after discharge
        due = await ctx.calendars.due(m.get("application_due_at")) if state == "requested" else NO_DUE
        step = NEXT_STEP.get(str(state))
        rows.append(
            Row(
                {
                    "statement": m.get("statement_id"),
                    "person": m.get("person_id"),
                    "facility": m.get("facility_id"),
                    "amount": m.get("reimbursable"),
                    "state": status_label(state),
                },
                href=f"/act/{step}/{m['statement_id']}" if step and m.get("statement_id") else None,
                due=due,
            )
        )
    return rows


def _quarter() -> str:
    today = clock.to_local(clock.now()).date()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


async def analytics_flags(ctx: Ctx) -> list[Row]:
    found = await ctx.api.get("settlement", f"/reports/{_quarter()}/flags")
    return [
        Row(
            {
                "kind": status_label(f.get("kind")),
                "subject": f.get("subject_id") or f.get("facility_id") or f.get("admission_id"),
                "value": f.get("value"),
                "threshold": f.get("threshold"),
            }
        )
        for f in items_of(found)
    ]


QUEUES: tuple[Queue, ...] = (
    Queue(
        "reimbursements",
        "手工报销（LJ-13.2）",
        roles("medical_insurance", "civil_affairs", "auditor"),
        (
            ("statement", "结算单"),
            ("person", "人员"),
            ("facility", "医疗机构"),
            ("amount", "可报销金额（元）"),
            ("state", "状态"),
        ),
        manual_reimbursements,
    ),
    Queue(
        "flags",
        "本季度费用分析标记（LJ-8、LJ-9、LJ-15.4）",
        roles("medical_insurance", "civil_affairs", "health_bureau", "auditor"),
        (("kind", "类别"), ("subject", "对象"), ("value", "数值"), ("threshold", "阈值")),
        analytics_flags,
        dated=False,
    ),
)
