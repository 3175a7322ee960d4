"""Loading and reading the versioned policy parameters (LJ-6.1, LJ-6.2). Only an
administrator loads them; overlapping versions are refused and nothing is stored."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from medaid_shared import clock
from medaid_shared.auth import Principal, Role
from medaid_shared.contracts.common import FacilityLevel, Region
from medaid_shared.problems import Conflict, Forbidden, RuleViolation
from settlement.domain.engine import Parameters
from settlement.domain.parameters import ParameterKind, ParameterVersion, find_overlaps, select_version
from settlement.service.context import Ctx
from settlement.service.ports import Record


def to_version(row: Record) -> ParameterVersion:
    return ParameterVersion(
        kind=ParameterKind(row["kind"]),
        region=row["region"],
        facility_level=row["facility_level"],
        effective_from=row["effective_from"],
        effective_to=row["effective_to"],
        values=row["values"],
        example=row["example"],
        source=row["source"],
    )


def version_view(v: ParameterVersion) -> dict[str, Any]:
    return {"version_id": v.version_id, **v.model_dump(mode="json")}


async def load_parameters(ctx: Ctx, principal: Principal, versions: Sequence[ParameterVersion]) -> dict[str, Any]:
    """Store new parameter versions, all or nothing. Overlapping versions of the same kind,
    region and facility level (with each other or with stored ones) are a conflict."""
    if principal.role is not Role.ADMIN:
        raise Forbidden("only an administrator changes policy parameters")
    await ctx.repo.lock_parameters()  # loads are serialised: two loads cannot both pass the check
    existing = [to_version(r) for r in await ctx.repo.parameter_versions()]
    clashes = find_overlaps(existing, versions)
    if clashes:
        pairs = "; ".join(f"{a} overlaps {b}" for a, b in clashes)
        raise Conflict(
            f"overlapping parameter versions: {pairs}",
            field="versions",
            extra={"overlaps": [list(c) for c in clashes]},
        )
    now = clock.now()
    await ctx.repo.insert_parameter_versions(
        [
            {
                "version_id": v.version_id,
                "kind": v.kind.value,
                "region": v.region,
                "facility_level": v.facility_level,
                "effective_from": v.effective_from,
                "effective_to": v.effective_to,
                "values": v.typed().model_dump(mode="json"),
                "example": v.example,
                "source": v.source,
                "loaded_by": principal.subject,
                "loaded_at": now,
            }
            for v in versions
        ]
    )
    ids = [v.version_id for v in versions]
    await ctx.uow.audit(
        principal,
        "parameters.load",
        "parameters",
        reason="policy parameter versions loaded",
        details={"versions": ids, "examples": [v.version_id for v in versions if v.example]},
    )
    return {"loaded": ids}


async def list_parameters(ctx: Ctx, kind: ParameterKind | None, on: date | None) -> list[dict[str, Any]]:
    versions = [to_version(r) for r in await ctx.repo.parameter_versions()]
    return [version_view(v) for v in versions if (kind is None or v.kind == kind) and (on is None or v.in_force(on))]


async def parameters_for(ctx: Ctx, region: Region, level: FacilityLevel, on: date) -> Parameters:
    """The versions in force for a settlement (LJ-6.1 basic and critical illness, LJ-6.2 aid)."""
    versions = [to_version(r) for r in await ctx.repo.parameter_versions()]
    chosen = {}
    for kind, rule in (
        (ParameterKind.BASIC_INSURANCE, "LJ-6.1"),
        (ParameterKind.CRITICAL_ILLNESS, "LJ-6.1"),
        (ParameterKind.MEDICAL_AID, "LJ-6.2"),
    ):
        applied = select_version(versions, kind, region, level, on)
        if applied is None:
            raise RuleViolation(
                f"no {kind.value} parameters in force on {on} for region {region.value}, level {level.value}: "
                "an administrator must load them",
                rule=rule,
            )
        chosen[kind] = applied
    return Parameters(
        basic=chosen[ParameterKind.BASIC_INSURANCE],
        critical=chosen[ParameterKind.CRITICAL_ILLNESS],
        aid=chosen[ParameterKind.MEDICAL_AID],
    )
