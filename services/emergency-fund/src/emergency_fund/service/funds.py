"""The city fund: creation, inflows, ledger and balances (GD-3), pre-allocation and its
reconciliation (GD-7), the supervisory committee and the yearly training (GD-8)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from emergency_fund.domain import ledger, preallocation
from emergency_fund.domain.ledger import (
    FUND_CASH,
    UPPER_LEVEL_SOURCES,
    TxnKind,
    income_account,
    preallocated_account,
)
from emergency_fund.domain.money import ZERO, cents
from emergency_fund.domain.records import (
    CommitteeMember,
    Facility,
    Fund,
    Preallocation,
    PreallocationCheck,
    Training,
)
from emergency_fund.service import reports
from emergency_fund.service.base import (
    Env,
    audit,
    balance,
    load_params,
    new_id,
    out,
    post,
    require_city,
    require_fund,
)
from emergency_fund.service.commands import (
    CommitteeMemberCmd,
    FundCreate,
    InflowCmd,
    PreallocationCmd,
    PreallocationReturnCmd,
    TrainingCmd,
)
from medaid_shared.calendar import Due
from medaid_shared.clock import SHANGHAI, to_local
from medaid_shared.contracts.emergency_fund import FundPreallocationBelowMinimum, FundTrainingDue
from medaid_shared.errors import Conflict, RuleViolation
from medaid_shared.pagination import PageRequest
from medaid_shared.responses import wire_instant

TRAINING_KIND = "fund.training"
PREALLOCATION_CHECK = "fund.preallocation.check"  # GD-7


async def create_fund(env: Env, cmd: FundCreate) -> tuple[int, Any]:
    """GD-3: each prefecture-level city has its own fund (one per city)."""
    require_city(env.principal, cmd.city)
    fund = Fund(
        city=cmd.city,
        name=cmd.name,
        agency_name=cmd.agency_name,
        created_at=env.now,
        created_by=env.principal.subject,
    )
    if not await env.repo.funds.add_new(fund):
        raise Conflict(f"city {cmd.city} already has its emergency fund", rule="GD-3", field="city")
    await audit(env, "fund.create", cmd.city, agency=cmd.agency_name)
    await schedule_training_reminder(env, cmd.city, to_local(env.now).year)
    await schedule_preallocation_check(env, cmd.city, to_local(env.now).year)
    await reports.schedule_registration_export(env, cmd.city)
    return 201, out(fund)


async def fund_summary(env: Env, city: str) -> dict[str, Any]:
    """GD-3: balances come only from the ledger; the trial balance of all accounts is zero."""
    require_city(env.principal, city)
    fund = await require_fund(env, city)
    balances = await env.repo.account_balances(city)
    return {
        **out(fund),
        "cash": str(balances.get(FUND_CASH, ZERO)),
        "preallocated": {
            a.split(":", 1)[1]: str(v) for a, v in sorted(balances.items()) if a.startswith("preallocated:") and v
        },
        "income": {a.split(":", 1)[1]: str(-v) for a, v in sorted(balances.items()) if a.startswith("income:")},
        "balances": {a: str(v) for a, v in sorted(balances.items())},
        "trial_balance": str(sum(balances.values(), ZERO)),
    }


async def record_inflow(env: Env, city: str, cmd: InflowCmd) -> tuple[int, Any]:
    """GD-3: an upper-level transfer, the city budget or a donation enters the fund."""
    require_city(env.principal, city)
    await require_fund(env, city, lock=True)
    ref = f"{city}:{cmd.source.value}:{cmd.reference}"
    if await env.repo.txn_of_ref(TxnKind.INFLOW.value, ref):
        raise Conflict(f"inflow {cmd.reference} is already booked", rule="GD-3", field="reference")
    txn = ledger.inflow(cmd.source, cmd.amount, cmd.fiscal_year, cmd.memo, ref)
    txn_id = await post(env, city, txn, cmd.reference)
    await audit(env, "fund.inflow", city, source=cmd.source.value, amount=cmd.amount, reference=cmd.reference)
    await schedule_preallocation_check(env, city, to_local(env.now).year)
    await recheck_if_checked(env, city, cmd.fiscal_year)
    return 201, {
        "txn_id": txn_id,
        "city": city,
        "source": cmd.source.value,
        "amount": str(cmd.amount),
        "fiscal_year": cmd.fiscal_year,
        "cash": str(await balance(env, city, FUND_CASH)),
    }


async def ledger_view(env: Env, city: str, account: str | None, page: PageRequest) -> list[dict[str, Any]]:
    require_city(env.principal, city)
    await require_fund(env, city)
    # GD-3: a page of the transactions touching ``account`` (with an entry on it) is asked
    # as such, so it is never short of what the filter left out.
    txns = await env.repo.ledger_page(city, account, page)
    by_txn: dict[str, list[dict[str, str]]] = defaultdict(list)
    for e in await env.repo.entries_of([t.id for t in txns]):
        by_txn[e.txn_id].append({"account": e.account, "amount": str(e.amount)})
    return [{**out(t, id_as="txn_id"), "entries": by_txn[t.id]} for t in txns]


# ---------------------------------------------------------------- pre-allocation (GD-7)


async def _facility_in_city(env: Env, city: str, facility_id: str) -> Facility:
    fac = await env.repo.facilities.get(facility_id)
    if fac is None or fac.city != city:
        raise RuleViolation(f"facility {facility_id} is not a hospital of {city}", rule="GD-7", field="facility_id")
    return fac


async def _per_facility(env: Env, city: str, kind: TxnKind, year: int, prefix: str) -> dict[str, Decimal]:
    totals = await env.repo.totals_of_kind(city, kind.value, year)
    return {a.split(":", 1)[1]: v for a, v in totals.items() if a.startswith(prefix)}


async def _upper_level_transfers(env: Env, city: str, year: int) -> Decimal:
    totals = await env.repo.totals_of_kind(city, TxnKind.INFLOW.value, year)
    return -sum((totals.get(income_account(s), ZERO) for s in UPPER_LEVEL_SOURCES), ZERO)


async def _net_preallocated(env: Env, city: str, year: int) -> dict[str, Decimal]:
    given = await _per_facility(env, city, TxnKind.PREALLOCATION, year, "preallocated:")
    returned = await _per_facility(env, city, TxnKind.PREALLOCATION_RETURN, year, "preallocated:")
    return {f: given.get(f, ZERO) + returned.get(f, ZERO) for f in set(given) | set(returned)}


async def _refunded(env: Env, city: str, year: int, reduce: str) -> dict[str, Decimal]:
    """GD-7 with GD-16.4: money hospitals returned after a late identification, per hospital,
    counted for the cycle that paid it (``disbursement_cycle``) or the cycle it came back in
    (``refund_cycle``) — the versioned interpretation ``preallocation_refunds_reduce``."""
    demands = await env.repo.refund_demands_of_city(city)
    if not demands:
        return {}
    payments = await env.repo.refund_payments_of([d.id for d in demands])
    paid_year: dict[str, int] = {}
    if reduce == "disbursement_cycle":
        apps = [d.application_id for d in demands if d.application_id]
        paid = await env.repo.disbursements_of(apps) if apps else []
        paid_in = {p.application_id: to_local(p.disbursed_at).year for p in paid}
        paid_year = {d.id: paid_in[d.application_id] for d in demands if d.application_id in paid_in}
    by_id = {d.id: d for d in demands}
    out_: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for p in payments:
        counted = paid_year.get(p.refund_id) if reduce == "disbursement_cycle" else to_local(p.paid_at).year
        if counted == year:
            out_[by_id[p.refund_id].facility_id] += p.amount
    return dict(out_)


async def last_cycle_use(env: Env, city: str, year: int) -> tuple[dict[str, Decimal], dict[str, Decimal], str]:
    """GD-7: each hospital's use of the cycle before ``year`` — what the fund disbursed to it in
    that fiscal year less what it returned after a late identification (GD-16.4); with the
    refunds taken off and the parameter version that said how."""
    params = await load_params(env)
    used = await _per_facility(env, city, TxnKind.DISBURSEMENT, year - 1, "assistance_paid:")
    refunded = await _refunded(env, city, year - 1, params.preallocation_refunds_reduce)
    net = {f: max(ZERO, used.get(f, ZERO) - refunded.get(f, ZERO)) for f in set(used) | set(refunded)}
    return net, refunded, params.version_of("preallocation_refunds_reduce")


async def preallocation_plan(env: Env, city: str, year: int) -> dict[str, Any]:
    """GD-7: suggestions from last cycle's use (disbursements of the previous fiscal year, net
    of refunds)."""
    require_city(env.principal, city)
    await require_fund(env, city)
    params = await load_params(env)
    used, refunded, refunds_version = await last_cycle_use(env, city, year)
    suggested = preallocation.suggest(used, params.preallocation_ratio)
    planned_total = sum(suggested.values(), ZERO)
    transfers = await _upper_level_transfers(env, city, year)
    check = preallocation.check_minimum(year, transfers, planned_total, params.preallocation_min_share)
    return {
        "city": city,
        "year": year,
        "ratio": str(params.preallocation_ratio),
        "rule": "GD-7",
        "hospitals": [
            {
                "facility_id": f,
                "last_cycle_use": str(cents(used[f])),
                "refunded": str(cents(refunded.get(f, ZERO))),
                "suggested": str(a),
            }
            for f, a in suggested.items()
        ],
        "refunds_parameters_version": refunds_version,
        "suggested_total": str(cents(planned_total)),
        "minimum_check_if_applied": _check_out(check),
    }


def _booking_year(env: Env, year: int, correction_reason: str | None) -> bool:
    """GD-7: a pre-allocation counts for the year it is booked (Asia/Shanghai); another year
    is an explicit correction with its reason (audited) — money booked in January 2027
    "for 2026" does not make 2026 compliant after the fact. Returns whether it corrects."""
    booked = to_local(env.now).year
    if year == booked:
        return False
    if not (correction_reason or "").strip():
        raise RuleViolation(
            f"a pre-allocation booked in {booked} counts for {booked}; booking it for {year} is a correction "
            "that states its reason (correction_reason)",
            rule="GD-7",
            field="year",
        )
    return True


async def _audit_correction(env: Env, pid: str, year: int, reason: str | None) -> None:
    await audit(
        env,
        "fund.preallocation_year_corrected",
        pid,
        reason=reason,
        rule="GD-7",
        year=year,
        booked=to_local(env.now).year,
    )


async def preallocate(env: Env, city: str, cmd: PreallocationCmd) -> tuple[int, Any]:
    """GD-7: pre-allocate to a hospital; the money leaves the fund's cash as an advance."""
    require_city(env.principal, city)
    corrected = _booking_year(env, cmd.year, cmd.correction_reason)
    await require_fund(env, city, lock=True)
    await _facility_in_city(env, city, cmd.facility_id)
    used, _, _ = await last_cycle_use(env, city, cmd.year)
    pid = new_id("PA")
    cash = await balance(env, city, FUND_CASH)
    txn = ledger.preallocate(cmd.facility_id, cmd.amount, cmd.year, cash, pid)
    txn_id = await post(env, city, txn)
    row = Preallocation(
        id=pid,
        city=city,
        facility_id=cmd.facility_id,
        year=cmd.year,
        kind="allocation",
        amount=cmd.amount,
        last_cycle_use=cents(used.get(cmd.facility_id, ZERO)),
        basis=cmd.basis,
        txn_id=txn_id,
        created_at=env.now,
        created_by=env.principal.subject,
    )
    await env.repo.preallocations.add(row)
    await audit(env, "fund.preallocate", pid, reason=cmd.basis or None, facility=cmd.facility_id, amount=cmd.amount)
    if corrected:
        await _audit_correction(env, pid, cmd.year, cmd.correction_reason)
    await schedule_preallocation_check(env, city, to_local(env.now).year)
    await recheck_if_checked(env, city, cmd.year)
    return 201, out(row, id_as="preallocation_id")


