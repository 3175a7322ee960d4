"""Work queues per role (SPEC 0.3): what each office has to decide, overdue first, due
instants in Asia/Shanghai with the working days left (SPEC 0.1).

Each queue is read from the services' list endpoints with the user's token, so a queue
holds exactly what the user's role and scope may see; where a service has no list of the
thing itself yet, the closest list is walked (noted at each such queue)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from console.api import ApiProblem, UserApi
from console.labels import status_label
from console.session import Session
from console.workdays import NO_DUE, Calendars, DueView, local_text
from medaid_shared import clock


@dataclass
class Ctx:
    api: UserApi
    session: Session
    calendars: Calendars


@dataclass
class Row:
    cells: dict[str, Any]
    href: str | None = None
    due: DueView = NO_DUE


Loader = Callable[[Ctx], Awaitable[list[Row]]]


@dataclass(frozen=True)
class Queue:
    key: str
    title: str
    roles: frozenset[str]
    columns: tuple[tuple[str, str], ...]  # (cell key, Chinese header)
    load: Loader
    note: str = ""
    dated: bool = True


@dataclass
class QueueResult:
    queue: Queue
    rows: list[Row] = field(default_factory=list)
    problem: ApiProblem | None = None


def _items(found: Any, key: str = "items") -> list[dict[str, Any]]:
    """The rows of a list answer, whether it is a bare list or ``{key: [...]}``."""
    rows = found.get(key, []) if isinstance(found, dict) else found
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def _sorted(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: r.due.sort_key)


async def _gather(calls: list[Awaitable[Any]]) -> list[Any]:
    """Run the reads of one queue together; a read that is refused counts as nothing."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    out = []
    for result in results:
        if isinstance(result, ApiProblem) and result.status != 401:
            continue
        if isinstance(result, BaseException):
            raise result
        out.append(result)
    return out


# ------------------------------------------------------------------ self-pay items (consent)


async def _self_pay_items(ctx: Ctx, statuses: set[str]) -> list[Row]:
    """No list of self-pay items by status exists in consent yet: walk the open and recent
    admissions the user may see (referral) and read each admission's records (consent)."""
    admissions = _items(await ctx.api.get("referral", "/admissions"))
    records = await _gather([ctx.api.get("consent", f"/admissions/{a['admission_id']}/records") for a in admissions])
    rows = []
    for admission, record in zip(admissions, records, strict=False):
        for item in record.get("self_pay_items", []):
            if item.get("status") not in statuses:
                continue
            rows.append(
                Row(
                    {
                        "item_code": item.get("item_code"),
                        "amount": item.get("amount"),
                        "facility": admission.get("facility_id"),
                        "admission": admission.get("admission_id"),
                        "status": status_label(item.get("status")),
                        "proposed_at": local_text(item.get("proposed_at") or item.get("created_at")),
                    },
                    href=f"/self-pay-items/{item['item_id']}",
                )
            )
    return rows


SELF_PAY_COLUMNS = (
    ("item_code", "项目编码"),
    ("amount", "金额（元）"),
    ("facility", "医疗机构"),
    ("admission", "住院记录"),
    ("status", "状态"),
    ("proposed_at", "提出时间"),
)


async def ca_self_pay(ctx: Ctx) -> list[Row]:
    return await _self_pay_items(ctx, {"awaiting_civil_affairs_review"})


async def initial_reviews(ctx: Ctx) -> list[Row]:
    return await _self_pay_items(ctx, {"awaiting_initial_review"})


async def consent_forms(ctx: Ctx) -> list[Row]:
    return await _self_pay_items(ctx, {"awaiting_consent_form"})


async def town_self_pay_filings(ctx: Ctx) -> list[Row]:
    return await _self_pay_items(ctx, {"awaiting_civil_affairs_filing"})


async def rank4_signatures(ctx: Ctx) -> list[Row]:
    """LJ-10 rank 4 signatures are filed with civil affairs: read from each admission's records."""
    admissions = _items(await ctx.api.get("referral", "/admissions"))
    records = await _gather([ctx.api.get("consent", f"/admissions/{a['admission_id']}/records") for a in admissions])
    rows = []
    for admission, record in zip(admissions, records, strict=False):
        for consent in record.get("consents", []):
            if not consent.get("filed_with_civil_affairs"):
                continue
            signer = consent.get("signer") or {}
            rows.append(
                Row(
                    {
                        "decision": status_label(consent.get("decision")),
                        "signer": signer.get("signer_id") or signer.get("id"),
                        "rank": signer.get("rank"),
                        "admission": admission.get("admission_id"),
                        "signed_at": local_text(consent.get("signed_at")),
                    }
                )
            )
    return rows


