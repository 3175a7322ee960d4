"""LJ-7 use cases: propose an out-of-catalogue item, sign its informed-consent form, the
initial review, the civil-affairs filing and review, and the decision with its trail."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from consent.domain import catalogue, signing
from consent.domain.access import list_scope
from consent.domain.catalogue import require_out_of_catalogue
from consent.domain.model import Admission, local_date
from consent.domain.parameters import (
    EMERGENCY_SELF_PAY,
    MAJOR_TREATMENT,
    SELF_PAY_REVIEW,
    SELF_PAY_STEPS,
    CumulativeScope,
    EmergencySelfPay,
    SelfPayReview,
    SelfPaySteps,
)
from consent.domain.records import ItemReview, SelfPayItem
from consent.domain.selfpay import (
    DECIDED,
    Outcome,
    Participant,
    Status,
    after_initial,
    check_town_filer,
    estimate,
    initial_participants,
    initial_reviewer,
    initial_status,
    require_open,
    triage,
)
from consent.domain.treatment import Classified, Decision, Kind, MajorCategory, TreatmentStatus, consent_decision
from consent.service import events, rank4
from consent.service.common import decrypt, encrypt, load_admission, load_person, new_id, parameters_for, today
from consent.service.consents import consent_view, store_consent
from consent.service.ports import Ctx
from consent.service.treatments import insert_treatment, require_view
from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.contracts.referral import EmergencyExemptionWithdrawn
from medaid_shared.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from medaid_shared.minimisation import DIAGNOSIS_ANSWERS
from medaid_shared.pagination import PageRequest


class ItemCategory(StrEnum):
    """LJ-7.0: drugs, consumables or tests outside the insurance catalogue."""

    DRUG = "drug"
    CONSUMABLE = "consumable"
    TEST = "test"


class ReviewOutcome(StrEnum):
    """LJ-7.2 / LJ-7.3: a review step approves or rejects the item — the same two words as
    every other review in the system (docs/VOCABULARY.md)."""

    APPROVED = "approved"
    REJECTED = "rejected"

    @classmethod
    def _missing_(cls, value: object) -> ReviewOutcome | None:
        # The former word: a client written before the vocabulary was unified, and review
        # rows stored before it, still mean a rejection.
        return cls.REJECTED if value == "objected" else None


def _aad(item_id: str) -> str:
    return f"self_pay_item:{item_id}"


async def propose(
    ctx: Ctx,
    principal: Principal,
    admission_id: str,
    *,
    item_code: str,
    item_name: str,
    category: ItemCategory,
    unit_price: Decimal,
    quantity: int,
    necessity: str,
    attending_doctor: str,
    emergency: bool,
) -> dict[str, Any]:
    """LJ-7.0 / LJ-7.1: the hospital proposes an item with unit cost, quantity and necessity."""
    adm = await load_admission(ctx, admission_id)
    principal.require_scope("facility", adm.facility_id, "this admission's facility")
    amount = estimate(unit_price, quantity)
    # Lock the person: concurrent proposals see each other's amounts in the cumulative sum.
    person = await load_person(ctx, adm.person_id, lock=True)
    # SPEC 0.5 / LJ-7.0: only an item the catalogue lists as out of catalogue is self-pay.
    facility = await ctx.repo.facility(adm.facility_id)
    day = today()
    entries = await ctx.repo.catalogue_entries(item_code)
    require_out_of_catalogue(catalogue.in_force(entries, facility.region if facility else None, day), item_code, day)
    emergency_version = await _require_emergency_period(ctx, adm) if emergency else None
    applied = await parameters_for(ctx, SELF_PAY_REVIEW, adm.facility_id)
    params: SelfPayReview = applied.values
    now = clock.now()
    year = local_date(now).year
    # LJ-7.3 (interpretation): cumulative over the admission, or the person's calendar year;
    # the items below the review threshold count unless the version says otherwise.
    reviewed_only = not params.below_threshold_counts
    if params.cumulative_scope == CumulativeScope.ADMISSION:
        before = await ctx.repo.cumulative_for_admission(admission_id, reviewed_only=reviewed_only)
    else:
        before = await ctx.repo.cumulative_for_year(person.person_id, year, reviewed_only=reviewed_only)
    # LJ-7.0 (interpretation): the same item's proposals within the window are one single cost.
    same_item = Decimal("0.00")
    if params.same_item_window_hours:
        since = now - timedelta(hours=params.same_item_window_hours)
        same_item = await ctx.repo.same_item_since(admission_id, item_code, since)
    t = triage(amount, before, params, same_item_before=same_item)
    status = initial_status(t, emergency)
    item_id = new_id("spi")
    major = None if emergency else await parameters_for(ctx, MAJOR_TREATMENT, adm.facility_id)
    # LJ-11.2: a high self-pay item is a major treatment: its evaluation comes first.
    high = major is not None and t.single_cost >= major.values.high_self_pay_threshold
    rules, reasons = list(t.rules), list(t.reasons)
    if high and major is not None:
        rules.append("LJ-11.2")
        reasons.append(
            f"single cost {t.single_cost} ≥ {major.values.high_self_pay_threshold}: a high self-pay item, "
            "the major-treatment evaluation first"
        )
    row = SelfPayItem(
        item_id=item_id,
        admission_id=admission_id,
        person_id=person.person_id,
        facility_id=adm.facility_id,
        item_code=item_code,
        item_name=item_name,
        category=category.value,
        unit_price=unit_price,
        quantity=quantity,
        amount=amount,
        necessity=encrypt(ctx, necessity, _aad(item_id)),
        attending_doctor=attending_doctor,
        emergency=emergency,
        needs_review=t.needs_review,
        needs_civil_affairs=t.needs_civil_affairs,
        cumulative_scope=params.cumulative_scope.value,
        cumulative_before=t.cumulative_before,
        cumulative_after=t.cumulative_after,
        local_year=year,
        parameters_version=applied.version_id,
        triage={
            "rules": rules,
            "reasons": reasons,
            "single_cost": f"{t.single_cost:.2f}",
            **({"emergency_parameters_version": emergency_version} if emergency_version else {}),
        },
        status=status.value,
        outcome=None,
        proposed_by=principal.subject,
        proposed_at=now,
        decided_at=None,
    )
    await ctx.repo.add_item(row)
    await ctx.uow.emit(events.self_pay_proposed(row))
    await ctx.uow.audit(
        principal,
        "self_pay.propose",
        item_id,
        reason="; ".join(t.reasons),
        details={"admission_id": admission_id, "amount": str(amount), "parameters_version": applied.version_id},
    )
    if high and major is not None:
        await insert_treatment(
            ctx,
            principal,
            adm,
            Classified(Kind.MAJOR, MajorCategory.HIGH_SELF_PAY_ITEM, reasons[-1]),
            labelled=None,
            procedure_code=None,
            description=f"{item_code} {item_name}",
            attending_doctor=attending_doctor,
            emergency_reason=None,
            parameters_version=major.version_id,
            item_id=item_id,
        )
    if status == Status.EMERGENCY:
        row = await _decide(ctx, principal, row, Outcome.EMERGENCY, ["LJ-11.3", "LJ-7.4"], "emergency rescue item")
    elif status == Status.RECORDED_BELOW_THRESHOLD:
        row = await _decide(ctx, principal, row, Outcome.BELOW_THRESHOLD, ["LJ-7.0"], t.reasons[0])
    return await _view(ctx, row, principal)


async def _require_emergency_period(ctx: Ctx, adm: Admission) -> str:
    """LJ-11.3 / LJ-7.4: an item is decided "emergency" only for an emergency admission (or
    one with a recorded rescue) whose exemptions referral has not withdrawn, and only within
    the versioned emergency period from the admission (or the first rescue). Returns the id
    of the version applied; otherwise 422 naming ``emergency``."""
    start = None
    if adm.emergency_withdrawn_at is None:
        if adm.emergency:
            start = adm.admitted_at
        else:
            rescues = await ctx.repo.treatments(adm.admission_id, kind=Kind.EMERGENCY.value)
            start = rescues[0].recorded_at if rescues else None
    if start is None:
        raise RuleViolation(
            "an emergency item needs an emergency admission or a recorded emergency rescue"
            + (" — referral withdrew this admission's emergency exemptions" if adm.emergency_withdrawn_at else ""),
            rule="LJ-11.3",
            field="emergency",
        )
    applied = await parameters_for(ctx, EMERGENCY_SELF_PAY, adm.facility_id)
    params: EmergencySelfPay = applied.values
    end = start + timedelta(hours=params.emergency_period_hours)
    if clock.now() > end:
        raise RuleViolation(
            f"the emergency period ({params.emergency_period_hours} h from {start.isoformat()}) ended at "
            f"{end.isoformat()}: the item goes through the informed-consent form and the double review",
            rule="LJ-11.3",
            field="emergency",
            extra={"parameters_version": applied.version_id, "emergency_period_end": end.isoformat()},
        )
    return applied.version_id


async def emergency_withdrawn(ctx: Ctx, event: EmergencyExemptionWithdrawn) -> None:
    """SPEC 0.5 / LJ-11.3 / LJ-7.4: referral withdrew an emergency's exemptions (no basis in
    the window, or a contest upheld): no more "emergency" items for the admission, and every
    item decided "emergency" is reopened — back to the informed-consent form and the double
    review, or decided again below the review threshold (SelfPayReopened)."""
    adm = await ctx.repo.admission(event.admission_id)
    if adm is None:
        return  # AdmissionFiled comes first on the same key; nothing of ours to reopen
    if adm.emergency_withdrawn_at is None:
        await ctx.repo.withdraw_emergency(event.admission_id, event.withdrawn_at, event.reason)
    for item in await ctx.repo.items(event.admission_id, status=Status.EMERGENCY.value):
        await _reopen(ctx, item, event.reason)


async def _reopen(ctx: Ctx, row: SelfPayItem, reason: str) -> None:
    status = Status.AWAITING_CONSENT_FORM if row.needs_review else Status.RECORDED_BELOW_THRESHOLD
    now = clock.now()
    rules = ["LJ-11.3", "LJ-7.4", "LJ-7.1" if row.needs_review else "LJ-7.0"]
    await ctx.repo.update_item(row.item_id, status=status.value, outcome=None, decided_at=None)
    await ctx.uow.emit(
        events.self_pay_reopened(
            row,
            previous_outcome=Outcome.EMERGENCY.value,
            status=status.value,
            reason=reason,
            reopened_at=now,
            rules=rules,
        )
    )
    why = f"referral withdrew the emergency exemptions ({reason}): the emergency outcome no longer holds"
    await ctx.uow.audit(None, "self_pay.reopen", row.item_id, reason=why, details={"status": status.value})
    if status == Status.AWAITING_CONSENT_FORM:
        await _high_self_pay_evaluation(ctx, row)
    if status == Status.RECORDED_BELOW_THRESHOLD:
        below = replace(row, status=status.value, outcome=None, decided_at=None)
        await _decide(ctx, None, below, Outcome.BELOW_THRESHOLD, ["LJ-7.0", "LJ-11.3"], why)


async def _high_self_pay_evaluation(ctx: Ctx, row: SelfPayItem) -> None:
    """LJ-11.2: a reopened item is judged as it would have been without the emergency — a high
    self-pay item needs its major-treatment evaluation before the form is signed."""
    adm = await load_admission(ctx, row.admission_id)
    major = await parameters_for(ctx, MAJOR_TREATMENT, adm.facility_id)
    single = Decimal(str(row.triage.get("single_cost", row.amount)))
    threshold = major.values.high_self_pay_threshold
    if single < threshold or await ctx.repo.treatments_for_item(row.item_id):
        return
    await insert_treatment(
        ctx,
        None,
        adm,
        Classified(
            Kind.MAJOR,
            MajorCategory.HIGH_SELF_PAY_ITEM,
            f"single cost {single} ≥ {threshold}: a high self-pay item, the major-treatment evaluation first",
        ),
        labelled=None,
        procedure_code=None,
        description=f"{row.item_code} {row.item_name}",
        attending_doctor=row.attending_doctor,
        emergency_reason=None,
        parameters_version=major.version_id,
        item_id=row.item_id,
        recorded_by=row.proposed_by,
    )


# LJ-7.2 / LJ-7.3: the deadline of each review step an item may await, by the status that
# awaits it, and how many working days of the version in force it gives.
STEP_DUE = {
    Status.AWAITING_INITIAL_REVIEW: "consent.self_pay.initial_review",
    Status.AWAITING_CIVIL_AFFAIRS_FILING: "consent.self_pay.civil_affairs_filing",
    Status.AWAITING_CIVIL_AFFAIRS_REVIEW: "consent.self_pay.civil_affairs_review",
}
_STEP_DAYS = {
    Status.AWAITING_INITIAL_REVIEW: lambda p: p.initial_review_working_days,
    Status.AWAITING_CIVIL_AFFAIRS_FILING: lambda p: p.civil_affairs_filing_working_days,
    Status.AWAITING_CIVIL_AFFAIRS_REVIEW: lambda p: p.civil_affairs_review_working_days,
}
_NO_STEP = {"step_due_at": None, "step_calendar_provisional": None, "step_overdue_at": None}


async def _load_item(ctx: Ctx, item_id: str) -> SelfPayItem:
    # The scheduler's lock order (deadline, then item): a decision at the instant its step
    # falls due waits for the scheduler instead of deadlocking with it.
    for kind in STEP_DUE.values():
        await ctx.uow.lock_deadline(kind, item_id)
    row = await ctx.repo.get_item(item_id, lock=True)
    if row is None:
        raise NotFound(f"unknown self-pay item {item_id}")
    return row


async def _leave_step(ctx: Ctx, row: SelfPayItem) -> dict[str, Any]:
    """The item leaves the review step it awaited (if any): that step's deadline is met."""
    kind = STEP_DUE.get(Status(row.status))
    if kind is None:
        return {}
    await ctx.uow.close_deadline(kind, row.item_id)
    return dict(_NO_STEP)


