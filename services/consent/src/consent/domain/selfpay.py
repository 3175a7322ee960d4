"""LJ-7 self-pay "double review" (自费项目双审核) of out-of-catalogue items.

- LJ-7.0: applies to an item whose single cost (the proposal's estimate: unit price ×
  quantity, together with the same item's proposals in the admission within a window — a
  parameter) is ≥ the review threshold (200 CNY); below it the item is recorded, no review.
- LJ-7.1: the informed-consent form (自费项目使用知情同意书) is signed by the eligible
  patient-side signer (LJ-10) first.
- LJ-7.2: the initial review — centralized: the institution head, who may object;
  decentralized: the village committee head together with the guardian or agent.
- LJ-7.3: civil-affairs filing and review when the single estimate is > 1,000 CNY or the
  cumulative self-pay (admission, or calendar year — a parameter) is > 2,000 CNY; filed by
  the institution (centralized) or through the town government (decentralized). Items
  below the review threshold count toward the cumulative, and one that takes it over the
  threshold is reviewed and filed too (interpretation, a parameter).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from consent.domain.model import Person
from consent.domain.parameters import SelfPayReview
from medaid_shared.authz import Principal, Role
from medaid_shared.errors import Conflict, Forbidden, ValidationFailed

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # numeric(14,2)


class Status(StrEnum):
    RECORDED_BELOW_THRESHOLD = "recorded_below_threshold"
    EMERGENCY = "emergency"
    AWAITING_CONSENT_FORM = "awaiting_consent_form"
    AWAITING_INITIAL_REVIEW = "awaiting_initial_review"
    AWAITING_CIVIL_AFFAIRS_FILING = "awaiting_civil_affairs_filing"
    AWAITING_CIVIL_AFFAIRS_REVIEW = "awaiting_civil_affairs_review"
    APPROVED = "approved"
    REJECTED = "rejected"


DECIDED = frozenset({Status.RECORDED_BELOW_THRESHOLD, Status.EMERGENCY, Status.APPROVED, Status.REJECTED})


class Outcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    EMERGENCY = "emergency"
    BELOW_THRESHOLD = "below_threshold"


class Participant(StrEnum):
    """Who takes part in a review step."""

    INSTITUTION_HEAD = "institution_head"
    VILLAGE_COMMITTEE_HEAD = "village_committee_head"
    GUARDIAN_OR_AGENT = "guardian_or_agent"
    TOWN_GOVERNMENT = "town_government"
    CIVIL_AFFAIRS = "civil_affairs"


def check_money(value: Decimal, field: str) -> Decimal:
    """SPEC 0.2: CNY with 2 decimals, > 0."""
    if not value.is_finite() or value <= 0:
        raise ValidationFailed(f"{field} must be greater than 0", field=field)
    if value != value.quantize(CENT):
        raise ValidationFailed(f"{field} has more than 2 decimals", field=field)
    if value > MAX_AMOUNT:
        raise ValidationFailed(f"{field} is too large", field=field)
    return value.quantize(CENT)


def estimate(unit_price: Decimal, quantity: int) -> Decimal:
    """The single self-pay estimate of a proposal (unit price × quantity)."""
    if quantity <= 0:
        raise ValidationFailed("quantity must be at least 1", field="quantity")
    amount = (check_money(unit_price, "unit_price") * quantity).quantize(CENT)
    if amount > MAX_AMOUNT:
        raise ValidationFailed("amount is too large", field="quantity")
    return amount


@dataclass(frozen=True)
class Triage:
    amount: Decimal
    cumulative_before: Decimal
    cumulative_after: Decimal
    needs_review: bool
    needs_civil_affairs: bool
    rules: tuple[str, ...]
    reasons: tuple[str, ...]
    # LJ-7.0: the single cost judged — this item with the same item's recent proposals
    single_cost: Decimal


def triage(
    amount: Decimal, cumulative_before: Decimal, params: SelfPayReview, *, same_item_before: Decimal = Decimal("0.00")
) -> Triage:
    """Which steps an item needs under the parameter version ``params``.

    ``same_item_before`` is what the same item code was already proposed for in this
    admission within the parameter's window: the item and those proposals are one single
    cost for both single-item thresholds (LJ-7.0, LJ-7.3), so 100 × 199.99 is not 100 items
    below 200."""
    after = cumulative_before + amount
    single = amount + same_item_before
    single_text = f"single cost {single}" + (
        f" (this {amount} and {same_item_before} of the same item within {params.same_item_window_hours} h)"
        if same_item_before
        else ""
    )
    # LJ-7.0: single cost ≥ 200 CNY (the threshold is inclusive: 200.00 needs review).
    needs_review = single >= params.review_threshold
    reasons: list[str] = []
    rules = ["LJ-7.0"]
    if needs_review:
        reasons.append(f"{single_text} ≥ {params.review_threshold}: consent form and initial review")
    else:
        reasons.append(f"{single_text} < {params.review_threshold}: recorded, no review")
    # LJ-7.3: single estimate > 1,000 or cumulative > 2,000 (strictly greater); a
    # below-threshold item crossing the cumulative counts when the interpretation says so.
    single_civil = needs_review and single > params.civil_affairs_single_threshold
    cumulative_civil = after > params.civil_affairs_cumulative_threshold and (
        needs_review or params.below_threshold_counts
    )
    if single_civil:
        reasons.append(f"{single_text} > {params.civil_affairs_single_threshold}: civil-affairs filing")
    if cumulative_civil:
        reasons.append(
            f"cumulative self-pay of the {params.cumulative_scope.value.replace('_', ' ')} {after} > "
            f"{params.civil_affairs_cumulative_threshold}: civil-affairs filing"
        )
    needs_civil = single_civil or cumulative_civil
    if needs_civil and not needs_review:
        # LJ-7.3: the filing follows the form and the initial review, whatever the item's size.
        needs_review = True
        reasons[0] = f"{single_text} < {params.review_threshold}, but it takes the cumulative over the filing threshold"
    if needs_review:
        rules += ["LJ-7.1", "LJ-7.2"]
    if needs_civil:
        rules.append("LJ-7.3")
    return Triage(amount, cumulative_before, after, needs_review, needs_civil, tuple(rules), tuple(reasons), single)


def initial_status(t: Triage, emergency: bool) -> Status:
    if emergency:
        # LJ-11.3 / LJ-7.4: an emergency item is not held for prior review.
        return Status.EMERGENCY
    if not t.needs_review:
        return Status.RECORDED_BELOW_THRESHOLD
    return Status.AWAITING_CONSENT_FORM


def require_open(status: Status, expected: Status, action: str) -> None:
    """A decided item takes no second decision; steps run in LJ-7 order."""
    if status in DECIDED:
        raise Conflict(f"the item is already decided ({status.value}); {action} is not possible")
    if status != expected:
        raise Conflict(f"the item is {status.value}; {action} needs it to be {expected.value}")


def initial_participants(person: Person, day: date) -> frozenset[Participant]:
    """LJ-7.2: who must approve the initial review."""
    if person.centralized:
        return frozenset({Participant.INSTITUTION_HEAD})
    if person.guardian_id or person.valid_agents(day):
        return frozenset({Participant.VILLAGE_COMMITTEE_HEAD, Participant.GUARDIAN_OR_AGENT})
    # Decentralized with no guardian and no valid agent: the village committee head alone.
    return frozenset({Participant.VILLAGE_COMMITTEE_HEAD})


def initial_reviewer(person: Person, principal: Principal, day: date) -> Participant:
    """LJ-7.2: which participant ``principal`` is in the initial review, or Forbidden."""
    role = principal.role
    if person.centralized:
        if role != Role.INSTITUTION:
            raise Forbidden(
                f"the initial review of a centralized person is by the institution head, not {role.value} (LJ-7.2)"
            )
        principal.require_scope("institution", person.institution_id, "this person's institution")
        return Participant.INSTITUTION_HEAD
    if role == Role.VILLAGE_COMMITTEE:
        principal.require_scope("village", person.village_id, "this person's village")
        return Participant.VILLAGE_COMMITTEE_HEAD
    if role == Role.GUARDIAN:
        if principal.subject != person.guardian_id:
            raise Forbidden(f"guardian {principal.subject} is not the guardian of person {person.person_id}")
        return Participant.GUARDIAN_OR_AGENT
    if role == Role.AGENT:
        mine = [a for a in person.agents if a.agent_id == principal.subject]
        if not mine:
            raise Forbidden(f"agent {principal.subject} holds no written delegation for person {person.person_id}")
        if not any(a.valid_on(day) for a in mine):
            raise Forbidden(f"the written delegation of agent {principal.subject} is not valid today")
        return Participant.GUARDIAN_OR_AGENT
    raise Forbidden(
        f"the initial review of a decentralized person is by the village committee head with the guardian "
        f"or agent, not {role.value} (LJ-7.2)"
    )


def after_initial(
    required: Iterable[Participant], approved: Iterable[Participant], *, needs_civil_affairs: bool, centralized: bool
) -> Status:
    """The next status once the initial-review approvals so far are in."""
    if not set(required) <= set(approved):
        return Status.AWAITING_INITIAL_REVIEW
    if not needs_civil_affairs:
        return Status.APPROVED
    # LJ-7.3: the institution files centralized items itself; decentralized ones go through
    # the town government's social-assistance office.
    return Status.AWAITING_CIVIL_AFFAIRS_REVIEW if centralized else Status.AWAITING_CIVIL_AFFAIRS_FILING


def check_town_filer(person: Person, principal: Principal) -> None:
    """LJ-7.3: decentralized items are filed through the person's town government."""
    if person.centralized:
        raise Conflict("a centralized person's item is filed by the institution with its initial review (LJ-7.3)")
    if principal.role != Role.TOWN_GOVERNMENT:
        raise Forbidden("only the town government files a decentralized person's item (LJ-7.3)")
    principal.require_scope("town", person.town_id, "this person's town")
