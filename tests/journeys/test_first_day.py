"""A first day that works: the example reference data `make up` loads in development, through
the services' own APIs, repeatable without doubling anything."""

from __future__ import annotations

import asyncio
import os
import subprocess
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from medaid_shared import examples
from medaid_shared.app import API_PREFIX

from .conftest import Stack

ROOT = Path(__file__).resolve().parents[2]


async def test_first_day_examples_load_through_the_apis_and_loading_again_changes_nothing(stack: Stack) -> None:
    urls = {name: stack.url(name) + API_PREFIX for name in stack.ports}
    first = await examples.load(urls)
    assert first and all(o.loaded for o in first), [o for o in first if not o.loaded]
    assert {o.service for o in first} >= {"referral", "settlement", "emergency-fund"}

    again = await examples.load(urls)
    assert all(o.loaded for o in again), [o for o in again if not o.loaded]
    fund = await stack.call("emergency-fund", "GET", "/funds/liuzhou", role="finance", scopes=("city:liuzhou",))
    assert Decimal(fund["cash"]) == Decimal("1000000.00"), fund  # one example inflow, not two
    facilities = await stack.call("referral", "GET", "/facilities", role="civil_affairs")
    assert {"LJ-FLY-CLINIC", "LJ-RMYY"} <= {f["facility_id"] for f in facilities["items"]}
    versions = await stack.call("settlement", "GET", "/parameters", role="admin")
    assert any(v.get("example") for v in versions["items"]), versions


def _worked_example() -> str:
    """The README's worked example, exactly as a newcomer would paste it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after_marker = readme.split("<!-- worked-example:", 1)[1]
    return after_marker.split("```sh\n", 1)[1].split("```", 1)[0]


async def test_the_readme_worked_example_settles_as_it_says(stack: Stack) -> None:
    await examples.load({name: stack.url(name) + API_PREFIX for name in stack.ports})
    # The script stamps instants with the real clock, as a newcomer's shell would; the services'
    # test clocks (moved by earlier journeys) are put a little ahead of it.
    await stack.set_clock(datetime.now(UTC) + timedelta(seconds=5))
    script = _worked_example() + '\necho "STATEMENT=$STATEMENT"\n'
    env = {
        **os.environ,
        "REFERRAL": stack.url("referral") + API_PREFIX,
        "SETTLEMENT": stack.url("settlement") + API_PREFIX,
    }
    done = await asyncio.to_thread(
        subprocess.run, ["bash", "-e", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "filed_in_time" in done.stdout and "9800.00" in done.stdout, done.stdout
    assert "'basic_insurance': '7520.00'" in done.stdout and "'medical_aid': '2280.00'" in done.stdout, done.stdout