async def return_preallocation(env: Env, city: str, cmd: PreallocationReturnCmd) -> tuple[int, Any]:
    """GD-7: unused pre-allocated money returns to the fund."""
    require_city(env.principal, city)
    corrected = _booking_year(env, cmd.year, cmd.correction_reason)
    await require_fund(env, city, lock=True)
    await _facility_in_city(env, city, cmd.facility_id)
    pid = new_id("PR")
    advance = await balance(env, city, preallocated_account(cmd.facility_id))
    txn = ledger.return_preallocation(cmd.facility_id, cmd.amount, cmd.year, advance, pid)
    txn_id = await post(env, city, txn)
    row = Preallocation(
        id=pid,
        city=city,
        facility_id=cmd.facility_id,
        year=cmd.year,
        kind="return",
        amount=cmd.amount,
        last_cycle_use=None,
        basis=cmd.note,
        txn_id=txn_id,
        created_at=env.now,
        created_by=env.principal.subject,
    )
    await env.repo.preallocations.add(row)
    await audit(env, "fund.preallocation_return", pid, reason=cmd.note or None, amount=cmd.amount)
    if corrected:
        await _audit_correction(env, pid, cmd.year, cmd.correction_reason)
    await schedule_preallocation_check(env, city, to_local(env.now).year)
    await recheck_if_checked(env, city, cmd.year)
    return 201, out(row, id_as="preallocation_id")


