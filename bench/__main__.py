"""``python -m bench`` (``make bench``): settlement throughput, in one run.

1. the pure payer-chain engine (no I/O), settlements per second;
2. the settlement service's API (``POST /admissions/{id}/settlement``: auth, policy, unit of
   work, repository, ledger lock, statement + lines, outbox, hash-chained audit) against
3. a bare FastAPI + asyncpg endpoint doing the same writes with the same engine;
4. the quarterly analytics (LJ-8, LJ-9, LJ-15.4) over a generated table of bill lines.

Both HTTP apps are driven in-process through httpx's ASGI transport with the same
concurrency, against the same PostgreSQL (``DATABASE_URL``, or the embedded one under
``.medaid/bench-pgdata``). Results are printed, not asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bench.bare import BARE_SCHEMA, DDL, create_bare_app
from medaid_shared.auth import issue_token
from medaid_shared.contracts.common import FacilityLevel, FilingState, Region
from medaid_shared.migrations import upgrade
from medaid_shared.services import SERVICES
from settlement.adapters import tables as t
from settlement.bootstrap import Settings, create_app
from settlement.cli import example_file
from settlement.domain.engine import Gates, Line, Parameters, SelfPayDecision, SelfPayOutcome, YearToDate, settle
from settlement.domain.parameters import ParameterKind, ParameterVersion, select_version

ROOT = Path(__file__).resolve().parents[1]
LINES_PER_BILL = 25
ADMITTED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
DISCHARGED = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)


# --- the workload ------------------------------------------------------------------------------
def bill_lines(prefix: str) -> list[tuple[str, bool, Decimal, str | None]]:
    """25 lines: 20 in the catalogue, 5 out (3 approved self-pay items, 2 never proposed)."""
    lines: list[tuple[str, bool, Decimal, str | None]] = []
    for i in range(20):
        lines.append((f"C{i:03d}", True, Decimal(400 + 37 * i) + Decimal("0.25"), None))
    for i in range(5):
        lines.append((f"X{i:03d}", False, Decimal(250 + 10 * i), f"{prefix}-SP{i}" if i < 3 else None))
    return lines


def example_parameters() -> Parameters:
    versions = [ParameterVersion.model_validate(v) for v in json.loads(example_file().read_text())["versions"]]
    on = DISCHARGED.date()

    def pick(kind: ParameterKind) -> Any:
        return select_version(versions, kind, Region.LIUJIANG, FacilityLevel.DISTRICT, on)

    return Parameters(
        pick(ParameterKind.BASIC_INSURANCE), pick(ParameterKind.CRITICAL_ILLNESS), pick(ParameterKind.MEDICAL_AID)
    )


def engine_bench(n: int) -> tuple[float, float]:
    params = example_parameters()
    lines = [Line(i, c, cat, a, item) for i, (c, cat, a, item) in enumerate(bill_lines("E"), start=1)]
    decisions = {f"E-SP{i}": SelfPayDecision(SelfPayOutcome.APPROVED, Decimal(260 + 10 * i)) for i in range(3)}
    gates = Gates(
        FilingState.FILED_IN_TIME,
        True,
        FacilityLevel.DISTRICT,
        Region.LIUJIANG,
        True,
        True,
        None,
        False,
        date(2026, 3, 2),
    )
    ytd = YearToDate(aid_used=Decimal("12345.67"))
    for _ in range(200):  # warm-up
        settle(lines, decisions, gates, ytd, params)
    started = time.perf_counter()
    for _ in range(n):
        settle(lines, decisions, gates, ytd, params)
    elapsed = time.perf_counter() - started
    return n / elapsed, elapsed / n * 1e6


# --- infrastructure ------------------------------------------------------------------------------
def database() -> tuple[str, object | None]:
    base = os.environ.get("DATABASE_URL")
    server = None
    if not base:
        from medaid_shared.localstack import start_embedded_postgres

        base, server = start_embedded_postgres(ROOT / ".medaid" / "bench-pgdata", database="postgres")
    name = f"medaid_bench_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        engine = create_async_engine(base, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await engine.dispose()

    asyncio.run(create())
    return make_url(base).set(database=name).render_as_string(hide_password=False), server


def drop_database(url: str) -> None:
    name = make_url(url).database
    admin_url = make_url(url).set(database="postgres").render_as_string(hide_password=False)

    async def drop() -> None:
        engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await engine.dispose()

    asyncio.run(drop())


def asyncpg_dsn(url: str) -> dict[str, Any]:
    u = make_url(url)
    query = dict(u.query)
    return {
        "user": u.username,
        "password": u.password,
        "database": u.database,
        "host": query.get("host", u.host),
        "port": int(query.get("port", u.port or 5432)),
    }


async def seed(engine: Any, prefix: str, n: int) -> list[str]:
    """n discharged admissions (two per person), each with a final bill of 25 lines."""
    now = datetime.now(UTC)
    admissions, bills, lines, decisions = [], [], [], []
    for i in range(n):
        aid = f"{prefix}{i}"
        admissions.append(
            {
                "admission_id": aid, "person_id": f"{prefix}P{i // 2}", "facility_id": "H001",
                "admitted_at": ADMITTED, "emergency": False, "support_type": "centralized", "institution_id": "I01",
                "village_id": None, "town_id": "T01", "facility_level": "district", "facility_designated": True,
                "facility_region": "liujiang", "primary_first_visit": True, "referral_slip": True,
                "out_of_region_approved": None, "referral_compliant": True, "filing_state": "filed_in_time",
                "discharged_at": DISCHARGED, "diagnosis_group_enc": None, "diagnosis_group_idx": None, "updated_at": now,
            }
        )  # fmt: skip
        bill_id = f"{aid}-bill"
        rows = bill_lines(aid)
        bills.append(
            {
                "bill_id": bill_id, "facility_id": "H001", "bill_number": f"B-{aid}", "admission_id": aid, "kind": "final",
                "replaces_bill_id": None, "total": sum(a for _, _, a, _ in rows), "line_count": len(rows),
                "fingerprint": "0" * 64, "reason": None, "submitted_by": "bench", "submitted_at": now,
            }
        )  # fmt: skip
        for no, (code, cat, amount, item) in enumerate(rows, start=1):
            lines.append(
                {
                    "bill_id": bill_id, "line_no": no, "admission_id": aid, "facility_id": "H001", "item_code": code,
                    "category": "drug", "in_catalogue": cat, "quantity": Decimal(1), "unit_price": amount,
                    "amount": amount, "service_date": date(2026, 3, 3), "self_pay_item_id": item, "emergency": False,
                }
            )  # fmt: skip
            if item:
                decisions.append(
                    {
                        "item_id": item, "admission_id": aid, "person_id": f"{prefix}P{i // 2}", "item_code": code,
                        "amount": amount, "outcome": "approved", "decided_at": now,
                    }
                )  # fmt: skip
    async with engine.begin() as conn:
        await conn.execute(insert(t.admission), admissions)
        await conn.execute(insert(t.bill), bills)
        await conn.execute(insert(t.bill_line), lines)
        await conn.execute(insert(t.self_pay_decision), decisions)
    return [a["admission_id"] for a in admissions]


async def drive(
    client: httpx.AsyncClient, paths: list[str], headers: dict[str, str], concurrency: int
) -> tuple[float, list[float]]:
    semaphore = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(path: str) -> None:
        async with semaphore:
            started = time.perf_counter()
            r = await client.post(path, headers=headers)
            latencies.append(time.perf_counter() - started)
            if r.status_code != 201:
                raise RuntimeError(f"{path}: {r.status_code} {r.text[:300]}")

    started = time.perf_counter()
    await asyncio.gather(*(one(p) for p in paths))
    return len(paths) / (time.perf_counter() - started), latencies


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) >= 2 else values[0] * 1000


async def http_bench(url: str, n: int, concurrency: int, warmup: int) -> dict[str, Any]:
    settings = Settings(database_url=url, run_background=False, environment="test", db_pool_size=5)
    app = create_app(settings)
    runtime = app.state.runtime
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench/v1", timeout=120)
    admin = {"Authorization": f"Bearer {issue_token(settings, subject='bench-admin', role='admin')}"}
    hospital = {
        "Authorization": f"Bearer {issue_token(settings, subject='bench-his', role='hospital', scopes=['facility:H001'])}"
    }
    versions = json.loads(example_file().read_text())["versions"]
    r = await client.post("/admin/parameters", json={"versions": versions}, headers=admin)
    assert r.status_code == 201, r.text

    engine = runtime.db.engine
    service_ids = await seed(engine, "S", n + warmup)
    bare_ids = await seed(engine, "B", n + warmup)
    async with engine.begin() as conn:
        for statement in DDL.strip().split(";"):
            if statement.strip():
                await conn.execute(text(statement))

    pool = await asyncpg.create_pool(**asyncpg_dsn(url), min_size=5, max_size=10)  # the service's pool: 5 + 5 overflow
    bare = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_bare_app(pool, example_parameters(), t.SCHEMA)),
        base_url="http://bare",
        timeout=120,
    )
    results: dict[str, Any] = {}
    try:
        runs: list[tuple[str, httpx.AsyncClient, list[str], dict[str, str], Callable[[str], str]]] = [
            ("service API", client, service_ids, hospital, lambda a: f"/admissions/{a}/settlement"),
            ("bare FastAPI + asyncpg", bare, bare_ids, {}, lambda a: f"/settle/{a}"),
        ]
        for _name, c, ids, headers, path in runs:  # warm-up both first, then measure both
            await drive(c, [path(a) for a in ids[:warmup]], headers, concurrency)
        for name, c, ids, headers, path in runs:
            rate, latencies = await drive(c, [path(a) for a in ids[warmup:]], headers, concurrency)
            results[name] = {"rate": rate, "p50": pct(latencies, 50), "p95": pct(latencies, 95)}
        async with engine.connect() as conn:
            results["check"] = {
                "service statements": (await conn.execute(text("SELECT count(*) FROM settlement.statement"))).scalar(),
                "bare statements": (await conn.execute(text(f"SELECT count(*) FROM {BARE_SCHEMA}.statement"))).scalar(),
                "service aid": (await conn.execute(text("SELECT sum(medical_aid) FROM settlement.statement"))).scalar(),
                "bare aid": (
                    await conn.execute(text(f"SELECT sum(medical_aid) FROM {BARE_SCHEMA}.statement"))
                ).scalar(),
            }
        if results["check"]["service aid"] != results["check"]["bare aid"]:
            raise RuntimeError(f"the two endpoints disagree: {results['check']}")
    finally:
        await bare.aclose()
        await pool.close()
        await client.aclose()
        await runtime.db.dispose()
    return results


ANALYTICS_SEED = f"""
INSERT INTO {t.SCHEMA}.admission
SELECT 'AN' || i, 'PN' || i, 'HA' || lpad((i % 25)::text, 2, '0'),
       timestamptz '2026-01-01 02:00+00' + ((i % 75) || ' days')::interval, false, 'centralized', 'I01', NULL, 'T01',
       'district', true, 'liujiang', true, true, NULL, true, 'filed_in_time',
       timestamptz '2026-01-01 02:00+00' + ((i % 75) + 2 + (i % 9) + CASE WHEN i % 997 = 0 THEN 40 ELSE 0 END || ' days')::interval,
       NULL, 'grp' || (i % 30), now()