# ------------------------------------------------------------------ referral


async def guardians_to_verify(ctx: Ctx) -> list[Row]:
    """LJ-10: a guardian neither on file nor verified absent blocks ranks 3 and 4 until
    someone records the absence with evidence."""
    persons = _items(await ctx.api.get("referral", "/persons", limit=500))
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
    filings = _items(await ctx.api.get("referral", "/filings"))
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
    filings = _items(await ctx.api.get("referral", "/filings", awaiting_forward="true"))
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
    found = _items(await ctx.api.get("referral", "/violations"))
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
    found = await ctx.api.get("referral", "/follow-ups", town_id=towns[0] if towns else None)
    rows = []
    for v in _items(found):
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


async def out_of_region_approvals(ctx: Ctx) -> list[Row]:
    found = _items(await ctx.api.get("referral", "/referrals", pending="true"))
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


# ------------------------------------------------------------------ settlement


async def manual_reimbursements(ctx: Ctx) -> list[Row]:
    found = _items(await ctx.api.get("settlement", "/reimbursements", pending="true"))
    rows = []
    for m in found:
        due = await ctx.calendars.due(m.get("due_at") or m.get("application_due_at"))
        rows.append(
            Row(
                {
                    "statement": m.get("statement_id"),
                    "person": m.get("person_id"),
                    "amount": m.get("amount") or m.get("patient_advance"),
                    "state": status_label(m.get("state") or ("received" if m.get("received_at") else "pending")),
                },
                href=f"/statements/{m['statement_id']}" if m.get("statement_id") else None,
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
        for f in _items(found, "flags")
    ]


# ------------------------------------------------------------------ identity check (police)


async def police_letters(ctx: Ctx) -> list[Row]:
    found = await ctx.api.get("identity-check", "/identity-checks/queue")
    rows = []
    for r in _items(found):
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
                href=f"/police/letters/{r['id']}",
                due=due,
            )
        )
    return rows


async def late_identification(ctx: Ctx) -> list[Row]:
    """GD-16.4: requests whose window ended unidentified may still be identified late."""
    rows = []
    for status in ("overdue", "not_identified"):
        found = await ctx.api.get("identity-check", "/identity-checks", status=status)
        for r in _items(found):
            rows.append(
                Row(
                    {
                        "reference": r.get("reference_number"),
                        "facility": r.get("facility_name") or r.get("facility_id"),
                        "patient_ref": r.get("patient_ref"),
                        "received_at": local_text(r.get("received_at")),
                        "status": status_label(r.get("status")),
                    },
                    href=f"/police/letters/{r['id']}",
                )
            )
    return rows


# ------------------------------------------------------------------ emergency fund


STEP_OF_STATE = {"submitted": "agency", "agency_approved": "health", "forwarded_to_finance": "finance"}


def _current_step(app: dict[str, Any]) -> dict[str, Any] | None:
    step = STEP_OF_STATE.get(app.get("state", ""))
    return next((s for s in app.get("steps", []) if s.get("step") == step and not s.get("decided_at")), None)


