"""Every event settlement publishes, built here and only here, from the statement, flag,
application or catalogue entry the use case stored and the engine's result (issue 12, point
2): one event type, one builder, and every emitter calls it — the settlement's own flags
and the quarterly analysis's publish one CostAnomalyFlagged.

``tests_settlement/test_events.py`` holds every other module to this."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from medaid_shared.contracts.settlement import (
    CatalogueItemPublished,
    CostAnomalyFlagged,
    CostAnomalyWithdrawn,
    ManualReimbursementOverdue,
    ManualReimbursementProgressed,
    ManualReimbursementRequested,
    PlatformDifference,
    SettlementCompleted,
    SettlementReversed,
    UnfiledCareBearer,
)
from settlement.domain.catalogue import CatalogueEntry
from settlement.domain.engine import Payer, Settlement
from settlement.domain.money import ZERO
from settlement.service.ports import Record

# ---- statements ---------------------------------------------------------------------------


def settlement_completed(
    statement: Record,
    result: Settlement,
    *,
    replaces: str | None,
    differences: list[dict[str, Any]],
    bearer: dict[str, Any] | None,
) -> SettlementCompleted:
    """The stored statement with the engine's amounts per payer, the national platform's
    differences (SPEC 0.5) and who bears unfiled outside care (LJ-4.3c)."""
    return SettlementCompleted(
        statement_id=statement["statement_id"],
        admission_id=statement["admission_id"],
        person_id=statement["person_id"],
        facility_id=statement["facility_id"],
        mode=result.mode.value,
        total=result.total,
        basic_insurance=result.amount(Payer.BASIC_INSURANCE),
        critical_illness=result.amount(Payer.CRITICAL_ILLNESS),
        medical_aid=result.amount(Payer.MEDICAL_AID),
        support_fund=result.amount(Payer.SUPPORT_FUND),
        self_pay_support=result.amount(Payer.SELF_PAY_SUPPORT),
        hospital_borne=result.amount(Payer.HOSPITAL_BORNE),
        personal_cash=result.amount(Payer.PERSONAL_CASH),
        aid_year=statement["aid_year"],
        completed_at=statement["completed_at"],
        patient_advance=result.patient_advance,
        manual_reasons=list(result.manual_reasons),
        parameter_versions=list(result.parameter_versions),
        example_parameters=result.example_parameters,
        gates_applied=list(result.gates_applied),
        reason=statement["reason"],
        replaces_statement_id=replaces,
        platform_setl_id=result.platform_setl_id,
        platform_differences=[PlatformDifference(**d) for d in differences],
        unfiled_care_bearer=_bearer(bearer),
    )


def _bearer(bearer: dict[str, Any] | None) -> UnfiledCareBearer | None:
    if bearer is None:
        return None
    adviser = bearer["adviser"] or {}
    return UnfiledCareBearer(
        bearer=bearer["bearer"],
        amount=bearer["amount"],
        adviser_kind=adviser.get("kind"),
        adviser_id=adviser.get("unit_id"),
        adviser_name=adviser.get("name"),
    )


def settlement_reversed(reversal: Record, medical_aid_released: Decimal) -> SettlementReversed:
    """The stored reversal statement and the aid it gave back to the person's year (LJ-6.2)."""
    return SettlementReversed(
        statement_id=reversal["statement_id"],
        reversed_statement_id=reversal["reverses_statement_id"],
        admission_id=reversal["admission_id"],
        person_id=reversal["person_id"],
        medical_aid_released=medical_aid_released,
        reason=reversal["reason"],
        reversed_at=reversal["completed_at"],
    )


# ---- manual reimbursement (LJ-13.2) -------------------------------------------------------


def manual_requested(manual: Record) -> ManualReimbursementRequested:
    """The stored manual-reimbursement record, its application due."""
    return ManualReimbursementRequested(
        admission_id=manual["admission_id"],
        person_id=manual["person_id"],
        facility_id=manual["facility_id"],
        reason=manual["reason"],
        application_due_at=manual["application_due_at"],
        calendar_provisional=manual["calendar_provisional"],
        statement_id=manual["statement_id"],
        reimbursable=manual["reimbursable"],
        support_type=manual["support_type"],
    )


def manual_progressed(manual: Record, *, by_role: str, at: datetime) -> ManualReimbursementProgressed:
    """The manual-reimbursement record as it now stands, with the total approved once the
    medical aid is."""
    approved = (
        manual["approved_basic_insurance"] + manual["approved_critical_illness"] + manual["approved_medical_aid"]
        if manual["approved_medical_aid"] is not None
        else None
    )
    return ManualReimbursementProgressed(
        statement_id=manual["statement_id"],
        admission_id=manual["admission_id"],
        person_id=manual["person_id"],
        facility_id=manual["facility_id"],
        state=manual["state"],
        by_role=by_role,
        at=at,
        aid_held=manual["aid_held"] or ZERO,
        approved_total=approved,
        paid_amount=manual["paid_amount"],
    )


def manual_overdue(deadline: Any) -> ManualReimbursementOverdue:
    """The scheduler's row of an application not made in its window."""
    p = deadline["payload"]
    return ManualReimbursementOverdue(
        statement_id=deadline["subject"],
        admission_id=p["admission_id"],
        person_id=p["person_id"],
        facility_id=p["facility_id"],
        institution_id=p.get("institution_id"),
        due_at=deadline["due_at"],
        calendar_provisional=deadline["calendar_provisional"],
    )


# ---- flags (LJ-9, LJ-11.1, LJ-15.4, SPEC 0.5) ----------------------------------------------


def cost_anomaly_flagged(flag: Record) -> CostAnomalyFlagged:
    """A stored flag — a settlement's own or the quarterly analysis's."""
    return CostAnomalyFlagged(
        flag_id=flag["flag_id"],
        kind=flag["kind"],
        rule=flag["rule"],
        facility_id=flag["facility_id"],
        admission_id=flag["admission_id"],
        period=flag["period"],
        detail=flag["detail"],
        flagged_at=flag["flagged_at"],
        metric=flag["metric"],
        threshold=flag["threshold"],
    )


def cost_anomaly_withdrawn(
    flag: Record, *, statement_id: str, reversal_id: str, reason: str, withdrawn_at: datetime
) -> CostAnomalyWithdrawn:
    """A flag that no longer stands: the statement that raised it was reversed."""
    return CostAnomalyWithdrawn(
        flag_id=flag["flag_id"],
        kind=flag["kind"],
        rule=flag["rule"],
        facility_id=flag["facility_id"],
        admission_id=flag["admission_id"],
        period=flag["period"],
        statement_id=statement_id,
        reversal_statement_id=reversal_id,
        reason=reason,
        withdrawn_at=withdrawn_at,
    )


# ---- the catalogue ------------------------------------------------------------------------


def catalogue_item_published(entry: CatalogueEntry, published_at: datetime) -> CatalogueItemPublished:
    return CatalogueItemPublished(
        version_id=entry.version_id,
        code=entry.code,
        name=entry.name,
        kind=entry.kind.value,
        in_catalogue=entry.in_catalogue,
        region=entry.region,
        effective_from=entry.effective_from,
        effective_to=entry.effective_to,
        example=entry.example,
        published_at=published_at,
    )