def _check_out(check: preallocation.MinimumCheck) -> dict[str, Any]:
    return {
        "year": check.year,
        "upper_level_transfers": str(check.upper_level_transfers),
        "min_share": str(check.min_share),
        "required_minimum": str(check.required_minimum),
        "preallocated": str(check.preallocated),
        "compliant": check.compliant,
        "shortfall": str(check.shortfall),
        "rule": "GD-7",
    }


async def _compute_check(env: Env, city: str, year: int) -> preallocation.MinimumCheck:
    params = await load_params(env)
    net = sum((await _net_preallocated(env, city, year)).values(), ZERO)
    transfers = await _upper_level_transfers(env, city, year)
    return preallocation.check_minimum(year, transfers, net, params.preallocation_min_share)


async def minimum_check(env: Env, city: str, year: int) -> dict[str, Any]:
    """GD-7: the year's pre-allocations (net of returns) against 80 % of central + provincial
    transfers, with the year-end check's result once it ran (``year_end_check``: the flag)."""
    require_city(env.principal, city)
    await require_fund(env, city)
    recorded = await env.repo.preallocation_checks.get((city, year))
    return {
        **_check_out(await _compute_check(env, city, year)),
        "year_end_check": out(recorded) if recorded else None,
        "year_end_check_at": wire_instant(_check_instant(year, (await load_params(env)).preallocation_check_day)),
    }


