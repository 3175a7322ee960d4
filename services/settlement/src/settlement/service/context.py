"""What every use case works with: the kernel's one use-case context, typed for settlement
(settings, the repository of the unit of work, the unit of work for commands, the live
working calendar, the field cipher, the principal and the instant of the call)."""

from __future__ import annotations

from medaid_shared import ids
from medaid_shared.usecase import UseCaseContext
from settlement.domain.engine import GateRules
from settlement.domain.parameters import Applied, ReferralRouteValues
from settlement.service.ports import Repository
from settlement.settings import SettlementSettings

Ctx = UseCaseContext[SettlementSettings, Repository]


def gate_rules(ctx: Ctx, route: Applied) -> GateRules:
    """The gates' interpretations: LJ-3.2b's from the ``referral_route`` version in force
    on the admission day, LJ-4.3b's from the settings."""
    values: ReferralRouteValues = route.values
    return GateRules(
        designated_required_from=values.required_from,
        emergency_exempt_from_referral=values.emergency_exempt,
        support_fund_when_aid_refused_out_of_guangxi=ctx.settings.support_fund_when_aid_refused_out_of_guangxi,
        referral_levels=frozenset(values.referral_levels),
        route_version=route.version_id,
    )


def new_id() -> str:
    return ids.new_id()
