"""Flags a settlement raises on a case (SPEC 0.5, LJ-11.1): stored once per kind, admission and
quarter of discharge beside the quarterly analysis's flags, and published as
CostAnomalyFlagged for civil affairs' and medical insurance's inspection lists.

A flag stands on the statement that raised it: when that statement is reversed (a late consent,
a corrected national result, any changed fact), its flags are withdrawn with the reversal's
reason (CostAnomalyWithdrawn), and the re-issued statement raises again what still holds."""

from __future__ import annotations

from decimal import Decimal

from medaid_shared import clock
from settlement.service import events
from settlement.service.context import Ctx, new_id
from settlement.service.ports import Record

PLATFORM_DIFFERENCE = "platform_difference"  # SPEC 0.5 / LJ-13.1: the national result differs
UNCONSENTED_TREATMENT = "unconsented_treatment"  # LJ-11.1: billed, never consented
SETTLEMENT_FLAG_KINDS = (PLATFORM_DIFFERENCE, UNCONSENTED_TREATMENT)


def quarter_of(adm: Record) -> str:
    day = clock.to_local(adm["discharged_at"]).date()
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


async def raise_flag(
    ctx: Ctx, adm: Record, statement_id: str, kind: str, rule: str, metric: Decimal, detail: str
) -> bool:
    """Store the flag of the statement (once per kind, admission and quarter) and publish it;
    False when the same flag already stands."""
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
        "statement_id": statement_id,
    }
    if not await ctx.repo.insert_flag(values):
        return False
    await ctx.uow.emit(events.cost_anomaly_flagged(values))
    return True


async def withdraw_flags(ctx: Ctx, statement_id: str, reversal_id: str, reason: str) -> int:
    """LJ-11.1 / LJ-13.1 / SPEC 0.5: the statement that raised these flags is reversed, so
    they no longer stand: each is marked withdrawn (when, by which reversal, why) and
    CostAnomalyWithdrawn tells the inspection lists. Returns how many were withdrawn."""
    now = clock.now()
    withdrawn = await ctx.repo.withdraw_flags(
        statement_id, {"withdrawn_at": now, "withdrawn_by_statement_id": reversal_id, "withdrawn_reason": reason}
    )
    for flag in withdrawn:
        await ctx.uow.emit(
            events.cost_anomaly_withdrawn(
                flag, statement_id=statement_id, reversal_id=reversal_id, reason=reason, withdrawn_at=now
            )
        )
    return len(withdrawn)