def _check_instant(year: int, month_day: str) -> datetime:
    """GD-7 (interpretation ``preallocation_check_day``): the first instant after that day."""
    month, day = (int(x) for x in month_day.split("-"))
    next_day = datetime(year, month, day).date() + timedelta(days=1)
    return datetime.combine(next_day, time(0, 0), tzinfo=SHANGHAI).astimezone(UTC)


async def schedule_preallocation_check(env: Env, city: str, year: int) -> None:
    """GD-7: the year-end check of the minimum share (idempotent: one deadline per city and year)."""
    params = await load_params(env)
    await env.uow.schedule(
        PREALLOCATION_CHECK,
        f"{city}:{year}",
        Due(_check_instant(year, params.preallocation_check_day)),
        basis="clock",
        payload={"city": city, "year": year},
    )


async def _record_check(env: Env, city: str, year: int, *, announce_unchanged: bool) -> None:
    """GD-7: record the check, flag a city below the minimum and announce it
    (``FundPreallocationBelowMinimum``); a flag whose shortfall a correction removed is cleared
    (SPEC 0.5: the decision follows the facts)."""
    params = await load_params(env)
    check = await _compute_check(env, city, year)
    before = await env.repo.preallocation_checks.get((city, year), for_update=True)
    version = params.version_of("preallocation_min_share")
    recorded = PreallocationCheck(
        city=city,
        year=year,
        upper_level_transfers=check.upper_level_transfers,
        min_share=check.min_share,
        required_minimum=check.required_minimum,
        preallocated=check.preallocated,
        shortfall=check.shortfall,
        compliant=check.compliant,
        parameters_version=version,
        checked_at=env.now,
        flagged_at=None if check.compliant else (before.flagged_at if before and before.flagged_at else env.now),
    )
    await env.repo.preallocation_checks.put(recorded)
    changed = before is None or (before.compliant, before.shortfall) != (check.compliant, check.shortfall)
    await audit(
        env,
        "fund.preallocation_check",
        f"{city}:{year}",
        rule="GD-7",
        compliant=check.compliant,
        shortfall=check.shortfall,
        parameters_version=version,
    )
    if not check.compliant and (changed or announce_unchanged):
        await env.uow.emit(
            FundPreallocationBelowMinimum(
                city=city,
                year=year,
                upper_level_transfers=check.upper_level_transfers,
                min_share=str(check.min_share),
                required_minimum=check.required_minimum,
                preallocated=check.preallocated,
                shortfall=check.shortfall,
                checked_at=env.now,
                parameters_version=version,
            )
        )


