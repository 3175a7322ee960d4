"""Settling an admission at discharge, reversing a statement, manual reimbursement.

One-stop settlement at a designated facility (LJ-13.1, LJ-3.4) or a manual reimbursement
(LJ-3.2b, LJ-13.2) — both are immutable statements; a correction is a reversal plus a new
statement. The medical-aid ledger row of the person's year is locked while a statement is
computed, so concurrent settlements of one person never exceed the ceiling together (LJ-6.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.contracts.common import FacilityLevel, FilingState, Region, SupportType
from medaid_shared.db import UnitOfWork
from medaid_shared.errors import Conflict, NotFound, NotYetDecidable, ValidationFailed
from medaid_shared.idempotency import encode
from medaid_shared.identifiers import ADMISSION_IDENTIFIERS
from medaid_shared.ids import unknown
from medaid_shared.pagination import PageRequest
from settlement.domain.engine import (
    Difference,
    GateRules,
    Gates,
    Line,
    Mode,
    Payer,
    PlatformResult,
    SelfPayDecision,
    SelfPayOutcome,
    Settlement,
    YearToDate,
    national_fields,
    settle,
)
from settlement.domain.money import MAX_AMOUNT, ZERO
from settlement.domain.parameters import Applied
from settlement.service import analytics, events
from settlement.service.context import Ctx, gate_rules, new_id
from settlement.service.flags import PLATFORM_DIFFERENCE, UNCONSENTED_TREATMENT, raise_flag, withdraw_flags
from settlement.service.parameters import (
    consent_check,
    emergency_period,
    manual_window,
    parameters_for,
    referral_route,
)
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
        "platform_setl_id": st.get("platform_setl_id"),
        "platform_differences": st.get("platform_differences") or [],
        "unconsented_lines": st.get("unconsented_lines") or [],
        "unfiled_care_bearer": bearer_view(st.get("unfiled_care_bearer")),
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


def _gates(adm: Record, person: Record | None, emergency_until: date | None = None) -> Gates:
    return Gates(
        filing_state=FilingState(adm["filing_state"]),
        facility_designated=adm["facility_designated"],
        facility_level=FacilityLevel(adm["facility_level"]),
        facility_region=Region(adm["facility_region"]),
        primary_first_visit=adm["primary_first_visit"],
        referral_slip=adm["referral_slip"],
        out_of_region_approved=adm["out_of_region_approved"],
        # SPEC 0.5 / LJ-11.3: the emergency referral determined, not the hospital's claim
        emergency=emergency_stands(adm),
        admitted_on=clock.to_local(adm["admitted_at"]).date(),
        emergency_until=emergency_until,
        # LJ-6.2: the premium is fully subsidised, so enrolment is assumed until told otherwise.
        basic_insurance_enrolled=person["basic_insurance_enrolled"] if person else True,
        unfiled_care_adviser=(adm.get("unfiled_care_adviser") or {}).get("name"),
    )


async def _gates_and_rules(ctx: Ctx, adm: Record) -> tuple[Gates, GateRules]:
    """The admission's gates and their interpretations; LJ-3.2b: the referral route in force
    on the admission day decides one-stop or manual reimbursement."""
    gates = _gates(adm, await ctx.repo.get_person(adm["person_id"]), await _emergency_until(ctx, adm))
    route = await referral_route(ctx, gates.facility_region, gates.facility_level, gates.admitted_on)
    return gates, gate_rules(ctx, route)


def unfiled_care_bearer(adm: Record, result: Settlement) -> dict[str, Any] | None:
    """LJ-4.3c: outside care with no filing at all — what aid, the support fund and support
    money do not pay falls on whoever advised the care or the person (建议方或当事人). The
    statement names the adviser civil affairs recorded (UnfiledCareAdviserRecorded) as bearing
    it, or the person while no adviser is known."""
    if "LJ-4.3c" not in result.gates_applied:
        return None
    amount = sum(
        (e.amount for e in result.explanations if e.rule == "LJ-4.3c" and e.payer is Payer.PERSONAL_CASH), ZERO
    )
    adviser = adm.get("unfiled_care_adviser")
    if adviser is None:
        return {"rule": "LJ-4.3c", "bearer": "person", "amount": amount, "adviser": None}
    return {
        "rule": "LJ-4.3c",
        "bearer": "adviser",
        "amount": amount,
        "adviser": {k: adviser.get(k) for k in ("kind", "unit_id", "name", "evidence_ref", "recorded_at")},
    }


def bearer_view(bearer: dict[str, Any] | None) -> dict[str, Any] | None:
    """A statement is immutable (SPEC §5): one issued before the adviser's reference was named
    ``unit_id`` keeps the key ``id`` as it was stored, and answers it under the vocabulary's name."""
    adviser = (bearer or {}).get("adviser")
    if bearer is None or adviser is None or "id" not in adviser:
        return bearer
    renamed = {("unit_id" if k == "id" else k): v for k, v in adviser.items()}
    return {**bearer, "adviser": renamed}


