"""First-day example data: the reference data a newcomer needs before anything can be
decided (facilities, settlement parameters, the fund's diseases, cost averages and living
standards), loaded through each service's own ``/v1`` API like any administrator would.

Each service owns its examples in ``<package>/data/first_day.json``::

    {"_comment": "EXAMPLE VALUES …", "requests": [
        {"method": "POST", "path": "/facilities", "role": "medical_insurance", "body": {…}},
        {"method": "POST", "path": "/admin/parameters", "role": "admin", "body_file": "example_parameters.json"}
    ]}

A request marked ``"needs_events": true`` rests on facts its service learns from another
service's events (the fund learns hospitals from referral): it is repeated until accepted.

Every value there is marked as an example, never an official figure. Loading is repeatable:
each request carries an ``Idempotency-Key`` derived from what it sends, and an answer that
says the thing is already there (409) counts as loaded. ``make up`` loads them in
development; ``medaid examples load`` loads them on demand.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from medaid_shared.auth import issue_token
from medaid_shared.services import SERVICES
from medaid_shared.settings import ServiceSettings

FILE = "first_day.json"
ORDER = ("referral", "settlement", "emergency-fund", "consent", "identity-check")
"""Owners first: referral's facilities are events the other services learn from."""
PROPAGATION_S = 30.0


@dataclass(frozen=True)
class Outcome:
    service: str
    path: str
    status: int
    detail: str = ""

    @property
    def loaded(self) -> bool:
        return self.status < 300 or self.status == 409


def example_requests(service: str) -> list[dict[str, Any]]:
    """The service's first-day requests (none when it ships no examples)."""
    data_dir = SERVICES[service].package_dir() / "data"
    path = data_dir / FILE
    if not path.exists():
        return []
    requests: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["requests"]
    for request in requests:
        if "body_file" in request:
            request["body"] = _body_without_comments(json.loads((data_dir / request.pop("body_file")).read_text()))
    return requests


def _body_without_comments(body: Any) -> Any:
    return {k: v for k, v in body.items() if not k.startswith("_")} if isinstance(body, dict) else body


def _idempotency_key(service: str, request: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps([service, request], sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"first-day-{digest[:32]}"


async def load(base_urls: Mapping[str, str], settings: ServiceSettings | None = None) -> list[Outcome]:
    """Send every service's examples to ``base_urls[service]`` (the service's ``/v1`` URL)."""
    settings = settings or ServiceSettings()
    outcomes: list[Outcome] = []
    async with httpx.AsyncClient(timeout=30) as client:
        for service in ORDER:
            for request in example_requests(service):
                role, scopes = request["role"], request.get("scopes", [])
                token = issue_token(settings, subject=f"{role}-examples", role=role, scopes=scopes)
                headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": _idempotency_key(service, request)}
                r = await _send(client, request["method"], base_urls[service] + request["path"], request, headers)
                detail = "" if r.status_code < 300 else r.text[:300]
                outcomes.append(Outcome(service, request["path"], r.status_code, detail))
    return outcomes


async def _send(
    client: httpx.AsyncClient, method: str, url: str, request: Mapping[str, Any], headers: dict[str, str]
) -> httpx.Response:
    """Send one request; while the service has not yet learnt a fact it needs from another
    service's events (a 404 or a not-yet-known answer, or any refusal of a request marked
    ``"needs_events": true``), ask again for up to PROPAGATION_S."""
    deadline = asyncio.get_running_loop().time() + PROPAGATION_S
    while True:
        r = await client.request(method, url, json=request.get("body"), headers=headers)
        waiting = r.status_code == 404 or "not-yet-known" in r.text[:200]
        waiting = waiting or (
            request.get("needs_events", False) and 400 <= r.status_code < 500 and r.status_code != 409
        )
        if not waiting or asyncio.get_running_loop().time() > deadline:
            return r
        await asyncio.sleep(0.5)


def local_urls() -> dict[str, str]:
    """Where ``make up`` serves each service's versioned API."""
    from medaid_shared.app import API_PREFIX

    return {name: f"http://127.0.0.1:{info.local_port}{API_PREFIX}" for name, info in SERVICES.items()}
