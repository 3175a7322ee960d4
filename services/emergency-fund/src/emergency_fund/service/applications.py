"""Unit applications and their review (GD-20.1, GD-20.2), public notices (GD-21),
disbursement and write-off (GD-21), with the step deadlines on the official calendar."""

from __future__ import annotations

from dataclasses import asdict, replace
from decimal import Decimal
from typing import Any, TypeVar

from emergency_fund.domain import ledger
from emergency_fund.domain.channels import ChannelRecord, Unresolved, unconfirmed
from emergency_fund.domain.ledger import FUND_CASH, preallocated_account
from emergency_fund.domain.money import ZERO, cents
from emergency_fund.domain.records import (
    Application,
    ApplicationCase,
    ApplicationStep,
    Case,
    CoReviewNote,
    CostItem,
    Disbursement,
    Notice,
)
from emergency_fund.domain.workflow import (
    STEP_STATE,
    AppState,
    NoticeTerm,
    Publisher,
    Step,
    deadline_kind,
    mask_unidentified,
    require_notice_allowed,
    require_notices_complete,
    require_step,
    step_working_days,
)
from emergency_fund.service.base import (
    Env,
    audit,
    balance,
    found,
    is_hospital,
    load_params,
    new_id,
    notice_out,
    out,
    post,
    require_fund,
    require_record_scope,
)
from emergency_fund.service.cases import CaseState, announce_closed, blacklisted, evaluate
from emergency_fund.service.commands import (
    AgencyReviewCmd,
    ApplicationCreate,
    CoReviewCmd,
    FinanceRejectCmd,
    ReviewCmd,
    WriteOffCmd,
)
from emergency_fund.service.exclusions import undecided
from emergency_fund.service.ports.applications import InScope
from medaid_shared.authz import Principal
from medaid_shared.clock import to_local
from medaid_shared.contracts.emergency_fund import (
    FundApplicationReviewed,
    FundApplicationSubmitted,
    FundDisbursed,
    FundStepOverdue,
    FundWrittenOff,
    PublicNoticePublished,
)
from medaid_shared.errors import Conflict, RuleViolation, ValidationFailed
from medaid_shared.pagination import PageRequest

K = TypeVar("K")

OPEN_STATES = {AppState.SUBMITTED.value, AppState.AGENCY_APPROVED.value, AppState.FORWARDED_TO_FINANCE.value}


def scope_of(p: Principal) -> InScope:
    """The records a caller may list: its facilities' (a hospital), else its cities'."""
    if is_hospital(p):
        return InScope(facility_ids=tuple(sorted(p.scope_ids("facility"))))
    return InScope(cities=tuple(sorted(p.scope_ids("city"))))


async def case_in_scope(env: Env, case_id: str, *, lock: bool = False) -> Case:
    """A case the caller may see (its facility's, or its city's), or 404."""
    case = found(await env.repo.cases.get(case_id, for_update=lock), "case", case_id)
    require_record_scope(env.principal, case.facility_id, case.city)
    return case


async def load_application(env: Env, app_id: str, *, lock: bool = False) -> Application:
    app = found(await env.repo.applications.get(app_id, for_update=lock), "application", app_id)
    require_record_scope(env.principal, app.facility_id, app.city)
    return app


async def active_cases(env: Env, app_id: str) -> list[ApplicationCase]:
    """The cases an application still gathers (not withdrawn, GD-16.4), by case id."""
    return await env.repo.cases_of_application(app_id, active_only=True)


async def _start_step(env: Env, app_id: str, step: Step) -> ApplicationStep:
    """GD-20.2: a step's deadline in working days on the official calendar (SPEC 0.1)."""
    params = await load_params(env)
    due = env.calendar.add_working_days(env.now, step_working_days(step, params))
    started = ApplicationStep(
        application_id=app_id,
        step=step.value,
        started_at=env.now,
        due_at=due.at,
        calendar_provisional=due.calendar_provisional,
    )
    await env.repo.application_steps.add(started)
    await env.uow.schedule(
        deadline_kind(step), app_id, due, basis="working_days", payload={"application_id": app_id, "step": step.value}
    )
    await audit(
        env,
        "application.step_started",
        app_id,
        rule="GD-20.2",
        step=step.value,
        due_at=due.at,
        parameters_version=params.version_of("agency_review_working_days"),
    )
    return started


