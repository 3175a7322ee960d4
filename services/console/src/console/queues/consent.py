"""Self-pay items and consents (consent): the reviews, filings and signatures waiting
for each office (LJ-7, LJ-10)."""

from __future__ import annotations

from typing import Any

from console.labels import ROLES, status_label
from console.queues.base import Ctx, Queue, Row, roles
from console.workdays import NO_DUE, DueView, local_text


def _item_row(item: dict[str, Any], due: DueView = NO_DUE) -> Row:
    return Row(
        {
            "item_code": item.get("item_code"),
            "amount": item.get("amount"),
            "facility": item.get("facility_id"),
            "admission": item.get("admission_id"),
            "status": status_label(item.get("status")),
            "proposed_at": local_text(item.get("proposed_at")),
        },
        href=f"/self-pay-items/{item['item_id']}",
        due=due,
    )


SELF_PAY_COLUMNS = (
    ("item_code", "项目编码"),
    ("amount", "金额（元）"),
    ("facility", "医疗机构"),
    ("admission", "住院记录"),
    ("status", "状态"),
    ("proposed_at", "提出时间"),
)


async def awaiting_my_review(ctx: Ctx) -> list[Row]:
    """LJ-7.2, LJ-7.3: consent's list of the self-pay items, across admissions and in the
    user's scope, awaiting the user's own review step — the institution head's or village
    committee's initial review, the town's filing, civil affairs' review — each with the
    step's due instant, overdue first (the service knows whose step is whose)."""
    return [
        _item_row(item, await ctx.calendars.due(item.get("due_at"), item.get("overdue")))
        for item in await ctx.api.list("consent", "/self-pay-reviews")
    ]


async def consent_forms(ctx: Ctx) -> list[Row]:
    """LJ-7.1: the items whose informed-consent form is still to sign, by status in the
    user's scope (no due instant: the signer is the patient side, not an office)."""
    return [
        _item_row(item) for item in await ctx.api.list("consent", "/self-pay-items", status="awaiting_consent_form")
    ]


async def rank4_signatures(ctx: Ctx) -> list[Row]:
    """LJ-10: rank-4 signatures filed with civil affairs and not yet acknowledged — consent's
    work list, each with its acknowledgement deadline (overdue first)."""
    found = await ctx.api.list("consent", "/rank4-signatures", state="open")
    rows = []
    for r in found:
        signer = r.get("signer") or {}
        rows.append(
            Row(
                {
                    "signer": signer.get("signer_id"),
                    "role": ROLES.get(str(signer.get("role")), signer.get("role")),
                    "public_interest": _public_interest(r),
                    "admission": r.get("admission_id"),
                    "filed_at": local_text(r.get("filed_at")),
                },
                href=_next_step(r),
                due=await ctx.calendars.due(r.get("acknowledgement_due_at"), r.get("overdue")),
            )
        )
    return rows


PUBLIC_INTEREST_STATES = {"pending": "是，待民政确认", "confirmed": "是，民政已确认", "rejected": "是，民政不予确认"}


def _public_interest(r: dict[str, Any]) -> str:
    if not r.get("major_public_interest"):
        return "否"
    return PUBLIC_INTEREST_STATES.get(str(r.get("public_interest_state")), "是")


def _next_step(r: dict[str, Any]) -> str | None:
    """LJ-10: a signature on a major public interest awaiting civil affairs' decision leads to
    the confirm-or-reject form, any other to the acknowledgement."""
    if not r.get("consent_id"):
        return None
    pending = r.get("public_interest_state") == "pending"
    return f"/act/{'public-interest-decision' if pending else 'rank4-acknowledgement'}/{r['consent_id']}"


CARERS = roles("institution", "village_committee")

QUEUES: tuple[Queue, ...] = (
    Queue(
        "ca-self-pay",
        "自费项目待民政审核（LJ-7.3）",
        roles("civil_affairs"),
        SELF_PAY_COLUMNS,
        awaiting_my_review,
        "单项超过1,000元或累计超过2,000元的目录外自费项目，逾期的在前",
    ),
    Queue(
        "rank4",
        "第四顺位签字备案（LJ-10）",
        roles("civil_affairs", "auditor"),
        (
            ("signer", "签字人"),
            ("role", "签字单位"),
            ("public_interest", "涉及重大公共利益"),
            ("admission", "住院记录"),
            ("filed_at", "备案时间"),
        ),
        rank4_signatures,
        "第四顺位（所在单位负责人）签字的知情同意书，报民政局备案待确认",
    ),
    Queue(
        "initial-reviews",
        "自费项目初审（LJ-7.2）",
        CARERS,
        SELF_PAY_COLUMNS,
        awaiting_my_review,
    ),
    Queue(
        "consent-forms",
        "待签署的知情同意书（LJ-7.1）",
        CARERS,
        SELF_PAY_COLUMNS,
        consent_forms,
        dated=False,
    ),
    Queue(
        "town-self-pay",
        "待报民政备案的自费项目（LJ-7.3）",
        roles("town_government"),
        SELF_PAY_COLUMNS,
        awaiting_my_review,
    ),
)
