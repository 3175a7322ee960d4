"""The insurance catalogue (医保目录): loaded by an administrator (API or CLI, all or nothing),
published to the services that decide by it (consent: LJ-7.0), looked up for every bill line
(SPEC 0.5: membership is the catalogue's answer, never the hospital's)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.errors import Conflict, Forbidden
from medaid_shared.pagination import PageRequest
from settlement.domain.catalogue import CatalogueEntry, find_overlaps, lookup
from settlement.service import events
from settlement.service.context import Ctx
from settlement.service.ports import Record


def to_entry(row: Record) -> CatalogueEntry:
    return CatalogueEntry(
        code=row["code"],
        name=row["name"],
        kind=row["kind"],
        in_catalogue=row["in_catalogue"],
        region=row["region"],
        effective_from=row["effective_from"],
        effective_to=row["effective_to"],
        example=row["example"],
        source=row["source"],
    )


def entry_view(e: CatalogueEntry) -> dict[str, Any]:
    return {"version_id": e.version_id, **e.model_dump(mode="json")}


async def load_catalogue(ctx: Ctx, principal: Principal, entries: Sequence[CatalogueEntry]) -> dict[str, Any]:
    """Store new catalogue entries, all or nothing, and publish each one. Overlapping
    entries of the same code and region (with each other or stored ones) are a conflict: a
    change of membership is a new entry from a later date, never an edit."""
    if principal.role is not Role.ADMIN:
        raise Forbidden("only an administrator changes the insurance catalogue")
    await ctx.repo.lock_catalogue()
    existing = [to_entry(r) for r in await ctx.repo.catalogue_entries([e.code for e in entries])]
    clashes = find_overlaps(existing, entries)
    if clashes:
        pairs = "; ".join(f"{a} overlaps {b}" for a, b in clashes[:20])
        raise Conflict(
            f"overlapping catalogue entries: {pairs}", field="items", extra={"overlaps": [list(c) for c in clashes]}
        )
    now = clock.now()
    await ctx.repo.insert_catalogue_entries(
        [
            {
                "version_id": e.version_id,
                **e.model_dump(mode="python"),
                "kind": e.kind.value,
                "loaded_by": principal.subject,
                "loaded_at": now,
            }
            for e in entries
        ]
    )
    for e in entries:
        await ctx.uow.emit(events.catalogue_item_published(e, now))
    ids = [e.version_id for e in entries]
    await ctx.uow.audit(
        principal,
        "catalogue.load",
        "catalogue",
        reason="insurance catalogue entries loaded",
        details={"count": len(ids), "examples": sum(1 for e in entries if e.example)},
    )
    return {"loaded": ids}


async def list_catalogue(ctx: Ctx, code: str | None, on: date | None) -> list[dict[str, Any]]:
    """The whole catalogue (or one code's entries), e.g. for the command line."""
    entries = [to_entry(r) for r in await ctx.repo.catalogue_entries([code] if code else None)]
    return [entry_view(e) for e in entries if on is None or e.in_force(on)]


async def catalogue_page(ctx: Ctx, page: PageRequest, code: str | None, on: date | None) -> list[dict[str, Any]]:
    """One page of the catalogue by version id, paged in SQL (``on``: the entries in force
    that day, SPEC 0.5)."""
    return [entry_view(to_entry(r)) for r in await ctx.repo.catalogue_page(page, code=code, on=on)]


async def membership(
    ctx: Ctx, wanted: Sequence[tuple[str, date]], region: str
) -> dict[tuple[str, date], CatalogueEntry | None]:
    """SPEC 0.5: the catalogue entry in force for each (code, day) in ``region``."""
    entries = [to_entry(r) for r in await ctx.repo.catalogue_entries([code for code, _ in wanted])]
    return {(code, day): lookup(entries, code, region, day) for code, day in wanted}
