"""LJ-7 use cases: propose an out-of-catalogue item, sign its informed-consent form, the
initial review, the civil-affairs filing and review, and the decision with its trail."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from consent.domain import catalogue, signing
from consent.domain.catalogue import require_out_of_catalogue
from consent.domain.model import local_date
from consent.domain.parameters import CumulativeScope
from consent.domain.selfpay import (
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
from consent.domain.treatment import Decision
from consent.service.common import load_admission, load_person, new_id, parameters_now, today
from consent.service.consents import consent_view, store_consent
from consent.service.ports import Ctx, Row
from consent.service.treatments import require_view
from medaid_shared import clock
from medaid_shared.authz import Principal
from medaid_shared.contracts.consent import SelfPayDecided, SelfPayProposed, SelfPayReviewed, TrailStep
from medaid_shared.errors import Conflict, NotFound, RuleViolation, ValidationFailed


class ItemCategory(StrEnum):
    """LJ-7.0: drugs, consumables or tests outside the insurance catalogue."""

    DRUG = "drug"
    CONSUMABLE = "consumable"
    TEST = "test"


class ReviewOutcome(StrEnum):
    APPROVED = "approved"
    OBJECTED = "objected"


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
    facility = await ctx.store.facility(adm.facility_id)
    day = today()
    entries = await ctx.store.find("catalogue_item", code=item_code)
    require_out_of_catalogue(catalogue.in_force(entries, facility.region if facility else None, day), item_code, day)
    if emergency and not adm.emergency:
        emergencies = await ctx.store.find("treatment", admission_id=admission_id, kind="emergency")
        if not emergencies:
            raise RuleViolation(
                "an emergency item needs an emergency admission or a recorded emergency rescue", rule="LJ-11.3"
            )
    params = await parameters_now(ctx)
    now = clock.now()
    year = local_date(now).year
    # LJ-7.3 (interpretation): cumulative over the admission, or the person's calendar year.
    if params.cumulative_scope == CumulativeScope.ADMISSION:
        before = await ctx.store.cumulative_for_admission(admission_id)
    else:
        before = await ctx.store.cumulative_for_year(person.person_id, year)
    t = triage(amount, before, params)
    status = initial_status(t, emergency)
    item_id = new_id("spi")
    row: dict[str, Any] = {
        "item_id": item_id,
        "admission_id": admission_id,
        "person_id": person.person_id,
        "facility_id": adm.facility_id,
        "item_code": item_code,
        "item_name": item_name,
        "category": category.value,
        "unit_price": unit_price,
        "quantity": quantity,
        "amount": amount,
        "necessity": ctx.encrypt(necessity, _aad(item_id)),
        "attending_doctor": attending_doctor,
        "emergency": emergency,
        "needs_review": t.needs_review,
        "needs_civil_affairs": t.needs_civil_affairs,
        "cumulative_scope": params.cumulative_scope.value,
        "cumulative_before": t.cumulative_before,
        "cumulative_after": t.cumulative_after,
        "local_year": year,
        "parameters_version": params.version,
        "triage": {"rules": list(t.rules), "reasons": list(t.reasons)},
        "status": status.value,
        "outcome": None,
        "proposed_by": principal.subject,
        "proposed_at": now,
        "decided_at": None,
    }
    await ctx.store.insert("self_pay_item", row)
    await ctx.uow.emit(
        SelfPayProposed(
            item_id=item_id,
            admission_id=admission_id,
            person_id=person.person_id,
            item_code=item_code,
            unit_price=unit_price,
            quantity=quantity,
            amount=amount,
            emergency=emergency,
            needs_review=t.needs_review and not emergency,
            needs_civil_affairs_filing=t.needs_civil_affairs and not emergency,
            proposed_at=now,
            cumulative_scope=params.cumulative_scope.value,
            cumulative_amount=t.cumulative_after,
            parameters_version=params.version,
        )
    )
    await ctx.uow.audit(
        principal,
        "self_pay.propose",
        item_id,
        reason="; ".join(t.reasons),
        details={"admission_id": admission_id, "amount": str(amount), "parameters_version": params.version},
    )
    if status == Status.EMERGENCY:
        row = await _decide(ctx, principal, row, Outcome.EMERGENCY, ["LJ-11.3", "LJ-7.4"], "emergency rescue item")
    elif status == Status.RECORDED_BELOW_THRESHOLD:
        row = await _decide(ctx, principal, row, Outcome.BELOW_THRESHOLD, ["LJ-7.0"], t.reasons[0])
    return await _view(ctx, row)


async def _load_item(ctx: Ctx, item_id: str) -> dict[str, Any]:
    row = await ctx.store.get("self_pay_item", item_id, lock=True)
    if row is None:
        raise NotFound(f"unknown self-pay item {item_id}")
    return dict(row)


async def _set_status(ctx: Ctx, row: dict[str, Any], status: Status) -> dict[str, Any]:
    await ctx.store.update("self_pay_item", row["item_id"], {"status": status.value})
    return {**row, "status": status.value}


async def _decide(
    ctx: Ctx, principal: Principal, row: dict[str, Any], outcome: Outcome, rules: list[str], reason: str
) -> dict[str, Any]:
    """The final outcome, which settlement applies (LJ-7.4, LJ-14.1), with the whole trail."""
    status = {
        Outcome.APPROVED: Status.APPROVED,
        Outcome.REJECTED: Status.REJECTED,
        Outcome.EMERGENCY: Status.EMERGENCY,
        Outcome.BELOW_THRESHOLD: Status.RECORDED_BELOW_THRESHOLD,
    }[outcome]
    now = clock.now()
    await ctx.store.update(
        "self_pay_item", row["item_id"], {"status": status.value, "outcome": outcome.value, "decided_at": now}
    )
    row = {**row, "status": status.value, "outcome": outcome.value, "decided_at": now}
    trail = await _trail(ctx, row)
    await ctx.uow.emit(
        SelfPayDecided(
            item_id=row["item_id"],
            admission_id=row["admission_id"],
            person_id=row["person_id"],
            item_code=row["item_code"],
            amount=row["amount"],
            outcome=outcome.value,
            decided_at=now,
            rules=rules,
            trail=[TrailStep(**step) for step in trail],
            parameters_version=row["parameters_version"],
        )
    )
    await ctx.uow.audit(
        principal,
        "self_pay.decide",
        row["item_id"],
        reason=reason,
        details={"outcome": outcome.value, "rules": rules, "amount": str(row["amount"])},
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
    person = await load_person(ctx, row["person_id"])
    signer = signing.check_signer(person, principal, today(), major_public_interest_reason=major_public_interest_reason)
    require_open(Status(row["status"]), Status.AWAITING_CONSENT_FORM, "signing the informed-consent form")
    consent = await store_consent(
        ctx,
        principal,
        person_id=row["person_id"],
        admission_id=row["admission_id"],
        decision=Decision.SELF_PAY_FORM,
        signer=signer,
        item_id=item_id,
        signature_ref=signature_ref,
    )
    await _set_status(ctx, row, Status.AWAITING_INITIAL_REVIEW)
    return consent


def _check_reason(outcome: ReviewOutcome, reason: str | None) -> str | None:
    reason = reason.strip() if reason else None
    if outcome == ReviewOutcome.OBJECTED and not reason:
        raise ValidationFailed("an objection states its reason", field="reason")
    return reason


async def _add_review(
    ctx: Ctx,
    principal: Principal,
    row: Row,
    *,
    stage: str,
    participant: Participant,
    outcome: str,
    reason: str | None,
) -> None:
    existing = await ctx.store.find("self_pay_review", item_id=row["item_id"], stage=stage, participant=participant)
    if existing:
        raise Conflict(f"{participant.value} has already taken part in the {stage} step of this item")
    now = clock.now()
    await ctx.store.insert(
        "self_pay_review",
        {
            "review_id": new_id("rev"),
            "item_id": row["item_id"],
            "stage": stage,
            "participant": participant.value,
            "outcome": outcome,
            "reviewer_id": principal.subject,
            "reviewer_role": principal.role.value,
            "reason": reason,
            "reviewed_at": now,
        },
    )
    if stage in ("initial", "civil_affairs"):
        await ctx.uow.emit(
            SelfPayReviewed(
                item_id=row["item_id"],
                admission_id=row["admission_id"],
                stage=stage,
                outcome=outcome,
                reviewer_id=principal.subject,
                reviewer_role=principal.role.value,
                reason=reason,
                reviewed_at=now,
            )
        )
    await ctx.uow.audit(
        principal,
        f"self_pay.{stage}",
        row["item_id"],
        reason=reason,
        details={"participant": participant.value, "outcome": outcome},
    )


async def initial_review(
    ctx: Ctx, principal: Principal, item_id: str, *, outcome: ReviewOutcome, reason: str | None
) -> dict[str, Any]:
    """LJ-7.2: centralized — the institution head; decentralized — the village committee
    head together with the guardian or agent. Any of them may object, with a reason."""
    row = await _load_item(ctx, item_id)
    person = await load_person(ctx, row["person_id"])
    day = today()
    participant = initial_reviewer(person, principal, day)
    require_open(Status(row["status"]), Status.AWAITING_INITIAL_REVIEW, "the initial review")
    reason = _check_reason(outcome, reason)
    await _add_review(ctx, principal, row, stage="initial", participant=participant, outcome=outcome, reason=reason)
    if outcome == ReviewOutcome.OBJECTED:
        row = await _decide(
            ctx, principal, row, Outcome.REJECTED, ["LJ-7.2", "LJ-7.4"], f"objection at the initial review: {reason}"
        )
        return await _view(ctx, row)
    approvals = {
        Participant(r["participant"])
        for r in await ctx.store.find("self_pay_review", item_id=item_id, stage="initial")
        if r["outcome"] == ReviewOutcome.APPROVED
    }
    nxt = after_initial(
        initial_participants(person, day),
        approvals,
        needs_civil_affairs=row["needs_civil_affairs"],
        centralized=person.centralized,
    )
    if nxt == Status.APPROVED:
        row = await _decide(ctx, principal, row, Outcome.APPROVED, list(row["triage"]["rules"]), "initial review")
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
                reason="; ".join(r for r in row["triage"]["reasons"] if "civil-affairs" in r),
            )
        row = await _set_status(ctx, row, nxt)
    return await _view(ctx, row)


async def file_with_civil_affairs(ctx: Ctx, principal: Principal, item_id: str, *, note: str | None) -> dict[str, Any]:
    """LJ-7.3: a decentralized person's item is filed through the town government's
    social-assistance office."""
    row = await _load_item(ctx, item_id)
    person = await load_person(ctx, row["person_id"])
    check_town_filer(person, principal)
    require_open(Status(row["status"]), Status.AWAITING_CIVIL_AFFAIRS_FILING, "the civil-affairs filing")
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
    return await _view(ctx, row)


async def civil_affairs_review(
    ctx: Ctx, principal: Principal, item_id: str, *, outcome: ReviewOutcome, reason: str | None
) -> dict[str, Any]:
    """LJ-7.3: the district civil-affairs social-assistance section reviews the filed item."""
    row = await _load_item(ctx, item_id)
    require_open(Status(row["status"]), Status.AWAITING_CIVIL_AFFAIRS_REVIEW, "the civil-affairs review")
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
    if outcome == ReviewOutcome.OBJECTED:
        row = await _decide(
            ctx, principal, row, Outcome.REJECTED, ["LJ-7.3", "LJ-7.4"], f"objection by civil affairs: {reason}"
        )
    else:
        row = await _decide(ctx, principal, row, Outcome.APPROVED, list(row["triage"]["rules"]), "civil-affairs review")
    return await _view(ctx, row)


async def get_item(ctx: Ctx, principal: Principal, item_id: str) -> dict[str, Any]:
    row = await ctx.store.get("self_pay_item", item_id)
    if row is None:
        raise NotFound(f"unknown self-pay item {item_id}")
    await require_view(ctx, principal, row["person_id"], row["facility_id"])
    return await _view(ctx, dict(row))


async def _trail(ctx: Ctx, row: Row) -> list[dict[str, Any]]:
    """The item's history in order: proposal, consent form, reviews, filing, decision."""
    steps: list[dict[str, Any]] = [
        {
            "step": "proposed",
            "actor": row["proposed_by"],
            "role": "hospital",
            "at": row["proposed_at"],
            "outcome": "emergency" if row["emergency"] else ("needs_review" if row["needs_review"] else "no_review"),
            "reason": "; ".join(row["triage"]["reasons"]),
        }
    ]
    for c in await ctx.store.find("consent", item_id=row["item_id"]):
        steps.append(
            {
                "step": "consent_form",
                "actor": c["signer_id"],
                "role": c["signer_role"],
                "at": c["signed_at"],
                "outcome": "signed",
                "reason": f"LJ-10 rank {c['signer_rank']} ({c['signer_holder']})",
            }
        )
    for r in await ctx.store.find("self_pay_review", order_by="seq", item_id=row["item_id"]):
        steps.append(
            {
                "step": r["stage"],
                "actor": r["reviewer_id"],
                "role": r["reviewer_role"],
                "at": r["reviewed_at"],
                "outcome": r["outcome"],
                "reason": r["reason"],
            }
        )
    if row["outcome"]:
        steps.append(
            {
                "step": "decided",
                "actor": "system",
                "role": "system",
                "at": row["decided_at"],
                "outcome": row["outcome"],
                "reason": None,
            }
        )
    return steps


async def _view(ctx: Ctx, row: Row) -> dict[str, Any]:
    view = {
        k: row[k]
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
    view["necessity"] = ctx.decrypt(row["necessity"], _aad(row["item_id"]))
    view["rules"] = row["triage"]["rules"]
    view["reasons"] = row["triage"]["reasons"]
    consents = await ctx.store.find("consent", item_id=row["item_id"])
    view["consent_form"] = consent_view(consents[0]) if consents else None
    view["trail"] = await _trail(ctx, row)
    return view
