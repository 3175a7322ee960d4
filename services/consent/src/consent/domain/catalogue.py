"""The insurance catalogue as seen by consent (SPEC 0.5): a self-pay proposal names an item
code and whether the item is outside the catalogue is looked up in the catalogue settlement
publishes, never taken from the proposing hospital (LJ-7.0)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from consent.domain.records import CatalogueEntry
from medaid_shared.errors import RuleViolation, ValidationFailed

ANY = "any"


def in_force(entries: Iterable[CatalogueEntry], region: str | None, on: date) -> CatalogueEntry | None:
    """The entry in force on ``on``: the facility region's own, else the one for any region."""
    best: CatalogueEntry | None = None
    for e in entries:
        if not (e.effective_from <= on and (e.effective_to is None or on < e.effective_to)):
            continue
        if e.region not in (ANY, region):
            continue
        if best is None or (e.region != ANY and best.region == ANY):
            best = e
    return best


def require_out_of_catalogue(entry: CatalogueEntry | None, code: str, on: date) -> CatalogueEntry:
    """LJ-7.0 applies to items outside the insurance catalogue (医保目录外) only."""
    if entry is None:
        raise ValidationFailed(
            f"item code {code} is not in the insurance catalogue data on {on}", field="item_code", rule="LJ-7.0"
        )
    if entry.in_catalogue:
        raise RuleViolation(
            f"item {code} ({entry.name}) is in the insurance catalogue: it is paid by the payer chain "
            "(LJ-6.1), not proposed as a self-pay item",
            field="item_code",
            rule="LJ-7.0",
        )
    return entry
