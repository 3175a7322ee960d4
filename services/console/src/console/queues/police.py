"""Identity checks for the police (GD-16): letters of the bureau's jurisdiction with their
3-working-day due dates, and late identification."""

from __future__ import annotations

from console.labels import status_label
from console.queues.base import Ctx, Queue, Row, roles
from console.workdays import local_text


async def police_letters(ctx: Ctx) -> list[Row]:
    found = await ctx.api.list("identity-check", "/identity-checks/queue")
    rows = []
    for r in found:
        due = await ctx.calendars.due(r.get("reply_due_at"), r.get("overdue"))
        rows.append(
            Row(
                {
                    "reference": r.get("reference_number"),
                    "facility": r.get("facility_name") or r.get("facility_id"),
                    "patient_ref": r.get("patient_ref"),
                    "received_at": local_text(r.get("received_at")),
                    "status": status_label(r.get("status")),
                },
                href=f"/police/letters/{r['request_id']}",
                due=due,
            )
        )
    return rows


async def late_identification(ctx: Ctx) -> list[Row]:
    """GD-16.4: requests whose window ended unidentified may still be identified late."""
    rows = []
    for status in ("overdue", "not_identified"):
        found = await ctx.api.list("identity-check", "/identity-checks", status=status)
        for r in found:
            rows.append(
                Row(
                    {
                        "reference": r.get("reference_number"),
                        "facility": r.get("facility_name") or r.get("facility_id"),
                        "patient_ref": r.get("patient_ref"),
                        "received_at": local_text(r.get("received_at")),
                        "status": status_label(r.get("status")),
                    },
                    href=f"/police/letters/{r['request_id']}",
                )
            )
    return rows


QUEUES: tuple[Queue, ...] = (
    Queue(
        "police-letters",
        "身份核查协查函（GD-16.2，3个工作日内复函）",
        roles("police"),
        (
            ("reference", "函号"),
            ("facility", "来函医疗机构"),
            ("patient_ref", "住院号"),
            ("received_at", "收函时间"),
            ("status", "状态"),
        ),
        police_letters,
    ),
    Queue(
        "late-identification",
        "逾期后查明身份（GD-16.4）",
        roles("police"),
        (
            ("reference", "函号"),
            ("facility", "来函医疗机构"),
            ("patient_ref", "住院号"),
            ("received_at", "收函时间"),
            ("status", "状态"),
        ),
        late_identification,
        dated=False,
    ),
)
