"""Reference data: hospitals, eligible diseases (GD-12), average cost per case (GD-13.4),
urban minimum-living standards (GD-13.5), and the policy parameters."""

from __future__ import annotations

from datetime import date
from typing import Any

from emergency_fund.domain.records import CostAverage, Disease, Facility, LivingStandard
from emergency_fund.service.base import Env, audit, new_id, out, require_city
from emergency_fund.service.commands import (
    CostAverageImport,
    DiseaseCmd,
    FacilityCmd,
    LivingStandardCmd,
)
from medaid_shared.errors import Conflict, RuleViolation, ValidationFailed
from medaid_shared.pagination import PageRequest

# ---------------------------------------------------------------- facilities


async def put_facility(env: Env, facility_id: str, cmd: FacilityCmd) -> tuple[int, Any]:
    """The agency registers a hospital of its city (the fund covers every hospital of the
    city, not only those referral knows)."""
    require_city(env.principal, cmd.city)
    existing = await env.repo.facilities.get(facility_id, for_update=True)
    if existing is not None and existing.city != cmd.city:
        require_city(env.principal, existing.city)
    row = Facility(
        facility_id=facility_id,
        city=cmd.city,
        name=cmd.name,
        ownership=cmd.ownership,
        police_jurisdiction=cmd.police_jurisdiction,
        source="agency",
        updated_at=env.now,
    )
    await env.repo.facilities.put(row)
    await audit(env, "reference.facility", facility_id, city=cmd.city, ownership=cmd.ownership)
    return (200 if existing else 201), out(row)


async def list_facilities(env: Env, city: str, page: PageRequest) -> list[dict[str, Any]]:
    if env.principal.role.value != "hospital":
        require_city(env.principal, city)
    return [out(r) for r in await env.repo.facilities_of_city(city, page)]


# ---------------------------------------------------------------- diseases (GD-12)


async def add_disease(env: Env, cmd: DiseaseCmd) -> tuple[int, Any]:
    """GD-12: the national list, or a city's addition — which must be "urgent, critical" and
    rest on the supervisory committee's resolution, published by the health department."""
    if cmd.scope != "national":
        require_city(env.principal, cmd.scope)
    if not cmd.urgent_critical:
        raise RuleViolation(
            "only urgent, critical (急危重) diseases are eligible; a city's addition must be one too",
            rule="GD-12",
            field="urgent_critical",
        )
    if cmd.effective_to is not None and cmd.effective_to < cmd.effective_from:
        raise ValidationFailed("effective_to precedes effective_from", field="effective_to")
    row = Disease(
        id=new_id("DZ"),
        code=cmd.code,
        name=cmd.name,
        scope=cmd.scope,
        urgent_critical=cmd.urgent_critical,
        effective_from=cmd.effective_from,
        effective_to=cmd.effective_to,
        basis=cmd.basis,
        created_at=env.now,
        created_by=env.principal.subject,
    )
    # one listing per scope, code and first day: the table's unique key refuses another
    if not await env.repo.diseases.add_new(row):
        raise Conflict(f"{cmd.code} is already listed for {cmd.scope} from {cmd.effective_from}", field="code")
    await audit(env, "reference.disease", cmd.code, reason=cmd.basis, scope=cmd.scope)
    return 201, out(row, id_as="disease_id")


async def list_diseases(env: Env, city: str | None, page: PageRequest) -> list[dict[str, Any]]:
    scopes = ["national"] + ([city] if city else [])
    return [out(r, id_as="disease_id") for r in await env.repo.diseases_page(scopes, page)]


# ---------------------------------------------------------------- average cost per case (GD-13.4)


async def import_cost_averages(env: Env, cmd: CostAverageImport) -> tuple[int, Any]:
    """GD-13.4: the reference table, imported per hospital, disease and year. Every hospital
    must belong to a city the caller is scoped to; a row re-imported replaces the old one."""
    keys = [(r.facility_id, r.disease_code) for r in cmd.rows]
    if len(set(keys)) != len(keys):
        raise ValidationFailed("a hospital and disease appear twice in the import", field="rows")
    facilities = {f.facility_id: f for f in await env.repo.facilities_by_ids(sorted({r.facility_id for r in cmd.rows}))}
    for i, r in enumerate(cmd.rows):
        fac = facilities.get(r.facility_id)
        if fac is None:
            raise ValidationFailed(f"unknown hospital {r.facility_id}", field=f"rows.{i}.facility_id")
        require_city(env.principal, fac.city)
    for r in cmd.rows:
        await env.repo.cost_averages.put(
            CostAverage(
                facility_id=r.facility_id,
                disease_code=r.disease_code,
                year=cmd.year,
                average_cost=r.average_cost,
                source=cmd.source,
                imported_at=env.now,
                imported_by=env.principal.subject,
            )
        )
    await audit(env, "reference.cost_average", str(cmd.year), reason=cmd.source, rows=len(cmd.rows))
    return 201, {"year": cmd.year, "imported": len(cmd.rows)}


async def list_cost_averages(env: Env, facility_id: str, year: int | None, page: PageRequest) -> list[dict[str, Any]]:
    fac = await env.repo.facilities.get(facility_id)
    if env.principal.role.value == "hospital":
        env.principal.require_scope("facility", facility_id)
    elif fac is not None:
        require_city(env.principal, fac.city)
    else:
        return []
    return [out(r) for r in await env.repo.cost_averages_page(facility_id, year, page)]


async def average_cost(
    env: Env, facility_id: str, disease_code: str, year: int, fallback_years: int
) -> CostAverage | None:
    """GD-13.4: the hospital's average cost per case for the disease in the admission year,
    else the latest of the ``fallback_years`` before (interpretation)."""
    return await env.repo.cost_average_in_force(facility_id, disease_code, year, fallback_years)


# ---------------------------------------------------------------- living standard (GD-13.5)


async def set_living_standard(env: Env, city: str, cmd: LivingStandardCmd) -> tuple[int, Any]:
    require_city(env.principal, city)
    row = LivingStandard(
        city=city,
        effective_from=cmd.effective_from,
        monthly_amount=cmd.monthly_amount,
        source=cmd.source,
        set_at=env.now,
        set_by=env.principal.subject,
    )
    await env.repo.living_standards.put(row)
    await audit(env, "reference.living_standard", city, reason=cmd.source, monthly=cmd.monthly_amount)
    return 201, out(row)


async def living_standard_on(env: Env, city: str, on: date) -> LivingStandard | None:
    """GD-13.5: the city's minimum-living standard in force on a day."""
    return await env.repo.living_standard_in_force(city, on)


async def list_living_standards(env: Env, city: str, page: PageRequest) -> list[dict[str, Any]]:
    if env.principal.role.value != "hospital":
        require_city(env.principal, city)
    return [out(r) for r in await env.repo.living_standards_page(city, page)]