def emergency_stands(adm: Record) -> bool:
    """SPEC 0.5 / LJ-11.3: an emergency admission whose basis referral recorded
    (EmergencyDetermined) and that was not withdrawn (EmergencyExemptionWithdrawn)."""
    return bool(adm["emergency"]) and adm["emergency_determined_at"] is not None


async def _emergency_until(ctx: Ctx, adm: Record) -> date | None:
    """LJ-11.3 / LJ-7.4: the last service day of the determined emergency's period (the
    versioned interpretation in force on the admission day), or None when none stands."""
    if not emergency_stands(adm):
        return None
    admitted = clock.to_local(adm["admitted_at"])
    period = await emergency_period(
        ctx, Region(adm["facility_region"]), FacilityLevel(adm["facility_level"]), admitted.date()
    )
    return (admitted + timedelta(hours=period.values.hours)).date()


def _platform_result(row: Record | None, in_catalogue_total: Decimal) -> PlatformResult | None:
    """LJ-13.1 / SPEC 0.5: the national one-stop result posted for the admission, if any. Its
    insurances cannot have paid more than the compliant cost of the bills (LJ-6.1). A result
    reversed on the platform is no fact to settle on: the statement computes its own."""
    if row is None or row["reversed_at"] is not None:
        return None
    result = PlatformResult(
        setl_id=row["setl_id"],
        medfee_sumamt=row["medfee_sumamt"],
        inscp_scp_amt=row["inscp_scp_amt"],
        fulamt_ownpay_amt=row["fulamt_ownpay_amt"],
        act_pay_dedc=row["act_pay_dedc"],
        hifp_pay=row["hifp_pay"],
        hifmi_pay=row["hifmi_pay"],
        maf_pay=row["maf_pay"],
        psn_cash_pay=row["psn_cash_pay"],
    )
    if result.hifp_pay + result.hifmi_pay > in_catalogue_total:
        raise ValidationFailed(
            f"hifp_pay {result.hifp_pay} + hifmi_pay {result.hifmi_pay} of national settlement {result.setl_id} "
            f"exceed the compliant (in-catalogue) cost of the bills ({in_catalogue_total}): correct the bills or "
            "the result",
            field="hifp_pay",
            rule="LJ-6.1",
        )
    return result


async def _treatments_of(ctx: Ctx, lines: Sequence[Record]) -> list[Record]:
    ids = sorted({ln["treatment_id"] for ln in lines if ln["treatment_id"]})
    return await ctx.repo.treatments(ids) if ids else []


