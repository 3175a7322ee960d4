"""``python -m bench.emit``: commits events into a service's outbox at a steady rate, each
in its own transaction, from a process of its own (so the load generator does not share
the relay's and the consumer's core). The event's ``occurred_at`` is stamped in the
committing transaction, so commit → applied is measured from just before the commit."""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from datetime import UTC, datetime

import asyncpg

from bench.common import asyncpg_dsn
from bench.events import person


async def emit(url: str, schema: str, topic: str, rate: int, seconds: float) -> int:
    conn = await asyncpg.connect(**asyncpg_dsn(url))
    insert = (
        f"INSERT INTO {schema}.outbox (id, topic, key, event_type, dataschema, subject, payload, occurred_at, "
        "available_at) VALUES ($1, $2, $3, $4, $5, $3, $6::jsonb, $7, $7)"
    )
    total = int(rate * seconds)
    started = time.perf_counter()
    try:
        for i in range(total):
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            event = person(f"E2E-{uuid.uuid4().hex[:12]}", i)
            payload = json.dumps(event.model_dump(mode="json"))
            await conn.execute(
                insert,
                uuid.uuid4(),
                topic,
                event.partition_key(),
                event.event_type,
                event.dataschema(),
                payload,
                datetime.now(UTC),
            )
    finally:
        await conn.close()
    return total


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("schema")
    p.add_argument("topic")
    p.add_argument("rate", type=int)
    p.add_argument("seconds", type=float)
    a = p.parse_args()
    print(asyncio.run(emit(a.url, a.schema, a.topic, a.rate, a.seconds)), flush=True)


if __name__ == "__main__":
    main()
