"""The short chaos run inside ``make test``: a few cross-service chains while two services,
PostgreSQL and the broker are each SIGKILLed at random moments (a fixed seed) and
restarted; after the quiet period every count must be 0 with nobody touching the system.
``make chaos`` runs every scenario, longer, with two replicas of every service too."""

from __future__ import annotations

import asyncio

from .run import SHORT, STATE, print_table, run_all


def test_short_chaos_run_loses_nothing_and_heals_by_itself() -> None:
    outcomes = asyncio.run(run_all(SHORT, seed=17, report=STATE.parent / "chaos-short-report.json"))
    print_table(outcomes)
    for o in outcomes:
        assert o.recovered, (o.scenario, o.counts, o.details)