async def _start_step(ctx: Ctx, row: SelfPayItem, status: Status) -> dict[str, Any]:
    """LJ-7.2 / LJ-7.3: the item now awaits ``status``'s office, due in the working days
    (official calendar, SPEC 0.1) the version in force gives; a deadline flags it overdue."""
    kind = STEP_DUE.get(status)
    if kind is None:
        return {}
    applied = await parameters_for(ctx, SELF_PAY_STEPS, row.facility_id)
    params: SelfPaySteps = applied.values
    due = ctx.calendar.add_working_days(clock.now(), _STEP_DAYS[status](params))
    await ctx.uow.schedule(kind, row.item_id, due.after(1), basis="working_days", payload={"item_id": row.item_id})
    return {
        "step_due_at": due.at,
        "step_calendar_provisional": due.calendar_provisional,
        "step_overdue_at": None,
        "step_parameters_version": applied.version_id,
    }


async def _set_status(ctx: Ctx, row: SelfPayItem, status: Status) -> SelfPayItem:
    if Status(row.status) == status:
        return row  # still the same step (a second participant of the initial review to come)
    values = {"status": status.value, **await _leave_step(ctx, row), **await _start_step(ctx, row, status)}
    await ctx.repo.update_item(row.item_id, **values)
    return replace(row, **values)


