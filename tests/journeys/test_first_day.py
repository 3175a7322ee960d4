"""A first day that works: the example reference data `make up` loads in development, through
the services' own APIs, repeatable without doubling anything."""

from __future__ import annotations

from decimal import Decimal

from medaid_shared import examples
from medaid_shared.app import API_PREFIX

from .conftest import Stack


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
    assert {"LJ-FLY-CLINIC", "LJ-RMYY"} <= {f["facility_id"] for f in facilities}
    versions = await stack.call("settlement", "GET", "/parameters", role="admin")
    assert any(v.get("example") for v in versions), versions
