"""Quarterly cost analytics (LJ-8, LJ-9, LJ-15.4). The aggregation runs in SQL (the
repository); this layer decides what is abnormal, stores each flag once and publishes
CostAnomalyFlagged for it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.calendar import Due
from medaid_shared.errors import ValidationFailed
from settlement.domain.parameters import CATALOGUE, ParameterKind
from settlement.service import events
from settlement.service.context import Ctx, new_id
from settlement.service.flags import SETTLEMENT_FLAG_KINDS

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
FLAG_KINDS = ("self_pay_share", "high_cost_case", "long_stay", "unrelated_tests", "bed_hanging", "cost_above_average")
# Flags a settlement raises on its case (SPEC 0.5, LJ-11.1), listed beside the analysis's.
REPORTED_KINDS = (*FLAG_KINDS, *SETTLEMENT_FLAG_KINDS)


QUARTERLY_ANALYSIS = "quarterly_analysis"  # deadline kind (LJ-15.4): the analysis after the quarter closes
# Who runs the scheduled analysis (recorded as such in the decision log).
SCHEDULED_ANALYSIS = Principal(subject="system:quarterly-analysis", role=Role.MEDICAL_INSURANCE)


@dataclass(frozen=True)
class Quarter:
    label: str
    start: date
    end: date  # exclusive


def quarter_of(day: date) -> Quarter:
    return parse_quarter(f"{day.year}Q{(day.month - 1) // 3 + 1}")


async def schedule_analysis(ctx: Ctx, day: date) -> None:
    """LJ-15.4: the kernel scheduler runs the analysis of the quarter holding ``day`` once the
    quarter has closed — the versioned number of days after its last midnight (Shanghai).
    One deadline per quarter: scheduling it again changes nothing."""
    quarter = quarter_of(day)
    applied = CATALOGUE.require(
        await ctx.repo.parameter_versions(), ParameterKind.QUARTERLY_ANALYSIS, on=quarter.end - timedelta(days=1)
    )
    closes = datetime.combine(quarter.end, time(0), tzinfo=clock.SHANGHAI)
    due = closes + timedelta(days=applied.values.days_after_close)
    await ctx.uow.schedule(
        QUARTERLY_ANALYSIS,
        quarter.label,
        Due(due.astimezone(UTC)),
        basis="clock",
        payload={"quarter": quarter.label, "parameter_version": applied.version_id},
    )


async def quarter_closed(ctx: Ctx, row: Any) -> None:
    """LJ-15.4: the scheduled run of a closed quarter (the same analysis as on demand: each
    flag stored once), and the next quarter's run scheduled."""
    quarter = parse_quarter(row["subject"])
    await run_quarter(ctx, SCHEDULED_ANALYSIS, quarter)
    await schedule_analysis(ctx, quarter.end)