async def on_step_due(ctx: Ctx, row: Any) -> None:
    """LJ-7.2 / LJ-7.3: the office whose step the item awaits let its time pass: flag it."""
    item_id = row["payload"]["item_id"]
    item = await ctx.repo.get_item(item_id, lock=True)
    if item is None or STEP_DUE.get(Status(item.status)) != row["kind"] or item.step_overdue_at is not None:
        return
    await ctx.repo.update_item(item_id, step_overdue_at=clock.now())
    await ctx.uow.audit(
        None,
        "self_pay.step_overdue",
        item_id,
        reason=f"LJ-7.2 / LJ-7.3: {item.status} not done by its due instant",
        details={"due_at": item.step_due_at.isoformat() if item.step_due_at else None},
    )


async def on_step_due_moved(ctx: Ctx, row: Any, moved: Any) -> None:
    """SPEC 0.1: a loaded calendar notice moved the step's deadline; a flag raised before the
    corrected instant is withdrawn (the deadline fires again then)."""
    item_id = row["payload"]["item_id"]
    item = await ctx.repo.get_item(item_id, lock=True)
    if item is None or STEP_DUE.get(Status(item.status)) != row["kind"]:
        return
    values: dict[str, Any] = {
        "step_due_at": moved.due_at - timedelta(seconds=1),  # it fires the instant after
        "step_calendar_provisional": moved.calendar_provisional,
    }
    if moved.reopened:
        values["step_overdue_at"] = None
    await ctx.repo.update_item(item_id, **values)


