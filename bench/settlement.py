"""Settlement: the pure payer-chain engine, the settlement API against its bare twin, and
the quarterly analytics (LJ-8, LJ-9, LJ-15.4) over generated bill lines."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
from sqlalchemy import insert, text

from bench.bare import BARE_SCHEMA, DDL, create_bare_app
from bench.common import Request, Spread, asyncpg_dsn, drive
from bench.writes import timed_client
from medaid_shared.contracts.common import FacilityLevel, FilingState, Region
from medaid_shared.testing import Infrastructure, start_harness, stop_harness
from settlement.adapters import tables as t
from settlement.cli import example_file
from settlement.domain.engine import Gates, Line, Parameters, SelfPayDecision, SelfPayOutcome, YearToDate, settle
from settlement.domain.parameters import ParameterKind, ParameterVersion, select_version

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


def engine_bench(n: int, reps: int) -> tuple[Spread, Spread]:
    """Bills per second through ``settle`` (one core, no I/O), ``reps`` runs of ``n``. Timed
    in this process's CPU time (on a shared machine wall time also counts the other
    processes' turns on the core); the wall-clock rate is returned beside it."""
    params = example_parameters()
    lines = [Line(i, c, cat, a, item) for i, (c, cat, a, item) in enumerate(bill_lines("E"), start=1)]
    decisions = {f"E-SP{i}": SelfPayDecision(SelfPayOutcome.APPROVED, Decimal(260 + 10 * i)) for i in range(3)}
    gates = Gates(
        FilingState.FILED_IN_TIME, True, FacilityLevel.DISTRICT, Region.LIUJIANG, True, True, None, False,
        date(2026, 3, 2),
    )  # fmt: skip
    ytd = YearToDate(aid_used=Decimal("12345.67"))
    for _ in range(500):  # warm-up
        settle(lines, decisions, gates, ytd, params)
    cpu, wall = Spread(), Spread()
    for _ in range(reps):
        started, wall_started = time.process_time(), time.perf_counter()
        for _ in range(n):
            settle(lines, decisions, gates, ytd, params)
        cpu.add(n / (time.process_time() - started))
        wall.add(n / (time.perf_counter() - wall_started))
    return cpu, wall


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


