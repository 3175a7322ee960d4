"""The write endpoints against bare FastAPI + asyncpg endpoints doing the same writes.

Each scenario prepares, through the service's own API and consumers (not timed), the state
its requests need, then the service and its bare twin take the same number of requests at
the same concurrency, alternately, in repetitions. Every service request carries an
Idempotency-Key. The bare twin writes, per request, as many rows into each of its tables as
the service wrote into the table of the same name (state, outbox, audit log, idempotency
key): the benchmark counts both sides and refuses to report when they differ.
"""

from __future__ import annotations

import contextlib
import itertools
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import time_machine
from sqlalchemy import text

from bench.bare import GENERIC_SCHEMA, create_generic_bare_app, generic_ddl
from bench.common import Request, Spread, asyncpg_dsn, drive
from medaid_shared.testing import Infrastructure, ServiceHarness, start_harness, stop_harness


@dataclass
class Prepared:
    """One request of a scenario: how the service is called, and the body the bare twin gets."""

    send: Request
    body: bytes


Prepare = Callable[[ServiceHarness, int, str], Awaitable[list[Prepared]]]


def timed_client(h: ServiceHarness) -> httpx.AsyncClient:
    """A client on the service's app as the bare endpoint's: the harness client's test hook
    (the wire-vocabulary check of every answer) is the tests' cost, not the service's."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=h.app), base_url=str(h.client.base_url), timeout=120)


def keyed(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Idempotency-Key": uuid.uuid4().hex}


def post_json(path: str, body: dict[str, Any], headers: dict[str, str]) -> Prepared:
    import json

    raw = json.dumps(body).encode()

    async def send(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post(path, content=raw, headers={**keyed(headers), "Content-Type": "application/json"})

    return Prepared(send, raw)


# --- scenarios ---------------------------------------------------------------------------------
PEOPLE = itertools.count()


async def prepare_filing(h: ServiceHarness, n: int, tag: str) -> list[Prepared]:
    """referral ``POST /admissions``: a registered person's admission is filed."""
    from tests_referral.helpers import add_facility, add_person, centralized, hospital, id_number

    if tag.endswith("#0"):
        await add_facility(h, "H001", level="township_health_centre")  # a first visit: no referral asked
    out = []
    now = datetime.now(UTC) - timedelta(hours=1)
    for _ in range(n):
        k = next(PEOPLE)
        born = f"19{40 + k // 6000:02d}{1 + k // 500 % 12:02d}01"
        person = await add_person(h, centralized(0, id_number=id_number(k % 500, born=born)))
        body = {"person_id": person["person_id"], "facility_id": "H001", "admitted_at": now.isoformat()}
        out.append(post_json("/admissions", body, hospital(h)))
    return out


async def prepare_selfpay(h: ServiceHarness, n: int, tag: str) -> list[Prepared]:
    """consent ``POST /admissions/{id}/self-pay-items``: a 500 CNY item needing review."""
    from tests_consent.helpers import admission_event, capacity, feed, setup_person

    if tag.endswith("#0"):
        await setup_person(h, "BP1", capacity=capacity(True), admission_id=None)
    out = []
    for i in range(n):
        admission = f"BA-{tag.replace('#', '-')}-{i}"
        await feed(h, admission_event(admission, "BP1"))
        body = {
            "item_code": "X-01", "item_name": "人血白蛋白", "category": "drug", "unit_price": "500.00",
            "quantity": 1, "necessity": "低蛋白血症", "attending_doctor": "doc-1",
        }  # fmt: skip
        out.append(post_json(f"/admissions/{admission}/self-pay-items", body, h.token("hospital", "facility:H001")))
    return out


async def prepare_letter(h: ServiceHarness, n: int, tag: str) -> list[Prepared]:
    """identity-check ``POST /identity-checks``: the police letter with one face photo."""
    from tests_identity_check.helpers import hospital, image_bytes, register_facility

    if tag.endswith("#0"):
        await register_facility(h, "H001")
    photo = image_bytes(300, 400)
    headers = hospital(h)
    out = []
    for i in range(n):
        ref = f"ZY-{tag.replace('#', '-')}-{i}"

        async def send(client: httpx.AsyncClient, ref: str = ref) -> httpx.Response:
            return await client.post(
                "/identity-checks",
                data={"patient_ref": ref},
                files=[("photos", ("face.jpg", photo, "image/jpeg"))],
                headers=keyed(headers),
            )

        out.append(Prepared(send, photo))
    return out


PAY_AT = datetime(2026, 9, 25, 2, 0, tzinfo=UTC)


async def prepare_disbursement(h: ServiceHarness, n: int, tag: str) -> list[Prepared]:
    """emergency-fund ``POST /applications/{id}/disbursement``: after both public notices."""
    from tests_emergency_fund.helpers import SUBMIT, prepare_city, through_review, who

    if tag.endswith("#0"):
        with time_machine.travel(SUBMIT, tick=False):
            await prepare_city(h, cash="100000000.00")
    out = []
    for i in range(n):
        with time_machine.travel(SUBMIT, tick=False):
            app_id = await _submitted(h, f"{tag.replace('#', '-')}-{i}")
        await through_review(h, app_id)
        out.append(post_json(f"/applications/{app_id}/disbursement", {}, who(h, "finance")))
    return out


async def _submitted(h: ServiceHarness, ref: str) -> str:
    from tests_emergency_fund.helpers import ok, ready_unidentified_case

    case = await ready_unidentified_case(h, patient_ref=f"P-{ref}")
    app = await ok(h, "POST", "/applications", "hospital", {"facility_id": "H001", "case_ids": [case], "note": ref})
    return str(app["application_id"])


