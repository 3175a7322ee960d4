"""Settling an admission at discharge, reversing a statement, manual reimbursement.

One-stop settlement at a designated facility (LJ-13.1, LJ-3.4) or a manual reimbursement
(LJ-3.2b, LJ-13.2) — both are immutable statements; a correction is a reversal plus a new
statement. The medical-aid ledger row of the person's year is locked while a statement is
computed, so concurrent settlements of one person never exceed the ceiling together (LJ-6.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.contracts.common import FacilityLevel, FilingState, Region, SupportType
from medaid_shared.contracts.settlement import (
    ManualReimbursementOverdue,
    ManualReimbursementRequested,
    SettlementCompleted,
    SettlementReversed,
)
from medaid_shared.db import UnitOfWork
from medaid_shared.errors import Conflict, Forbidden, NotFound, NotYetDecidable, ValidationFailed
from medaid_shared.ids import unknown
from settlement.domain.engine import (
    Gates,
    Line,
    Mode,
    Payer,
    SelfPayDecision,
    SelfPayOutcome,
    YearToDate,
    national_fields,
    settle,
)
from settlement.domain.money import MAX_AMOUNT, ZERO
from settlement.service.context import Ctx, new_id
from settlement.service.parameters import parameters_for
from settlement.service.ports import Record
from settlement.service.scope import facility_filter, require_facility

MANUAL_APPLICATION = "manual_application"  # deadline kind (LJ-13.2)
# SPEC 0.5: filing states that may still change — pending (nothing filed yet, or a chain
# not complete) and phone_reported (the form may still come, in time or late).
OPEN_FILING = frozenset({FilingState.PENDING, FilingState.PHONE_REPORTED})
# Who re-issues a statement when a fact it stood on changes (recorded as such in the audit log).
RESETTLEMENT = Principal(subject="system:re-settlement", role=Role.MEDICAL_INSURANCE)
PAYER_COLUMNS = [p.value for p in Payer]
TOTAL_COLUMNS = ["total", "in_catalogue_total", "out_of_catalogue_total", "deductible_applied"]


def statement_view(st: Record, lines: Sequence[Record] | None = None) -> dict[str, Any]:
    amounts = {Payer(p): st[p] for p in PAYER_COLUMNS}
    view: dict[str, Any] = {
        "statement_id": st["statement_id"],
        "kind": st["kind"],
        "reverses_statement_id": st["reverses_statement_id"],
        "admission_id": st["admission_id"],
        "person_id": st["person_id"],
        "facility_id": st["facility_id"],
        "mode": st["mode"],
        "aid_year": st["aid_year"],
        **{c: st[c] for c in TOTAL_COLUMNS},
        "amounts": {p.value: a for p, a in amounts.items()},
        "patient_advance": st["patient_advance"],
        "national_fields": national_fields(
            Mode(st["mode"]),
            st["total"],
            st["in_catalogue_total"],
            st["out_of_catalogue_total"],
            st["deductible_applied"],
            amounts,
        ),
        "parameter_versions": st["parameter_versions"],
        "example_parameters": st["example_parameters"],
        "manual_reasons": st["manual_reasons"],
        "gates_applied": st["gates_applied"],
        "bill_ids": st["bill_ids"],
        "reason": st["reason"],
        "created_by": st["created_by"],
        "created_role": st["created_role"],
        "completed_at": st["completed_at"],
    }
    if lines is not None:
        view["lines"] = [
            {k: ln[k] for k in ("seq", "payer", "amount", "rule", "parameter_version", "basis", "bill_ref")}
            for ln in lines
        ]
    return view


def _gates(adm: Record, person: Record | None) -> Gates:
    return Gates(
        filing_state=FilingState(adm["filing_state"]),
        facility_designated=adm["facility_designated"],
        facility_level=FacilityLevel(adm["facility_level"]),
        facility_region=Region(adm["facility_region"]),
        primary_first_visit=adm["primary_first_visit"],
        referral_slip=adm["referral_slip"],
        out_of_region_approved=adm["out_of_region_approved"],
        emergency=adm["emergency"],
        admitted_on=clock.to_local(adm["admitted_at"]).date(),
        # LJ-6.2: the premium is fully subsidised, so enrolment is assumed until told otherwise.
        basic_insurance_enrolled=person["basic_insurance_enrolled"] if person else True,
    )


def _decisions(rows: list[Record]) -> dict[str, SelfPayDecision]:
    decisions: dict[str, SelfPayDecision] = {}
    for r in rows:
        try:
            outcome = SelfPayOutcome(r["outcome"])
        except ValueError:
            continue  # an outcome this service does not know is no approval (LJ-7.4)
        decisions[r["item_id"]] = SelfPayDecision(outcome, r["amount"])
    return decisions


def check_decidable(ctx: Ctx, adm: Record, lines: Sequence[Record], decisions: Sequence[Record]) -> None:
    """SPEC 0.5: settlement decides on final facts only. The filing state decides whether aid
    and the support fund pay (LJ-4.3c); a self-pay item's outcome decides who bears it
    (LJ-7.4, LJ-14.1). Nothing is settled while either may still change."""
    state = FilingState(adm["filing_state"])
    if state in OPEN_FILING:
        raise NotYetDecidable(
            f"the outside-care filing of admission {adm['admission_id']} is {state.value}, not final yet: "
            "settlement waits until it is filed, late or unfiled",
            missing="filing_state",
            rule="LJ-4.3c",
            extra={"filing_state": state.value},
        )
    known = {d["item_id"]: d for d in decisions}
    items = sorted({ln["self_pay_item_id"] for ln in lines if ln["self_pay_item_id"] and not ln["in_catalogue"]})
    unknown = [i for i in items if i not in known]
    if unknown:
        raise NotYetDecidable(
            f"self-pay items {', '.join(unknown)} of the bill are not known here yet (consent's events may "
            "still be on their way)",
            missing="self_pay_decision",
            rule="LJ-7.4",
            retry_after=ctx.settings.not_decidable_retry_after_seconds,
            extra={"items": unknown},
        )
    undecided = [i for i in items if known[i]["outcome"] is None]
    if undecided:
        raise NotYetDecidable(
            f"self-pay items {', '.join(undecided)} of the bill are not decided yet (LJ-7 double review)",
            missing="self_pay_decision",
            rule="LJ-7.4",
            extra={"items": undecided},
        )


async def follow_changed_fact(ctx: Ctx, admission_id: str, what: str) -> None:
    """SPEC 0.5: when a fact a standing statement was decided on changes (the filing turns
    unfiled or late, an approval or a rejection arrives), the statement is reversed and
    issued again on the new facts — in the same aid-ceiling ledger (LJ-6.2), with events
    and the reason. While the new facts are not final, the statement stands until they are."""
    standing = await ctx.repo.active_statement(admission_id)
    adm = await ctx.repo.get_admission(admission_id, for_update=True)
    if standing is None or adm is None:
        return
    bills = await ctx.repo.active_bills(admission_id)
    lines = await ctx.repo.bill_lines([b["bill_id"] for b in bills])
    try:
        check_decidable(ctx, adm, lines, await ctx.repo.decisions_for(admission_id))
    except NotYetDecidable:
        return
    reason = f"re-settled: {what}"
    await reverse_statement(ctx, RESETTLEMENT, standing["statement_id"], reason)
    await settle_admission(ctx, RESETTLEMENT, admission_id, reason=reason, replaces=standing["statement_id"])


async def settle_admission(
    ctx: Ctx, principal: Principal, admission_id: str, *, reason: str | None = None, replaces: str | None = None
) -> tuple[int, dict[str, Any]]:
    """Settle an admission at discharge. 201 with the new statement, or 200 with the
    statement that already stands (re-settling changes nothing)."""
    repo = ctx.repo
    adm = await repo.get_admission(admission_id, for_update=True)  # one settlement per admission at a time
    if adm is None:
        raise unknown("admission", admission_id, now=clock.now(), field="admission_id")  # filed by referral
    require_facility(principal, adm["facility_id"], f"admission {admission_id}")
    standing = await repo.active_statement(admission_id)
    if standing is not None:
        return 200, statement_view(standing, await repo.statement_lines(standing["statement_id"]))
    if adm["discharged_at"] is None:
        raise Conflict("LJ-13.1: settlement happens at discharge, and no discharge is recorded yet", rule="LJ-13.1")
    bills = await repo.active_bills(admission_id)
    if not any(b["kind"] == "final" for b in bills):
        raise Conflict("the admission has no final bill yet", field="admission_id")

    bill_numbers = {b["bill_id"]: b["bill_number"] for b in bills}
    rows = await repo.bill_lines(list(bill_numbers))
    decision_rows = await repo.decisions_for(admission_id)
    check_decidable(ctx, adm, rows, decision_rows)
    order = {bill_id: i for i, bill_id in enumerate(bill_numbers)}  # bills in submission order
    rows.sort(key=lambda r: (order[r["bill_id"]], r["line_no"]))
    lines = [
        Line(i, r["item_code"], r["in_catalogue"], r["amount"], r["self_pay_item_id"], r["emergency"])
        for i, r in enumerate(rows, start=1)
    ]
    refs = {i: f"{bill_numbers[r['bill_id']]}#{r['line_no']}" for i, r in enumerate(rows, start=1)}
    if sum((ln.amount for ln in lines), ZERO) > MAX_AMOUNT:
        raise ValidationFailed(f"the admission's bills exceed {MAX_AMOUNT} in total", field="admission_id")

    person = await repo.get_person(adm["person_id"])
    gates = _gates(adm, person)
    discharge_day = clock.to_local(adm["discharged_at"]).date()
    params = await parameters_for(ctx, gates.facility_region, gates.facility_level, discharge_day)
    year = discharge_day.year
    ceiling = params.aid.values.annual_ceiling
    led = await repo.lock_ledger(adm["person_id"], year, ceiling)  # LJ-6.2: serialises the person's year
    ytd = YearToDate(led["basic_paid"], led["critical_base"], led["critical_paid"], led["aid_used"])
    result = settle(lines, _decisions(decision_rows), gates, ytd, params, ctx.gate_rules)

    statement_id = new_id()
    now = clock.now()
    record = {
        "statement_id": statement_id,
        "kind": "settlement",
        "reverses_statement_id": None,
        "admission_id": admission_id,
        "person_id": adm["person_id"],
        "facility_id": adm["facility_id"],
        "mode": result.mode.value,
        "aid_year": year,
        "total": result.total,
        "in_catalogue_total": result.in_catalogue_total,
        "out_of_catalogue_total": result.out_of_catalogue_total,
        "deductible_applied": result.deductible_applied,
        **{p.value: result.amount(p) for p in Payer},
        "patient_advance": result.patient_advance,
        "critical_base": result.year_delta.critical_base,
        "bill_ids": list(bill_numbers),
        "parameter_versions": list(result.parameter_versions),
        "example_parameters": result.example_parameters,
        "manual_reasons": list(result.manual_reasons),
        "gates_applied": list(result.gates_applied),
        "reason": reason,
        "created_by": principal.subject,
        "created_role": principal.role.value,
        "completed_at": now,
    }
    statement_lines = [
        {
            "statement_id": statement_id,
            "seq": seq,
            "payer": e.payer.value,
            "amount": e.amount,
            "rule": e.rule,
            "parameter_version": e.parameter_version,
            "basis": e.basis,
            "bill_ref": refs.get(e.line_no) if e.line_no is not None else None,
        }
        for seq, e in enumerate(result.explanations, start=1)
    ]
    await repo.insert_statement(record, statement_lines)
    d = result.year_delta
    await repo.apply_ledger(
        adm["person_id"],
        year,
        statement_id,
        {
            "basic_paid": d.basic_paid,
            "critical_base": d.critical_base,
            "critical_paid": d.critical_paid,
            "aid_used": d.aid_used,
        },
        ceiling,
    )
    await ctx.uow.emit(
        SettlementCompleted(
            statement_id=statement_id,
            admission_id=admission_id,
            person_id=adm["person_id"],
            facility_id=adm["facility_id"],
            mode=result.mode.value,
            total=result.total,
            basic_insurance=result.amount(Payer.BASIC_INSURANCE),
            critical_illness=result.amount(Payer.CRITICAL_ILLNESS),
            medical_aid=result.amount(Payer.MEDICAL_AID),
            support_fund=result.amount(Payer.SUPPORT_FUND),
            self_pay_support=result.amount(Payer.SELF_PAY_SUPPORT),
            hospital_borne=result.amount(Payer.HOSPITAL_BORNE),
            personal_cash=result.amount(Payer.PERSONAL_CASH),
            aid_year=year,
            completed_at=now,
            patient_advance=result.patient_advance,
            manual_reasons=list(result.manual_reasons),
            parameter_versions=list(result.parameter_versions),
            example_parameters=result.example_parameters,
            gates_applied=list(result.gates_applied),
            reason=reason,
            replaces_statement_id=replaces,
        )
    )
    if result.mode is Mode.MANUAL:
        await _request_manual(ctx, adm, statement_id, "; ".join(result.manual_reasons), result.patient_advance)
    await ctx.uow.audit(
        principal,
        "settlement.complete",
        f"statement:{statement_id}",
        reason=f"{result.mode.value} settlement of admission {admission_id} at discharge",
        details={
            "admission_id": admission_id,
            "total": str(result.total),
            "medical_aid": str(result.amount(Payer.MEDICAL_AID)),
            "gates": list(result.gates_applied),
            "parameter_versions": list(result.parameter_versions),
        },
    )
    return 201, statement_view(record, statement_lines)


async def _request_manual(ctx: Ctx, adm: Record, statement_id: str, reason: str, reimbursable: Decimal) -> None:
    """LJ-3.2b / LJ-13.2: the patient pays first; the district medical insurance office
    reimburses after review. Centralized persons: the institution applies within 15
    working days after discharge (a deadline); decentralized: the village committee or the
    guardian helps, with no deadline in the seed."""
    due = None
    if adm["support_type"] == SupportType.CENTRALIZED.value:
        due = ctx.calendar.add_working_days(adm["discharged_at"], ctx.settings.manual_application_working_days)
        await ctx.uow.schedule(
            MANUAL_APPLICATION,
            statement_id,
            due,
            basis="working_days",
            payload={
                "admission_id": adm["admission_id"],
                "person_id": adm["person_id"],
                "facility_id": adm["facility_id"],
                "institution_id": adm["institution_id"],
            },
        )
    await ctx.repo.insert_manual(
        {
            "statement_id": statement_id,
            "admission_id": adm["admission_id"],
            "person_id": adm["person_id"],
            "facility_id": adm["facility_id"],
            "support_type": adm["support_type"],
            "reason": reason,
            "reimbursable": reimbursable,
            "application_due_at": due.at if due else None,
            "calendar_provisional": due.calendar_provisional if due else False,
            "requested_at": clock.now(),
        }
    )
    await ctx.uow.emit(
        ManualReimbursementRequested(
            admission_id=adm["admission_id"],
            person_id=adm["person_id"],
            facility_id=adm["facility_id"],
            reason=reason,
            application_due_at=due.at if due else None,
            calendar_provisional=due.calendar_provisional if due else False,
            statement_id=statement_id,
            reimbursable=reimbursable,
            support_type=adm["support_type"],
        )
    )


async def reverse_statement(ctx: Ctx, principal: Principal, statement_id: str, reason: str) -> dict[str, Any]:
    """A correction: a reversal statement with every amount negated, the person's ledger
    released by what the statement consumed. The original stays as it was (immutable)."""
    repo = ctx.repo
    original = await repo.get_statement(statement_id)
    if original is None:
        raise NotFound(f"no statement {statement_id}")
    require_facility(principal, original["facility_id"], f"statement {statement_id}")
    await repo.get_admission(original["admission_id"], for_update=True)
    if original["kind"] != "settlement":
        raise Conflict("a reversal cannot itself be reversed", field="statement_id")
    if await repo.reversal_of(statement_id) is not None:
        raise Conflict(f"statement {statement_id} is already reversed", field="statement_id")
    reversal_id = new_id()
    now = clock.now()
    negated = {c: -original[c] for c in [*TOTAL_COLUMNS, *PAYER_COLUMNS, "patient_advance", "critical_base"]}
    record = {
        **original,
        **negated,
        "statement_id": reversal_id,
        "kind": "reversal",
        "reverses_statement_id": statement_id,
        "reason": reason,
        "created_by": principal.subject,
        "created_role": principal.role.value,
        "completed_at": now,
    }
    lines = [
        {**ln, "statement_id": reversal_id, "amount": -ln["amount"], "basis": f"reversal of: {ln['basis']}"}
        for ln in await repo.statement_lines(statement_id)
    ]
    await repo.insert_statement(record, lines)
    year = original["aid_year"]
    led = await repo.lock_ledger(original["person_id"], year, ZERO)
    await repo.apply_ledger(
        original["person_id"],
        year,
        reversal_id,
        {
            "basic_paid": -original["basic_insurance"],
            "critical_base": -original["critical_base"],
            "critical_paid": -original["critical_illness"],
            "aid_used": -original["medical_aid"],
        },
        led["aid_ceiling"],
    )
    await ctx.uow.close_deadline(MANUAL_APPLICATION, statement_id, state="cancelled")
    await ctx.uow.emit(
        SettlementReversed(
            statement_id=reversal_id,
            reversed_statement_id=statement_id,
            admission_id=original["admission_id"],
            person_id=original["person_id"],
            medical_aid_released=original["medical_aid"],
            reason=reason,
            reversed_at=now,
        )
    )
    await ctx.uow.audit(
        principal,
        "settlement.reverse",
        f"statement:{statement_id}",
        reason=reason,
        details={"reversal_id": reversal_id, "medical_aid_released": str(original["medical_aid"])},
    )
    return statement_view(record, lines)


async def get_statement(ctx: Ctx, principal: Principal, statement_id: str) -> dict[str, Any]:
    st = await ctx.repo.get_statement(statement_id)
    if st is None:
        raise NotFound(f"no statement {statement_id}")
    require_facility(principal, st["facility_id"], f"statement {statement_id}")
    view = statement_view(st, await ctx.repo.statement_lines(statement_id))
    reversal = await ctx.repo.reversal_of(statement_id)
    view["reversed_by_statement_id"] = reversal["statement_id"] if reversal else None
    return view


async def list_statements(
    ctx: Ctx, principal: Principal, admission_id: str | None, person_id: str | None, limit: int
) -> list[dict[str, Any]]:
    rows = await ctx.repo.list_statements(
        admission_id=admission_id, person_id=person_id, facility_ids=facility_filter(principal), limit=limit
    )
    return [statement_view(r) for r in rows]


async def get_ledger(ctx: Ctx, person_id: str, year: int) -> dict[str, Any]:
    row = await ctx.repo.get_ledger(person_id, year)
    if row is None:
        return {"person_id": person_id, "year": year, "aid_used": ZERO, "aid_ceiling": None, "aid_remaining": None}
    return {
        "person_id": person_id,
        "year": year,
        "basic_paid": row["basic_paid"],
        "critical_base": row["critical_base"],
        "critical_paid": row["critical_paid"],
        "aid_used": row["aid_used"],
        "aid_ceiling": row["aid_ceiling"],
        "aid_remaining": row["aid_ceiling"] - row["aid_used"],
    }


def manual_view(m: Record) -> dict[str, Any]:
    return {k: m[k] for k in m}


async def record_application(ctx: Ctx, principal: Principal, statement_id: str) -> dict[str, Any]:
    """LJ-13.2: the manual-reimbursement application reached the district medical insurance
    office (recorded by the office, or by the institution / village committee in scope)."""
    manual = await ctx.repo.get_manual(statement_id, for_update=True)
    if manual is None:
        raise NotFound(f"no manual reimbursement for statement {statement_id}")
    adm = await ctx.repo.get_admission(manual["admission_id"])
    assert adm is not None
    if principal.role is Role.INSTITUTION:
        principal.require_scope("institution", adm["institution_id"], f"admission {adm['admission_id']}")
    elif principal.role is Role.VILLAGE_COMMITTEE:
        principal.require_scope("village", adm["village_id"], f"admission {adm['admission_id']}")
    elif principal.role is not Role.MEDICAL_INSURANCE:
        raise Forbidden(f"role {principal.role.value} may not record a reimbursement application")
    if manual["applied_at"] is not None:
        raise Conflict("the application is already recorded", field="statement_id")
    if await ctx.repo.reversal_of(statement_id) is not None:
        raise Conflict("the statement was reversed: apply for its replacement", field="statement_id")
    now = clock.now()
    late = manual["application_due_at"] is not None and now > manual["application_due_at"]
    await ctx.repo.mark_manual_applied(
        statement_id, {"applied_at": now, "applied_by": principal.subject, "applied_late": late}
    )
    await ctx.uow.close_deadline(MANUAL_APPLICATION, statement_id)
    await ctx.uow.audit(
        principal,
        "reimbursement.apply",
        f"statement:{statement_id}",
        reason="LJ-13.2 manual reimbursement application received",
        details={"late": late},
    )
    return manual_view({**manual, "applied_at": now, "applied_by": principal.subject, "applied_late": late})


async def list_manual(ctx: Ctx, pending_only: bool, limit: int) -> list[dict[str, Any]]:
    return [manual_view(m) for m in await ctx.repo.list_manual(pending_only=pending_only, limit=limit)]


async def manual_application_overdue(uow: UnitOfWork, row: Any) -> None:
    """LJ-13.2: no application 15 working days after discharge (centralized persons)."""
    p = row["payload"]
    await uow.emit(
        ManualReimbursementOverdue(
            statement_id=row["subject"],
            admission_id=p["admission_id"],
            person_id=p["person_id"],
            facility_id=p["facility_id"],
            institution_id=p.get("institution_id"),
            due_at=row["due_at"],
            calendar_provisional=row["calendar_provisional"],
        )
    )