async def _decide(
    ctx: Ctx, principal: Principal | None, row: SelfPayItem, outcome: Outcome, rules: list[str], reason: str
) -> SelfPayItem:
    """The final outcome, which settlement applies (LJ-7.4, LJ-14.1), with the whole trail."""
    status = {
        Outcome.APPROVED: Status.APPROVED,
        Outcome.REJECTED: Status.REJECTED,
        Outcome.EMERGENCY: Status.EMERGENCY,
        Outcome.BELOW_THRESHOLD: Status.RECORDED_BELOW_THRESHOLD,
    }[outcome]
    now = clock.now()
    values = {**await _leave_step(ctx, row), "status": status.value, "outcome": outcome.value, "decided_at": now}
    await ctx.repo.update_item(row.item_id, **values)
    row = replace(row, **values)
    trail = await _trail(ctx, row)
    await ctx.uow.emit(events.self_pay_decided(row, rules=rules, trail=trail))
    await ctx.uow.audit(
        principal,
        "self_pay.decide",
        row.item_id,
        reason=reason,
        details={"outcome": outcome.value, "rules": rules, "amount": str(row.amount)},
    )
    return row


async def sign_form(
    ctx: Ctx,
    principal: Principal,
    item_id: str,
    *,
    major_public_interest_reason: str | None,
    signature_ref: str | None,
) -> dict[str, Any]:
    """LJ-7.1: the eligible patient-side signer (LJ-10) signs the informed-consent form."""
    row = await _load_item(ctx, item_id)
    person = await load_person(ctx, row.person_id)
    signer = signing.check_signer(
        person,
        principal,
        today(),
        major_public_interest_reason=major_public_interest_reason,
        public_interest_confirmation_id=await rank4.public_interest_confirmation(
            ctx, item_id, major_public_interest_reason
        ),
    )
    require_open(Status(row.status), Status.AWAITING_CONSENT_FORM, "signing the informed-consent form")
    # LJ-11.2: a high self-pay item waits for its major-treatment evaluation to proceed.
    linked = await ctx.repo.treatments_for_item(item_id)
    for treatment in linked:
        consent_decision(Kind.MAJOR, TreatmentStatus(treatment.status))
    await rank4.require_no_standing_signature(ctx, item_id=item_id)
    consent = await store_consent(
        ctx,
        principal,
        person_id=row.person_id,
        admission_id=row.admission_id,
        decision=Decision.SELF_PAY_FORM,
        signer=signer,
        item_id=item_id,
        signature_ref=signature_ref,
    )
    if not signer.public_interest_pending:  # LJ-10: the review waits for civil affairs' confirmation
        await form_signed(ctx, item_id)
    return consent


