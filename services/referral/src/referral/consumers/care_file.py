"""LJ-15.3: events from consent and settlement that feed the one-person external-care file."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from medaid_shared.contracts.consent import ConsentSigned, MajorTreatmentEvaluated, SelfPayDecided
from medaid_shared.contracts.settlement import SettlementCompleted, SettlementReversed
from medaid_shared.events import Event, EventMeta
from referral.service import care_file
from referral.service.context import Ctx

CONSUMER_NAME = "care-file"

Use = Callable[[Ctx, Any, EventMeta], Awaitable[None]]

HANDLERS: dict[type[Event], Use] = {
    ConsentSigned: care_file.on_consent_signed,
    SelfPayDecided: care_file.on_self_pay_decided,
    MajorTreatmentEvaluated: care_file.on_major_treatment_evaluated,
    SettlementCompleted: care_file.on_settlement_completed,
    SettlementReversed: care_file.on_settlement_reversed,
}