async def _decide_step(env: Env, app_id: str, step: Step, outcome: str, reason: str | None) -> bool:
    """Close a step with who/role/when/why; returns whether it was decided late."""
    started = found(await env.repo.application_steps.get((app_id, step.value), for_update=True), "step", step.value)
    late = env.now > started.due_at
    await env.repo.application_steps.update(
        (app_id, step.value),
        decided_at=env.now,
        outcome=outcome,
        reviewer_id=env.principal.subject,
        reviewer_role=env.principal.role.value,
        reason=reason,
        late=late,
    )
    await env.uow.close_deadline(deadline_kind(step), app_id)
    return late


async def _set_state(env: Env, app_id: str, state: AppState, **values: Any) -> None:
    await env.repo.applications.update(app_id, state=state.value, updated_at=env.now, **values)


# ---------------------------------------------------------------- submission (GD-20.1)


async def submit(env: Env, cmd: ApplicationCreate) -> tuple[int, Any]:
    """GD-20.1: the hospital gathers its individual applications (附件2) into a unit
    application (附件3) with the cost lists, to the city's handling agency."""
    env.principal.require_scope("facility", cmd.facility_id, "this hospital")
    if len(set(cmd.case_ids)) != len(cmd.case_ids):
        raise ValidationFailed("a case is listed twice", field="case_ids")
    cases: list[Case] = []
    for i, case_id in enumerate(sorted(cmd.case_ids)):  # sorted: a stable lock order
        case = await env.repo.cases.get(case_id, for_update=True)
        if case is None or case.facility_id != cmd.facility_id:
            raise ValidationFailed(f"no case {case_id} of {cmd.facility_id}", field=f"case_ids.{i}")
        if case.state != CaseState.CLAIMED:
            raise Conflict(
                f"case {case_id} is {case.state}: only cases with a filed individual application (附件2) "
                "can be gathered",
                rule="GD-20.1",
                field="case_ids",
            )
        cases.append(case)
    city = cases[0].city
    await require_fund(env, city)
    app_id = new_id("FA")
    flagged = []
    for case in cases:
        if case.blacklist_flag or await blacklisted(env, case.id_digest):
            flagged.append(case.id)  # GD-24: flagged for the agency's review
    claims = {c.id: (c.claim_medical or ZERO, c.claim_living or ZERO) for c in cases}
    requested = cents(sum((medical + living for medical, living in claims.values()), ZERO))
    await env.repo.applications.add(
        Application(
            id=app_id,
            city=city,
            facility_id=cmd.facility_id,
            state=AppState.SUBMITTED.value,
            requested_amount=requested,
            note=cmd.note,
            flagged=bool(flagged),
            submitted_at=env.now,
            submitted_by=env.principal.subject,
            updated_at=env.now,
        )
    )
    for case in cases:
        medical, living = claims[case.id]
        await env.repo.application_cases.add(
            ApplicationCase(
                application_id=app_id,
                case_id=case.id,
                medical_amount=medical,
                living_amount=living,
                claimed_amount=medical + living,
                blacklist_flag=case.id in flagged,
            )
        )
        await env.repo.cases.update(
            case.id,
            state=CaseState.IN_APPLICATION,
            application_id=app_id,
            blacklist_flag=case.id in flagged,
            updated_at=env.now,
        )
    step = await _start_step(env, app_id, Step.AGENCY)
    await env.uow.emit(
        FundApplicationSubmitted(
            application_id=app_id,
            facility_id=cmd.facility_id,
            city=city,
            case_ids=[c.id for c in cases],
            amount=requested,
            submitted_at=env.now,
            flagged_case_ids=flagged,
            review_due_at=step.due_at,
            calendar_provisional=step.calendar_provisional,
        )
    )
    await audit(env, "application.submit", app_id, rule="GD-20.1", cases=[c.id for c in cases], flagged=flagged)
    return 201, await application_view(env, app_id)


# ---------------------------------------------------------------- review (GD-20.2)