async def form_signed(ctx: Ctx, item_id: str) -> None:
    """LJ-7.1: the signed form counts — the item goes to its initial review (LJ-7.2) and a
    linked major treatment is consented."""
    row = await _load_item(ctx, item_id)
    if Status(row.status) != Status.AWAITING_CONSENT_FORM:
        return
    await _set_status(ctx, row, Status.AWAITING_INITIAL_REVIEW)
    for treatment in await ctx.repo.treatments_for_item(item_id):
        await ctx.repo.update_treatment(
            treatment.treatment_id, status=TreatmentStatus.CONSENTED.value, updated_at=clock.now()
        )


async def reject_after_evaluation(ctx: Ctx, principal: Principal, item_id: str, treatment_id: str) -> None:
    """LJ-11.2 / LJ-7.4: a high self-pay item whose evaluation concluded not to proceed is
    rejected (settlement then never pays it from support or aid funds)."""
    row = await _load_item(ctx, item_id)
    if Status(row.status) in DECIDED:
        return
    await _decide(
        ctx,
        principal,
        row,
        Outcome.REJECTED,
        ["LJ-11.2", "LJ-7.4"],
        f"the major-treatment evaluation of treatment {treatment_id} concluded not to proceed",
    )


def _check_reason(outcome: ReviewOutcome, reason: str | None) -> str | None:
    reason = reason.strip() if reason else None
    if outcome == ReviewOutcome.REJECTED and not reason:
        raise ValidationFailed("an objection states its reason", field="reason")
    return reason


