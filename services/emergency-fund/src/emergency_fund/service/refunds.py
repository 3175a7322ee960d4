"""Refunds (GD-16.4): a patient identified after the fund paid — the hospital returns the
money (a ledger entry) and pursues the patient."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from emergency_fund.domain import ledger
from emergency_fund.domain.eligibility import IdentityStatus
from emergency_fund.domain.money import ZERO, cents
from emergency_fund.domain.records import Case, IdentitySignal, Pursuit, RefundDemand, RefundPayment
from emergency_fund.service import applications
from emergency_fund.service.base import (
    Env,
    audit,
    found,
    load_params,
    new_id,
    out,
    post,
    require_fund,
    require_record_scope,
)
from emergency_fund.service.cases import (
    CaseState,
    after_identity_known,
    announce_closed,
    case_view,
    identify,
    identify_from_police,
    identity_fields,
)
from emergency_fund.service.commands import IdentifyCmd, PursuitCmd, RefundDemandCmd, RefundPaymentCmd
from medaid_shared.clock import to_local
from medaid_shared.contracts.emergency_fund import FundRefundDemanded, FundRefundOverdue, FundRefundRecorded
from medaid_shared.errors import Conflict, RuleViolation
from medaid_shared.pagination import PageRequest

PAID_STATES = {CaseState.PAID}


async def on_late_identification(env: Env, signal: IdentitySignal) -> None:
    """GD-16.4: the bureau identified the patient after its 3 working days. Money already paid
    is demanded back from the hospital; a case still in review leaves its application; a case
    not yet applied for moves to the identified path."""
    cases = await env.repo.cases_awaiting_identity(
        signal.request_id, signal.facility_id, signal.patient_ref, for_update=True
    )
    for case in cases:
        if case.state in PAID_STATES:
            await env.repo.cases.update(
                case.id,
                identity_status=IdentityStatus.IDENTIFIED.value,
                id_digest=signal.id_digest,
                name_masked=signal.name_masked,
                id_masked=signal.id_masked,
                birth_facts=signal.birth_facts,
                identified_late=True,
                updated_at=env.now,
            )
            await demand(env, case, "GD-16.4: the police identified the patient after the fund paid", signal.request_id)
        elif case.state == CaseState.IN_APPLICATION:
            await applications.withdraw_case(env, case, "GD-16.4: identified by the police before payment")
            await identify_from_police(env, case, signal)
        elif case.state in (CaseState.OPEN, CaseState.CLAIMED):
            await identify_from_police(env, case, signal)


REFUND_DUE = "fund.refund.due"  # GD-16.4


async def hospital_identifies(env: Env, case_id: str, cmd: IdentifyCmd) -> tuple[int, Any]:
    """GD-16.4 (with GD-15, GD-18): the hospital found the identity itself. Before any claim
    the case moves to the identified path; a case in a pending application leaves it; a case
    already paid is identified late and its money demanded back, due like the bureau's late
    identification. The hospital's report is against its own interest, so its word is taken
    (SPEC 0.5); it is audited with how the identity was found."""
    case = await applications.case_in_scope(env, case_id, lock=True)
    if case.state not in PAID_STATES and case.state != CaseState.IN_APPLICATION:
        return await identify(env, case_id, cmd)
    if case.identity_status != IdentityStatus.UNIDENTIFIED.value:
        raise Conflict("the patient is already identified", rule="GD-16.4", field="id_number")
    fields = identity_fields(env, case_id, cmd.name, cmd.id_number)
    if case.state == CaseState.IN_APPLICATION:
        await applications.withdraw_case(env, case, "GD-16.4: identified by the hospital before payment")
        await env.repo.cases.update(
            case_id,
            **fields,
            identity_gate=None,
            identified_late=True,
            state=CaseState.OPEN,
            claim_medical=None,
            claim_living=None,
            claimed_at=None,
            updated_at=env.now,
        )
        await audit(env, "case.identified", case_id, reason=cmd.how, rule="GD-16.4", source="hospital")
        await after_identity_known(env, case_id)
        return 200, await case_view(env, case_id)
    await env.repo.cases.update(case_id, **fields, identity_gate=None, identified_late=True, updated_at=env.now)
    await audit(env, "case.identified", case_id, reason=cmd.how, rule="GD-16.4", source="hospital")
    await after_identity_known(env, case_id)
    case = await applications.case_in_scope(env, case_id, lock=True)
    await demand(env, case, f"GD-16.4: the hospital identified the patient after the fund paid ({cmd.how})", None)
    return 200, await case_view(env, case_id)


async def demand(
    env: Env, paid: Case, reason: str, request_id: str | None, *, amount: Decimal | None = None
) -> RefundDemand:
    """GD-16.4: the hospital returns what the fund paid (or ``amount`` of it: the part a
    channel confirmed after payment covers, GD-18.1), by the versioned due date (working days
    on the official calendar); the demand is flagged and announced once overdue."""
    assert paid.application_id is not None and paid.paid_amount is not None
    owed = paid.paid_amount if amount is None else amount
    params = await load_params(env)
    due = env.calendar.add_working_days(env.now, params.refund_due_working_days)
    refund = RefundDemand(
        id=new_id("RF"),
        case_id=paid.id,
        application_id=paid.application_id,
        city=paid.city,
        facility_id=paid.facility_id,
        amount=owed,
        refunded=ZERO,
        reason=reason,
        identity_request_id=request_id,
        state="open",
        demanded_at=env.now,
        demanded_by=env.principal.subject,
        due_at=due.at,
        calendar_provisional=due.calendar_provisional,
        due_parameters_version=params.version_of("refund_due_working_days"),
    )
    # one demand per case: the case row is locked, and the table's unique case forbids a second
    if await env.repo.refund_of_case(paid.id) or not await env.repo.refund_demands.add_new(refund):
        raise Conflict(f"case {paid.id} already has a refund demand", rule="GD-16.4")
    await env.repo.cases.update(paid.id, state=CaseState.REFUND_DEMANDED, updated_at=env.now)
    await env.uow.schedule(REFUND_DUE, refund.id, due.after(1), basis="working_days", payload={"refund_id": refund.id})
    facility = await env.repo.facilities.get(paid.facility_id)
    await env.uow.emit(
        FundRefundDemanded(
            refund_id=refund.id,
            city=paid.city,
            police_jurisdiction=facility.police_jurisdiction if facility else None,
            case_id=paid.id,
            facility_id=paid.facility_id,
            amount=owed,
            reason=reason,
            demanded_at=env.now,
            due_at=due.at,
        )
    )
    await audit(
        env,
        "refund.demand",
        paid.id,
        reason=reason,
        rule="GD-16.4",
        amount=owed,
        due_at=due.at,
        parameters_version=refund.due_parameters_version,
    )
    return refund


async def demand_manually(env: Env, case_id: str, cmd: RefundDemandCmd) -> tuple[int, Any]:
    """The agency demands the money of a paid case back (e.g. the identity turned up another way)."""
    case = await applications.case_in_scope(env, case_id, lock=True)
    if case.state not in PAID_STATES:
        raise Conflict(f"case {case_id} is {case.state}: only money paid can be demanded back", rule="GD-16.4")
    refund = await demand(env, case, cmd.reason, None)
    return 201, await refund_view(env, refund.id)


async def load_refund(env: Env, refund_id: str, *, lock: bool = False) -> RefundDemand:
    refund = found(await env.repo.refund_demands.get(refund_id, for_update=lock), "refund demand", refund_id)
    require_record_scope(env.principal, refund.facility_id, refund.city)
    return refund


async def record_payment(env: Env, refund_id: str, cmd: RefundPaymentCmd) -> tuple[int, Any]:
    """GD-16.4: the hospital returns the money (a ledger entry); never more than was paid."""
    refund = await load_refund(env, refund_id, lock=True)
    outstanding = refund.amount - refund.refunded
    if refund.state != "open":
        raise Conflict("this refund is complete", rule="GD-16.4")
    if cmd.amount > outstanding:
        raise RuleViolation(
            f"a refund of {cmd.amount} is larger than the {outstanding} still owed of the {refund.amount} paid",
            rule="GD-16.4",
            field="amount",
        )
    await require_fund(env, refund.city, lock=True)
    txn_id = await post(
        env, refund.city, ledger.refund(cmd.amount, to_local(env.now).year, f"{refund_id}:{cmd.reference}")
    )
    await env.repo.refund_payments.add(
        RefundPayment(
            id=new_id("RP"),
            refund_id=refund_id,
            amount=cmd.amount,
            reference=cmd.reference,
            txn_id=txn_id,
            paid_at=env.now,
            recorded_by=env.principal.subject,
        )
    )
    refunded = cents(refund.refunded + cmd.amount)
    done = refunded == refund.amount
    await env.repo.refund_demands.update(refund_id, refunded=refunded, state="refunded" if done else "open")
    if done:
        await env.uow.close_deadline(REFUND_DUE, refund_id)
        await env.repo.cases.update(refund.case_id, state=CaseState.REFUNDED, updated_at=env.now)
        await announce_closed(env, refund.case_id, "refunded")
    await env.uow.emit(
        FundRefundRecorded(
            refund_id=refund_id,
            city=refund.city,
            case_id=refund.case_id,
            facility_id=refund.facility_id,
            amount=cmd.amount,
            refunded_total=refunded,
            outstanding=cents(refund.amount - refunded),
            recorded_at=env.now,
        )
    )
    await audit(env, "refund.payment", refund_id, rule="GD-16.4", amount=cmd.amount, reference=cmd.reference)
    return 201, await refund_view(env, refund_id)


async def on_refund_due(env: Env, row: Any) -> None:
    """GD-16.4: the due date passed with money still owed: the demand is flagged overdue and
    announced (the agency's follow-up)."""
    refund = await env.repo.refund_demands.get(row["payload"]["refund_id"], for_update=True)
    if refund is None or refund.state != "open" or refund.overdue_at is not None:
        return
    await env.repo.refund_demands.update(refund.id, overdue_at=env.now)
    outstanding = cents(refund.amount - refund.refunded)
    await env.uow.emit(
        FundRefundOverdue(
            refund_id=refund.id,
            case_id=refund.case_id,
            facility_id=refund.facility_id,
            outstanding=outstanding,
            due_at=refund.due_at,
            overdue_at=env.now,
            city=refund.city,
        )
    )
    await audit(env, "refund.overdue", refund.id, rule="GD-16.4", outstanding=outstanding, due_at=refund.due_at)


async def on_refund_due_moved(env: Env, row: Any, moved: Any) -> None:
    """SPEC 0.1: a loaded calendar notice moved the due date; a flag raised before the real
    due date is withdrawn (the deadline fires again then)."""
    values: dict[str, Any] = {
        "due_at": moved.due_at - timedelta(seconds=1),  # the deadline fires the instant after
        "calendar_provisional": moved.calendar_provisional,
    }
    if moved.reopened:
        values["overdue_at"] = None
    await env.repo.refund_demands.update(row["payload"]["refund_id"], **values)


async def record_pursuit(env: Env, refund_id: str, cmd: PursuitCmd) -> tuple[int, Any]:
    """GD-16.4: the hospital's pursuit of the patient (追缴), step by step."""
    await load_refund(env, refund_id, lock=True)
    await env.repo.pursuits.add(
        Pursuit(
            id=new_id("PU"),
            refund_id=refund_id,
            action=cmd.action,
            note=cmd.note,
            recovered_from_patient=cmd.recovered_from_patient,
            recorded_at=env.now,
            recorded_by=env.principal.subject,
        )
    )
    await audit(env, "refund.pursuit", refund_id, reason=cmd.note, step=cmd.action)
    return 201, await refund_view(env, refund_id)


async def refund_view(env: Env, refund_id: str) -> dict[str, Any]:
    refund = found(await env.repo.refund_demands.get(refund_id), "refund demand", refund_id)
    payments = await env.repo.payments_of_refund(refund_id)
    pursuit = await env.repo.pursuit_of_refund(refund_id)
    return {
        **out(refund, id_as="refund_id"),
        "outstanding": str(refund.amount - refund.refunded),
        "payments": [out(p, id_as="payment_id") for p in payments],
        "pursuit": [out(p, id_as="step_id") for p in pursuit],
    }


async def get_refund(env: Env, refund_id: str) -> dict[str, Any]:
    await load_refund(env, refund_id)
    return await refund_view(env, refund_id)


async def list_refunds(env: Env, state: str | None, page: PageRequest) -> list[dict[str, Any]]:
    found_ = await env.repo.refund_page(applications.scope_of(env.principal), state, page)
    return [out(r, id_as="refund_id") for r in found_]
