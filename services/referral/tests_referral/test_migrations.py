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


def test_lj_4_3c_a_recorded_advisers_facility_is_renamed_unit_id_by_the_migration(
    infrastructure: Infrastructure,
) -> None:
    """docs/VOCABULARY.md: a reference names what it refers to. An adviser recorded before
    migration 0017 kept the advising facility as ``id``; the migration renames it ``unit_id``
    and leaves the rest of the record, and an admission without an adviser, as they were."""
    url = make_url(infrastructure.database_url)
    database = f"{url.database}_m0017"
    target = _create_database(url.set(database="postgres").render_as_string(hide_password=False), database)
    migrations = SERVICES["referral"].migrations_dir()
    upgrade(migrations, target, "0016")
    adviser = {"kind": "facility", "id": "LZ-GRMYY", "name": "柳州市工人医院", "rule": "LJ-4.3c"}

    async def run(*statements: str, **params: object) -> list[Any]:
        engine = create_async_engine(target)
        try:
            async with engine.begin() as conn:
                for statement in statements:
                    result = await conn.execute(text(statement), params)
                return list(result.mappings().all()) if result.returns_rows else []
        finally:
            await engine.dispose()

    insert = (
        "INSERT INTO referral.admission (admission_id, person_id, facility_id, admitted_at, emergency, able_to_pay, "
        "support_type, referral_compliance, filing_rule, filing_state, filing_due_at, unfiled_due_at, created_by, "
        "created_at, unfiled_care_adviser) VALUES ('{aid}', '{aid}-P', 'LZ-LJRMYY', now(), false, false, 'centralized', "
        "'{{}}', 'LJ-4.2b', 'unfiled', now(), now(), 'h', now(), {adviser})"
    )
    asyncio.run(
        run(
            "SET LOCAL session_replication_role = replica",
            insert.format(aid="A1", adviser="CAST(:adviser AS jsonb)"),
            insert.format(aid="A2", adviser="NULL"),
            adviser=json.dumps(adviser),
        )
    )
    upgrade(migrations, target)
    rows = asyncio.run(run("SELECT admission_id, unfiled_care_adviser FROM referral.admission ORDER BY 1"))
    assert [(r["admission_id"], r["unfiled_care_adviser"]) for r in rows] == [
        ("A1", {"kind": "facility", "unit_id": "LZ-GRMYY", "name": "柳州市工人医院", "rule": "LJ-4.3c"}),
        ("A2", None),
    ]