def reviewer_name_aad(review_id: str) -> str:
    return f"consent:{review_id}:reviewer_name"


async def _add_review(
    ctx: Ctx,
    principal: Principal,
    row: SelfPayItem,
    *,
    stage: str,
    participant: Participant,
    outcome: str,
    reason: str | None,
) -> None:
    if await ctx.repo.reviews(row.item_id, stage=stage, participant=participant.value):
        raise Conflict(f"{participant.value} has already taken part in the {stage} step of this item")
    now = clock.now()
    review_id = new_id("rev")
    review = ItemReview(
        review_id=review_id,
        item_id=row.item_id,
        stage=stage,
        participant=participant.value,
        outcome=outcome,
        reviewer_id=principal.subject,
        reviewer_role=principal.role.value,
        # LJ annex 3: the form names who reviewed; the name rests encrypted (SPEC 0.4)
        reviewer_name_enc=None
        if principal.name is None
        else encrypt(ctx, principal.name, reviewer_name_aad(review_id)),
        reason=reason,
        reviewed_at=now,
    )
    await ctx.repo.add_review(review)
    if stage in ("initial", "civil_affairs"):
        await ctx.uow.emit(events.self_pay_reviewed(row, review))
    await ctx.uow.audit(
        principal,
        f"self_pay.{stage}",
        row.item_id,
        reason=reason,
        details={"participant": participant.value, "outcome": outcome},
    )


async def initial_review(
    ctx: Ctx, principal: Principal, item_id: str, *, outcome: ReviewOutcome, reason: str | None
) -> dict[str, Any]:
    """LJ-7.2: centralized — the institution head; decentralized — the village committee
    head together with the guardian or agent. Any of them may object, with a reason."""
    row = await _load_item(ctx, item_id)
    person = await load_person(ctx, row.person_id)
    day = today()
    participant = initial_reviewer(person, principal, day)
    require_open(Status(row.status), Status.AWAITING_INITIAL_REVIEW, "the initial review")
    reason = _check_reason(outcome, reason)
    await _add_review(ctx, principal, row, stage="initial", participant=participant, outcome=outcome, reason=reason)
    if outcome == ReviewOutcome.REJECTED:
        row = await _decide(
            ctx, principal, row, Outcome.REJECTED, ["LJ-7.2", "LJ-7.4"], f"objection at the initial review: {reason}"
        )
        return await _view(ctx, row, principal)
    approvals = {
        Participant(r.participant)
        for r in await ctx.repo.reviews(item_id, stage="initial")
        if r.outcome == ReviewOutcome.APPROVED
    }
    nxt = after_initial(
        initial_participants(person, day),
        approvals,
        needs_civil_affairs=row.needs_civil_affairs,
        centralized=person.centralized,
    )
    if nxt == Status.APPROVED:
        row = await _decide(ctx, principal, row, Outcome.APPROVED, list(row.triage["rules"]), "initial review")
    else:
        if nxt == Status.AWAITING_CIVIL_AFFAIRS_REVIEW:
            # LJ-7.3: the institution files a centralized person's item with civil affairs.
            await _add_review(
                ctx,
                principal,
                row,
                stage="civil_affairs_filing",
                participant=Participant.INSTITUTION_HEAD,
                outcome="filed",
                reason="; ".join(r for r in row.triage["reasons"] if "civil-affairs" in r),
            )
        row = await _set_status(ctx, row, nxt)
    return await _view(ctx, row, principal)


async def file_with_civil_affairs(ctx: Ctx, principal: Principal, item_id: str, *, note: str | None) -> dict[str, Any]:
    """LJ-7.3: a decentralized person's item is filed through the town government's
    social-assistance office."""
    row = await _load_item(ctx, item_id)
    person = await load_person(ctx, row.person_id)
    check_town_filer(person, principal)
    require_open(Status(row.status), Status.AWAITING_CIVIL_AFFAIRS_FILING, "the civil-affairs filing")
    await _add_review(
        ctx,
        principal,
        row,
        stage="civil_affairs_filing",
        participant=Participant.TOWN_GOVERNMENT,
        outcome="filed",
        reason=note,
    )
    row = await _set_status(ctx, row, Status.AWAITING_CIVIL_AFFAIRS_REVIEW)
    return await _view(ctx, row, principal)


