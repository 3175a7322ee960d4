"""Runs after the journeys (SPEC 0.4, issue 16 point 1): every answer the services gave them —
typed or untyped JSON, HTML forms, CSV — shows a full name or ID number the journeys used
only where the minimisation table's full-read operations allow it, to the roles it names."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from medaid_shared.minimisation import FULL_READ_OPERATIONS, FullRead
from medaid_shared.services import SERVICES

from .conftest import Answer, Stack

ROOT = Path(__file__).resolve().parents[2]


def _pattern(operation: str) -> tuple[str, re.Pattern[str]]:
    method, template = operation.split(" ", 1)
    return method, re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) + "$")


OPERATIONS = [(read, *_pattern(read.operation)) for read in FULL_READ_OPERATIONS]


def full_read(answer: Answer) -> FullRead | None:
    """The table's full-read operation the answer is an answer of, if any."""
    return next(
        (
            read
            for read, method, path in OPERATIONS
            if read.service == answer.service and method == answer.method and path.match(answer.path)
        ),
        None,
    )


def test_the_table_matches_the_operations_it_names() -> None:
    answer = Answer("consent", "GET", "/self-pay-items/S-1/consent-form.html", "guardian", 200, "")
    assert full_read(answer) is not None
    assert full_read(Answer("consent", "GET", "/self-pay-items/S-1", "guardian", 200, "")) is None
    assert full_read(Answer("referral", "GET", "/filings/F-1/form", "hospital", 200, "")) is not None


def test_spec_0_4_no_answer_shows_a_full_name_or_id_number_outside_the_full_reads(stack: Stack) -> None:
    assert stack.personal and stack.answers, "the journeys sent no names or ID numbers"
    hits: list[str] = []
    shown: set[str] = set()
    for answer in stack.answers:
        found = [v for v in stack.personal if v in answer.body]
        if not found:
            continue
        read = full_read(answer)
        if read is not None and answer.role in read.roles:
            shown.add(read.operation)
            continue
        hits += [f"{answer.role} {answer.method} {answer.service}{answer.path} → {answer.status}: {v}" for v in found]
    assert hits == []
    # the check sees what it guards: the journeys print the forms that show names in full
    assert shown, "no full-read answer was received: the scan would not tell a full name from a masked one"


def _public_operations(service: str) -> list[str]:
    """Every GET path of the service that needs no login (no security requirement)."""
    doc = json.loads((ROOT / f"services/{service}/openapi.json").read_text())
    return [
        path.replace("{year}", "2026")
        for path, operations in doc["paths"].items()
        for method, operation in operations.items()
        if method == "get" and "security" not in operation
    ]


async def test_spec_0_4_gd_21_every_page_without_login_stays_masked(stack: Stack) -> None:
    """Issue 16 point 8: public pages — the fund's notice board (GD-21) and every other
    operation answered without a token — show no full name or ID number the journeys used,
    after the journeys identified the unidentified patient and ran the notices."""
    assert stack.personal
    hits: list[str] = []
    pages = 0
    for service in SERVICES:
        for path in _public_operations(service):
            async with httpx.AsyncClient(base_url=stack.url(service), timeout=30) as c:
                r = await c.get(path)
            assert r.status_code == 200, f"{service}{path} → {r.status_code}"
            pages += 1
            hits += [f"{service}{path}: {v}" for v in stack.personal if v in r.text]
    assert hits == []
    public = [a for a in stack.answers if a.role == "" and a.path.startswith("/public/")]
    assert pages > len(SERVICES) and public, "the journeys read no public page"
    # The board as the journeys read it while the notices ran (by now the clock may have
    # moved past the board's history window): masked ID numbers only.
    boards = [
        json.loads(a.body) for a in public if a.service == "emergency-fund" and a.path.startswith("/public/notices")
    ]
    notices = [n for board in boards if isinstance(board, dict) for n in board.get("items", [])]
    assert notices and all(
        e["id_number_masked"] is None or "*" in e["id_number_masked"] for n in notices for e in n["entries"]
    )


def _console_get_pages() -> list[str]:
    """Every GET page of the web console (its routers, sign-in and operations included),
    path parameters filled with a stand-in: a page that needs a login answers 303 to the
    sign-in page whatever the id."""
    from fastapi.routing import APIRoute

    from console.app import AREAS
    from console.routes.operations import operations_router

    routes = [r for router in (operations_router(True), *(area.router for area in AREAS)) for r in router.routes]
    return sorted(
        re.sub(r"\{\w+\}", "X-1", route.path)
        for route in routes
        if isinstance(route, APIRoute) and "GET" in route.methods
    )


async def test_spec_0_4_the_consoles_pages_without_login_stay_masked(stack: Stack, console: str) -> None:
    """Issue 16 point 8: the web console's pages served without a login — the sign-in page,
    the public notice board it prints (GD-21) for every city the journeys used, and whatever
    else answers without a session — show no full name or ID number the journeys used; every
    other page sends the caller to sign in."""
    assert stack.personal
    cities = sorted({e["data"]["city"] for e in stack.events if isinstance(e["data"].get("city"), str)})
    assert cities, "the journeys named no city"
    hits: list[str] = []
    public: list[str] = []
    async with httpx.AsyncClient(base_url=console, timeout=30, follow_redirects=False) as c:
        for path in _console_get_pages():
            for params in [{"city": city} for city in cities] if path == "/print/public-notices" else [{}]:
                r = await c.get(path, params=params)
                if r.status_code == 303 and r.headers["location"].startswith("/sign-in"):
                    continue  # needs a login
                public.append(f"{path} {params} → {r.status_code}")
                hits += [f"console {path} {params}: {v}" for v in stack.personal if v in r.text]
    assert hits == []
    # the scan sees the pages it guards: the sign-in page and the board of each city
    assert any(p.startswith("/sign-in {}") and p.endswith("200") for p in public), public
    assert sum(p.startswith("/print/public-notices") and p.endswith("200") for p in public) == len(cities), public
