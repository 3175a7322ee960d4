"""The insurance catalogue (医保目录) as versioned reference data (SPEC 0.5).

Whether an item is in the catalogue decides who pays for it: in-catalogue (compliant) cost
goes through the payer chain (LJ-6.1), out-of-catalogue items of 200 CNY or more need the
self-pay double review (LJ-7.0) and are otherwise borne by the hospital (LJ-7.4). The
hospital that bills the item gains by that answer, so it never sends it: bill lines and
self-pay proposals name the item's national code and the membership is looked up here.

An entry applies to one national code in one ``region`` (or ``any``) from
``effective_from`` (inclusive) to ``effective_to`` (exclusive, open when absent). Entries of
the same code and region must not overlap in time; for a lookup the most specific entry in
force wins (exact region beats ``any``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from medaid_shared.contracts.common import Region
from medaid_shared.identifiers import ItemCode

ANY = "any"
REGIONS = frozenset({ANY, *(r.value for r in Region)})


class ItemKind(StrEnum):
    """What the catalogue lists: drugs, medical consumables, medical service items (tests,
    treatment, bed …)."""

    DRUG = "drug"
    CONSUMABLE = "consumable"
    TEST = "test"
    SERVICE = "service"


class CatalogueEntry(BaseModel):
    """One version of one national code's catalogue membership in one region."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: ItemCode
    name: str = Field(min_length=1, max_length=300)
    kind: ItemKind
    in_catalogue: bool = Field(description="in the insurance catalogue (医保目录内) or outside it (目录外)")
    region: str = ANY
    effective_from: date
    effective_to: date | None = None
    example: bool = False
    source: str = Field(default="", max_length=300)

    @model_validator(mode="after")
    def _check(self) -> CatalogueEntry:
        if self.region not in REGIONS:
            raise ValueError(f"region must be one of {sorted(REGIONS)}")
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise ValueError("effective_to must be after effective_from")
        return self

    @property
    def version_id(self) -> str:
        return f"{self.code}:{self.region}:{self.effective_from.isoformat()}"

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)


def overlaps(a: CatalogueEntry, b: CatalogueEntry) -> bool:
    if (a.code, a.region) != (b.code, b.region):
        return False
    return a.effective_from < (b.effective_to or date.max) and b.effective_from < (a.effective_to or date.max)


def find_overlaps(existing: Iterable[CatalogueEntry], new: Sequence[CatalogueEntry]) -> list[tuple[str, str]]:
    """Pairs of version ids that would overlap if ``new`` were added (also within ``new``)."""
    clashes: list[tuple[str, str]] = []
    pool: dict[tuple[str, str], list[CatalogueEntry]] = {}
    for e in existing:
        pool.setdefault((e.code, e.region), []).append(e)
    for candidate in new:
        same = pool.setdefault((candidate.code, candidate.region), [])
        clashes.extend((candidate.version_id, other.version_id) for other in same if overlaps(candidate, other))
        same.append(candidate)
    return clashes


def lookup(entries: Iterable[CatalogueEntry], code: str, region: str, on: date) -> CatalogueEntry | None:
    """The entry of ``code`` in force on ``on`` in ``region``: the region's own, else ``any``."""
    best: CatalogueEntry | None = None
    for e in entries:
        if e.code != code or not e.in_force(on) or e.region not in (ANY, region):
            continue
        if best is None or (e.region != ANY and best.region == ANY):
            best = e
    return best