async def http_bench(infra: Infrastructure, n: int, reps: int, concurrencies: tuple[int, ...]) -> dict[str, Any]:
    """``POST /admissions/{id}/settlement`` against the bare twin, alternately, ``reps`` times
    per concurrency; ratios are taken within each repetition."""
    h = await start_harness("settlement", infra)
    runtime = h.runtime
    admin = h.token("admin", subject="bench-admin")
    hospital = h.token("hospital", "facility:H001", subject="bench-his")
    versions = json.loads(example_file().read_text())["versions"]
    r = await h.client.post("/admin/parameters", json={"versions": versions}, headers=admin)
    assert r.status_code == 201, r.text
    warmup = 40
    total = warmup + n * reps * len(concurrencies)
    engine = runtime.db.engine
    service_ids = iter(await seed(engine, "S", total))
    bare_ids = iter(await seed(engine, "B", total))
    async with engine.begin() as conn:
        for statement in DDL.strip().split(";"):
            if statement.strip():
                await conn.execute(text(statement))
    pool = await asyncpg.create_pool(**asyncpg_dsn(infra.database_url), min_size=5, max_size=10)
    bare = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_bare_app(pool, example_parameters(), t.SCHEMA)),
        base_url="http://bare",
        timeout=120,
    )

    def service_requests(k: int) -> list[Request]:
        def one(a: str) -> Request:
            return lambda c: c.post(
                f"/admissions/{a}/settlement", headers={**hospital, "Idempotency-Key": uuid.uuid4().hex}
            )

        return [one(next(service_ids)) for _ in range(k)]

    def bare_requests(k: int) -> list[Request]:
        def one(a: str) -> Request:
            return lambda c: c.post(f"/settle/{a}", headers={"Idempotency-Key": uuid.uuid4().hex})

        return [one(next(bare_ids)) for _ in range(k)]

    result: dict[str, Any] = {"service": {}, "bare": {}, "ratio": {}}
    service = timed_client(h)
    try:
        await drive(service, service_requests(warmup), 4)
        await drive(bare, bare_requests(warmup), 4)
        for c in concurrencies:
            svc_s, bare_s, ratio_s = Spread(), Spread(), Spread()
            for _ in range(reps):
                rate = await drive(service, service_requests(n), c)
                bare_rate = await drive(bare, bare_requests(n), c)
                svc_s.add(rate)
                bare_s.add(bare_rate)
                ratio_s.add(rate / bare_rate)
            result["service"][c], result["bare"][c], result["ratio"][c] = svc_s, bare_s, ratio_s
        async with engine.connect() as conn:

            async def one(sql: str) -> Any:
                return (await conn.execute(text(sql))).scalar()

            check = {
                "service statements": await one("SELECT count(*) FROM settlement.statement"),
                "bare statements": await one(f"SELECT count(*) FROM {BARE_SCHEMA}.statement"),
                "service lines": await one("SELECT count(*) FROM settlement.statement_line"),
                "bare lines": await one(f"SELECT count(*) FROM {BARE_SCHEMA}.statement_line"),
                "service aid": await one("SELECT sum(medical_aid) FROM settlement.statement"),
                "bare aid": await one(f"SELECT sum(medical_aid) FROM {BARE_SCHEMA}.statement"),
                "service outbox": await one("SELECT count(*) FROM settlement.outbox"),
                "bare outbox": await one(f"SELECT count(*) FROM {BARE_SCHEMA}.outbox"),
                "service audit": await one("SELECT count(*) FROM settlement.audit_log"),
                "bare audit": await one(f"SELECT count(*) FROM {BARE_SCHEMA}.audit"),
                "service idempotency": await one("SELECT count(*) FROM settlement.idempotency_key"),
                "bare idempotency": await one(f"SELECT count(*) FROM {BARE_SCHEMA}.idempotency"),
            }
        for what in ("statements", "lines", "aid", "idempotency"):
            if check[f"service {what}"] != check[f"bare {what}"]:
                raise RuntimeError(f"the service and the bare endpoint disagree on {what}: {check}")
        result["check"] = check
    finally:
        await service.aclose()
        await bare.aclose()
        await pool.close()
        await stop_harness(h)
    return result


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
ANALYZE {t.SCHEMA}.service_day_cost;
"""


# The flags of the generated quarter, as the analysis found them before it was made fast.
ANALYTICS_EXPECTED_FLAGS: dict[int, dict[str, int]] = {
    1_000_000: {
        "self_pay_share": 1, "high_cost_case": 25, "long_stay": 28, "unrelated_tests": 0, "bed_hanging": 28,
        "cost_above_average": 25,
    },
}  # fmt: skip


async def analytics_bench(infra: Infrastructure, lines: int, reps: int) -> dict[str, Any]:
    """The full quarterly run (every flag) ``reps`` times; the flags must agree each time and
    with the reference counts of the generated data."""
    h = await start_harness("settlement", infra)
    analyst = h.token("civil_affairs", subject="bench-ca")
    per = 20
    try:
        async with h.runtime.db.engine.begin() as conn:
            for table in ("bill_line", "bill", "service_day_cost", "cost_flag", "statement_line", "aid_ledger_entry"):
                await conn.execute(text(f"TRUNCATE {t.SCHEMA}.{table} CASCADE"))
            await conn.execute(text(f"DELETE FROM {t.SCHEMA}.admission"))
        started = time.perf_counter()
        async with h.runtime.db.engine.begin() as conn:
            for statement in ANALYTICS_SEED.strip().split(";"):
                if statement.strip():
                    await conn.execute(text(statement), {"n": lines // per, "per": per})
        seeded = time.perf_counter() - started
        run_s, share_s = Spread(), Spread()
        flags: list[dict[str, int]] = []
        for _ in range(reps):
            t0 = time.perf_counter()
            r = await h.client.get("/reports/2026Q1/self-pay-share", headers=analyst)
            assert r.status_code == 200, r.text
            share_s.add(time.perf_counter() - t0)
            t0 = time.perf_counter()
            r = await h.client.post("/analytics/2026Q1/run", headers=analyst)
            assert r.status_code == 200, r.text
            run_s.add(time.perf_counter() - t0)
            flags.append(r.json()["by_kind"])
        if any(f != flags[0] for f in flags):
            raise RuntimeError(f"the quarterly runs disagree: {flags}")
        expected = ANALYTICS_EXPECTED_FLAGS.get(lines)
        if expected is not None and flags[0] != expected:
            raise RuntimeError(f"the flags changed: {flags[0]} (expected {expected})")
        return {"lines": lines, "seed_s": seeded, "run_s": run_s, "self_pay_share_s": share_s, "flags": flags[0]}
    finally:
        await stop_harness(h)
