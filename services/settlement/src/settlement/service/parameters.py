"""The policy parameters a settlement applies (LJ-6.1, LJ-6.2), from the kernel's versioned
parameters (loaded by an administrator through ``/admin/parameters`` or the CLI)."""

from __future__ import annotations

from datetime import date
from typing import Any

from medaid_shared.contracts.common import FacilityLevel, Region
from settlement.domain.engine import Parameters
from settlement.domain.parameters import CATALOGUE, Applied, ParameterKind, window_defaults
from settlement.service.context import Ctx


async def parameters_for(ctx: Ctx, region: Region, level: FacilityLevel, on: date) -> Parameters:
    """The versions in force for a settlement (LJ-6.1 basic and critical illness, LJ-6.2 aid);
    a kind with no version in force refuses the settlement, citing its rule."""
    versions = await ctx.repo.parameter_versions()

    def chosen(kind: ParameterKind) -> Any:
        return CATALOGUE.require(versions, kind, on=on, region=region.value, level=level.value)

    return Parameters(
        basic=chosen(ParameterKind.BASIC_INSURANCE),
        critical=chosen(ParameterKind.CRITICAL_ILLNESS),
        aid=chosen(ParameterKind.MEDICAL_AID),
    )


async def manual_window(ctx: Ctx, region: Region, level: FacilityLevel, on: date) -> Applied:
    """LJ-13.2: the application window in force on the discharge day (cited by the request)."""
    return CATALOGUE.with_defaults(window_defaults(ctx.settings)).require(
        await ctx.repo.parameter_versions(),
        ParameterKind.MANUAL_REIMBURSEMENT_WINDOW,
        on=on,
        region=region.value,
        level=level.value,
    )


async def emergency_period(ctx: Ctx, region: Region, level: FacilityLevel, on: date) -> Applied:
    """LJ-11.3 / LJ-7.4: the emergency period in force on the admission day."""
    return await _in_force(ctx, ParameterKind.EMERGENCY_PERIOD, region, level, on)


async def consent_check(ctx: Ctx, region: Region, level: FacilityLevel, on: date) -> Applied:
    """LJ-11.1: the bill-line categories that bill a treatment needing consent."""
    return await _in_force(ctx, ParameterKind.CONSENT_CHECK, region, level, on)


async def _in_force(ctx: Ctx, kind: ParameterKind, region: Region, level: FacilityLevel, on: date) -> Applied:
    """The version of ``kind`` in force on ``on`` for the region and facility level."""
    return CATALOGUE.require(await ctx.repo.parameter_versions(), kind, on=on, region=region.value, level=level.value)


async def referral_route(ctx: Ctx, region: Region, level: FacilityLevel, on: date) -> Applied:
    """LJ-3.2b: the referral route in force on the admission day (the settings' date and
    emergency exemption until an administrator loads a version)."""
    return CATALOGUE.with_defaults(window_defaults(ctx.settings)).require(
        await ctx.repo.parameter_versions(), ParameterKind.REFERRAL_ROUTE, on=on, region=region.value, level=level.value
    )