def unconsented_lines(
    adm: Record,
    rows: Sequence[Record],
    refs: dict[int, str],
    treatments: Sequence[Record],
    treatment_categories: Sequence[str],
) -> list[dict[str, Any]]:
    """LJ-11.1: routine and major treatment is carried out only after the eligible signer
    signed (an emergency rescue, LJ-11.3, or a treatment under the trusteeship agreement,
    LJ-5, needs no prior consent: consent says so in TreatmentRecorded); LJ-11.2: a "do not
    proceed" evaluation blocks the treatment. Every bill line of a treatment not consented,
    and every line of a treatment category (versioned ``consent_check``) naming no recorded
    treatment, is listed for inspection."""
    by_id = {tr["treatment_id"]: tr for tr in treatments}
    found: list[dict[str, Any]] = []
    for i, r in enumerate(rows, start=1):
        tid = r["treatment_id"]
        rule, reason = "LJ-11.1", ""
        if tid is None:
            if r["category"] in treatment_categories:
                reason = f"a {r['category']} line naming no recorded treatment (no consent on record)"
        else:
            tr = by_id[tid]
            if tr["admission_id"] != adm["admission_id"]:
                reason = f"treatment {tid} belongs to another admission"
            elif tr["evaluation_conclusion"] == "do_not_proceed":
                rule, reason = "LJ-11.2", f"treatment {tid}: the major-treatment evaluation concluded not to proceed"
            elif tr["consent_required"] and tr["consented_at"] is None:
                reason = f"treatment {tid} ({tr['kind']}) was never consented"
        if reason:
            found.append(
                {
                    "bill_ref": refs[i],
                    "item_code": r["item_code"],
                    "category": r["category"],
                    "amount": r["amount"],
                    "treatment_id": tid,
                    "rule": rule,
                    "reason": reason,
                }
            )
    return found


def flags_treatment(statement: Record, treatment_id: str) -> bool:
    """LJ-11.1: whether a statement flagged lines of this treatment as never consented."""
    return any(u.get("treatment_id") == treatment_id for u in statement.get("unconsented_lines") or [])


def differences_view(differences: Sequence[Difference]) -> list[dict[str, Any]]:
    return [
        {"field": d.field, "platform": d.platform, "computed": d.computed, "rule": d.rule, "note": d.note}
        for d in differences
    ]


def _decisions(rows: list[Record]) -> dict[str, SelfPayDecision]:
    decisions: dict[str, SelfPayDecision] = {}
    for r in rows:
        try:
            outcome = SelfPayOutcome(r["outcome"])
        except ValueError:
            continue  # an outcome this service does not know is no approval (LJ-7.4)
        decisions[r["item_id"]] = SelfPayDecision(outcome, r["amount"])
    return decisions


