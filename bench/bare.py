"""The baselines: bare FastAPI + asyncpg endpoints doing the same writes as the services.

The settlement twin does what a settlement writes (statement, its explanation lines, the
ledger row upsert + lock + update, a ledger entry, an outbox row, an audit row, an
idempotency row) with the same pure payer-chain engine; the generic twin of the other write
endpoints locks a row of its own and writes as many rows into each table as the service
wrote into the table of that name. Nothing else: no auth, no SQLAlchemy, no unit of work,
no hash chain."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from medaid_shared.clock import to_local
from medaid_shared.contracts.common import FacilityLevel, FilingState, Region
from settlement.domain.engine import Gates, Line, Parameters, SelfPayDecision, SelfPayOutcome, YearToDate, settle

BARE_SCHEMA = "bench_bare"

DDL = f"""
DROP SCHEMA IF EXISTS {BARE_SCHEMA} CASCADE;
CREATE SCHEMA {BARE_SCHEMA};
CREATE TABLE {BARE_SCHEMA}.statement (
    statement_id text PRIMARY KEY, admission_id text NOT NULL, person_id text NOT NULL, facility_id text NOT NULL,
    mode text NOT NULL, aid_year int NOT NULL, total numeric(14,2) NOT NULL, basic_insurance numeric(14,2) NOT NULL,
    critical_illness numeric(14,2) NOT NULL, medical_aid numeric(14,2) NOT NULL, support_fund numeric(14,2) NOT NULL,
    self_pay_support numeric(14,2) NOT NULL, hospital_borne numeric(14,2) NOT NULL, personal_cash numeric(14,2) NOT NULL,
    completed_at timestamptz NOT NULL);
CREATE TABLE {BARE_SCHEMA}.statement_line (
    statement_id text NOT NULL, seq int NOT NULL, payer text NOT NULL, amount numeric(14,2) NOT NULL, rule text NOT NULL,
    parameter_version text, basis text NOT NULL, PRIMARY KEY (statement_id, seq));
CREATE TABLE {BARE_SCHEMA}.aid_ledger (
    person_id text NOT NULL, year int NOT NULL, basic_paid numeric(14,2) NOT NULL, critical_base numeric(14,2) NOT NULL,
    critical_paid numeric(14,2) NOT NULL, aid_used numeric(14,2) NOT NULL, PRIMARY KEY (person_id, year));
CREATE TABLE {BARE_SCHEMA}.aid_ledger_entry (
    entry_id bigserial PRIMARY KEY, person_id text NOT NULL, year int NOT NULL, statement_id text NOT NULL,
    aid_used numeric(14,2) NOT NULL);
