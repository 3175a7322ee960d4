"""Flags a settlement raises on a case (SPEC 0.5, LJ-11.1): stored once per kind, admission and
quarter of discharge beside the quarterly analysis's flags, and published as
CostAnomalyFlagged for civil affairs' and medical insurance's inspection lists."""

from __future__ import annotations

from decimal import Decimal

from medaid_shared import clock
from medaid_shared.contracts.settlement import CostAnomalyFlagged
from settlement.service.context import Ctx, new_id
from settlement.service.ports import Record

PLATFORM_DIFFERENCE = "platform_difference"  # SPEC 0.5 / LJ-13.1: the national result differs
UNCONSENTED_TREATMENT = "unconsented_treatment"  # LJ-11.1: billed, never consented
SETTLEMENT_FLAG_KINDS = (PLATFORM_DIFFERENCE, UNCONSENTED_TREATMENT)


def quarter_of(adm: Record) -> str:
    day = clock.to_local(adm["discharged_at"]).date()
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


async def raise_flag(ctx: Ctx, adm: Record, kind: str, rule: str, metric: Decimal, detail: str) -> bool:
    """Store the flag (once per kind, admission and quarter) and publish it; False when the
    same flag already stands (a re-settlement raises nothing new)."""
    now = clock.now()
    period = quarter_of(adm)
    values = {
        "flag_id": new_id(),
        "kind": kind,
        "rule": rule,
        "facility_id": adm["facility_id"],
        "admission_id": adm["admission_id"],
        "subject": adm["admission_id"],
        "period": period,
        "metric": metric,
        "threshold": Decimal(0),
        "detail": detail,
        "flagged_at": now,
    }
    if not await ctx.repo.insert_flag(values):
        return False
    await ctx.uow.emit(
        CostAnomalyFlagged(
            flag_id=values["flag_id"],
            kind=kind,
            rule=rule,
            facility_id=adm["facility_id"],
            admission_id=adm["admission_id"],
            period=period,
            detail=detail,
            flagged_at=now,
            metric=metric,
            threshold=Decimal(0),
        )
    )
    return True
