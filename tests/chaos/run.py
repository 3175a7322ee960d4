"""Scenarios: the load runs while faults are injected at random moments; after a bounded
quiet period the checker counts what went wrong. Nobody touches the system meanwhile: no
replay, no re-drive, no restart other than the killed process's own."""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from medaid_shared.services import SERVICES

from .checker import Findings, check, consumer_map
from .load import Client, ClientStats, run_load, set_up
from .stack import STATE, Broker, ChaosStack, PrivatePostgres

REPORT = STATE.parent / "chaos-report.json"
REQUIRED_ZERO = (
    "lost_acknowledged",
    "effects_missing",
    "effects_duplicated",
    "commands_duplicated",
    "unseen_events",
    "unpublished",
    "dead_letters",
    "dead_loops",
    "client_500",
    "unacknowledged",
)


@dataclass
class Scenario:
    name: str
    faults: list[str]  # "service:<name>", "service:*" (one at random), "broker", "postgres"
    chains: int
    replicas: int = 1
    concurrency: int = 8
    quiet_s: float = 90
    command_timeout: float = 120
    gap_s: tuple[float, float] = (2, 7)  # between one fault's restart and the next kill


@dataclass
class Outcome:
    scenario: str
    replicas: int
    chains: int
    chains_completed: int
    faults: list[str]
    effects_expected: int
    counts: dict[str, int]
    client_answers: dict[str, int]
    transport_errors: int
    seconds: float
    quiet_seconds: float
    details: dict[str, list[str]] = field(default_factory=dict)

    @property
    def recovered(self) -> bool:
        return all(self.counts[k] == 0 for k in REQUIRED_ZERO) and self.chains_completed == self.chains


FULL = [
    Scenario("baseline", [], chains=80),
    Scenario("services", [f"service:{s}" for s in SERVICES] + ["service:*", "service:*"], chains=80),
    Scenario("postgres", ["postgres", "postgres"], chains=80),
    Scenario("broker", ["broker", "broker"], chains=80),
    Scenario(
        "replicas",
        [f"service:{s}" for s in SERVICES] + ["broker", "postgres"],
        chains=80,
        replicas=2,
    ),
]

SHORT = [
    Scenario(
        "short", ["service:*", "service:*", "postgres", "broker"], chains=8, concurrency=4, quiet_s=90, gap_s=(1, 3)
    ),
]


async def inject(
    stack: ChaosStack, scenario: Scenario, rng: random.Random, log: list[str], done: asyncio.Event
) -> None:
    """SIGKILL each target at a random moment, leave it down for a moment, restart it."""
    start = time.monotonic()
    for fault in rng.sample(scenario.faults, len(scenario.faults)):
        await asyncio.sleep(rng.uniform(*scenario.gap_s))
        down = rng.uniform(0.5, 3)
        at = time.monotonic() - start
        if fault == "postgres":
            stack.postgres.kill()
            await asyncio.sleep(down)
            await asyncio.to_thread(stack.postgres.start)
        elif fault == "broker":
            stack.broker.kill()
            await asyncio.sleep(down)
            await asyncio.to_thread(stack.broker.start)
        else:
            service = fault.split(":", 1)[1]
            if service == "*":
                service = rng.choice(list(SERVICES))
            replica = rng.choice(stack.replicas[service])
            replica.kill()
            await asyncio.sleep(down)
            replica.start()  # not waited for: the next fault may come while it starts
            fault = f"service:{replica.name}"
        log.append(f"{fault} killed at {at:.1f}s, down {down:.1f}s")
    done.set()


async def run_scenario(postgres: PrivatePostgres, broker: Broker, scenario: Scenario, seed: int) -> Outcome:
    rng = random.Random(seed)
    stack = ChaosStack(postgres, broker, scenario.name, replicas_per_service=scenario.replicas)
    await stack.prepare()
    consumers = consumer_map()
    stats = ClientStats()
    client = Client(stack, stats, command_timeout=scenario.command_timeout)
    started = time.monotonic()
    try:
        await stack.start_services()
        await client.discover_prefix()
        await set_up(client)
        # The reference data reaches consent before the faults begin: the set-up is not
        # part of what is measured.
        await reference_data_arrived(stack)
        faults: list[str] = []
        faults_done = asyncio.Event()
        injector = asyncio.create_task(inject(stack, scenario, rng, faults, faults_done))
        records = await run_load(client, f"CH{seed}", scenario.chains, scenario.concurrency)
        await injector
        quiet_start = time.monotonic()
        findings = await check(stack, records, consumers)
        while not findings.settled() and time.monotonic() - quiet_start < scenario.quiet_s:
            await asyncio.sleep(3)
            findings = await check(stack, records, consumers)
        quiet = time.monotonic() - quiet_start
    finally:
        await client.close()
        stack.stop()
    return _outcome(scenario, records, findings, stats, faults, time.monotonic() - started, quiet)


