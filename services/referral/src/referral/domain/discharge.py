"""Discharge and its documents (LJ-12, LJ-17). Pure functions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum


class DischargeDocument(StrEnum):
    """LJ-12: the three documents issued within 24 hours of discharge."""

    DIAGNOSIS_CERTIFICATE = "diagnosis_certificate"  # 疾病诊断证明
    DISCHARGE_SUMMARY = "discharge_summary"  # 出院小结
    ITEMISED_COST_LIST = "itemised_cost_list"  # 住院费用清单


class ViolationKind(StrEnum):
    """LJ-17: violations reported to the health and medical-insurance departments."""

    DOCUMENTS_OVERDUE = "documents_overdue"  # LJ-12 documents held / not issued in 24 hours
    LATE_DISCHARGE = "late_discharge"  # LJ-12 discharge delayed after fitness


def missing_documents(issued: Iterable[str]) -> list[str]:
    """LJ-12: which of the three documents are still missing, in their fixed order."""
    have = set(issued)
    return [d.value for d in DischargeDocument if d.value not in have]


def discharge_is_late(fit_at: datetime | None, discharged_at: datetime, delay_hours: int) -> bool:
    """LJ-12 (interpretation of "promptly"): discharge more than ``delay_hours`` after the
    patient was found fit is a late discharge (LJ-17 violation)."""
    return fit_at is not None and discharged_at - fit_at > timedelta(hours=delay_hours)