async def civil_affairs_review(
    ctx: Ctx, principal: Principal, item_id: str, *, outcome: ReviewOutcome, reason: str | None
) -> dict[str, Any]:
    """LJ-7.3: the district civil-affairs social-assistance section reviews the filed item."""
    row = await _load_item(ctx, item_id)
    require_open(Status(row.status), Status.AWAITING_CIVIL_AFFAIRS_REVIEW, "the civil-affairs review")
    reason = _check_reason(outcome, reason)
    await _add_review(
        ctx,
        principal,
        row,
        stage="civil_affairs",
        participant=Participant.CIVIL_AFFAIRS,
        outcome=outcome,
        reason=reason,
    )
    if outcome == ReviewOutcome.REJECTED:
        row = await _decide(
            ctx, principal, row, Outcome.REJECTED, ["LJ-7.3", "LJ-7.4"], f"objection by civil affairs: {reason}"
        )
    else:
        row = await _decide(ctx, principal, row, Outcome.APPROVED, list(row.triage["rules"]), "civil-affairs review")
    return await _view(ctx, row, principal)


async def list_items(ctx: Ctx, principal: Principal, page: PageRequest, status: Status | None) -> list[dict[str, Any]]:
    """One page of the self-pay items the caller may see across admissions, oldest proposal
    first, optionally in one status: the work lists of the reviewers (LJ-7.2, LJ-7.3). A
    hospital sees its own facility's; every other role the persons of its scope (SPEC 0.3).
    The scope is a condition of the query, so the page is paged in SQL over what the caller
    sees (at most ``page.limit + 1`` items)."""
    rows = await ctx.repo.item_page(page, list_scope(principal), status=status.value if status else None)
    return [
        {
            "item_id": row.item_id,
            "admission_id": row.admission_id,
            "person_id": row.person_id,
            "facility_id": row.facility_id,
            "item_code": row.item_code,
            "amount": f"{row.amount:.2f}",
            "status": row.status,
            "outcome": row.outcome,
            "proposed_at": row.proposed_at,
        }
        for row in rows
    ]


# LJ-7.2 / LJ-7.3: whose step each awaiting status is — the initial review (the institution
# head; the village committee head with the guardian or agent), the town government's filing,
# the district civil-affairs review.
STEP_OF_ROLE = {
    Role.INSTITUTION: Status.AWAITING_INITIAL_REVIEW,
    Role.VILLAGE_COMMITTEE: Status.AWAITING_INITIAL_REVIEW,
    Role.GUARDIAN: Status.AWAITING_INITIAL_REVIEW,
    Role.AGENT: Status.AWAITING_INITIAL_REVIEW,
    Role.TOWN_GOVERNMENT: Status.AWAITING_CIVIL_AFFAIRS_FILING,
    Role.CIVIL_AFFAIRS: Status.AWAITING_CIVIL_AFFAIRS_REVIEW,
}


async def awaiting_me(ctx: Ctx, principal: Principal, page: PageRequest) -> list[dict[str, Any]]:
    """LJ-7.2 / LJ-7.3: one page of the self-pay items, across admissions, awaiting the
    caller's review step in the caller's scope (SPEC 0.3, a condition of the query), the
    nearest due first — so the overdue come first; items whose step began before steps had a
    due instant sort by their proposal among them."""
    step = STEP_OF_ROLE.get(principal.role)
    if step is None:
        raise Forbidden(
            f"{principal.role.value} takes no review step of a self-pay item",
            rule="LJ-7.3",
        )
    rows = await ctx.repo.item_step_page(page, list_scope(principal), status=step.value)
    return [_awaiting_view(row) for row in rows]