async def co_review(env: Env, app_id: str, cmd: CoReviewCmd) -> tuple[int, Any]:
    """GD-20.2: police, civil affairs and medical insurance may join the review with notes."""
    app = await load_application(env, app_id)
    if app.state not in OPEN_STATES:
        raise Conflict(f"the application is {app.state}; its review is over", rule="GD-20.2")
    if cmd.case_id and not await env.repo.application_cases.get((app_id, cmd.case_id)):
        raise ValidationFailed(f"case {cmd.case_id} is not in this application", field="case_id")
    note = CoReviewNote(
        id=new_id("CR"),
        application_id=app_id,
        case_id=cmd.case_id,
        role=env.principal.role.value,
        author=env.principal.subject,
        note=cmd.note,
        created_at=env.now,
    )
    await env.repo.co_review_notes.add(note)
    await audit(env, "application.co_review", app_id, reason=cmd.note, rule="GD-20.2")
    return 201, out(note, id_as="note_id")


async def _reject(env: Env, app: Application, step: Step, reason: str | None) -> bool:
    if not (reason or "").strip():
        raise ValidationFailed("a rejection states its reason", field="reason")
    late = await _decide_step(env, app.id, step, "rejected", reason)
    await _set_state(env, app.id, AppState.REJECTED)
    for ac in await active_cases(env, app.id):
        # the hospital may correct the case and file again
        await env.repo.cases.update(
            ac.case_id,
            state=CaseState.OPEN,
            application_id=None,
            claim_medical=None,
            claim_living=None,
            claimed_at=None,
            updated_at=env.now,
        )
    return late


async def agency_review(env: Env, app_id: str, cmd: AgencyReviewCmd) -> tuple[int, Any]:
    """GD-20.2: the city agency reviews within 10 working days; approved amounts may be lower
    than claimed (with the reason); blacklisted persons' cases need a review note (GD-24)."""
    app = await load_application(env, app_id, lock=True)
    require_step(app.state, Step.AGENCY)
    approved_total: Decimal | None = None
    if cmd.outcome == "rejected":
        late = await _reject(env, app, Step.AGENCY, cmd.reason)
    else:
        if app.flagged and not (cmd.flag_review_note or "").strip():
            raise RuleViolation(
                "the application holds a blacklisted person's case: the review needs a note on it",
                rule="GD-24",
                field="flag_review_note",
            )
        cases = {ac.case_id: ac for ac in await active_cases(env, app_id)}
        approvals = {c.case_id: c.approved_amount for c in cmd.cases or []}
        unknown = sorted(set(approvals) - set(cases))
        if unknown:
            raise ValidationFailed(f"not in this application: {', '.join(unknown)}", field="cases")
        payable = await _facts_final(env, sorted(cases))
        approved: dict[str, Decimal] = {}
        for case_id, ac in cases.items():
            amount: Decimal = approvals.get(case_id, ac.claimed_amount)
            approved[case_id] = amount
            most, rule = payable[case_id]
            if amount > most:
                raise RuleViolation(
                    f"case {case_id}: {amount} exceeds the {most} payable on the confirmed channels "
                    "and decided exclusions",
                    rule=rule,
                    field="cases",
                    extra={"case_id": case_id, "payable": str(most)},
                )
            if amount > ac.claimed_amount:
                raise RuleViolation(
                    f"case {case_id}: cannot approve {amount}, more than the claimed {ac.claimed_amount}",
                    rule="GD-20.2",
                    field="cases",
                )
            if amount < ac.claimed_amount and not (cmd.reason or "").strip():
                raise ValidationFailed("approving less than claimed states the reason", field="reason")
            await env.repo.application_cases.update((app_id, case_id), approved_amount=amount)
        approved_total = cents(sum(approved.values(), ZERO))
        if approved_total <= 0:
            raise ValidationFailed("nothing approved: reject the application instead", field="cases")
        late = await _decide_step(env, app_id, Step.AGENCY, "approved", cmd.reason or cmd.flag_review_note)
        await _set_state(env, app_id, AppState.AGENCY_APPROVED, approved_amount=approved_total)
        await _start_step(env, app_id, Step.HEALTH)
    await _reviewed(env, app_id, Step.AGENCY, cmd.outcome, approved_total, cmd.reason, late)
    if cmd.flag_review_note:
        await audit(env, "application.flag_review", app_id, reason=cmd.flag_review_note, rule="GD-24")
    return 200, await application_view(env, app_id)


