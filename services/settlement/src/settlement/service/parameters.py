"""The policy parameters a settlement applies (LJ-6.1, LJ-6.2), from the kernel's versioned
parameters (loaded by an administrator through ``/admin/parameters`` or the CLI)."""

from __future__ import annotations

from datetime import date
from typing import Any

from medaid_shared.contracts.common import FacilityLevel, Region
from settlement.domain.engine import Parameters
from settlement.domain.parameters import CATALOGUE, ParameterKind
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