def _awaiting_view(row: SelfPayItem) -> dict[str, Any]:
    return {
        "item_id": row.item_id,
        "admission_id": row.admission_id,
        "person_id": row.person_id,
        "facility_id": row.facility_id,
        "item_code": row.item_code,
        "item_name": row.item_name,
        "amount": f"{row.amount:.2f}",
        "status": row.status,
        "proposed_at": row.proposed_at,
        "due_at": row.step_due_at,
        "calendar_provisional": bool(row.step_calendar_provisional),
        "overdue": row.step_overdue_at is not None,
        "overdue_at": row.step_overdue_at,
        "parameters_version": row.step_parameters_version,
        "rule": "LJ-7.3" if row.status != Status.AWAITING_INITIAL_REVIEW else "LJ-7.2",
    }


def awaiting_sort_key(item: dict[str, Any]) -> tuple[Any, ...]:
    """The list's order as the repository's query sorts it (the due instant, else the proposal)."""
    return (item["due_at"] or item["proposed_at"], item["item_id"])


async def get_item(ctx: Ctx, principal: Principal, item_id: str) -> dict[str, Any]:
    row = await ctx.repo.get_item(item_id)
    if row is None:
        raise NotFound(f"unknown self-pay item {item_id}")
    await require_view(ctx, principal, row.person_id, row.facility_id)
    return await _view(ctx, row, principal)


async def _trail(ctx: Ctx, row: SelfPayItem) -> list[dict[str, Any]]:
    """The item's history in order: proposal, consent form, reviews, filing, decision."""
    steps: list[dict[str, Any]] = [
        {
            "step": "proposed",
            "actor": row.proposed_by,
            "role": "hospital",
            "at": row.proposed_at,
            "outcome": "emergency" if row.emergency else ("needs_review" if row.needs_review else "no_review"),
            "reason": "; ".join(row.triage["reasons"]),
        }
    ]
    signed, _ = await rank4.standing_signatures(ctx, item_id=row.item_id)  # LJ-10: the one that counts
    for c in [signed] if signed else []:
        steps.append(
            {
                "step": "consent_form",
                "actor": c.signer_id,
                "role": c.signer_role,
                "at": c.signed_at,
                "outcome": "signed",
                "reason": f"LJ-10 rank {c.signer_rank} ({c.signer_holder})",
            }
        )
    for r in await ctx.repo.reviews(row.item_id):
        steps.append(
            {
                "step": r.stage,
                "actor": r.reviewer_id,
                "role": r.reviewer_role,
                "at": r.reviewed_at,
                "outcome": r.outcome,
                "reason": r.reason,
            }
        )
    if row.outcome:
        steps.append(
            {
                "step": "decided",
                "actor": "system",
                "role": "system",
                "at": row.decided_at,
                "outcome": row.outcome,
                "reason": None,
            }
        )
    return steps


NECESSITY_ROLES = DIAGNOSIS_ANSWERS["consent ItemOut.necessity"]


async def _view(ctx: Ctx, row: SelfPayItem, principal: Principal) -> dict[str, Any]:
    view: dict[str, Any] = {
        k: getattr(row, k)
        for k in (
            "item_id",
            "admission_id",
            "person_id",
            "facility_id",
            "item_code",
            "item_name",
            "category",
            "unit_price",
            "quantity",
            "amount",
            "attending_doctor",
            "emergency",
            "needs_review",
            "needs_civil_affairs",
            "cumulative_scope",
            "cumulative_before",
            "cumulative_after",
            "parameters_version",
            "status",
            "outcome",
            "proposed_at",
            "decided_at",
        )
    }
    for k in ("unit_price", "amount", "cumulative_before", "cumulative_after"):
        view[k] = f"{view[k]:.2f}"  # money travels as an exact 2-decimal string
    # SPEC 0.4: the medical necessity only for the roles whose purpose includes it.
    view["necessity"] = (
        decrypt(ctx, row.necessity, _aad(row.item_id)) if principal.role.value in NECESSITY_ROLES else None
    )
    view["rules"] = row.triage["rules"]
    view["reasons"] = row.triage["reasons"]
    # LJ-7.0: the single cost judged (with the same item's recent proposals)
    view["single_cost"] = row.triage.get("single_cost", view["amount"])
    # LJ-10: the signature that counts, never one civil affairs rejected or has yet to confirm
    signed, _ = await rank4.standing_signatures(ctx, item_id=row.item_id)
    view["consent_form"] = consent_view(signed) if signed else None
    view["trail"] = await _trail(ctx, row)
    return view