async def _facts_final(env: Env, case_ids: list[str]) -> dict[str, tuple[Decimal, str]]:
    """SPEC 0.5, GD-18.1, GD-14: the agency approves on facts confirmed by the parties
    responsible — every channel confirmed by its department (or waived by the agency with a
    reason), every exclusion proposal decided. Returns what each case may still be paid on
    those facts (the claim, capped again by the confirmed channels and decided exclusions)
    and the rule that capped it."""
    open_facts: list[Unresolved] = []
    payable: dict[str, tuple[Decimal, str]] = {}
    for case_id in case_ids:
        case = found(await env.repo.cases.get(case_id), "case", case_id)
        channels = await env.repo.channel_payments_for_review(case_id)
        facts = unconfirmed(ChannelRecord(c.channel, c.status) for c in channels) + await undecided(env, case_id)
        open_facts += [replace(u, detail=f"case {case_id}: {u.detail}") for u in facts]
        a, _, _ = await evaluate(env, case)
        claim_medical, claim_living = case.claim_medical or ZERO, case.claim_living or ZERO
        most = cents(min(claim_medical, a.medical_max) + min(claim_living, a.living_max))
        claimed_channels = sum((c.claimed_amount or ZERO for c in channels), ZERO)
        # what lowered the payable amount: a department confirmed more than the hospital said
        # (GD-18.1), else the agency decided an exclusion (GD-14)
        payable[case_id] = (most, "GD-18.1" if a.channels_paid > claimed_channels else "GD-14")
    if open_facts:
        first = open_facts[0]
        raise RuleViolation(
            first.detail,
            rule=first.rule,
            field="cases",
            extra={"unresolved": [asdict(u) for u in open_facts]},
        )
    return payable


async def health_review(env: Env, app_id: str, cmd: ReviewCmd) -> tuple[int, Any]:
    """GD-20.2: the health department applies to finance within 5 working days."""
    app = await load_application(env, app_id, lock=True)
    require_step(app.state, Step.HEALTH)
    if cmd.outcome == "rejected":
        late = await _reject(env, app, Step.HEALTH, cmd.reason)
    else:
        late = await _decide_step(env, app_id, Step.HEALTH, "approved", cmd.reason)
        await _set_state(env, app_id, AppState.FORWARDED_TO_FINANCE)
        await _start_step(env, app_id, Step.FINANCE)
    await _reviewed(env, app_id, Step.HEALTH, cmd.outcome, app.approved_amount, cmd.reason, late)
    return 200, await application_view(env, app_id)


async def finance_reject(env: Env, app_id: str, cmd: FinanceRejectCmd) -> tuple[int, Any]:
    """GD-20.2: finance refuses to disburse, with the reason."""
    app = await load_application(env, app_id, lock=True)
    require_step(app.state, Step.FINANCE)
    late = await _reject(env, app, Step.FINANCE, cmd.reason)
    await _reviewed(env, app_id, Step.FINANCE, "rejected", None, cmd.reason, late)
    return 200, await application_view(env, app_id)


async def _reviewed(
    env: Env, app_id: str, step: Step, outcome: str, approved: Decimal | None, reason: str | None, late: bool
) -> None:
    app = await env.repo.applications.get(app_id)
    await env.uow.emit(
        FundApplicationReviewed(
            application_id=app_id,
            city=app.city if app else None,
            step=step.value,
            outcome=outcome,
            approved_amount=approved,
            reviewer_id=env.principal.subject,
            reason=reason,
            late=late,
            reviewed_at=env.now,
        )
    )
    await audit(env, f"application.review.{step.value}", app_id, reason=reason, outcome=outcome, late=late)


NOTICE_END = "fund.notice.end"


async def on_notice_ended(env: Env, row: Any) -> None:
    """GD-21: a notice ran its term (nothing to announce: disbursement checks the term)."""