def parse_quarter(label: str) -> Quarter:
    m = QUARTER.match(label)
    if not m:
        raise ValidationFailed("a quarter is written like 2026Q1", field="quarter")
    year, q = int(m.group(1)), int(m.group(2))
    start = date(year, 3 * q - 2, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return Quarter(label, start, end)


def _share_threshold(median: Decimal, iqr: Decimal, k: Decimal) -> Decimal:
    """LJ-8 (interpretation): abnormal = above the district median by more than k × IQR."""
    return median + k * iqr


async def self_pay_report(ctx: Ctx, quarter: Quarter) -> list[dict[str, Any]]:
    """LJ-8: the self-pay share (out-of-catalogue ÷ total) per hospital in the quarter, with
    the abnormal-hospital flag."""
    k = ctx.settings.self_pay_iqr_multiplier
    rows = await ctx.repo.self_pay_shares(quarter.start, quarter.end)
    report = []
    for r in rows:
        threshold = _share_threshold(Decimal(r["median"]), Decimal(r["iqr"]), k)
        report.append(
            {
                "quarter": quarter.label,
                "facility_id": r["facility_id"],
                "facility_name": r["facility_name"],
                "admissions": r["admissions"],
                "total": r["total"],
                "self_pay": r["self_pay"],
                "share": r["share"],
                "district_median": r["median"],
                "iqr": r["iqr"],
                "threshold": threshold.quantize(Decimal("0.000001")),
                "abnormal": Decimal(r["share"]) > threshold and len(rows) >= ctx.settings.quartile_min_count,
            }
        )
    return report


async def run_quarter(ctx: Ctx, principal: Principal, quarter: Quarter) -> dict[str, Any]:
    """LJ-15.4: the quarterly analysis. Each flag is stored once per quarter (re-running the
    analysis adds only new flags) and published as CostAnomalyFlagged."""
    s = ctx.settings
    repo = ctx.repo
    await repo.prepare_quarter(quarter.start, quarter.end)  # the quarter's cases, once
    candidates: list[dict[str, Any]] = []
    r: Any
    for r in await self_pay_report(ctx, quarter):
        if r["abnormal"]:
            candidates.append(
                _flag("self_pay_share", "LJ-8", r["facility_id"], None, r["share"], r["threshold"],
                      f"self-pay share {r['share']} above median {r['district_median']} + {s.self_pay_iqr_multiplier} × IQR {r['iqr']}")
            )  # fmt: skip
    for r in await repo.high_cost_cases(quarter.start, quarter.end, s.high_cost_iqr_multiplier, s.quartile_min_count):
        candidates.append(
            _flag("high_cost_case", "LJ-15.4", r["facility_id"], r["admission_id"], r["metric"], r["threshold"],
                  f"case cost {r['metric']} above Q3 + {s.high_cost_iqr_multiplier} × IQR of the quarter ({r['threshold']})")
        )  # fmt: skip
    for r in await repo.long_stays(
        quarter.start, quarter.end, s.long_stay_iqr_multiplier, s.long_stay_min_days, s.quartile_min_count
    ):
        candidates.append(
            _flag("long_stay", "LJ-15.4", r["facility_id"], r["admission_id"], r["metric"], r["threshold"],
                  f"stay of {r['metric']} days above {r['threshold']} for its diagnosis group")
        )  # fmt: skip
    for r in await repo.unrelated_tests(quarter.start, quarter.end):
        candidates.append(
            _flag("unrelated_tests", "LJ-9", r["facility_id"], r["admission_id"], r["metric"], Decimal(0),
                  f"{r['metric']} test line(s) unrelated to the diagnosis group ({r['amount']} CNY): {r['items']}")
        )  # fmt: skip
    for r in await repo.bed_hanging(quarter.start, quarter.end, s.bed_only_categories, s.bed_hanging_min_days):
        candidates.append(
            _flag("bed_hanging", "LJ-9", r["facility_id"], r["admission_id"], r["metric"], Decimal(s.bed_hanging_min_days),
                  f"{r['metric']} in-stay day(s) without any service: {r['idle_days']}")
        )  # fmt: skip
    for r in await repo.cost_above_average(
        quarter.start, quarter.end, s.cost_above_average_factor, s.cost_average_min_cases
    ):
        candidates.append(
            _flag("cost_above_average", "LJ-9", r["facility_id"], r["admission_id"], r["metric"], r["threshold"],
                  f"case cost {r['metric']} above {s.cost_above_average_factor} × the district average {r['average']} for its diagnosis group")
        )  # fmt: skip

    now = clock.now()
    new: list[dict[str, Any]] = []
    for c in candidates:
        values = {**c, "period": quarter.label, "flagged_at": now}
        if await repo.insert_flag(values):
            new.append(values)
            await ctx.uow.emit(events.cost_anomaly_flagged(values))
    await ctx.uow.audit(
        principal,
        "analytics.run",
        f"quarter:{quarter.label}",
        reason="LJ-15.4 quarterly analysis",
        details={"candidates": len(candidates), "new_flags": len(new)},
    )
    by_kind = {k: sum(1 for c in candidates if c["kind"] == k) for k in FLAG_KINDS}
    return {"quarter": quarter.label, "flags": len(candidates), "new_flags": len(new), "by_kind": by_kind}


def _flag(
    kind: str, rule: str, facility_id: str, admission_id: str | None, metric: Any, threshold: Any, detail: str
) -> dict[str, Any]:
    return {
        "flag_id": new_id(),
        "kind": kind,
        "rule": rule,
        "facility_id": facility_id,
        "admission_id": admission_id,
        "subject": admission_id or facility_id,
        "metric": Decimal(metric),
        "threshold": Decimal(threshold),
        "detail": detail,
    }


async def flags_report(
    ctx: Ctx, quarter: Quarter, kind: str | None, include_withdrawn: bool = False
) -> list[dict[str, Any]]:
    """The quarter's standing flags; with ``include_withdrawn`` also those whose statement was
    reversed (LJ-11.1, LJ-13.1), each saying when, by which reversal and why."""
    if kind is not None and kind not in REPORTED_KINDS:
        raise ValidationFailed(f"kind must be one of {', '.join(REPORTED_KINDS)}", field="kind")
    return [
        {
            "quarter": r["period"],
            "kind": r["kind"],
            "rule": r["rule"],
            "facility_id": r["facility_id"],
            "admission_id": r["admission_id"],
            "metric": r["metric"],
            "threshold": r["threshold"],
            "detail": r["detail"],
            "flag_id": r["flag_id"],
            "flagged_at": r["flagged_at"],
            "statement_id": r["statement_id"],
            "withdrawn_at": r["withdrawn_at"],
            "withdrawn_by_statement_id": r["withdrawn_by_statement_id"],
            "withdrawn_reason": r["withdrawn_reason"],
        }
        for r in await ctx.repo.list_flags(quarter.label, kind, include_withdrawn=include_withdrawn)
    ]


async def load_diagnosis_test_rules(ctx: Ctx, principal: Principal, rules: dict[str, list[str]]) -> dict[str, Any]:
    """LJ-9 (interpretation): for each diagnosis group, the item-code prefixes of the tests
    related to it. Stored by the group's blind index (the group itself is sensitive)."""
    now = clock.now()
    rows = [
        {
            "diagnosis_group_idx": ctx.cipher.blind_index(group),
            "item_code_prefix": prefix,
            "loaded_by": principal.subject,
            "loaded_at": now,
        }
        for group, prefixes in rules.items()
        for prefix in sorted(set(prefixes))
    ]
    n = await ctx.repo.replace_diagnosis_test_rules(rows)
    await ctx.uow.audit(
        principal,
        "analytics.test_rules",
        "diagnosis_test_rules",
        reason="LJ-9 test relevance rules",
        details={"groups": len(rules), "rules": n},
    )
    return {"groups": len(rules), "rules": n}