async def _applications(ctx: Ctx, states: tuple[str, ...]) -> list[Row]:
    """The list has no due dates: each open application's steps are read from its detail."""
    listed: list[dict[str, Any]] = []
    for state in states:
        listed += _items(await ctx.api.get("emergency-fund", "/applications", state=state))
    details = await _gather([ctx.api.get("emergency-fund", f"/applications/{a['id']}") for a in listed])
    rows = []
    for app in details:
        step = _current_step(app)
        due = await ctx.calendars.due(step["due_at"], step.get("overdue")) if step else NO_DUE
        rows.append(
            Row(
                {
                    "application": app.get("id"),
                    "facility": app.get("facility_id"),
                    "requested": app.get("requested_amount"),
                    "approved": app.get("approved_amount") or "",
                    "state": status_label(app.get("state")),
                    "submitted_at": local_text(app.get("submitted_at")),
                    "flagged": "是" if app.get("flagged") else "",
                },
                href=f"/fund/applications/{app['id']}",
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
    found = _items(await ctx.api.get("emergency-fund", "/refunds"))
    return [
        Row(
            {
                "refund": r.get("id"),
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
    found = await ctx.api.get("emergency-fund", "/reports/notices-running", city=cities[0] if cities else None)
    rows = []
    for n in _items(found, "notices"):
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


def _roles(*names: str) -> frozenset[str]:
    return frozenset(names)


CITY = _roles("fund_agency", "health_bureau", "finance", "auditor")
CARERS = _roles("institution", "village_committee")

QUEUES: tuple[Queue, ...] = (
    Queue(
        "ca-self-pay",
        "自费项目待民政审核（LJ-7.3）",
        _roles("civil_affairs"),
        SELF_PAY_COLUMNS,
        ca_self_pay,
        "单项超过1,000元或累计超过2,000元的目录外自费项目",
        dated=False,
    ),
    Queue(
        "rank4",
        "第四顺位签字备案（LJ-10）",
        _roles("civil_affairs", "auditor"),
        (
            ("decision", "签字事项"),
            ("signer", "签字人"),
            ("rank", "顺位"),
            ("admission", "住院记录"),
            ("signed_at", "签字时间"),
        ),
        rank4_signatures,
        dated=False,
    ),
    Queue(
        "guardians",
        "待核实监护人情况（LJ-10）",
        _roles("civil_affairs", "town_government"),
        (("person", "人员"), ("support_type", "供养方式"), ("place", "机构 / 村")),
        guardians_to_verify,
        "既无在册监护人、也未核实无监护人的人员：第三、四顺位签字须待核实",
        dated=False,
    ),
    Queue(
        "filings",
        "收到的外出就医备案（LJ-4.2）",
        _roles("civil_affairs", "medical_insurance", "auditor"),
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
        _roles("civil_affairs", "medical_insurance", "health_bureau", "auditor"),
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
        "initial-reviews",
        "自费项目初审（LJ-7.2）",
        CARERS,
        SELF_PAY_COLUMNS,
        initial_reviews,
        dated=False,
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
        _roles("town_government"),
        SELF_PAY_COLUMNS,
        town_self_pay_filings,
        dated=False,
    ),
    Queue(
        "filings-to-forward",
        "待转报的外出就医备案（LJ-4.2c）",
        _roles("town_government"),
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
        _roles("town_government", "civil_affairs"),
        (("person", "人员"), ("disability", "失能等级"), ("last_visit", "上次随访")),
        follow_ups,
    ),
    Queue(
        "police-letters",
        "身份核查协查函（GD-16.2，3个工作日内复函）",
        _roles("police"),
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
        _roles("police"),
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
    Queue(
        "fund-agency",
        "救助申请审核（GD-20.2，经办机构10个工作日）",
        _roles("fund_agency"),
        APPLICATION_COLUMNS,
        agency_queue,
    ),
    Queue(
        "fund-health",
        "救助申请转报财政（GD-20.2，卫生健康部门5个工作日）",
        _roles("health_bureau"),
        APPLICATION_COLUMNS,
        health_queue,
    ),
    Queue(
        "fund-finance",
        "救助资金拨付（GD-20.2，财政20个工作日；GD-21 公示期满后）",
        _roles("finance"),
        APPLICATION_COLUMNS,
        finance_queue,
    ),
    Queue(
        "fund-co-review",
        "救助申请联审（GD-20.2）",
        _roles("police", "civil_affairs", "medical_insurance", "auditor"),
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
        "refunds",
        "退款追缴（GD-16.4）",
        CITY,
        (("refund", "编号"), ("case", "个案"), ("facility", "医疗机构"), ("amount", "金额（元）"), ("state", "状态")),
        refunds,
        dated=False,
    ),
    Queue(
        "reimbursements",
        "手工报销（LJ-13.2）",
        _roles("medical_insurance", "civil_affairs", "auditor"),
        (("statement", "结算单"), ("person", "人员"), ("amount", "金额（元）"), ("state", "状态")),
        manual_reimbursements,
    ),
    Queue(
        "out-of-region",
        "异地转诊审批（LJ-4.3a）",
        _roles("medical_insurance"),
        (("referral", "转诊编号"), ("person", "人员"), ("to", "转往机构"), ("state", "审批状态")),
        out_of_region_approvals,
        dated=False,
    ),
    Queue(
        "flags",
        "本季度费用分析标记（LJ-8、LJ-9、LJ-15.4）",
        _roles("medical_insurance", "civil_affairs", "health_bureau", "auditor"),
        (("kind", "类别"), ("subject", "对象"), ("value", "数值"), ("threshold", "阈值")),
        analytics_flags,
        dated=False,
    ),
)

BY_KEY = {q.key: q for q in QUEUES}


def queues_for(role: str) -> list[Queue]:
    return [q for q in QUEUES if role in q.roles]


async def run(queue: Queue, ctx: Ctx) -> QueueResult:
    try:
        rows = await queue.load(ctx)
    except ApiProblem as problem:
        if problem.status == 401:
            raise  # the session's token expired: sign in again
        return QueueResult(queue, [], problem)
    return QueueResult(queue, _sorted(rows))