async def on_notice_end_moved(env: Env, row: Any, moved: Any) -> None:
    """SPEC 0.1 / GD-21: a loaded calendar notice moved a public notice's last day — the
    term is the real one; money paid before the real end is flagged to finance."""
    notice = await env.repo.notices.get(row["subject"])
    if notice is None:
        return
    await env.repo.notices.update(notice.id, ends_at=moved.due_at, calendar_provisional=moved.calendar_provisional)
    await audit(
        env,
        "notice.term_moved",
        notice.application_id,
        rule="GD-21",
        reason="the year's calendar notice was loaded",
        previous_ends_at=moved.previous_due_at,
        ends_at=moved.due_at,
    )
    app = await env.repo.applications.get(notice.application_id)
    if app is not None and app.state in ("disbursed", "written_off") and moved.due_at > moved.previous_due_at:
        await env.repo.applications.update(app.id, notice_flag="disbursed_before_real_notice_end")
        await audit(
            env,
            "application.flag",
            app.id,
            rule="GD-21",
            reason="disbursed before the public notice's real end (calendar corrected): finance to review",
        )


async def on_step_moved(env: Env, row: Any, moved: Any) -> None:
    """SPEC 0.1 / GD-20.2: a step's due instant follows the loaded calendar notice; a step
    flagged overdue too early is no longer overdue."""
    app_id, step = row["payload"]["application_id"], row["payload"]["step"]
    values: dict[str, Any] = {"due_at": moved.due_at, "calendar_provisional": moved.calendar_provisional}
    if moved.reopened:
        values["overdue"] = False
    await env.repo.application_steps.update((app_id, step), **values)


async def on_step_overdue(env: Env, row: Any) -> None:
    """GD-20.2: a step not decided in time is flagged and announced (FundStepOverdue)."""
    app_id, step = row["payload"]["application_id"], row["payload"]["step"]
    await env.repo.application_steps.update((app_id, step), overdue=True)
    app = await env.repo.applications.get(app_id)
    await env.uow.emit(
        FundStepOverdue(
            application_id=app_id,
            city=app.city if app else None,
            step=step,
            due_at=row["due_at"],
            calendar_provisional=bool(row["calendar_provisional"]),
        )
    )


# ---------------------------------------------------------------- public notice (GD-21)


async def publish_notice(env: Env, app_id: str) -> tuple[int, Any]:
    """GD-21: the hospital and the agency each publish the recipients and amounts, masked,
    for at least 3 working days."""
    app = await load_application(env, app_id, lock=True)
    publisher = Publisher.HOSPITAL if is_hospital(env.principal) else Publisher.AGENCY
    require_notice_allowed(app.state, publisher)
    entries = []
    total = ZERO
    for ac in await active_cases(env, app_id):
        amount = ac.claimed_amount if publisher is Publisher.HOSPITAL else ac.approved_amount
        if not amount:
            continue
        case = found(await env.repo.cases.get(ac.case_id), "case", ac.case_id)
        entries.append(
            {
                "recipient": case.name_masked or mask_unidentified(case.id),
                "id_number_masked": case.id_masked,
                "admitted_on": to_local(case.admitted_at).date().isoformat(),
                "amount": str(amount),
            }
        )
        total += amount
    params = await load_params(env)
    due = env.calendar.add_working_days(env.now, params.notice_working_days)
    notice_id = new_id("PN")
    notice = Notice(
        id=notice_id,
        application_id=app_id,
        city=app.city,
        facility_id=app.facility_id,
        publisher=publisher.value,
        starts_at=env.now,
        ends_at=due.at,
        working_days=params.notice_working_days,
        calendar_provisional=due.calendar_provisional,
        entries=entries,
        total=cents(total),
        published_by=env.principal.subject,
    )
    # one notice per publisher: the application row is locked, and the table's unique
    # (application, publisher) forbids a second
    published = {n.publisher for n in await env.repo.notices_of(app_id)}
    if publisher.value in published or not await env.repo.notices.add_new(notice):
        raise Conflict(f"the {publisher.value} has already published this application's notice", rule="GD-21")
    # SPEC 0.1: the term's end as a deadline, so a calendar notice loaded later moves it.
    await env.uow.schedule(NOTICE_END, notice_id, due, basis="working_days", payload={"application_id": app_id})
    await env.uow.emit(
        PublicNoticePublished(
            notice_id=notice_id,
            city=app.city,
            application_id=app_id,
            publisher=publisher.value,
            starts_at=env.now,
            ends_at=due.at,
        )
    )
    await audit(
        env,
        "notice.publish",
        app_id,
        rule="GD-21",
        publisher=publisher.value,
        ends_at=due.at,
        parameters_version=params.version_of("notice_working_days"),
    )
    return 201, notice_out(asdict(notice))


