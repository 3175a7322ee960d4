"""Models and migrations agree; statements, bills and ledger entries are immutable."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from medaid_shared.contracts.referral import DischargeRecorded
from medaid_shared.crypto import Unsealer
from medaid_shared.migrations import upgrade
from medaid_shared.services import SERVICES
from medaid_shared.settings import DEV_DIAGNOSIS_GROUPS_PRIVATE_KEY, DIAGNOSIS_GROUPS_PURPOSE
from medaid_shared.testing import Infrastructure, ServiceHarness, _create_database, migration_drift
from tests_settlement.world import line, load_parameters, settled


async def test_migrations_match_tables(svc: ServiceHarness) -> None:
    """The hand-written migrations build exactly the tables the code declares."""
    assert await migration_drift(svc.runtime) == []


async def test_statements_are_immutable_in_the_database(svc: ServiceHarness) -> None:
    """SPEC §5: a statement is immutable; corrections are reversals plus new statements."""
    await load_parameters(svc)
    st = await settled(svc, [line("1000.00")])
    for sql in (
        "UPDATE settlement.statement SET total = 1 WHERE statement_id = :id",
        "DELETE FROM settlement.statement_line WHERE statement_id = :id",
        "UPDATE settlement.bill SET total = 1",
        "DELETE FROM settlement.aid_ledger_entry WHERE statement_id = :id",
    ):
        with pytest.raises(DBAPIError, match="immutable"):
            async with svc.runtime.db.unit_of_work() as uow:
                await uow.session.execute(text(sql), {"id": st["statement_id"]})


def test_spec_0_4_dead_lettered_discharges_are_sealed_by_the_migration(infrastructure: Infrastructure) -> None:
    """Issue 16: a DischargeRecorded v1 this service dead-lettered kept the diagnosis group
    in clear. Migration 0012 rewrites it as v2: the group sealed for settlement, nothing in
    clear, and the rewritten record still parses (a re-drive brings the group)."""
    url = make_url(infrastructure.database_url)
    database = f"{url.database}_s0012"
    target = _create_database(url.set(database="postgres").render_as_string(hide_password=False), database)
    migrations = SERVICES["settlement"].migrations_dir()
    upgrade(migrations, target, "0011")
    v1 = {
        "admission_id": "A1",
        "person_id": "P1",
        "facility_id": "H001",
        "admitted_at": "2026-10-12T00:00:00Z",
        "discharged_at": "2026-10-20T02:00:00Z",
        "diagnosis_group": "J18",
        "documents_due_at": "2026-10-21T02:00:00Z",
    }
    headers = [
        ["ce_type", "medaid.referral.DischargeRecorded"],
        ["ce_dataschema", "urn:medaid:event:medaid.referral.DischargeRecorded:1"],
        ["ce_id", "evt-1"],
    ]

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
            'INSERT INTO settlement.dead_letter (consumer, topic, partition, "offset", value, headers, error) '
            "VALUES ('read-model', 't', 0, 7, :value, CAST(:headers AS jsonb), 'UnknownAdmission')",
            value=json.dumps(v1).encode(),
            headers=json.dumps(headers),
        )
    )
    upgrade(migrations, target)
    (row,) = asyncio.run(run("SELECT value, headers FROM settlement.dead_letter"))
    assert b"J18" not in row["value"] and b'"diagnosis_group"' not in row["value"]
    assert ["ce_dataschema", "urn:medaid:event:medaid.referral.DischargeRecorded:2"] in row["headers"]
    event = DischargeRecorded.model_validate_json(row["value"])
    assert event.diagnosis_group_sealed is not None
    opened = Unsealer(DEV_DIAGNOSIS_GROUPS_PRIVATE_KEY).open(event.diagnosis_group_sealed, DIAGNOSIS_GROUPS_PURPOSE)
    assert opened == "J18"


def test_lj_4_3c_a_kept_advisers_facility_is_renamed_unit_id_by_the_migration(infrastructure: Infrastructure) -> None:
    """docs/VOCABULARY.md: a reference names what it refers to. The adviser an admission kept
    before migration 0017 named the advising facility ``id``; the migration renames it
    ``unit_id`` and leaves the rest as it was."""
    url = make_url(infrastructure.database_url)
    database = f"{url.database}_s0017"
    target = _create_database(url.set(database="postgres").render_as_string(hide_password=False), database)
    migrations = SERVICES["settlement"].migrations_dir()
    upgrade(migrations, target, "0016")
    adviser = {"kind": "facility", "id": "LZ-GRMYY", "name": "柳州市工人医院", "evidence_ref": "MZ-LJ-2026-0117"}

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
            "INSERT INTO settlement.admission (admission_id, person_id, facility_id, admitted_at, emergency, "
            "support_type, facility_level, facility_designated, facility_region, primary_first_visit, referral_slip, "
            "referral_compliant, filing_state, updated_at, unfiled_care_adviser) VALUES ('A1', 'P1', 'LZ-LJRMYY', "
            "now(), false, 'centralized', 'secondary', true, 'county', false, false, false, 'unfiled', now(), "
            "CAST(:adviser AS jsonb))",
            adviser=json.dumps(adviser),
        )
    )
    upgrade(migrations, target)
    (row,) = asyncio.run(run("SELECT unfiled_care_adviser FROM settlement.admission"))
    assert row["unfiled_care_adviser"] == {**{k: v for k, v in adviser.items() if k != "id"}, "unit_id": "LZ-GRMYY"}
