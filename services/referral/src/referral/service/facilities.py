"""§1 facility registry: level, medical-aid designation (医疗救助定点), region and the
police jurisdiction used for identity checks."""

from __future__ import annotations

from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal
from medaid_shared.contracts.common import FacilityLevel, Region
from medaid_shared.contracts.referral import FacilityRegistered, FacilityUpdated
from medaid_shared.errors import Conflict, NotFound, ValidationFailed
from medaid_shared.pagination import PageRequest
from referral.service.commands import FacilityIn, FacilityPatch
from referral.service.context import Ctx
from referral.service.ports import Record

PUBLIC_FIELDS = ("facility_id", "name", "level", "designated", "region", "police_jurisdiction", "city")


def view(row: Record) -> dict[str, Any]:
    return {**{k: row[k] for k in PUBLIC_FIELDS}, "version": row["version"], "updated_at": row["updated_at"]}


def _event_fields(row: Record) -> dict[str, Any]:
    return {k: row[k] for k in PUBLIC_FIELDS}


async def load(ctx: Ctx, facility_id: str, *, for_update: bool = False) -> Record:
    row = await ctx.store.get("facility", facility_id, for_update=for_update)
    if row is None:
        raise NotFound(f"no facility {facility_id}", field="facility_id")
    return row


async def known(ctx: Ctx, facility_id: str, field: str) -> Record:
    """A facility referenced in a request body: unknown → 422 naming the field."""
    row = await ctx.store.get("facility", facility_id)
    if row is None:
        raise ValidationFailed(f"unknown facility {facility_id}", field=field)
    return row


async def register(ctx: Ctx, principal: Principal, cmd: FacilityIn) -> dict[str, Any]:
    if await ctx.store.get("facility", cmd.facility_id) is not None:
        raise Conflict(f"facility {cmd.facility_id} is already registered", field="facility_id")
    now = clock.now()
    row = {**cmd.model_dump(mode="json"), "version": 1, "created_at": now, "updated_at": now}
    await ctx.store.insert("facility", row)
    await ctx.uow.emit(FacilityRegistered(**_event_fields(row)))
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
    new = {**row, **changes, "version": row["version"] + 1, "updated_at": clock.now()}
    await ctx.store.update("facility", facility_id, {k: v for k, v in new.items() if k != "facility_id"})
    await ctx.uow.emit(FacilityUpdated(**_event_fields(new)))
    await ctx.uow.audit(principal, "facility.update", facility_id, details=changes)
    return view(new)


async def listing(
    ctx: Ctx, page: PageRequest, *, level: FacilityLevel | None, region: Region | None, designated: bool | None
) -> list[dict[str, Any]]:
    """One page of the facilities, by facility id, paged in SQL."""
    where: dict[str, Any] = {}
    if level is not None:
        where["level"] = level.value
    if region is not None:
        where["region"] = region.value
    if designated is not None:
        where["designated"] = designated
    return [view(r) for r in await ctx.store.page("facility", where, page, ["facility_id"])]
