"""The checker: what the system holds after a scenario, read straight from each service's
schema — acknowledged commands that are gone, effects missing or applied twice, events no
consumer saw, outbox rows never published, dead letters, loops not running."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from medaid_shared.services import SERVICES

from .load import ChainRecord
from .stack import ChaosStack

# An acknowledged identifier and the row that must hold it.
ACKNOWLEDGED: dict[str, tuple[str, str, str]] = {
    "facility": ("referral", "facility", "facility_id"),
    "person": ("referral", "person", "person_id"),
    "referral": ("referral", "referral", "referral_id"),
    "admission": ("referral", "admission", "admission_id"),
    "filing": ("referral", "filing", "filing_id"),
    "self_pay_item": ("consent", "self_pay_item", "item_id"),
    "bill": ("settlement", "bill", "bill_id"),
    "statement": ("settlement", "statement", "statement_id"),
}

# Effects in other services' consumers: (after which acknowledgement, schema, table,
# column, extra condition). Each must exist exactly once.
EFFECTS: list[tuple[str, str, str, str, str]] = [
    ("facility", "identity_check", "facility", "facility_id", ""),
    ("person", "consent", "person", "person_id", ""),
    ("person", "emergency_fund", "person", "person_id", ""),
    ("admission", "consent", "admission", "admission_id", ""),
    ("admission", "settlement", "admission", "admission_id", ""),
    ("approved", "settlement", "self_pay_decision", "item_id", ""),
    ("consent_form", "referral", "timeline_entry", "admission_id", "kind = 'consent_signed'"),
    ("approved", "referral", "timeline_entry", "admission_id", "kind = 'self_pay_decided'"),
    ("statement", "referral", "timeline_entry", "admission_id", "kind = 'settlement_completed'"),
    ("statement", "emergency_fund", "settlement", "statement_id", ""),
]
# The effect keyed by the admission although acknowledged by another step.
_BY_ADMISSION = {"timeline_entry"}


@dataclass
class Findings:
    lost_acknowledged: list[str] = field(default_factory=list)
    effects_expected: int = 0
    effects_missing: list[str] = field(default_factory=list)
    effects_duplicated: list[str] = field(default_factory=list)
    commands_duplicated: list[str] = field(default_factory=list)
    unseen_events: list[str] = field(default_factory=list)
    unpublished: list[str] = field(default_factory=list)
    dead_letters: list[str] = field(default_factory=list)
    dead_letters_resolved: list[str] = field(default_factory=list)
    dead_loops: list[str] = field(default_factory=list)

    def settled(self) -> bool:
        """Nothing is still on its way (what the quiet period waits for)."""
        return not (self.effects_missing or self.unseen_events or self.unpublished)


def consumer_map() -> dict[str, dict[str, set[str]]]:
    """Per service, each consumer's name and the event types it handles."""
    result: dict[str, dict[str, set[str]]] = {}
    for info in SERVICES.values():
        bootstrap = info.bootstrap()
        runtime = bootstrap.build_runtime(bootstrap.Settings(run_background=False))
        result[info.schema] = {c.name: set(c.handlers) for c in runtime.consumers}
    return result


async def check(
    stack: ChaosStack, records: Iterable[ChainRecord], consumers: dict[str, dict[str, set[str]]]
) -> Findings:
    f = Findings()
    engine = create_async_engine(stack.database_url)
    try:
        async with engine.connect() as conn:
            await _acknowledged(conn, list(records), f)
            await _events(conn, consumers, f)
    finally:
        await engine.dispose()
    f.dead_loops = await dead_loops(stack)
    return f


async def _count(conn: AsyncConnection, sql: str, **params: Any) -> int:
    return int((await conn.execute(text(sql), params)).scalar_one())


