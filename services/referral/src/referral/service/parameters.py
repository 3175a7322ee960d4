"""The filing and discharge windows a decision applies (LJ-4.2, LJ-12): the version in force
on the decision's day, or the default from the service's settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from medaid_shared import clock
from medaid_shared.parameters import Applied, ParameterKind, ParameterValues
from referral.domain.parameters import (
    CATALOGUE,
    DISCHARGE_WINDOWS,
    EMERGENCY_WINDOWS,
    FILING_WINDOWS,
    REFERRAL_EXEMPTION,
    DischargeWindows,
    EmergencyWindows,
    FilingWindows,
    ReferralExemption,
)
from referral.service.context import Ctx
from referral.settings import ReferralSettings


def defaults(settings: Any) -> dict[str, ParameterValues]:
    """The defaults an operator sets by configuration (``MEDAID_FILING_HOURS`` …)."""
    s: ReferralSettings = settings
    return {
        FILING_WINDOWS.name: FilingWindows(
            filing_hours=s.filing_hours,
            phone_form_working_days=s.phone_form_working_days,
            phone_lapse_state=s.phone_lapse_state,
            village_report_working_days=s.village_report_working_days,
            town_forward_working_days=s.town_forward_working_days,
            unstarted_unfiled_working_days=s.unstarted_unfiled_working_days,
            stalled_chain_state=s.stalled_chain_state,
            pre_filing_match_days=s.pre_filing_match_days,
        ),
        DISCHARGE_WINDOWS.name: DischargeWindows(
            documents_hours=s.discharge_documents_hours, delay_hours=s.discharge_delay_hours
        ),
        EMERGENCY_WINDOWS.name: EmergencyWindows(determination_hours=s.emergency_determination_hours),
        REFERRAL_EXEMPTION.name: ReferralExemption(emergency_exempt=s.emergency_exempt_from_referral),
    }


async def in_force(ctx: Ctx, kind: ParameterKind, at: datetime) -> Applied:
    """The version of ``kind`` in force on the (Asia/Shanghai) day of ``at``."""
    catalogue = CATALOGUE.with_defaults(defaults(ctx.settings))
    return catalogue.require(await ctx.repo.parameter_versions(), kind.name, on=clock.to_local(at).date())