@dataclass(frozen=True)
class Scenario:
    key: str
    service: str
    prepare: Prepare
    frozen_at: datetime | None = None  # the instant the requests are sent at, if it matters


SCENARIOS = [
    Scenario("filing", "referral", prepare_filing),
    Scenario("selfpay", "consent", prepare_selfpay),
    Scenario("disbursement", "emergency-fund", prepare_disbursement, PAY_AT),
    Scenario("letter", "identity-check", prepare_letter),
]


@contextlib.contextmanager
def at(instant: datetime | None) -> Iterator[None]:
    if instant is None:
        yield
    else:
        with time_machine.travel(instant, tick=True):
            yield


async def row_counts(conn: Any, schema: str) -> dict[str, int]:
    names = (
        await conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = :s AND tablename <> 'alembic_version'"),
            {"s": schema},
        )
    ).scalars()
    counts = {}
    for name in names:
        counts[name] = int((await conn.execute(text(f'SELECT count(*) FROM "{schema}"."{name}"'))).scalar_one())
    return counts


async def run_scenario(
    infra: Infrastructure, sc: Scenario, n: int, reps: int, concurrencies: tuple[int, ...]
) -> dict[str, Any]:
    """Ratios service ÷ bare per concurrency, each a :class:`Spread` over ``reps``."""
    h = await start_harness(sc.service, infra)
    schema = h.runtime.settings.db_schema
    engine = h.runtime.db.engine
    pool = await asyncpg.create_pool(**asyncpg_dsn(infra.database_url), min_size=5, max_size=10)
    result: dict[str, Any] = {"service": {}, "bare": {}, "ratio": {}}
    try:
        # warm-up, and what one request writes
        with at(sc.frozen_at):
            warm = await sc.prepare(h, 8, f"{sc.key}#0")
        async with engine.connect() as conn:
            before = await row_counts(conn, schema)
        service = timed_client(h)
        with at(sc.frozen_at):
            await drive(service, [p.send for p in warm], 4)
        async with engine.connect() as conn:
            after = await row_counts(conn, schema)
        plan = {t: (after[t] - before[t]) / len(warm) for t in after if after[t] != before[t]}
        # A row inserted once and then updated (a counter) is an update per request, like
        # the bare twin's bump of its own row; rows inserted per request are mirrored.
        plan = {t: v for t, v in plan.items() if v >= 1}
        if any(v != int(v) for v in plan.values()):
            raise RuntimeError(f"{sc.key}: a request wrote a varying number of rows: {plan}")
        for needed in ("outbox", "audit_log", "idempotency_key"):
            if not plan.get(needed):
                raise RuntimeError(f"{sc.key}: the service wrote no {needed} row: {plan}")
        int_plan = {t: int(v) for t, v in plan.items()}
        async with engine.begin() as conn:
            for statement in generic_ddl(sc.key, int_plan):
                await conn.execute(text(statement))
        bare = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_generic_bare_app(pool, sc.key, int_plan)),
            base_url="http://bare",
            timeout=120,
        )
        counter = iter(range(10**9))

        async def bare_requests(prepared: list[Prepared]) -> list[Request]:
            """The bare twin acts on an aggregate row of its own per request, as the service does."""
            refs = [f"r{next(counter)}" for _ in prepared]
            async with pool.acquire() as conn:
                await conn.executemany(f"INSERT INTO {GENERIC_SCHEMA}.{sc.key}_ref VALUES ($1)", [(r,) for r in refs])
            out: list[Request] = []
            for ref, p in zip(refs, prepared, strict=True):

                async def send(client: httpx.AsyncClient, ref: str = ref, body: bytes = p.body) -> httpx.Response:
                    return await client.post(f"/w/{ref}", content=body)

                out.append(send)
            return out

        await drive(bare, await bare_requests(warm), 4)
        served = 0
        written = dict.fromkeys(int_plan, 0)
        for c in concurrencies:
            svc_s, bare_s, ratio_s = Spread(), Spread(), Spread()
            for rep in range(reps):
                with at(sc.frozen_at):
                    prepared = await sc.prepare(h, n, f"{sc.key}-c{c}-{rep}#{rep + 1}")
                async with engine.connect() as conn:
                    before = await row_counts(conn, schema)
                with at(sc.frozen_at):
                    rate = await drive(service, [p.send for p in prepared], c)
                async with engine.connect() as conn:
                    after = await row_counts(conn, schema)
                for t in written:
                    written[t] += after[t] - before[t]
                bare_rate = await drive(bare, await bare_requests(prepared), c)
                served += n
                svc_s.add(rate)
                bare_s.add(bare_rate)
                ratio_s.add(rate / bare_rate)
            result["service"][c], result["bare"][c], result["ratio"][c] = svc_s, bare_s, ratio_s
        async with engine.connect() as conn:
            mirrored = {
                t: int((await conn.execute(text(f"SELECT count(*) FROM {GENERIC_SCHEMA}.{sc.key}__{t}"))).scalar_one())
                for t in int_plan
            }
        check = {t: (written[t], mirrored[t] - len(warm) * k) for t, k in int_plan.items()}
        if any(s != b for s, b in check.values()):
            raise RuntimeError(f"{sc.key}: service and bare wrote different rows: {check}")
        result["check"] = {"rows per request": int_plan, "requests": served}
        await bare.aclose()
        await service.aclose()
    finally:
        await pool.close()
        await stop_harness(h)
    return result