def check_decidable(
    ctx: Ctx,
    adm: Record,
    lines: Sequence[Record],
    decisions: Sequence[Record],
    treatments: Sequence[Record] = (),
) -> None:
    """SPEC 0.5: settlement decides on final facts only. The filing state decides whether aid
    and the support fund pay (LJ-4.3c); a self-pay item's outcome decides who bears it
    (LJ-7.4, LJ-14.1). Nothing is settled while either may still change."""
    if adm["emergency"] and adm["emergency_determined_at"] is None:
        raise NotYetDecidable(
            f"admission {adm['admission_id']} was filed as an emergency whose basis is not recorded yet: "
            "settlement waits until referral records the determination or withdraws the emergency",
            missing="emergency_determination",
            rule="LJ-11.3",
        )
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
    known_treatments = {tr["treatment_id"] for tr in treatments}
    missing = sorted({ln["treatment_id"] for ln in lines if ln["treatment_id"]} - known_treatments)
    if missing:
        raise NotYetDecidable(
            f"treatments {', '.join(missing)} the bill names are not known here yet (consent's events may still "
            "be on their way)",
            missing="treatment",
            rule="LJ-11.1",
            retry_after=ctx.settings.not_decidable_retry_after_seconds,
            extra={"treatments": missing},
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
        check_decidable(ctx, adm, lines, await ctx.repo.decisions_for(admission_id), await _treatments_of(ctx, lines))
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
    check_decidable(ctx, adm, rows, decision_rows, treatments := await _treatments_of(ctx, rows))
    order = {bill_id: i for i, bill_id in enumerate(bill_numbers)}  # bills in submission order
    rows.sort(key=lambda r: (order[r["bill_id"]], r["line_no"]))
    lines = [
        Line(
            i, r["item_code"], r["in_catalogue"], r["amount"], r["self_pay_item_id"], r["emergency"], r["service_date"]
        )
        for i, r in enumerate(rows, start=1)
    ]
    refs = {i: f"{bill_numbers[r['bill_id']]}#{r['line_no']}" for i, r in enumerate(rows, start=1)}
    if sum((ln.amount for ln in lines), ZERO) > MAX_AMOUNT:
        raise ValidationFailed(f"the admission's bills exceed {MAX_AMOUNT} in total", field="admission_id")

    gates, rules = await _gates_and_rules(ctx, adm)
    discharge_day = clock.to_local(adm["discharged_at"]).date()
    params = await parameters_for(ctx, gates.facility_region, gates.facility_level, discharge_day)
    year = discharge_day.year
    ceiling = params.aid.values.annual_ceiling
    led = await repo.lock_ledger(adm["person_id"], year, ceiling)  # LJ-6.2: serialises the person's year
    ytd = YearToDate(led["basic_paid"], led["critical_base"], led["critical_paid"], led["aid_used"])
    platform = _platform_result(
        await repo.get_platform_settlement(admission_id), sum((ln.amount for ln in lines if ln.in_catalogue), ZERO)
    )
    result = settle(lines, _decisions(decision_rows), gates, ytd, params, rules, platform)
    differences = differences_view(result.differences)
    checked = (await consent_check(ctx, gates.facility_region, gates.facility_level, discharge_day)).values
    unconsented = unconsented_lines(adm, rows, refs, treatments, checked.treatment_categories)

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
        "platform_setl_id": result.platform_setl_id,
        "platform_differences": encode(differences) if platform else None,
        "unconsented_lines": encode(unconsented),
        "unfiled_care_bearer": encode(bearer := unfiled_care_bearer(adm, result)),  # LJ-4.3c
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
            # LJ-13.2 / LJ-6.2: manual reimbursement reserves its aid only when applied for.
            "aid_used": ZERO if result.mode is Mode.MANUAL else d.aid_used,
        },
        ceiling,
    )
    await ctx.uow.emit(
        events.settlement_completed(record, result, replaces=replaces, differences=differences, bearer=bearer)
    )
    await _raise_flags(ctx, adm, statement_id, result.platform_setl_id, differences, unconsented)
    await analytics.schedule_analysis(ctx, discharge_day)  # LJ-15.4: the quarter of the discharge
    if result.mode is Mode.MANUAL:
        window = await manual_window(ctx, gates.facility_region, gates.facility_level, discharge_day)
        await _request_manual(ctx, adm, statement_id, "; ".join(result.manual_reasons), result.patient_advance, window)
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


async def _raise_flags(
    ctx: Ctx,
    adm: Record,
    statement_id: str,
    setl_id: str | None,
    differences: Sequence[dict[str, Any]],
    unconsented: Sequence[dict[str, Any]],
) -> None:
    """SPEC 0.5 / LJ-13.1 and LJ-11.1: what the statement found for inspection, flagged once
    and standing on the statement (its reversal withdraws it)."""
    if differences:
        await raise_flag(
            ctx,
            adm,
            statement_id,
            PLATFORM_DIFFERENCE,
            "LJ-13.1",
            Decimal(len(differences)),
            f"national one-stop settlement {setl_id} differs from the own computation: "
            + "; ".join(f"{d['field']} {d['platform']} vs {d['computed']} ({d['rule']})" for d in differences),
        )
    if unconsented:
        await raise_flag(
            ctx,
            adm,
            statement_id,
            UNCONSENTED_TREATMENT,
            "LJ-11.1",
            Decimal(len(unconsented)),
            f"{len(unconsented)} bill line(s) of treatments never consented: "
            + "; ".join(
                f"{u['bill_ref']} {u['item_code']} {u['amount']} ({u['rule']}: {u['reason']})" for u in unconsented
            ),
        )


