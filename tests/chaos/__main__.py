"""``make chaos``: every scenario, the table printed and written to .medaid/chaos-report.json."""

from __future__ import annotations

import argparse
import asyncio
import sys

from .run import FULL, REPORT, SHORT, print_table, run_all, write_report


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos")
    parser.add_argument("--short", action="store_true", help="only the short run (as inside make test)")
    parser.add_argument("--scenario", action="append", help="run only these scenarios (repeat)")
    parser.add_argument("--chains", type=int, help="chains per scenario")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    scenarios = SHORT if args.short else FULL
    if args.scenario:
        scenarios = [s for s in FULL + SHORT if s.name in args.scenario]
    if args.chains:
        for s in scenarios:
            s.chains = args.chains
    outcomes = asyncio.run(run_all(scenarios, args.seed))
    write_report(outcomes)
    print_table(outcomes)
    print(f"report: {REPORT}")
    for o in outcomes:
        if not o.recovered:
            for kind, lines in o.details.items():
                print(f"{o.scenario} {kind}:", *lines[:5], sep="\n  ")
    return 0 if all(o.recovered for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