CREATE TABLE {BARE_SCHEMA}.outbox (seq bigserial PRIMARY KEY, id uuid NOT NULL, payload jsonb NOT NULL);
CREATE TABLE {BARE_SCHEMA}.audit (seq bigserial PRIMARY KEY, subject text NOT NULL, details jsonb NOT NULL);
CREATE TABLE {BARE_SCHEMA}.idempotency (key text PRIMARY KEY, response jsonb NOT NULL);
"""


def create_bare_app(pool: asyncpg.Pool, params: Parameters, schema: str) -> FastAPI:
    """``pool``: an asyncpg pool the caller opens and closes (as large as the service's)."""
    app = FastAPI()

    @app.post("/settle/{admission_id}", status_code=201)
    async def settle_one(admission_id: str, request: Request) -> JSONResponse:
        async with pool.acquire() as conn, conn.transaction():
            adm = await conn.fetchrow(
                f"SELECT * FROM {schema}.admission WHERE admission_id = $1 FOR UPDATE", admission_id
            )
            rows = await conn.fetch(
                f"SELECT l.* FROM {schema}.bill_line l JOIN {schema}.bill b ON b.bill_id = l.bill_id "
                "WHERE b.admission_id = $1 ORDER BY l.bill_id, l.line_no",
                admission_id,
            )
            decisions = await conn.fetch(
                f"SELECT * FROM {schema}.self_pay_decision WHERE admission_id = $1", admission_id
            )
            year = to_local(adm["discharged_at"]).year
            await conn.execute(
                f"INSERT INTO {BARE_SCHEMA}.aid_ledger VALUES ($1, $2, 0, 0, 0, 0) ON CONFLICT DO NOTHING",
                adm["person_id"],
                year,
            )
            led = await conn.fetchrow(
                f"SELECT * FROM {BARE_SCHEMA}.aid_ledger WHERE person_id = $1 AND year = $2 FOR UPDATE",
                adm["person_id"],
                year,
            )
            result = settle(
                [Line(i, r["item_code"], r["in_catalogue"], r["amount"], r["self_pay_item_id"], r["emergency"])
                 for i, r in enumerate(rows, start=1)],
                {d["item_id"]: SelfPayDecision(SelfPayOutcome(d["outcome"]), d["amount"]) for d in decisions},
                Gates(FilingState(adm["filing_state"]), adm["facility_designated"], FacilityLevel(adm["facility_level"]),
                      Region(adm["facility_region"]), adm["primary_first_visit"], adm["referral_slip"],
                      adm["out_of_region_approved"], adm["emergency"], to_local(adm["admitted_at"]).date()),
                YearToDate(led["basic_paid"], led["critical_base"], led["critical_paid"], led["aid_used"]),
                params,
            )  # fmt: skip
            sid = str(uuid.uuid4())
            a = result.amounts
            await conn.execute(
                f"INSERT INTO {BARE_SCHEMA}.statement VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)",
                sid, admission_id, adm["person_id"], adm["facility_id"], result.mode.value, year, result.total,
                *(a[p] for p in a), datetime.now(UTC),
            )  # fmt: skip
            await conn.executemany(
                f"INSERT INTO {BARE_SCHEMA}.statement_line VALUES ($1,$2,$3,$4,$5,$6,$7)",
                [(sid, i, e.payer.value, e.amount, e.rule, e.parameter_version, e.basis)
                 for i, e in enumerate(result.explanations, start=1)],
            )  # fmt: skip
            d = result.year_delta
            await conn.execute(
                f"UPDATE {BARE_SCHEMA}.aid_ledger SET basic_paid = basic_paid + $3, critical_base = critical_base + $4, "
                "critical_paid = critical_paid + $5, aid_used = aid_used + $6 WHERE person_id = $1 AND year = $2",
                adm["person_id"], year, d.basic_paid, d.critical_base, d.critical_paid, d.aid_used,
            )  # fmt: skip
            await conn.execute(
                f"INSERT INTO {BARE_SCHEMA}.aid_ledger_entry (person_id, year, statement_id, aid_used) VALUES ($1,$2,$3,$4)",
                adm["person_id"], year, sid, d.aid_used,
            )  # fmt: skip
            payload = json.dumps({"statement_id": sid, "total": str(result.total)})
            await conn.execute(f"INSERT INTO {BARE_SCHEMA}.outbox (id, payload) VALUES ($1, $2)", uuid.uuid4(), payload)
            await conn.execute(f"INSERT INTO {BARE_SCHEMA}.audit (subject, details) VALUES ($1, $2)", sid, payload)
            await conn.execute(
                f"INSERT INTO {BARE_SCHEMA}.idempotency VALUES ($1, $2)", request.headers["idempotency-key"], payload
            )
        return JSONResponse({"statement_id": sid, "total": str(result.total)}, status_code=201)

    return app


GENERIC_SCHEMA = "bench_generic"


def generic_ddl(scenario: str, plan: Mapping[str, int]) -> list[str]:
    """A table per service table the endpoint writes, and the rows its requests act on."""
    statements = [
        f"CREATE SCHEMA IF NOT EXISTS {GENERIC_SCHEMA}",
        f"CREATE TABLE {GENERIC_SCHEMA}.{scenario}_ref (ref text PRIMARY KEY, version int NOT NULL DEFAULT 0)",
    ]
    for table in plan:
        statements.append(
            f"CREATE TABLE {GENERIC_SCHEMA}.{scenario}__{table} "
            "(id bigserial PRIMARY KEY, ref text NOT NULL, doc jsonb NOT NULL, body bytea)"
        )
    return statements


def create_generic_bare_app(pool: asyncpg.Pool, scenario: str, plan: Mapping[str, int]) -> FastAPI:
    """``POST /w/{ref}``: lock and bump the ref's row, write ``plan[table]`` rows into each
    table (the first carries the request body), in one transaction."""
    app = FastAPI()
    inserts = [
        (
            f"INSERT INTO {GENERIC_SCHEMA}.{scenario}__{table} (ref, doc, body) "
            "SELECT $1, jsonb_build_object('ref', $1::text, 'n', i), CASE WHEN i = 1 THEN $2::bytea END "
            f"FROM generate_series(1, {rows}) i"
        )
        for table, rows in plan.items()
    ]
    lock = f"UPDATE {GENERIC_SCHEMA}.{scenario}_ref SET version = version + 1 WHERE ref = $1 RETURNING version"

    @app.post("/w/{ref}", status_code=201)
    async def write(ref: str, request: Request) -> JSONResponse:
        body = await request.body()
        async with pool.acquire() as conn, conn.transaction():
            await conn.fetchrow(lock, ref)
            for statement in inserts:
                await conn.execute(statement, ref, body)
        return JSONResponse({"ref": ref}, status_code=201)

    return app