async def _request_manual(
    ctx: Ctx, adm: Record, statement_id: str, reason: str, reimbursable: Decimal, window: Applied
) -> None:
    """LJ-3.2b / LJ-13.2: the patient pays first; the district medical insurance office
    reimburses after review. The institution (centralized persons), the village committee or
    the guardian (decentralized) applies within the versioned window of working days after
    discharge (15 for centralized persons; an interpretation for decentralized ones)."""
    values = window.values
    days = (
        values.centralized_working_days
        if adm["support_type"] == SupportType.CENTRALIZED.value
        else values.decentralized_working_days
    )
    due = ctx.calendar.add_working_days(adm["discharged_at"], days)
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
    manual = {
        "statement_id": statement_id,
        "admission_id": adm["admission_id"],
        "person_id": adm["person_id"],
        "facility_id": adm["facility_id"],
        "support_type": adm["support_type"],
        "reason": reason,
        "reimbursable": reimbursable,
        "application_due_at": due.at,
        "calendar_provisional": due.calendar_provisional,
        "requested_at": clock.now(),
        "state": "requested",
        "window_version": window.version_id,
    }
    await ctx.repo.insert_manual(manual)
    await ctx.uow.emit(events.manual_requested(manual))


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
    await withdraw_flags(ctx, statement_id, reversal_id, reason)  # LJ-11.1, LJ-13.1: they stood on it
    year = original["aid_year"]
    led = await repo.lock_ledger(original["person_id"], year, ZERO)
    released = await _aid_held(ctx, original)
    await repo.apply_ledger(
        original["person_id"],
        year,
        reversal_id,
        {
            "basic_paid": -original["basic_insurance"],
            "critical_base": -original["critical_base"],
            "critical_paid": -original["critical_illness"],
            "aid_used": -released,
        },
        led["aid_ceiling"],
    )
    await ctx.uow.close_deadline(MANUAL_APPLICATION, statement_id, state="cancelled")
    await ctx.uow.emit(events.settlement_reversed(record, released))
    await ctx.uow.audit(
        principal,
        "settlement.reverse",
        f"statement:{statement_id}",
        reason=reason,
        details={"reversal_id": reversal_id, "medical_aid_released": str(released)},
    )
    return statement_view(record, lines)


async def _aid_held(ctx: Ctx, statement: Record) -> Decimal:
    """LJ-6.2: what the statement holds on the ceiling ledger — a one-stop statement its aid;
    a manual one what its application reserved and review kept (LJ-13.2), now released."""
    if statement["mode"] != Mode.MANUAL.value:
        return Decimal(statement["medical_aid"])
    manual = await ctx.repo.get_manual(statement["statement_id"], for_update=True)
    if manual is None:
        return ZERO
    await ctx.repo.update_manual(statement["statement_id"], {"state": "reversed", "aid_held": ZERO})
    return Decimal(manual["aid_held"] or ZERO)


async def get_statement(ctx: Ctx, principal: Principal, statement_id: str) -> dict[str, Any]:
    st = await ctx.repo.get_statement(statement_id)
    if st is None:
        raise NotFound(f"no statement {statement_id}")
    require_facility(principal, st["facility_id"], f"statement {statement_id}")
    view = statement_view(st, await ctx.repo.statement_lines(statement_id))
    reversal = await ctx.repo.reversal_of(statement_id)
    view["reversed_by_statement_id"] = reversal["statement_id"] if reversal else None
    admission = await ctx.repo.get_admission(st["admission_id"]) or {}
    view["admission_identifiers"] = {name: admission.get(name) for name in ADMISSION_IDENTIFIERS}
    return view


async def list_statements(
    ctx: Ctx, principal: Principal, page: PageRequest, admission_id: str | None, person_id: str | None
) -> list[dict[str, Any]]:
    """One page of the statements the caller sees (a hospital its own facilities', SPEC
    0.3), latest completed first, paged in SQL."""
    rows = await ctx.repo.list_statements(
        page, admission_id=admission_id, person_id=person_id, facility_ids=facility_filter(principal)
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


async def list_manual(ctx: Ctx, page: PageRequest, pending_only: bool) -> list[dict[str, Any]]:
    """One page of the manual reimbursements (LJ-13.2), latest requested first, paged in SQL."""
    return [manual_view(m) for m in await ctx.repo.list_manual(page, pending_only=pending_only)]


async def manual_application_overdue(uow: UnitOfWork, row: Any) -> None:
    """LJ-13.2: no application 15 working days after discharge (centralized persons)."""
    await uow.emit(events.manual_overdue(row))
