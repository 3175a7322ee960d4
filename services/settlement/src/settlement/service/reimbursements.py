"""Manual reimbursement as a workflow (LJ-13.2, LJ-3.2b): the application, medical
insurance's review and the payment.

A manual statement charges nothing to the person's yearly aid ceiling when it is issued
(LJ-6.2): the aid is reserved when the institution, the village committee or the guardian
applies within the versioned window after discharge, kept at the approved amount, released
when the application is rejected (or the statement reversed). State:
requested → applied → approved | rejected; approved → paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.errors import Conflict, Forbidden, NotFound, RuleViolation
from settlement.domain.money import ZERO
from settlement.service import events
from settlement.service.context import Ctx
from settlement.service.ports import Record
from settlement.service.settlements import MANUAL_APPLICATION, manual_view


@dataclass(frozen=True)
class Approval:
    """What medical insurance approves of a manual reimbursement, per payer."""

    basic_insurance: Decimal
    critical_illness: Decimal
    medical_aid: Decimal

    @property
    def total(self) -> Decimal:
        return self.basic_insurance + self.critical_illness + self.medical_aid


async def _manual(ctx: Ctx, statement_id: str) -> Record:
    manual = await ctx.repo.get_manual(statement_id, for_update=True)
    if manual is None:
        raise NotFound(f"no manual reimbursement for statement {statement_id}")
    return manual


def _require_applicant(principal: Principal, adm: Record, person: Record | None) -> None:
    """LJ-13.2: the person's institution, village committee or guardian applies (medical
    insurance records an application handed in on paper)."""
    where = f"admission {adm['admission_id']}"
    if principal.role is Role.INSTITUTION:
        principal.require_scope("institution", adm["institution_id"], where)
    elif principal.role is Role.VILLAGE_COMMITTEE:
        principal.require_scope("village", adm["village_id"], where)
    elif principal.role is Role.GUARDIAN:
        if person is None or person["guardian_id"] is None or person["guardian_id"] != principal.subject:
            raise Forbidden(f"only the person's guardian may apply for {where}")
    elif principal.role is not Role.MEDICAL_INSURANCE:
        raise Forbidden(f"role {principal.role.value} may not apply for a manual reimbursement")


async def _ledger(ctx: Ctx, manual: Record, statement: Record, entry: str, aid_delta: Decimal) -> Record:
    """LJ-6.2: move the aid the application holds on the person's yearly ledger."""
    led = await ctx.repo.lock_ledger(manual["person_id"], statement["aid_year"], ZERO)
    delta = {"basic_paid": ZERO, "critical_base": ZERO, "critical_paid": ZERO, "aid_used": aid_delta}
    await ctx.repo.apply_ledger(
        manual["person_id"], statement["aid_year"], f"{manual['statement_id']}:{entry}", delta, led["aid_ceiling"]
    )
    return led


async def _progressed(ctx: Ctx, principal: Principal, manual: Record, values: Record) -> None:
    await ctx.uow.emit(events.manual_progressed({**manual, **values}, by_role=principal.role.value, at=clock.now()))


async def apply(ctx: Ctx, principal: Principal, statement_id: str) -> dict[str, Any]:
    """LJ-13.2: the application, within the window; LJ-6.2: the statement's aid is reserved
    on the person's yearly ceiling now (as much of it as the ceiling still leaves)."""
    manual = await _manual(ctx, statement_id)
    adm = await ctx.repo.get_admission(manual["admission_id"])
    assert adm is not None
    _require_applicant(principal, adm, await ctx.repo.get_person(manual["person_id"]))
    if manual["state"] != "requested":
        raise Conflict(f"the application is already {manual['state']}", field="statement_id")
    if await ctx.repo.reversal_of(statement_id) is not None:
        raise Conflict("the statement was reversed: apply for its replacement", field="statement_id")
    now = clock.now()
    if now > manual["application_due_at"]:
        raise RuleViolation(
            f"LJ-13.2: the window for applying closed at {clock.to_local(manual['application_due_at']):%Y-%m-%d %H:%M}"
            f" (Asia/Shanghai), {manual['window_version']}",
            field="statement_id",
            rule="LJ-13.2",
            extra={"application_due_at": manual["application_due_at"].isoformat()},
        )
    statement = await ctx.repo.get_statement(statement_id)
    assert statement is not None
    led = await ctx.repo.lock_ledger(manual["person_id"], statement["aid_year"], ZERO)
    reserved = max(ZERO, min(Decimal(statement["medical_aid"]), led["aid_ceiling"] - led["aid_used"]))
    await _ledger(ctx, manual, statement, "reserved", reserved)
    values = {
        "state": "applied",
        "applied_at": now,
        "applied_by": principal.subject,
        "applied_role": principal.role.value,
        "aid_reserved": reserved,
        "aid_held": reserved,
    }
    await ctx.repo.update_manual(statement_id, values)
    await _progressed(ctx, principal, manual, values)
    await ctx.uow.close_deadline(MANUAL_APPLICATION, statement_id)
    await ctx.uow.audit(
        principal,
        "reimbursement.apply",
        f"statement:{statement_id}",
        reason="LJ-13.2 manual reimbursement application received",
        details={"aid_reserved": str(reserved), "window": manual["window_version"]},
    )
    return manual_view({**manual, **values})


