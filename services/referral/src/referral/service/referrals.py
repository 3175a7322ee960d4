"""Referrals (LJ-3.2a, LJ-4.2a, LJ-4.3a): the first visit, the first-visit doctor's referral
slip, and the medical-insurance approval of a transfer beyond the district."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.contracts.common import Region
from medaid_shared.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from medaid_shared.pagination import PageRequest, sort_key
from referral.domain.compliance import ApprovalState, approval_required
from referral.domain.records import Referral
from referral.service import admissions, facilities, persons, timeline
from referral.service.commands import ApprovalIn, ReferralIn
from referral.service.context import Ctx, new_id
from referral.service.scope import DISTRICT_WIDE, carer_in_scope, require

VIEW_FIELDS = (
    "referral_id",
    "person_id",
    "from_facility_id",
    "to_facility_id",
    "first_visit_at",
    "slip_ref",
    "slip_doctor",
    "transfer_application_ref",
    "approval_state",
    "approval_by",
    "approval_at",
    "approval_ref",
    "approval_reason",
    "created_at",
)


def view(row: Referral) -> dict[str, Any]:
    return {k: getattr(row, k) for k in VIEW_FIELDS}


async def create(ctx: Ctx, principal: Principal, cmd: ReferralIn) -> dict[str, Any]:
    """The first-visit facility refers the person on (LJ-4.2a: with the referral slip).
    A transfer beyond the district waits for medical insurance (LJ-4.3a)."""
    principal.require_scope("facility", cmd.from_facility_id, "the first-visit facility")
    person = await persons.known_person(ctx, cmd.person_id)
    await facilities.known(ctx, cmd.from_facility_id, "from_facility_id")
    to = await facilities.known(ctx, cmd.to_facility_id, "to_facility_id")
    if cmd.from_facility_id == cmd.to_facility_id:
        raise ValidationFailed("a referral goes to another facility", field="to_facility_id")
    now = clock.now()
    if cmd.first_visit_at > now:
        raise ValidationFailed("the first visit is in the future", field="first_visit_at")
    needs = approval_required(Region(to.region), ctx.settings.approval_regions)
    row = Referral(
        referral_id=new_id(),
        person_id=person.person_id,
        from_facility_id=cmd.from_facility_id,
        to_facility_id=cmd.to_facility_id,
        first_visit_at=cmd.first_visit_at,
        slip_ref=cmd.slip_ref,
        slip_doctor=cmd.slip_doctor,
        transfer_application_ref=cmd.transfer_application_ref,
        approval_state=ApprovalState.PENDING if needs else ApprovalState.NOT_REQUIRED,
        created_by=principal.subject,
        created_at=now,
    )
    await ctx.repo.add_referral(row)
    await timeline.record(
        ctx,
        person.person_id,
        now,
        "referral",
        row.referral_id,
        summary={
            "from_facility_id": cmd.from_facility_id,
            "to_facility_id": cmd.to_facility_id,
            "slip": cmd.slip_ref is not None,
            "approval_state": row.approval_state,
        },
    )
    await ctx.uow.audit(
        principal,
        "referral.create",
        row.referral_id,
        reason="LJ-4.2a referral" + (" (LJ-4.3a approval needed)" if needs else ""),
        details={"to": cmd.to_facility_id, "slip": cmd.slip_ref is not None},
    )
    return view(row)


async def decide(ctx: Ctx, principal: Principal, referral_id: str, cmd: ApprovalIn) -> dict[str, Any]:
    """LJ-4.3a: medical insurance approves or rejects the transfer beyond the district; the
    referral compliance of the admissions it covers changes with it."""
    row = await load(ctx, referral_id, for_update=True)
    if row.approval_state == ApprovalState.NOT_REQUIRED:
        raise RuleViolation("this referral stays in the district: no approval is needed", rule="LJ-4.3a")
    if row.approval_state != ApprovalState.PENDING:
        raise Conflict(f"the transfer was already {row.approval_state}")
    now = clock.now()
    changes: dict[str, Any] = {
        "approval_state": ApprovalState.APPROVED if cmd.approved else ApprovalState.REJECTED,
        "approval_by": principal.subject,
        "approval_at": now,
        "approval_ref": cmd.reference,
        "approval_reason": cmd.reason,
    }
    await ctx.repo.update_referral(referral_id, **changes)
    new = replace(row, **changes)
    await ctx.uow.audit(
        principal,
        "referral.approve" if cmd.approved else "referral.reject",
        referral_id,
        reason=cmd.reason,
        details={"rule": "LJ-4.3a", "reference": cmd.reference},
    )
    await timeline.record(
        ctx,
        row.person_id,
        now,
        "transfer_approval",
        referral_id,
        summary={"approved": cmd.approved, "reference": cmd.reference},
    )
    for adm in await ctx.repo.admissions_of_referral(referral_id, for_update=True):
        await admissions.refresh(ctx, adm, referral=new)
    return view(new)


async def load(ctx: Ctx, referral_id: str, *, for_update: bool = False) -> Referral:
    row = await ctx.repo.get_referral(referral_id, for_update=for_update)
    if row is None:
        raise NotFound(f"no referral {referral_id}", field="referral_id")
    return row


async def sees(ctx: Ctx, principal: Principal, row: Referral) -> bool:
    if principal.role in DISTRICT_WIDE:
        return True
    if principal.role == Role.HOSPITAL:
        return principal.in_scope("facility", row.from_facility_id) or principal.in_scope(
            "facility", row.to_facility_id
        )
    person = await ctx.repo.get_person(row.person_id)
    return person is not None and carer_in_scope(principal, person)


async def get(ctx: Ctx, principal: Principal, referral_id: str) -> dict[str, Any]:
    row = await load(ctx, referral_id)
    require(await sees(ctx, principal, row), f"referral {referral_id}")
    return view(row)


async def listing(
    ctx: Ctx, principal: Principal, page: PageRequest, *, person_id: str | None, pending: bool | None
) -> list[dict[str, Any]]:
    """One page of the referrals the caller sees, newest first, paged in SQL: a hospital's
    or a carer's view is decided row by row (``sees``), so the page is read in SQL pages
    until it is full or the list ends."""
    states = None
    if pending is not None:
        states = (
            (ApprovalState.PENDING,)
            if pending
            else (ApprovalState.NOT_REQUIRED, ApprovalState.APPROVED, ApprovalState.REJECTED)
        )
    wanted = page.limit + 1  # the page and one more (there is a next page)
    visible: list[Referral] = []
    batch = page
    while len(visible) < wanted:
        rows = await ctx.repo.referral_page(batch, person_id=person_id, approval_states=states)
        read = rows[: batch.limit]
        visible += [r for r in read if await sees(ctx, principal, r)]
        if len(rows) <= batch.limit:
            break
        batch = replace(batch, after=sort_key(read[-1].referral_id))
    return [view(r) for r in visible[:wanted]]
