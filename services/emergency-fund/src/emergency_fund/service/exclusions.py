"""Exclusions (GD-14): proposed by the hospital, decided by the agency (SPEC 0.5).

A cost item the hospital marks as not payable is its proposal (it counts as excluded until
decided, so the fund pays less, never more); the agency accepts or rejects it, and may
exclude an item the hospital did not mark. A whole case (an identified patient able to pay
who refuses) is excluded when the agency decides so — on the hospital's proposal or on its
own finding. The agency's approval waits until every proposal is decided.
"""

from __future__ import annotations

from typing import Any

from emergency_fund.domain import eligibility as el
from emergency_fund.domain.channels import ExclusionStatus, Unresolved
from emergency_fund.domain.records import Case, CostItem
from emergency_fund.service import applications, refunds
from emergency_fund.service.base import Env, audit, out
from emergency_fund.service.cases import (
    EDITABLE,
    WITHDRAWN_CLAIM,
    CaseState,
    announce_closed,
    case_scope,
    case_view,
    the_case,
    touch,
)
from emergency_fund.service.channels import UNDER_REVIEW, case_under_review
from emergency_fund.service.commands import ExclusionCmd, ExclusionDecisionCmd, ItemExclusionDecisionCmd
from medaid_shared.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from medaid_shared.pagination import PageRequest


async def propose_or_exclude(env: Env, case_id: str, cmd: ExclusionCmd) -> tuple[int, Any]:
    """GD-14: the debt of an identified patient able to pay who refuses is not payable. The
    hospital proposes it; the agency's own finding excludes the case at once."""
    case = await the_case(env, case_id, lock=True)
    if case.identity_status != el.IdentityStatus.IDENTIFIED.value:
        raise RuleViolation("only an identified patient able to pay can refuse", rule="GD-14", field="exclusion")
    if case.state not in EDITABLE:
        if env.principal.role.value == "fund_agency" and case.state in (CaseState.IN_APPLICATION, CaseState.PAID):
            await _exclude_after_decision(env, case, cmd)
            return 200, await case_view(env, case_id)
        raise Conflict(
            f"case {case_id} is {case.state}: after the claim is filed only the agency's own finding excludes it",
            rule="GD-14",
            field="exclusion",
        )
    if env.principal.role.value == "fund_agency":
        await _exclude(env, case_id, cmd.exclusion.value, cmd.reason)
        return 200, await case_view(env, case_id)
    await touch(
        env,
        case_id,
        exclusion_proposed=cmd.exclusion.value,
        exclusion_proposed_reason=cmd.reason,
        exclusion_proposed_by=env.principal.subject,
        exclusion_proposed_at=env.now,
        **_withdrawn_claim(case),
    )
    await audit(env, "case.exclusion_proposed", case_id, reason=cmd.reason, rule="GD-14", exclusion=cmd.exclusion.value)
    return 200, await case_view(env, case_id)


async def _exclude_after_decision(env: Env, case: Case, cmd: ExclusionCmd) -> None:
    """SPEC 0.5 with GD-14: the agency finds, after the claim went into an application (or
    after payment), that the patient can pay and refuses. The decision is taken again: a case
    not yet paid leaves its application and is excluded; money already paid is demanded back
    (GD-16.4's refund, with its due date), the case carrying the exclusion."""
    reason = f"GD-14: excluded after the agency's decision ({cmd.exclusion.value}): {cmd.reason}"
    if case.state == CaseState.PAID:
        await refunds.demand(env, case, reason, None)
        await touch(env, case.id, excluded=cmd.exclusion.value, excluded_reason=cmd.reason, exclusion_proposed=None)
        await audit(env, "case.exclude", case.id, reason=cmd.reason, rule="GD-14", exclusion=cmd.exclusion.value)
        return
    await applications.withdraw_case(env, case, reason)
    await _exclude(env, case.id, cmd.exclusion.value, cmd.reason)


def _withdrawn_claim(case: Case) -> dict[str, Any]:
    return WITHDRAWN_CLAIM if case.state == CaseState.CLAIMED else {}


async def _exclude(env: Env, case_id: str, exclusion: str, reason: str) -> None:
    await touch(
        env,
        case_id,
        excluded=exclusion,
        excluded_reason=reason,
        exclusion_proposed=None,
        state=CaseState.EXCLUDED,
        claim_medical=None,
        claim_living=None,
        claimed_at=None,
    )
    await audit(env, "case.exclude", case_id, reason=reason, rule="GD-14", exclusion=exclusion)
    await announce_closed(env, case_id, "excluded")


