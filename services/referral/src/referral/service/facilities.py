"""§1 facility registry: level, medical-aid designation (医疗救助定点), region and the
police jurisdiction used for identity checks."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal
from medaid_shared.contracts.common import FacilityLevel, Region
from medaid_shared.errors import Conflict, NotFound, ValidationFailed
from medaid_shared.pagination import PageRequest
from referral.domain.records import Facility
from referral.service import events
from referral.service.commands import FacilityIn, FacilityPatch
from referral.service.context import Ctx


def view(row: Facility) -> dict[str, Any]:
    return {**events.facility_fields(row), "version": row.version, "updated_at": row.updated_at}


async def load(ctx: Ctx, facility_id: str, *, for_update: bool = False) -> Facility:
    row = await ctx.repo.get_facility(facility_id, for_update=for_update)
    if row is None:
        raise NotFound(f"no facility {facility_id}", field="facility_id")
    return row


async def known(ctx: Ctx, facility_id: str, field: str) -> Facility:
    """A facility referenced in a request body: unknown → 422 naming the field."""
    row = await ctx.repo.get_facility(facility_id)
    if row is None:
        raise ValidationFailed(f"unknown facility {facility_id}", field=field)
    return row


async def register(ctx: Ctx, principal: Principal, cmd: FacilityIn) -> dict[str, Any]:
    if await ctx.repo.get_facility(cmd.facility_id) is not None:
        raise Conflict(f"facility {cmd.facility_id} is already registered", field="facility_id")
    now = clock.now()
    row = Facility(**cmd.model_dump(mode="json"), version=1, created_at=now, updated_at=now)
    await ctx.repo.add_facility(row)
    await ctx.uow.emit(events.facility_registered(row))
    await ctx.uow.audit(principal, "facility.register", cmd.facility_id, details=cmd.model_dump(mode="json"))
    return view(row)


async def update(ctx: Ctx, principal: Principal, facility_id: str, patch: FacilityPatch) -> dict[str, Any]:
    row = await load(ctx, facility_id, for_update=True)
    changes = patch.model_dump(mode="json", exclude_unset=True)
    for key in ("name", "level", "designated", "region", "city"):
        if key in changes and changes[key] is None:
            raise ValidationFailed(f"{key} cannot be cleared", field=key)
    if not changes:
        raise ValidationFailed("nothing to change", field="body")
    new = replace(row, **changes, version=row.version + 1, updated_at=clock.now())
    await ctx.repo.update_facility(facility_id, **changes, version=new.version, updated_at=new.updated_at)
    await ctx.uow.emit(events.facility_updated(new))
    await ctx.uow.audit(principal, "facility.update", facility_id, details=changes)
    return view(new)


async def listing(
    ctx: Ctx, page: PageRequest, *, level: FacilityLevel | None, region: Region | None, designated: bool | None
) -> list[dict[str, Any]]:
    """One page of the facilities, by facility id, paged in SQL."""
    rows = await ctx.repo.facility_page(
        page,
        level=level.value if level is not None else None,
        region=region.value if region is not None else None,
        designated=designated,
    )
    return [view(r) for r in rows]
