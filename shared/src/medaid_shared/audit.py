"""Verification of the append-only, hash-chained decision log (``medaid audit verify``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from medaid_shared.db import GENESIS_HASH, Database, audit_hash


@dataclass(frozen=True)
class ChainReport:
    entries: int
    ok: bool
    broken_at: int | None = None
    reason: str = ""


async def verify_chain(db: Database) -> ChainReport:
    t = db.tables.audit_log
    prev = GENESIS_HASH
    count = 0
    async with db.read() as s:
        result = await s.stream(select(t).order_by(t.c.seq))
        async for row in result.mappings():
            count += 1
            if row["prev_hash"] != prev:
                return ChainReport(count, False, row["seq"], "prev_hash does not match the previous entry")
            entry = {
                "at": row["at"].isoformat(),
                "actor": row["actor"],
                "role": row["role"],
                "action": row["action"],
                "subject": row["subject"],
                "reason": row["reason"],
                "details": row["details"],
            }
            if audit_hash(prev, entry) != row["hash"]:
                return ChainReport(count, False, row["seq"], "entry content does not match its hash")
            prev = row["hash"]
    return ChainReport(count, True)