# ---------------------------------------------------------------- disbursement and write-off


async def disburse(env: Env, app_id: str) -> tuple[int, Any]:
    """Finance disburses an approved application: GD-21 no money before both notices ran
    their full term; never twice (the row lock, the unique disbursement per application and
    the unique ledger reference each forbid it); a ledger entry (GD-3), set against the
    hospital's pre-allocated money first (GD-7)."""
    app = await load_application(env, app_id, lock=True)
    if app.state in (AppState.DISBURSED.value, AppState.WRITTEN_OFF.value):
        raise Conflict(f"application {app_id} is already disbursed", rule="GD-21")
    require_step(app.state, Step.FINANCE)
    notices = await env.repo.notices_of(app_id)
    require_notices_complete([NoticeTerm(n.publisher, n.starts_at, n.ends_at) for n in notices], env.now)
    approved = {ac.case_id: ac.approved_amount for ac in await active_cases(env, app_id) if ac.approved_amount}
    amount = cents(sum(approved.values(), ZERO))
    if amount <= 0:
        raise Conflict("nothing left to disburse in this application", rule="GD-21")
    city, facility_id = app.city, app.facility_id
    await require_fund(env, city, lock=True)
    split = ledger.disburse(
        facility_id,
        amount,
        to_local(env.now).year,
        await balance(env, city, preallocated_account(facility_id)),
        await balance(env, city, FUND_CASH),
        app_id,
    )
    txn_id = await post(env, city, split.transaction)
    disbursement_id = new_id("FD")
    paid = Disbursement(
        id=disbursement_id,
        application_id=app_id,
        city=city,
        facility_id=facility_id,
        amount=amount,
        from_preallocation=split.from_preallocation,
        from_fund_cash=split.from_fund_cash,
        txn_id=txn_id,
        disbursed_at=env.now,
        disbursed_by=env.principal.subject,
    )
    await env.repo.disbursements.add(paid)
    for case_id, case_amount in approved.items():
        await env.repo.cases.update(case_id, state=CaseState.PAID, paid_amount=case_amount, updated_at=env.now)
        await announce_closed(env, case_id, "disbursed")
    late = await _decide_step(env, app_id, Step.FINANCE, "disbursed", None)
    await _set_state(env, app_id, AppState.DISBURSED)
    await env.uow.emit(
        FundDisbursed(
            disbursement_id=disbursement_id,
            application_id=app_id,
            facility_id=facility_id,
            amount=amount,
            disbursed_at=env.now,
            city=city,
            case_ids=list(approved),
            from_preallocation=split.from_preallocation,
            from_fund_cash=split.from_fund_cash,
            late=late,
        )
    )
    await audit(
        env,
        "application.disburse",
        app_id,
        rule="GD-21",
        amount=amount,
        from_preallocation=split.from_preallocation,
        txn=txn_id,
        late=late,
    )
    return 201, out(paid, id_as="disbursement_id")


async def write_off(env: Env, app_id: str, cmd: WriteOffCmd) -> tuple[int, Any]:
    """GD-21: the disbursement is written off (核销) against the hospital's vouchers."""
    app = await load_application(env, app_id, lock=True)
    if app.state != AppState.DISBURSED.value:
        raise Conflict(f"the application is {app.state}; only a disbursed application is written off", rule="GD-21")
    d = found(await env.repo.disbursement_of(app_id, for_update=True), "disbursement of", app_id)
    await require_fund(env, app.city, lock=True)
    txn_id = await post(env, app.city, ledger.write_off(app.facility_id, d.amount, to_local(env.now).year, app_id))
    await env.repo.disbursements.update(
        d.id,
        written_off_at=env.now,
        written_off_by=env.principal.subject,
        write_off_vouchers=list(cmd.vouchers),
        write_off_txn_id=txn_id,
    )
    await _set_state(env, app_id, AppState.WRITTEN_OFF)
    await env.uow.emit(
        FundWrittenOff(
            application_id=app_id,
            city=app.city,
            disbursement_id=d.id,
            facility_id=app.facility_id,
            amount=d.amount,
            written_off_at=env.now,
        )
    )
    await audit(env, "application.write_off", app_id, reason=cmd.note or None, rule="GD-21", vouchers=cmd.vouchers)
    return 200, await application_view(env, app_id)


