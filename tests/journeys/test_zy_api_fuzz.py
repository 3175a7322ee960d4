"""Property-based fuzzing of every service's OpenAPI (schemathesis) against the running
processes: whatever a caller sends, the answer is never a server error, and for the
services whose documents are complete (``CONFORMING``) every answer's status, media type
and body are the ones the document declares. Runs after the journeys (it fills the
databases with generated records)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from .conftest import Stack

# A role per service that passes authorization for most of its commands, so generated
# requests reach the rules and the database rather than stopping at 403.
CALLERS = {
    "referral": ("civil_affairs",),
    "consent": ("hospital", "facility:FZ-H1"),
    "settlement": ("medical_insurance",),
    "emergency-fund": ("fund_agency", "city:liuzhou"),
    "identity-check": ("police", "jurisdiction:FZ-P1"),
}
SCHEMATHESIS = Path(sys.executable).parent / "st"

# Services whose OpenAPI document types every answer and declares every status and media
# type it sends: their answers are checked against the document, not only for 5xx.
CONFORMING = {"settlement", "identity-check", "referral", "consent", "emergency-fund"}
CONFORMANCE = "status_code_conformance,content_type_conformance,response_schema_conformance"


@pytest.mark.parametrize("service", list(CALLERS))
async def test_no_server_error_for_any_generated_request(stack: Stack, service: str) -> None:
    role, *scopes = CALLERS[service]
    token = stack.auth(role, *scopes)["Authorization"]
    # The document is built on its first request (about a second for the fund's, much more on
    # a loaded machine); build it before schemathesis, whose schema read gives up after 10 s.
    async with httpx.AsyncClient(timeout=120) as client:
        (await client.get(f"{stack.url(service)}/openapi.json")).raise_for_status()
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(Path(__file__).with_name("schemathesis.toml")),
        "run",
        f"{stack.url(service)}/openapi.json",
        "--checks",
        "not_a_server_error" + ("," + CONFORMANCE if service in CONFORMING else ""),
        "--phases",
        "examples,fuzzing",
        "--max-examples",
        "10",
        "--seed",
        "20261123",
        "--wait-for-schema",
        "60",
        "--header",
        f"Authorization: {token}",
    ]
    result = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=600)
    # The failures section says which operation answered what; the summary ends the output.
    failures = result.stdout.partition("FAILURES")[2].partition("WARNINGS")[0]
    assert result.returncode == 0, (failures[:6000] or result.stdout[-4000:]) + result.stdout[-1500:]