async def decide_case(env: Env, case_id: str, cmd: ExclusionDecisionCmd) -> tuple[int, Any]:
    """GD-14: the agency accepts (the case is excluded) or rejects the hospital's proposal."""
    case = await the_case(env, case_id, lock=True)
    if case.exclusion_proposed is None:
        raise Conflict(f"case {case_id} has no exclusion proposal to decide", rule="GD-14", field="decision")
    if cmd.decision == ExclusionStatus.ACCEPTED.value:
        await _exclude(env, case_id, case.exclusion_proposed, cmd.reason)
    else:
        await touch(env, case_id, exclusion_proposed=None)
        await audit(
            env,
            "case.exclusion_rejected",
            case_id,
            reason=cmd.reason,
            rule="GD-14",
            exclusion=case.exclusion_proposed,
        )
    return 200, await case_view(env, case_id)


async def decide_item(env: Env, case_id: str, item_id: str, cmd: ItemExclusionDecisionCmd) -> tuple[int, Any]:
    """GD-14: the agency decides a cost item's exclusion — the hospital's proposal accepted
    or rejected, or its own exclusion of an item the hospital did not mark."""
    await case_under_review(env, case_id)
    item = await env.repo.cost_items.get(item_id, for_update=True)
    if item is None or item.case_id != case_id:
        raise NotFound(f"no cost item {item_id} in case {case_id}")
    exclusion = cmd.exclusion.value if cmd.exclusion else item.exclusion
    if cmd.decision == ExclusionStatus.ACCEPTED.value and exclusion is None:
        raise ValidationFailed("name the exclusion of an item the hospital did not mark", field="exclusion")
    if cmd.decision == ExclusionStatus.REJECTED.value and item.exclusion is None:
        raise Conflict(f"cost item {item_id} carries no exclusion to reject", rule="GD-14", field="decision")
    await env.repo.cost_items.update(
        item_id,
        exclusion=exclusion,
        exclusion_status=cmd.decision,
        exclusion_decided_by=env.principal.subject,
        exclusion_decided_at=env.now,
        exclusion_decision_reason=cmd.reason,
    )
    await touch(env, case_id)
    await audit(
        env,
        "case.item_exclusion_decided",
        case_id,
        reason=cmd.reason,
        rule="GD-14",
        item=item_id,
        decision=cmd.decision,
        exclusion=exclusion,
        proposed=item.exclusion,
    )
    return 200, await case_view(env, case_id)


async def undecided(env: Env, case_id: str) -> list[Unresolved]:
    """GD-14: the hospital's exclusion proposals of a case the agency has not decided."""
    items = sorted(await env.repo.cost_items_of(case_id), key=lambda i: i.id)
    return [
        Unresolved(
            "GD-14",
            f"cost item {i.id}: the hospital's exclusion ({i.exclusion}) awaits the agency",
            cost_item_id=i.id,
            awaiting="fund_agency",
        )
        for i in items
        if i.exclusion_status == ExclusionStatus.PROPOSED.value
    ]


async def proposals(env: Env, page: PageRequest) -> list[dict[str, Any]]:
    """The exclusion proposals awaiting the agency in the caller's cities (its work queue)."""
    keys = await env.repo.exclusion_proposals(
        case_scope(env.principal), UNDER_REVIEW, ExclusionStatus.PROPOSED.value, page
    )
    cases = {c.id: c for c in await env.repo.cases_among({c for c, _ in keys})}
    items = {i.id: i for i in await env.repo.cost_items_among({i for _, i in keys if i is not None})}
    proposals = []
    for case_id, item_id in keys:
        c = cases[case_id]
        if item_id is None:
            proposals.append(
                _proposal(c, None, c.exclusion_proposed, c.exclusion_proposed_reason, c.exclusion_proposed_at)
            )
        else:
            r = items[item_id]
            proposals.append(_proposal(c, r, r.exclusion, r.exclusion_note, r.recorded_at))
    return proposals


def _proposal(case: Case, item: CostItem | None, exclusion: str | None, reason: str | None, at: Any) -> dict[str, Any]:
    return out(
        {
            "case_id": case.id,
            "city": case.city,
            "facility_id": case.facility_id,
            "patient_ref": case.patient_ref,
            "case_state": case.state,
            "application_id": case.application_id,
            "cost_item_id": item.id if item else None,
            "amount": item.amount if item else None,
            "exclusion": exclusion,
            "reason": reason,
            "proposed_at": at,
            "rule": "GD-14",
        }
    )
