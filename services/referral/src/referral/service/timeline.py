"""LJ-15.3: one person, one external-care file (一人一外医档案) — every referral, filing,
admission, consent, self-pay decision, settlement, discharge and follow-up, in order."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from medaid_shared.clock import ensure_utc, to_local
from referral.domain.records import TimelineEntry
from referral.service.context import Ctx

CSV_COLUMNS = ["at", "at_local", "kind", "source", "ref_id", "admission_id", "summary"]


async def record(
    ctx: Ctx,
    person_id: str,
    at: datetime,
    kind: str,
    ref_id: str,
    *,
    source: str = "referral",
    admission_id: str | None = None,
    summary: dict[str, Any] | None = None,
) -> None:
    """LJ-15.3: append one entry to the person's external-care file (in the command's
    transaction). Entries carry no full ID numbers or names."""
    await ctx.repo.add_timeline_entry(
        TimelineEntry(
            person_id=person_id,
            at=ensure_utc(at),
            kind=kind,
            source=source,
            ref_id=ref_id,
            admission_id=admission_id,
            summary=json.loads(json.dumps(summary or {}, default=str)),
        )
    )


async def entries(ctx: Ctx, person_id: str) -> list[dict[str, Any]]:
    """LJ-15.3: the person's file in chronological order (ties in recording order)."""
    return [
        {
            "at": r.at,
            "kind": r.kind,
            "source": r.source,
            "ref_id": r.ref_id,
            "admission_id": r.admission_id,
            "summary": r.summary,
        }
        for r in await ctx.repo.timeline(person_id)
    ]


def to_csv(rows: list[dict[str, Any]]) -> str:
    """LJ-15.3 export: one line per entry, the summary as compact JSON."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        line = dict(r)
        line["at"] = ensure_utc(r["at"]).isoformat()
        line["at_local"] = to_local(r["at"]).isoformat()  # the export is read by people
        line["summary"] = json.dumps(r["summary"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        line["admission_id"] = r["admission_id"] or ""
        writer.writerow(line)
    return out.getvalue()