async def on_preallocation_check(env: Env, row: Any) -> None:
    """Deadline handler (GD-7): the year ended — check it, flag and announce a shortfall;
    schedule next year's."""
    city, year = row["payload"]["city"], int(row["payload"]["year"])
    await _record_check(env, city, year, announce_unchanged=True)
    await schedule_preallocation_check(env, city, year + 1)


async def recheck_if_checked(env: Env, city: str, year: int) -> None:
    """GD-7 with SPEC 0.5: a booking (a correction into a past year, or a transfer for it)
    changed a year already checked — the check is taken again."""
    if await env.repo.preallocation_checks.get((city, year)) is not None:
        await _record_check(env, city, year, announce_unchanged=False)


async def reconciliation(env: Env, city: str, year: int) -> dict[str, Any]:
    """GD-7: per hospital, pre-allocated money against approved (disbursed) claims of the year."""
    require_city(env.principal, city)
    await require_fund(env, city)
    given = await _per_facility(env, city, TxnKind.PREALLOCATION, year, "preallocated:")
    returned = await _per_facility(env, city, TxnKind.PREALLOCATION_RETURN, year, "preallocated:")
    claims = await _per_facility(env, city, TxnKind.DISBURSEMENT, year, "assistance_paid:")
    offset = await _per_facility(env, city, TxnKind.DISBURSEMENT, year, "preallocated:")
    rows = []
    for f in sorted(set(given) | set(returned) | set(claims)):
        r = preallocation.reconcile(
            f, given.get(f, ZERO), -returned.get(f, ZERO), claims.get(f, ZERO), -offset.get(f, ZERO)
        )
        rows.append({k: (str(v) if isinstance(v, Decimal) else v) for k, v in r.__dict__.items()})
    return {"city": city, "year": year, "rule": "GD-7", "hospitals": rows}


# ---------------------------------------------------------------- organisation (GD-8)