async def _acknowledged(conn: AsyncConnection, records: list[ChainRecord], f: Findings) -> None:
    for record in records:
        ack = record.acknowledged
        for kind, value in ack.items():
            if kind not in ACKNOWLEDGED:
                continue
            schema, table, column = ACKNOWLEDGED[kind]
            if await _count(conn, f'SELECT count(*) FROM {schema}."{table}" WHERE {column} = :v', v=value) != 1:
                f.lost_acknowledged.append(f"chain {record.index}: {kind} {value}")
        for cause, schema, table, column, condition in EFFECTS:
            if cause not in ack:
                continue
            value = ack["admission"] if table in _BY_ADMISSION else ack[cause]
            where = f"{column} = :v" + (f" AND {condition}" if condition else "")
            n = await _count(conn, f'SELECT count(*) FROM {schema}."{table}" WHERE {where}', v=value)
            f.effects_expected += 1
            label = f"chain {record.index}: {schema}.{table} {condition or column} {value}"
            if n == 0:
                f.effects_missing.append(label)
            elif n > 1:
                f.effects_duplicated.append(f"{label} ×{n}")
        if "person" in ack:
            n = await _count(conn, "SELECT count(*) FROM referral.admission WHERE person_id = :p", p=ack["person"])
            if n > 1:
                f.commands_duplicated.append(f"chain {record.index}: {n} admissions")
        if "admission" in ack:
            n = await _count(
                conn, "SELECT count(*) FROM settlement.statement WHERE admission_id = :a", a=ack["admission"]
            )
            if n > 1:
                f.commands_duplicated.append(f"chain {record.index}: {n} statements")
    acknowledged_persons = sum(1 for r in records if "person" in r.acknowledged)
    stored = await _count(conn, "SELECT count(*) FROM referral.person")
    if stored > acknowledged_persons:
        f.commands_duplicated.append(f"{stored - acknowledged_persons} persons registered beyond those acknowledged")


async def _events(conn: AsyncConnection, consumers: dict[str, dict[str, set[str]]], f: Findings) -> None:
    schemas = [info.schema for info in SERVICES.values()]
    for schema in schemas:
        for event_type, event_id, state in (
            await conn.execute(text(f"SELECT event_type, id, state FROM {schema}.outbox WHERE state <> 'published'"))
        ).all():
            f.unpublished.append(f"{schema}: {event_type} {event_id} ({state})")
        for consumer_schema, specs in consumers.items():
            for consumer, types in specs.items():
                unseen = await conn.execute(
                    text(
                        f"SELECT o.event_type, o.id FROM {schema}.outbox o WHERE o.state = 'published'"
                        " AND o.event_type = ANY(:types) AND NOT EXISTS (SELECT 1 FROM"
                        f" {consumer_schema}.inbox i WHERE i.consumer = :c AND i.event_id = o.id::text)"
                    ),
                    {"types": sorted(types), "c": consumer},
                )
                for event_type, event_id in unseen.all():
                    f.unseen_events.append(f"{consumer_schema}/{consumer}: {event_type} {event_id}")
        for consumer, topic, error, state in (
            await conn.execute(text(f"SELECT consumer, topic, error, state FROM {schema}.dead_letter"))
        ).all():
            line = f"{schema}/{consumer}: {topic}: {error[:200]}"
            # A dead letter whose event was applied after all (delivered again once what it
            # needed had arrived) is resolved, not dead; it is shown, not counted.
            (f.dead_letters if state == "dead" else f.dead_letters_resolved).append(f"{line} ({state})")


async def dead_loops(stack: ChaosStack) -> list[str]:
    """Replicas whose liveness or readiness says a part is down (after the quiet period)."""
    dead: list[str] = []
    async with httpx.AsyncClient(timeout=5) as client:
        for replica in stack.all_replicas():
            try:
                live = await client.get(f"{replica.url}/healthz")
                ready = await client.get(f"{replica.url}/readyz")
            except httpx.HTTPError as exc:
                dead.append(f"{replica.name}: unreachable ({type(exc).__name__})")
                continue
            if live.status_code != 200:
                dead.append(f"{replica.name}: /healthz {live.status_code} {live.text[:300]}")
            if ready.status_code != 200:
                body: Any = ready.text[:500]
                with contextlib.suppress(ValueError):
                    body = ready.json()
                dead.append(f"{replica.name}: /readyz {ready.status_code} {body}")
    return dead