async def reference_data_arrived(stack: ChaosStack, timeout: float = 120) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(stack.database_url)
    try:
        async with asyncio.timeout(timeout):
            while True:
                async with engine.connect() as conn:
                    n = (await conn.execute(text("SELECT count(*) FROM consent.catalogue_item"))).scalar_one()
                if n >= 3:
                    return
                await asyncio.sleep(0.5)
    finally:
        await engine.dispose()


def _outcome(
    scenario: Scenario,
    records: list[Any],
    f: Findings,
    stats: ClientStats,
    faults: list[str],
    seconds: float,
    quiet: float,
) -> Outcome:
    details = {
        "lost_acknowledged": f.lost_acknowledged,
        "effects_missing": f.effects_missing,
        "effects_duplicated": f.effects_duplicated,
        "commands_duplicated": f.commands_duplicated,
        "unseen_events": f.unseen_events,
        "unpublished": f.unpublished,
        "dead_letters": f.dead_letters,
        "dead_letters_resolved": f.dead_letters_resolved,
        "dead_loops": f.dead_loops,
        "unacknowledged": stats.unacknowledged,
        "refused": stats.refused,
        "chain_errors": [f"chain {r.index}: {r.error}" for r in records if r.error],
    }
    counts = {k: len(v) for k, v in details.items() if k not in ("chain_errors",)}
    counts["client_500"] = stats.answers.get(500, 0)
    counts["client_5xx_retried"] = sum(n for status, n in stats.answers.items() if status > 500)
    return Outcome(
        scenario=scenario.name,
        replicas=scenario.replicas,
        chains=scenario.chains,
        chains_completed=sum(1 for r in records if r.completed),
        faults=faults,
        effects_expected=f.effects_expected,
        counts=counts,
        client_answers={str(k): v for k, v in sorted(stats.answers.items())},
        transport_errors=stats.transport_errors,
        seconds=round(seconds, 1),
        quiet_seconds=round(quiet, 1),
        details={k: v[:20] for k, v in details.items() if v},
    )


async def run_all(scenarios: list[Scenario], seed: int, report: Path = REPORT) -> list[Outcome]:
    STATE.mkdir(parents=True, exist_ok=True)
    (STATE / "logs").mkdir(exist_ok=True)
    postgres = PrivatePostgres(STATE / "pgdata", STATE / "logs" / "postgres.log")
    broker = Broker(STATE / "logs" / "tansu.log")
    await asyncio.to_thread(postgres.init)
    postgres.start()
    broker.start()
    outcomes: list[Outcome] = []
    try:
        for i, scenario in enumerate(scenarios):
            outcomes.append(await run_scenario(postgres, broker, scenario, seed + i))
            write_report(outcomes, report)  # as it goes: a later failure keeps what was measured
    finally:
        broker.stop()
        postgres.stop()
    return outcomes


def write_report(outcomes: list[Outcome], path: Path = REPORT) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps([{**asdict(o), "recovered": o.recovered} for o in outcomes], indent=2, ensure_ascii=False)
    )


def print_table(outcomes: list[Outcome]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="medaid chaos suite (every column from 'lost' to 'gave up' must be 0)")
    headers = {
        "lost_acknowledged": "lost ack'd",
        "effects_missing": "effects missing",
        "effects_duplicated": "dup effects",
        "commands_duplicated": "dup commands",
        "unseen_events": "unseen events",
        "unpublished": "unpub-lished",
        "dead_letters": "dead letters",
        "dead_loops": "dead loops",
        "client_500": "client 500",
        "unacknowledged": "gave up",
    }
    for c in ["scenario", "repl-icas", "kills", "chains", *headers.values(), "5xx retried", "recovered"]:
        table.add_column(c)
    for o in outcomes:
        table.add_row(
            o.scenario,
            str(o.replicas),
            str(len(o.faults)),
            f"{o.chains_completed}/{o.chains}",
            *(
                f"{o.counts[k]} of {o.effects_expected}" if k == "effects_missing" else str(o.counts[k])
                for k in REQUIRED_ZERO
            ),
            str(o.counts["client_5xx_retried"]),
            "[green]yes[/]" if o.recovered else "[red]no[/]",
        )
    Console(width=200).print(table)