async def add_committee_member(env: Env, city: str, cmd: CommitteeMemberCmd) -> tuple[int, Any]:
    """GD-8: the health department forms the supervisory committee (监督管理委员会)."""
    require_city(env.principal, city)
    await require_fund(env, city)
    member_id = new_id("CM")
    row = CommitteeMember(
        id=member_id,
        city=city,
        name=cmd.name,
        affiliation=cmd.affiliation,
        appointed_on=cmd.appointed_on,
        created_at=env.now,
        created_by=env.principal.subject,
    )
    await env.repo.committee_members.add(row)
    await audit(env, "fund.committee_member", member_id, affiliation=cmd.affiliation)
    return 201, out(row, id_as="member_id")


async def organisation(env: Env, city: str) -> dict[str, Any]:
    """GD-8: who supervises (committee) and who runs (handling agency) the fund."""
    if env.principal.role.value != "hospital":
        require_city(env.principal, city)
    fund = await require_fund(env, city)
    members = await env.repo.committee_of(city)
    return {
        "city": city,
        "handling_agency": fund.agency_name,
        "supervisory_committee": [out(m, id_as="member_id", drop=["created_by"]) for m in members],
    }


async def record_training(env: Env, city: str, cmd: TrainingCmd) -> tuple[int, Any]:
    """GD-8 / GD-11: a training of the city's hospitals (at least once a year); closes the
    year's reminder."""
    require_city(env.principal, city)
    await require_fund(env, city)
    if cmd.held_on > to_local(env.now).date():
        raise RuleViolation("a training is recorded once it was held", rule="GD-8", field="held_on")
    training_id = new_id("TR")
    row = Training(
        id=training_id,
        city=city,
        year=cmd.held_on.year,
        held_on=cmd.held_on,
        topic=cmd.topic,
        facility_ids=list(cmd.facility_ids),
        recorded_at=env.now,
        recorded_by=env.principal.subject,
    )
    await env.repo.trainings.add(row)
    await env.uow.close_deadline(TRAINING_KIND, f"{city}:{cmd.held_on.year}")
    await audit(env, "fund.training", training_id, facilities=len(cmd.facility_ids))
    return 201, out(row, id_as="training_id")


async def training_status(env: Env, city: str, year: int) -> dict[str, Any]:
    if env.principal.role.value != "hospital":
        require_city(env.principal, city)
    await require_fund(env, city)
    params = await load_params(env)
    trainings = await env.repo.trainings_of(city, year)
    due = _reminder_due(year, params.training_reminder_day)
    return {
        "city": city,
        "year": year,
        "rule": "GD-8",
        "trainings": [out(t, id_as="training_id") for t in trainings],
        "held": bool(trainings),
        "reminder_at": wire_instant(due),
        "reminder_due": not trainings and env.now >= due,
    }


def _reminder_due(year: int, month_day: str) -> datetime:
    month, day = (int(x) for x in month_day.split("-"))
    return datetime.combine(datetime(year, month, day).date(), time(9, 0), tzinfo=SHANGHAI).astimezone(UTC)


async def schedule_training_reminder(env: Env, city: str, year: int) -> None:
    """GD-8: remind the agency when no training is recorded for the year by the reminder day."""
    params = await load_params(env)
    await env.uow.schedule(
        TRAINING_KIND,
        f"{city}:{year}",
        Due(_reminder_due(year, params.training_reminder_day)),
        basis="clock",
        payload={"city": city, "year": year},
    )


async def on_training_due(env: Env, row: Any) -> None:
    """Deadline handler: emits FundTrainingDue unless a training was held; schedules next year's."""
    city, year = row["payload"]["city"], int(row["payload"]["year"])
    if not await env.repo.trainings_of(city, year):
        await env.uow.emit(FundTrainingDue(city=city, year=year, due_at=row["due_at"]))
    await schedule_training_reminder(env, city, year + 1)
