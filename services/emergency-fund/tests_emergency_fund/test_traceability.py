"""Every rule id of the issue is named in the code that decides it and in a test's name or
docstring; every endpoint needs a token unless it is the public notice board."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from emergency_fund.domain.policy import POLICY
from medaid_shared.parameter_api import CHANGE, READ
from medaid_shared.testing import ServiceHarness

RULES = [
    "GD-3",
    "GD-7",
    "GD-8",
    "GD-12",
    "GD-13.1",
    "GD-13.2",
    "GD-13.3",
    "GD-13.4",
    "GD-13.5",
    "GD-14",
    "GD-16.3",
    "GD-16.4",
    "GD-17",
    "GD-18.1",
    "GD-18.2",
    "GD-19",
    "GD-20.1",
    "GD-20.2",
    "GD-21",
    "GD-22.3",
    "GD-23",
    "GD-24",
    "LJ-11.4",
]
SRC = Path(__file__).resolve().parents[1] / "src" / "emergency_fund"
TESTS = Path(__file__).resolve().parent
PUBLIC = {"/public/notices", "/public/notices.html"}


def _test_labels() -> str:
    labels = []
    for path in TESTS.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
                labels.append(node.name.replace("_", " "))
                labels.append(ast.get_docstring(node) or "")
    return "\n".join(labels)


@pytest.mark.parametrize("rule", RULES)
def test_rule_is_named_in_code_and_in_a_test(rule: str) -> None:
    code = "\n".join(p.read_text() for p in SRC.rglob("*.py") if "migrations" not in p.parts)
    assert re.search(rf"{re.escape(rule)}(?![\d])", code), f"{rule} is not named in the code"
    slug = rule.lower().replace("-", " ").replace(".", " ")
    labels = _test_labels()
    as_name = re.search(rf"(?<![\w ]\d)\b{slug}\b(?! \d)", labels) is not None
    as_doc = re.search(rf"{re.escape(rule)}(?![\d])", labels) is not None
    assert as_name or as_doc, f"no test names {rule}"


def test_every_policy_action_is_used() -> None:
    """Every action of the policy is authorized by a route or a use case (or, for the kernel's
    parameter API the service mounts, by the kernel)."""
    code = "\n".join(p.read_text() for part in ("api", "service") for p in (SRC / part).rglob("*.py"))
    unused = [action for action in POLICY.rules if f'"{action}"' not in code and action not in (CHANGE, READ)]
    assert unused == []


def _operations(svc: ServiceHarness) -> list[tuple[str, str]]:
    """(method, path) of every operation in the service's OpenAPI document but the kernel's."""
    paths = {p.removeprefix("/v1"): ops for p, ops in svc.app.openapi()["paths"].items() if p.startswith("/v1/")}
    skip = ("/calendar/", "/admin/", "/feed/")
    return [(m.upper(), p) for p, ops in paths.items() if not p.startswith(skip) for m in ops]


PARAMS = {"city": "liuzhou", "year": 2026, "from": "2026-01-01", "to": "2026-01-31", "facility_id": "H001"}


async def test_every_endpoint_but_the_public_board_needs_a_token(svc: ServiceHarness) -> None:
    ops = _operations(svc)
    assert {p for _, p in ops} >= PUBLIC
    checked = 0
    for method, route in ops:
        r = await svc.client.request(method, re.sub(r"\{[^}]+\}", "X1", route), params=PARAMS)
        if route in PUBLIC:
            assert r.status_code == 200, route
        else:
            assert r.status_code == 401, (method, route, r.status_code)
            checked += 1
    assert checked >= 45


async def test_a_role_without_rights_is_refused_everywhere(svc: ServiceHarness) -> None:
    """Authorization denial for every read endpoint (commands are covered feature by feature)."""
    headers = svc.token("patient", "city:liuzhou", "facility:H001")
    for method, route in _operations(svc):
        if method != "GET" or route in PUBLIC:
            continue
        path = re.sub(r"\{[^}]+\}", "liuzhou" if "{city}" in route else "X1", route)
        r = await svc.client.get(path, params=PARAMS, headers=headers)
        assert r.status_code == 403, (route, r.status_code, r.text)