FROM generate_series(1, :n) AS i;
INSERT INTO {t.SCHEMA}.bill
SELECT 'BN' || i, 'HA' || lpad((i % 25)::text, 2, '0'), 'BN' || i, 'AN' || i, 'final', NULL, 0, :per, repeat('0', 64),
       NULL, 'bench', now()
FROM generate_series(1, :n) AS i;
INSERT INTO {t.SCHEMA}.bill_line
SELECT 'BN' || i, l, 'AN' || i, 'HA' || lpad((i % 25)::text, 2, '0'), 'I' || (l % 50),
       CASE WHEN l % 10 = 0 THEN 'test' WHEN l % 10 = 1 THEN 'bed' ELSE 'drug' END,
       (l % 7 <> 0 AND NOT (i % 25 = 3 AND l % 3 = 0)), 1, 10 + (l * 7 + i) % 300 + CASE WHEN i % 1999 = 0 THEN 5000 ELSE 0 END,
       10 + (l * 7 + i) % 300 + CASE WHEN i % 1999 = 0 THEN 5000 ELSE 0 END,
       date '2026-01-01' + (i % 75) + (l % (2 + (i % 9))), NULL, false
FROM generate_series(1, :n) AS i, generate_series(1, :per) AS l;
ANALYZE {t.SCHEMA}.admission;
ANALYZE {t.SCHEMA}.bill;
ANALYZE {t.SCHEMA}.bill_line;
"""


async def analytics_bench(url: str, lines: int) -> dict[str, Any]:
    settings = Settings(database_url=url, run_background=False, environment="test")
    app = create_app(settings)
    runtime = app.state.runtime
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench/v1", timeout=600)
    analyst = {"Authorization": f"Bearer {issue_token(settings, subject='bench-ca', role='civil_affairs')}"}
    per = 20
    try:
        started = time.perf_counter()
        async with runtime.db.engine.begin() as conn:
            for statement in ANALYTICS_SEED.strip().split(";"):
                if statement.strip():
                    await conn.execute(text(statement), {"n": lines // per, "per": per})
        seeded = time.perf_counter() - started

        async def timed(call: Callable[[], Awaitable[httpx.Response]]) -> tuple[float, httpx.Response]:
            t0 = time.perf_counter()
            r = await call()
            assert r.status_code == 200, r.text
            return time.perf_counter() - t0, r

        share_s, share = await timed(lambda: client.get("/reports/2026Q1/self-pay-share", headers=analyst))
        run_s, run = await timed(lambda: client.post("/analytics/2026Q1/run", headers=analyst))
        csv_s, _ = await timed(lambda: client.get("/reports/2026Q1/flags?format=csv", headers=analyst))
        return {
            "lines": lines,
            "seed_s": seeded,
            "self_pay_share_s": share_s,
            "hospitals": len(share.json()),
            "run_s": run_s,
            "flags": run.json()["by_kind"],
            "csv_s": csv_s,
        }
    finally:
        await client.aclose()
        await runtime.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--engine", type=int, default=20_000, help="settlements through the pure engine")
    parser.add_argument("--http", type=int, default=1_000, help="settlements through each HTTP endpoint")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--analytics-lines", type=int, default=1_000_000, help="0 to skip")
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()

    print(f"medaid settlement benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPU(s)")
    rate, micros = engine_bench(args.engine)
    print(f"\n1. pure payer-chain engine ({LINES_PER_BILL}-line bill, {args.engine} runs)")
    print(f"   {rate:12,.0f} settlements/s   {micros:8.1f} µs each")

    url, server = database()
    try:
        upgrade(SERVICES["settlement"].migrations_dir(), url)
        results = asyncio.run(http_bench(url, args.http, args.concurrency, args.warmup))
        print(f"\n2./3. through HTTP (in-process ASGI, {args.http} settlements each, concurrency {args.concurrency})")
        for name in ("service API", "bare FastAPI + asyncpg"):
            r = results[name]
            print(f"   {name:24} {r['rate']:8,.1f} settlements/s   p50 {r['p50']:6.1f} ms   p95 {r['p95']:6.1f} ms")
        ratio = results["service API"]["rate"] / results["bare FastAPI + asyncpg"]["rate"]
        print(f"   the service runs at {ratio:.0%} of the bare endpoint's rate")
        print(f"   check: {results['check']}")
        if args.analytics_lines:
            a = asyncio.run(analytics_bench(url, args.analytics_lines))
            print(f"\n4. quarterly analytics over {a['lines']:,} bill lines (seeded in {a['seed_s']:.1f} s)")
            print(f"   self-pay share report ({a['hospitals']} hospitals)  {a['self_pay_share_s']:6.2f} s")
            print(f"   full quarterly run (all flags)            {a['run_s']:6.2f} s   {a['flags']}")
            print(f"   flags CSV export                          {a['csv_s']:6.2f} s")
    finally:
        if not args.keep_database:
            drop_database(url)
        del server


if __name__ == "__main__":
    main()
