"""Reference data: hospitals, eligible diseases (GD-12), average cost per case (GD-13.4),
urban minimum-living standards (GD-13.5), and the policy parameters."""

from __future__ import annotations

from datetime import date
from typing import Any

from emergency_fund.service.base import Env, audit, authorize, new_id, out, require_city
from emergency_fund.service.commands import (
    CostAverageImport,
    DiseaseCmd,
    FacilityCmd,
    LivingStandardCmd,
)
from emergency_fund.service.ports import Row
from medaid_shared.errors import Conflict, RuleViolation, ValidationFailed
from medaid_shared.pagination import PageRequest

# ---------------------------------------------------------------- facilities


async def put_facility(env: Env, facility_id: str, cmd: FacilityCmd) -> tuple[int, Any]:
    """The agency registers a hospital of its city (the fund covers every hospital of the
    city, not only those referral knows)."""
    authorize(env, "reference.facility")
    require_city(env.principal, cmd.city)
    existing = await env.repo.one("facility", {"facility_id": facility_id}, lock=True)
    if existing is not None and existing["city"] != cmd.city:
        require_city(env.principal, existing["city"])
    row = {
        "facility_id": facility_id,
        "city": cmd.city,
        "name": cmd.name,
        "ownership": cmd.ownership,
        "police_jurisdiction": cmd.police_jurisdiction,
        "source": "agency",
        "updated_at": env.now,
    }
    await env.repo.upsert("facility", row, ["facility_id"])
    await audit(env, "reference.facility", facility_id, city=cmd.city, ownership=cmd.ownership)
    return (200 if existing else 201), out(row)


async def list_facilities(env: Env, city: str, page: PageRequest) -> list[dict[str, Any]]:
    authorize(env, "reference.read")
    if env.principal.role.value != "hospital":
        require_city(env.principal, city)
    return [out(r) for r in await env.repo.page("facility", {"city": city}, page, ["facility_id"])]


# ---------------------------------------------------------------- diseases (GD-12)


async def add_disease(env: Env, cmd: DiseaseCmd) -> tuple[int, Any]:
    """GD-12: the national list, or a city's addition — which must be "urgent, critical" and
    rest on the supervisory committee's resolution, published by the health department."""
    authorize(env, "reference.disease")
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
    row = {
        "id": new_id("DZ"),
        "code": cmd.code,
        "name": cmd.name,
        "scope": cmd.scope,
        "urgent_critical": cmd.urgent_critical,
        "effective_from": cmd.effective_from,
        "effective_to": cmd.effective_to,
        "basis": cmd.basis,
        "created_at": env.now,
        "created_by": env.principal.subject,
    }
    if not await env.repo.insert_ignore("disease", row):
        raise Conflict(f"{cmd.code} is already listed for {cmd.scope} from {cmd.effective_from}", field="code")
    await audit(env, "reference.disease", cmd.code, reason=cmd.basis, scope=cmd.scope)
    return 201, out(row, id_as="disease_id")


async def list_diseases(env: Env, city: str | None, page: PageRequest) -> list[dict[str, Any]]:
    authorize(env, "reference.read")
    scopes = ["national"] + ([city] if city else [])
    return [
        out(r, id_as="disease_id")
        for r in await env.repo.page("disease", {"scope__in": scopes}, page, ["scope", "code", "id"])
    ]


# ---------------------------------------------------------------- average cost per case (GD-13.4)


async def import_cost_averages(env: Env, cmd: CostAverageImport) -> tuple[int, Any]:
    """GD-13.4: the reference table, imported per hospital, disease and year. Every hospital
    must belong to a city the caller is scoped to; a row re-imported replaces the old one."""
    authorize(env, "reference.cost_average")
    keys = [(r.facility_id, r.disease_code) for r in cmd.rows]
    if len(set(keys)) != len(keys):
        raise ValidationFailed("a hospital and disease appear twice in the import", field="rows")
    facilities = {
        f["facility_id"]: f
        for f in await env.repo.many("facility", {"facility_id__in": sorted({r.facility_id for r in cmd.rows})})
    }
    for i, r in enumerate(cmd.rows):
        fac = facilities.get(r.facility_id)
        if fac is None:
            raise ValidationFailed(f"unknown hospital {r.facility_id}", field=f"rows.{i}.facility_id")
        require_city(env.principal, fac["city"])
    for r in cmd.rows:
        await env.repo.upsert(
            "cost_average",
            {
                "facility_id": r.facility_id,
                "disease_code": r.disease_code,
                "year": cmd.year,
                "average_cost": r.average_cost,
                "source": cmd.source,
                "imported_at": env.now,
                "imported_by": env.principal.subject,
            },
            ["facility_id", "disease_code", "year"],
        )
    await audit(env, "reference.cost_average", str(cmd.year), reason=cmd.source, rows=len(cmd.rows))
    return 201, {"year": cmd.year, "imported": len(cmd.rows)}


async def list_cost_averages(env: Env, facility_id: str, year: int | None, page: PageRequest) -> list[dict[str, Any]]:
    authorize(env, "reference.read")
    fac = await env.repo.one("facility", {"facility_id": facility_id})
    if env.principal.role.value == "hospital":
        env.principal.require_scope("facility", facility_id)
    elif fac is not None:
        require_city(env.principal, fac["city"])
    else:
        return []
    where: dict[str, Any] = {"facility_id": facility_id}
    if year is not None:
        where["year"] = year
    return [out(r) for r in await env.repo.page("cost_average", where, page, ["year", "disease_code"])]


async def average_cost(env: Env, facility_id: str, disease_code: str, year: int, fallback_years: int) -> Row | None:
    """GD-13.4: the hospital's average cost per case for the disease in the admission year,
    else the latest of the ``fallback_years`` before (interpretation)."""
    rows = await env.repo.many(
        "cost_average",
        {"facility_id": facility_id, "disease_code": disease_code, "year__le": year, "year__ge": year - fallback_years},
        order_by=["-year"],
        limit=1,
    )
    return rows[0] if rows else None


# ---------------------------------------------------------------- living standard (GD-13.5)


async def set_living_standard(env: Env, city: str, cmd: LivingStandardCmd) -> tuple[int, Any]:
    authorize(env, "reference.living_standard")
    require_city(env.principal, city)
    row = {
        "city": city,
        "effective_from": cmd.effective_from,
        "monthly_amount": cmd.monthly_amount,
        "source": cmd.source,
        "set_at": env.now,
        "set_by": env.principal.subject,
    }
    await env.repo.upsert("living_standard", row, ["city", "effective_from"])
    await audit(env, "reference.living_standard", city, reason=cmd.source, monthly=cmd.monthly_amount)
    return 201, out(row)


async def living_standard_on(env: Env, city: str, on: date) -> Row | None:
    rows = await env.repo.many(
        "living_standard", {"city": city, "effective_from__le": on}, order_by=["-effective_from"], limit=1
    )
    return rows[0] if rows else None


async def list_living_standards(env: Env, city: str, page: PageRequest) -> list[dict[str, Any]]:
    authorize(env, "reference.read")
    if env.principal.role.value != "hospital":
        require_city(env.principal, city)
    return [out(r) for r in await env.repo.page("living_standard", {"city": city}, page, ["effective_from"])]
