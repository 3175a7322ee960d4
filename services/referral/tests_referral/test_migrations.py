"""The tables and the hand-written migrations agree."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from medaid_shared.crypto import Unsealer
from medaid_shared.migrations import upgrade
from medaid_shared.services import SERVICES
from medaid_shared.settings import DEV_DIAGNOSIS_GROUPS_PRIVATE_KEY, DIAGNOSIS_GROUPS_PURPOSE
from medaid_shared.testing import Infrastructure, ServiceHarness, _create_database, migration_drift


async def test_migrations_match_tables(svc: ServiceHarness) -> None:
    """The hand-written migrations build exactly the tables the code declares."""
    assert await migration_drift(svc.runtime) == []


def test_spec_0_4_the_outboxs_discharges_are_sealed_by_the_migration(infrastructure: Infrastructure) -> None:
    """Issue 16: DischargeRecorded v1 carried the diagnosis group in clear, and referral's
    outbox keeps it (republished after a broker loss, served on the feeds). Migration 0014
    rewrites those rows as v2: the group sealed for settlement, nothing in clear."""
    url = make_url(infrastructure.database_url)
    database = f"{url.database}_m0014"
    target = _create_database(url.set(database="postgres").render_as_string(hide_password=False), database)
    migrations = SERVICES["referral"].migrations_dir()
    upgrade(migrations, target, "0013")
    payload = {"admission_id": "A1", "diagnosis_group": "J18", "documents_due_at": "2026-10-21T02:00:00Z"}

    async def run(statement: str, **params: object) -> list[Any]:
        engine = create_async_engine(target)
        try:
            async with engine.begin() as conn:
                result = await conn.execute(text(statement), params)
                return list(result.mappings().all()) if result.returns_rows else []
        finally:
            await engine.dispose()

    asyncio.run(
        run(
            "INSERT INTO referral.outbox (id, topic, key, event_type, dataschema, payload, occurred_at) VALUES "
            "(gen_random_uuid(), 't', 'A1', 'medaid.referral.DischargeRecorded', "
            "'urn:medaid:event:medaid.referral.DischargeRecorded:1', CAST(:payload AS jsonb), now())",
            payload=json.dumps(payload),
        )
    )
    upgrade(migrations, target)
    (row,) = asyncio.run(run("SELECT dataschema, payload FROM referral.outbox"))
    assert row["dataschema"] == "urn:medaid:event:medaid.referral.DischargeRecorded:2"
    assert "diagnosis_group" not in row["payload"] and "J18" not in json.dumps(row["payload"])
    opened = Unsealer(DEV_DIAGNOSIS_GROUPS_PRIVATE_KEY).open(
        row["payload"]["diagnosis_group_sealed"], DIAGNOSIS_GROUPS_PURPOSE
    )
    assert opened == "J18"
