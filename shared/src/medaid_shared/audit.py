"""Verification of the append-only, hash-chained decision log (``medaid audit verify``) and
the digest of its chain heads that auditors keep (``medaid audit head``).

Each subject's entries form a chain: an entry's ``prev_hash`` is the hash of the subject's
previous entry (the genesis hash for its first), and its ``hash`` covers that and its own
content. ``audit_head`` holds each chain's last hash and length. An edited entry no longer
matches its hash; an inserted or deleted entry breaks the next one's ``prev_hash``; a
deleted last entry leaves the head pointing past the chain. Someone able to rewrite the
head table too is caught by a head digest published earlier: the log still has to
reproduce it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from medaid_shared import clock
from medaid_shared.db import GENESIS_HASH, Database, audit_hash

LEGACY = ""  # the audit_head row closing the single chain kept before per-subject chains
SETTLED_AFTER = timedelta(minutes=1)  # a head digest covers entries at least this old


@dataclass(frozen=True)
class ChainReport:
    entries: int
    ok: bool
    broken_at: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class HeadDigest:
    """What an auditor writes down: up to entry ``seq``, the chains' digest."""

    seq: int
    entries: int
    digest: str


def _content(row: Any) -> dict[str, Any]:
    return {
        "at": row["at"].isoformat(),
        "actor": row["actor"],
        "role": row["role"],
        "action": row["action"],
        "subject": row["subject"],
        "reason": row["reason"],
        "details": row["details"],
    }


class _Digest:
    """sha256 over each chain's (subject, length, last hash) up to a seq, by subject."""

    def __init__(self) -> None:
        self._h = hashlib.sha256()
        self.entries = 0

    def add(self, subject: str, entries: int, last_hash: str) -> None:
        if entries:
            self._h.update(f"{subject}\t{entries}\t{last_hash}\n".encode())
            self.entries += entries

    def hexdigest(self) -> str:
        return self._h.hexdigest()


async def verify_chain(db: Database, published: HeadDigest | None = None) -> ChainReport:
    """Walk every chain; compare each with its head, and with ``published`` if given."""
    t, heads_t = db.tables.audit_log, db.tables.audit_head
    count = 0
    digest = _Digest()
    async with db.read() as s:
        heads = {r.subject: r for r in (await s.execute(select(heads_t))).all()}
        legacy = heads.pop(LEGACY, None)
        legacy_last = legacy.last_seq if legacy is not None else 0
        # the single chain the log had before per-subject chains, in seq order
        if legacy is not None:
            prev, n = GENESIS_HASH, 0
            result = await s.stream(select(t).where(t.c.seq <= legacy_last).order_by(t.c.seq))
            async for row in result.mappings():
                count += 1
                n += 1
                if broken := _check(row, prev):
                    return ChainReport(count, False, row["seq"], broken)
                prev = row["hash"]
            if (n, prev) != (legacy.entries, legacy.hash):
                return ChainReport(count, False, legacy_last, "entries of the earlier single chain are missing")
        subject: str | None = None
        prev, n, at_seq = GENESIS_HASH, 0, (0, GENESIS_HASH)

        def close() -> str | None:
            if subject is None:
                return None
            if published is not None:
                digest.add(subject, *at_seq)
            head = heads.pop(subject, None)
            if head is None or (head.entries, head.hash) != (n, prev):
                return f"the chain of {subject!r} does not end where its head says (entries deleted?)"
            return None

        result = await s.stream(select(t).where(t.c.seq > legacy_last).order_by(t.c.subject, t.c.seq))
        async for row in result.mappings():
            count += 1
            if row["subject"] != subject:
                if broken := close():
                    return ChainReport(count, False, row["seq"], broken)
                subject, prev, n, at_seq = row["subject"], GENESIS_HASH, 0, (0, GENESIS_HASH)
            if broken := _check(row, prev):
                return ChainReport(count, False, row["seq"], broken)
            prev = row["hash"]
            n += 1
            if published is not None and row["seq"] <= published.seq:
                at_seq = (n, prev)
        if broken := close():
            return ChainReport(count, False, None, broken)
        leftover = [k for k, h in heads.items() if h.entries]
        if leftover:
            return ChainReport(count, False, None, f"the chain of {leftover[0]!r} has a head but no entries")
    if published is not None and digest.hexdigest() != published.digest:
        return ChainReport(
            count, False, None, f"the log no longer reproduces the head digest published at {published.seq}"
        )
    return ChainReport(count, True)


def _check(row: Any, prev: str) -> str | None:
    if row["prev_hash"] != prev:
        return "prev_hash does not match the previous entry (an entry was inserted or deleted)"
    if audit_hash(prev, _content(row)) != row["hash"]:
        return "entry content does not match its hash"
    return None


async def head_digest(db: Database) -> HeadDigest:
    """The digest auditors record: every chain up to the last entry older than
    :data:`SETTLED_AFTER` (later entries may still be committing)."""
    t = db.tables.audit_log
    async with db.read() as s:
        seq = (await s.execute(select(func.max(t.c.seq)).where(t.c.at < clock.now() - SETTLED_AFTER))).scalar()
    seq = int(seq or 0)
    probe = HeadDigest(seq, 0, "")
    digest = await _digest_at(db, probe)
    return HeadDigest(seq, digest.entries, digest.hexdigest())


async def _digest_at(db: Database, at: HeadDigest) -> _Digest:
    t, heads_t = db.tables.audit_log, db.tables.audit_head
    digest = _Digest()
    async with db.read() as s:
        legacy = (await s.execute(select(heads_t).where(heads_t.c.subject == LEGACY))).first()
        legacy_last = legacy.last_seq if legacy is not None else 0
        subject: str | None = None
        n, last = 0, GENESIS_HASH
        query = (
            select(t.c.subject, t.c.hash).where(t.c.seq > legacy_last, t.c.seq <= at.seq).order_by(t.c.subject, t.c.seq)
        )
        result = await s.stream(query)
        async for row in result:
            if row.subject != subject:
                if subject is not None:
                    digest.add(subject, n, last)
                subject, n = row.subject, 0
            n += 1
            last = row.hash
        if subject is not None:
            digest.add(subject, n, last)
    return digest


@dataclass(frozen=True)
class ChainStatus:
    """What an auditor sees of one service's log: the verification (against ``published``
    if given), the head digest to record now, how many chains, and the last entry's time."""

    report: ChainReport
    head: HeadDigest
    chains: int
    last_entry_at: datetime | None
    published: HeadDigest | None = None


async def chain_status(db: Database, published: HeadDigest | None = None) -> ChainStatus:
    """Verify every chain and take the head digest, as ``medaid audit verify`` (``--head``)
    and ``medaid audit head`` do, for the auditors' read API."""
    report = await verify_chain(db, published)
    head = await head_digest(db)
    t, heads_t = db.tables.audit_log, db.tables.audit_head
    async with db.read() as s:
        # the single chain kept before per-subject chains (LEGACY) counts as one chain
        chains = (await s.execute(select(func.count()).select_from(heads_t).where(heads_t.c.entries > 0))).scalar_one()
        last_at = (await s.execute(select(func.max(t.c.at)))).scalar()
    return ChainStatus(report, head, int(chains), last_at, published)