async def withdraw_case(env: Env, case: Case, reason: str) -> None:
    """GD-16.4: a patient identified before the money was paid leaves the pending application
    (the application is withdrawn when no case is left)."""
    app_id = case.application_id
    app = found(await env.repo.applications.get(app_id, for_update=True), "application", app_id) if app_id else None
    if app is None or app.state not in OPEN_STATES:
        return
    app_id = app.id
    await env.repo.application_cases.update(
        (app_id, case.id),
        withdrawn_reason=reason,
        approved_amount=ZERO if app.approved_amount is not None else None,
    )
    remaining = await active_cases(env, app_id)
    requested = cents(sum((ac.claimed_amount for ac in remaining), ZERO))
    approved = (
        cents(sum((ac.approved_amount or ZERO for ac in remaining), ZERO)) if app.approved_amount is not None else None
    )
    if remaining:
        await env.repo.applications.update(
            app_id, requested_amount=requested, approved_amount=approved, updated_at=env.now
        )
    else:
        for step in Step:
            await env.uow.close_deadline(deadline_kind(step), app_id, state="cancelled")
        await _set_state(env, app_id, AppState.WITHDRAWN)
    await audit(env, "application.case_withdrawn", app_id, reason=reason, rule="GD-16.4", case=case.id)


# ---------------------------------------------------------------- reads


async def application_view(env: Env, app_id: str) -> dict[str, Any]:
    app = found(await env.repo.applications.get(app_id), "application", app_id)
    cases = await env.repo.cases_of_application(app_id)
    steps = await env.repo.steps_of(app_id)
    notes = await env.repo.co_review_notes_of(app_id)
    notices = await env.repo.notices_of(app_id)
    d = await env.repo.disbursement_of(app_id)
    items = await env.repo.cost_lists_of([c.case_id for c in cases])
    return {
        **out(app, id_as="application_id"),
        "cases": [_with_cost_list(c, [i for i in items if i.case_id == c.case_id]) for c in cases],
        "steps": [out(s) for s in steps],
        "co_review_notes": [out(n, id_as="note_id") for n in notes],
        "notices": [notice_out(asdict(n)) for n in notices],
        "disbursement": out(d, id_as="disbursement_id") if d else None,
    }


def _with_cost_list(link: ApplicationCase, items: list[CostItem]) -> dict[str, Any]:
    """GD-20.1: the unit application carries each case's cost list; GD-23: the share of
    catalogue items shows whether the hospital preferred catalogue drugs and consumables."""
    billed = cents(sum((i.amount for i in items), ZERO))
    in_catalogue = cents(sum((i.amount for i in items if i.in_catalogue), ZERO))
    return {
        **out(link),
        "billed": str(billed),
        "in_catalogue": str(in_catalogue),
        "cost_list": [out(i, id_as="cost_item_id", drop=["case_id", "recorded_by"]) for i in items],
    }


async def get_application(env: Env, app_id: str) -> dict[str, Any]:
    await load_application(env, app_id)
    return await application_view(env, app_id)


async def list_applications(env: Env, state: str | None, page: PageRequest) -> list[dict[str, Any]]:
    apps = await env.repo.application_page(scope_of(env.principal), state or None, page)
    # GD-20.2: the step the application waits for, with its due instant, so a work list
    # orders by due date without reading every application.
    undecided = await env.repo.undecided_steps_of([a.id for a in apps])
    steps = {(s.application_id, s.step): out(s) for s in undecided}
    waits_for = {state.value: step.value for step, state in STEP_STATE.items()}
    return [
        {**out(a, id_as="application_id"), "open_step": steps.get((a.id, waits_for.get(a.state, "")))} for a in apps
    ]