async def review(
    ctx: Ctx, principal: Principal, statement_id: str, approval: Approval | None, reasons: Sequence[str]
) -> dict[str, Any]:
    """LJ-13.2: medical insurance approves with the amounts it reimburses, or rejects with
    its reasons; LJ-6.2: the ledger keeps the approved aid, a rejection releases it all."""
    manual = await _manual(ctx, statement_id)
    if manual["state"] != "applied":
        raise Conflict(
            f"only an applied reimbursement is reviewed; this one is {manual['state']}", field="statement_id"
        )
    statement = await ctx.repo.get_statement(statement_id)
    assert statement is not None
    held = Decimal(manual["aid_held"] or ZERO)
    if approval is not None:
        _check_amounts(approval, statement, held)
    kept = approval.medical_aid if approval is not None else ZERO
    if kept != held:
        await _ledger(ctx, manual, statement, "reviewed", kept - held)
    values: dict[str, Any] = {
        "state": "approved" if approval is not None else "rejected",
        "reviewed_at": clock.now(),
        "reviewed_by": principal.subject,
        "review_reasons": list(reasons),
        "aid_held": kept,
        "approved_basic_insurance": approval.basic_insurance if approval else None,
        "approved_critical_illness": approval.critical_illness if approval else None,
        "approved_medical_aid": approval.medical_aid if approval else None,
    }
    await ctx.repo.update_manual(statement_id, values)
    await _progressed(ctx, principal, manual, values)
    await ctx.uow.audit(
        principal,
        "reimbursement.approve" if approval is not None else "reimbursement.reject",
        f"statement:{statement_id}",
        reason="; ".join(reasons) or "LJ-13.2 manual reimbursement approved",
        details={"approved_total": str(approval.total) if approval else None, "aid_released": str(held - kept)},
    )
    return manual_view({**manual, **values})


def _check_amounts(approval: Approval, statement: Record, held: Decimal) -> None:
    """LJ-13.2: no payer is approved more than the statement computed for it; LJ-6.2: the aid
    no more than the application holds on the yearly ceiling."""
    for payer in ("basic_insurance", "critical_illness"):
        if getattr(approval, payer) > statement[payer]:
            raise RuleViolation(
                f"{payer} {getattr(approval, payer)} exceeds the statement's {statement[payer]}",
                field=payer,
                rule="LJ-13.2",
            )
    if approval.medical_aid > held:
        raise RuleViolation(
            f"medical_aid {approval.medical_aid} exceeds the {held} reserved on the yearly ceiling",
            field="medical_aid",
            rule="LJ-6.2",
        )


async def record_payment(
    ctx: Ctx, principal: Principal, statement_id: str, amount: Decimal, payment_ref: str
) -> dict[str, Any]:
    """LJ-13.2: medical insurance paid the approved amounts (all of them, once)."""
    manual = await _manual(ctx, statement_id)
    if manual["state"] != "approved":
        raise Conflict(f"only an approved reimbursement is paid; this one is {manual['state']}", field="statement_id")
    approved = manual["approved_basic_insurance"] + manual["approved_critical_illness"] + manual["approved_medical_aid"]
    if amount != approved:
        raise RuleViolation(f"the payment {amount} is not the approved {approved}", field="amount", rule="LJ-13.2")
    values = {"state": "paid", "paid_at": clock.now(), "paid_by": principal.subject, "paid_amount": amount,
              "payment_ref": payment_ref}  # fmt: skip
    await ctx.repo.update_manual(statement_id, values)
    await _progressed(ctx, principal, manual, values)
    await ctx.uow.audit(
        principal,
        "reimbursement.pay",
        f"statement:{statement_id}",
        reason="LJ-13.2 manual reimbursement paid",
        details={"amount": str(amount), "payment_ref": payment_ref},
    )
    return manual_view({**manual, **values})
