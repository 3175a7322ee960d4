"""Steps the journeys share. Everything goes over HTTP to the running services; a service
that has not yet learnt something from another service's events answers 409 not-yet-known
with Retry-After (some older paths 404), and the step repeats the request until it has
(nothing changes on such an answer)."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from medaid_shared.crypto import id_number_check_char

from .conftest import Stack

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[2]
# The settlement service's shipped parameter file: basic and critical-illness insurance values
# marked as examples (LJ-6.1), medical aid per the seed (LJ-6.2: 0 deductible, 100 %, 60,000).
SETTLEMENT_EXAMPLES = ROOT / "services/settlement/src/settlement/data/example_parameters.json"


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant given in Asia/Shanghai wall time (SPEC 0.1: shown in Asia/Shanghai)."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def id_number(birth: date, sequence: int, area: str = "450221") -> str:
    """A resident ID number with a valid GB 11643 check character (450221: Liujiang)."""
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_number_check_char(first17)


async def send(
    stack: Stack,
    service: str,
    method: str,
    path: str,
    *,
    role: str,
    scopes: tuple[str, ...] = (),
    subject: str | None = None,
    **kwargs: Any,
) -> httpx.Response:
    async with stack.client(service) as c:
        return await c.request(method, path, headers=stack.auth(role, *scopes, subject=subject), **kwargs)


async def when_known(
    stack: Stack,
    service: str,
    method: str,
    path: str,
    *,
    role: str,
    scopes: tuple[str, ...] = (),
    subject: str | None = None,
    expect: tuple[int, ...] = (200, 201),
    waiting: tuple[int, ...] = (404,),
    timeout: float = 60,
    **kwargs: Any,
) -> Any:
    """Repeat a request while ``service`` answers one of ``waiting`` because it has not yet
    consumed the events it needs; then the answer must be one of ``expect``."""
    last: httpx.Response | None = None
    try:
        async with asyncio.timeout(timeout):
            while True:
                last = await send(stack, service, method, path, role=role, scopes=scopes, subject=subject, **kwargs)
                not_yet_known = last.headers.get("content-type", "").startswith("application/problem+json") and (
                    last.json().get("type") == "/problems/not-yet-known"
                )
                if last.status_code not in waiting and not not_yet_known:
                    break
                await asyncio.sleep(0.2)
    except TimeoutError:
        detail = f"{last.status_code}: {last.text}" if last is not None else "no answer"
        raise AssertionError(f"{method} {service}{path} still waiting after {timeout}s → {detail}") from None
    assert last.status_code in expect, f"{method} {service}{path} → {last.status_code}: {last.text}"
    return last.json()


async def register_facility(
    stack: Stack, facility_id: str, name: str, level: str, *, region: str = "liujiang", designated: bool = True
) -> dict[str, Any]:
    """§1: the medical insurance bureau registers a facility with its medical-aid designation."""
    return await stack.call(
        "referral",
        "POST",
        "/facilities",
        role="medical_insurance",
        subject="mi-registry",
        json={"facility_id": facility_id, "name": name, "level": level, "designated": designated, "region": region},
        expect=201,
    )


async def register_person(stack: Stack, body: dict[str, Any]) -> dict[str, Any]:
    """LJ-2.1: civil affairs registers a destitute person."""
    return await stack.call(
        "referral", "POST", "/persons", role="civil_affairs", subject="ca-registrar", json=body, expect=201
    )


async def load_settlement_parameters(stack: Stack) -> list[str]:
    """LJ-6.1 / LJ-6.2: the administrator loads the shipped parameter versions through the
    settlement admin API (once per stack: a second load of the same versions overlaps and
    is refused, then the stored versions must be these)."""
    versions = json.loads(SETTLEMENT_EXAMPLES.read_text())["versions"]
    r = await send(stack, "settlement", "POST", "/admin/parameters", role="admin", json={"versions": versions})
    assert r.status_code in (201, 409), r.text
    stored = await stack.call("settlement", "GET", "/parameters", role="admin")
    by_id = {v["version_id"]: v for v in stored}
    expected = [f"{v['kind']}:{v['region']}:{v['facility_level']}:{v['effective_from']}" for v in versions]
    assert set(expected) <= set(by_id), f"parameters in the settlement service differ: {sorted(by_id)}"
    return expected


async def load_catalogue(stack: Stack, items: list[tuple[str, str, str, bool]]) -> None:
    """SPEC 0.5: the administrator loads the insurance catalogue entries a journey bills
    (code, name, kind, in catalogue) into settlement, which publishes them to consent (once
    per stack: loading the same entries again overlaps and is refused)."""
    body = {
        "items": [
            {
                "code": code,
                "name": name,
                "kind": kind,
                "in_catalogue": in_catalogue,
                "region": "any",
                "effective_from": "2026-01-01",
                "example": True,
                "source": "journey catalogue (example)",
            }
            for code, name, kind, in_catalogue in items
        ]
    }
    r = await send(stack, "settlement", "POST", "/admin/catalogue", role="admin", json=body)
    assert r.status_code in (201, 409), r.text


def money(value: str) -> Decimal:
    """An amount as the services send it: an exact string with two decimals (SPEC 0.2)."""
    assert isinstance(value, str), f"money travels as an exact string, got {value!r}"
    amount = Decimal(value)
    assert amount == amount.quantize(Decimal("0.01")) and value == f"{amount:.2f}", value
    return amount


def assert_statement_adds_up(statement: dict[str, Any]) -> None:
    """SPEC 0.2 / §5: the payers' amounts sum exactly to the total, the explanation lines
    sum exactly to each payer's amount, and each line names its rule."""
    total = money(statement["total"])
    amounts = {payer: money(a) for payer, a in statement["amounts"].items()}
    assert sum(amounts.values()) == total, (amounts, total)
    per_payer: dict[str, Decimal] = {}
    for line in statement["lines"]:
        per_payer[line["payer"]] = per_payer.get(line["payer"], Decimal(0)) + money(line["amount"])
        assert line["rule"], line
    for payer, amount in amounts.items():
        assert per_payer.get(payer, Decimal(0)) == amount, (payer, per_payer, amounts)


async def issue_discharge_documents(stack: Stack, admission_id: str, facility_id: str, prefix: str) -> None:
    """LJ-12: the diagnosis certificate, discharge summary and itemised cost list."""
    for kind in ("diagnosis_certificate", "discharge_summary", "itemised_cost_list"):
        doc = await stack.call(
            "referral",
            "POST",
            f"/admissions/{admission_id}/documents",
            role="hospital",
            scopes=(f"facility:{facility_id}",),
            json={"kind": kind, "document_ref": f"{prefix}-{kind}"},
            expect=201,
        )
        assert doc["late"] is False, doc
    assert doc["missing"] == [], doc


async def no_violations_after(stack: Stack, facility_id: str, settle_s: float = 1.5) -> None:
    """LJ-12 / LJ-17: after the clock passed the documents' deadline, the scheduler (every
    0.2 s) has had several turns and recorded no violation against the hospital."""
    await asyncio.sleep(settle_s)  # a few scheduler turns in real time; no days pass this way
    violations = await stack.call(
        "referral", "GET", "/violations", role="health_bureau", params={"facility_id": facility_id}
    )
    assert violations == [], violations


def event_types(stack: Stack, **match: Any) -> list[str]:
    """Short names of the events seen so far whose data has the given field values."""
    return [e["type"].rsplit(".", 1)[-1] for e in stack.events if all(e["data"].get(k) == v for k, v in match.items())]
