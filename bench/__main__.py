"""``python -m bench`` (``make bench``): medaid's speed against bare baselines, in one run.

1. the pure payer-chain engine (no I/O): 25-line bills per second, in repetitions;
2. the write endpoints — settlement, admission filing, self-pay proposal, fund
   disbursement, identity-check letter — each against a bare FastAPI + asyncpg endpoint
   doing the same writes (state, outbox row, audit entry, idempotency row), alternately, at
   concurrency 1 and 8;
3. the outbox relay against raw aiokafka produce of the same messages (per-key order checked);
4. commit → applied in another service at a steady rate (relay, broker, inbox consumer);
5. the full quarterly analysis (LJ-8, LJ-9, LJ-15.4) over generated bill lines.

It starts what it needs (a fresh database on the embedded PostgreSQL or ``DATABASE_URL``'s
server, a Tansu broker unless ``KAFKA_BOOTSTRAP_SERVERS``), checks that the service and the
bare endpoints wrote the same rows and that the analytics flags agree, prints a table and
writes the figures, each as the median with its min/median/max, to ``.medaid/bench.json``.
Nothing is asserted about speed: the figures are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import time
from datetime import UTC, datetime
from typing import Any

import structlog

from bench.common import ROOT, Spread, stack
from bench.events import e2e_bench, relay_bench
from bench.settlement import analytics_bench, engine_bench, http_bench
from bench.writes import SCENARIOS, run_scenario

GOALS = {
    "settlement_api_vs_bare_c1": ("≥", 0.8),
    "settlement_api_vs_bare_c8": ("≥", 0.8),
    "filing_api_vs_bare_c1": ("≥", 0.8),
    "filing_api_vs_bare_c8": ("≥", 0.8),
    "selfpay_api_vs_bare_c1": ("≥", 0.8),
    "selfpay_api_vs_bare_c8": ("≥", 0.8),
    "disbursement_api_vs_bare_c1": ("≥", 0.8),
    "disbursement_api_vs_bare_c8": ("≥", 0.8),
    "letter_api_vs_bare_c1": ("≥", 0.8),
    "letter_api_vs_bare_c8": ("≥", 0.8),
    "e2e_p50_ms": ("<", 50.0),
    "e2e_p99_ms": ("<", 250.0),
    "relay_vs_raw_produce": ("≥", 0.3),
    "analytics_quarter_s": ("<", 2.0),
    "engine_bills_per_s": ("≥", 20_000.0),
}


def quiet() -> None:
    """The services log every command at INFO; a benchmark wants only its table."""
    os.environ.setdefault("MEDAID_LOG_LEVEL", "ERROR")
    logging.disable(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions of every figure")
    parser.add_argument("--engine", type=int, default=5_000, help="bills through the engine per repetition")
    parser.add_argument("--http", type=int, default=40, help="requests per endpoint, repetition and concurrency")
    parser.add_argument("--disbursements", type=int, default=12, help="disbursements per repetition")
    parser.add_argument("--relay", type=int, default=3_000, help="outbox rows per relay repetition")
    parser.add_argument("--e2e-rate", type=int, default=500, help="events per second")
    parser.add_argument("--e2e-seconds", type=float, default=4.0, help="seconds per e2e repetition")
    parser.add_argument("--analytics-lines", type=int, default=1_000_000, help="0 to skip")
    parser.add_argument("--analytics-reps", type=int, default=2, help="full quarterly runs")
    parser.add_argument(
        "--only", nargs="*", default=None, help="engine settlement filing selfpay … relay e2e analytics"
    )
    parser.add_argument("--out", default=str(ROOT / ".medaid" / "bench.json"))
    args = parser.parse_args()
    quiet()
    want = set(args.only) if args.only else None

    def wanted(part: str) -> bool:
        return want is None or part in want

    started = time.perf_counter()
    figures: dict[str, Spread] = {}
    context: dict[str, Any] = {}
    print(
        f"medaid benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPU(s), {args.reps} repetitions"
    )
    if wanted("engine"):
        figures["engine_bills_per_s"], wall = engine_bench(args.engine, max(5, args.reps))
        context["engine_bills_per_wall_s"] = wall.as_json()
    with stack() as infra:
        conc = (1, 8)
        if wanted("settlement"):
            r = asyncio.run(http_bench(infra, args.http, args.reps, conc))
            for c in conc:
                figures[f"settlement_api_vs_bare_c{c}"] = r["ratio"][c]
                context[f"settlement_api_per_s_c{c}"] = r["service"][c].as_json()
                context[f"settlement_bare_per_s_c{c}"] = r["bare"][c].as_json()
            context["settlement_check"] = r["check"]
        for sc in SCENARIOS:
            if not wanted(sc.key):
                continue
            n = args.disbursements if sc.key == "disbursement" else args.http
            r = asyncio.run(run_scenario(infra, sc, n, args.reps, conc))
            for c in conc:
                figures[f"{sc.key}_api_vs_bare_c{c}"] = r["ratio"][c]
                context[f"{sc.key}_api_per_s_c{c}"] = r["service"][c].as_json()
                context[f"{sc.key}_bare_per_s_c{c}"] = r["bare"][c].as_json()
            context[f"{sc.key}_check"] = r["check"]
        if wanted("relay"):
            r = asyncio.run(relay_bench(infra, args.relay, max(1, args.relay // 5), args.reps))
            figures["relay_vs_raw_produce"] = r["ratio"]
            context["relay_per_s"] = r["relay"].as_json()
            context["raw_produce_per_s"] = r["raw"].as_json()
        if wanted("e2e"):
            r = asyncio.run(e2e_bench(infra, args.e2e_rate, args.e2e_seconds, args.reps))
            figures["e2e_p50_ms"] = r["p50_ms"]
            figures["e2e_p99_ms"] = r["p99_ms"]
            context["e2e_rate_per_s"] = r["rate"]
            context["e2e_commit_to_published_p50_ms"] = r["relayed_p50_ms"].as_json()
            context["consumer_fed_directly_per_s"] = r["consumer_per_s"].as_json()
        if wanted("analytics") and args.analytics_lines:
            r = asyncio.run(analytics_bench(infra, args.analytics_lines, args.analytics_reps))
            figures["analytics_quarter_s"] = r["run_s"]
            context["analytics_self_pay_share_s"] = r["self_pay_share_s"].as_json()
            context["analytics_lines"] = r["lines"]
            context["analytics_seed_s"] = r["seed_s"]
            context["analytics_flags"] = r["flags"]
    elapsed = time.perf_counter() - started
    table = render(figures)
    print(table)
    print(f"(run took {elapsed:.0f} s)")
    out = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "elapsed_s": round(elapsed, 1),
        **{k: v.median for k, v in figures.items()},
        "spread": {k: v.as_json() for k, v in figures.items()},
        "context": context,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2, default=str)
    print(f"written to {os.path.relpath(args.out)}")


def render(figures: dict[str, Spread]) -> str:
    lines = [
        "| figure | median | min | max | goal | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for key, (op, goal) in GOALS.items():
        if key not in figures:
            continue
        s = figures[key]
        fmt = "{:,.0f}" if goal >= 1000 else "{:.2f}" if goal < 10 else "{:.1f}"
        met = s.median >= goal if op == "≥" else s.median < goal
        cells = [fmt.format(v) for v in (s.median, min(s.values), max(s.values))]
        lines.append(f"| `{key}` | {' | '.join(cells)} | {op} {fmt.format(goal)} | {'yes' if met else 'no'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
