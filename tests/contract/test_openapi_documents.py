"""The five committed OpenAPI documents are what hospital integrators generate clients from:
they must describe the answers the services really send."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from medaid_shared.problems import PROBLEM_JSON
from medaid_shared.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]
DOCS = {name: json.loads((ROOT / "services" / name / "openapi.json").read_text()) for name in SERVICES}
OPERATIONS = [
    (name, path, method, op)
    for name, doc in DOCS.items()
    for path, ops in doc["paths"].items()
    for method, op in ops.items()
]


def _ids(ops: list[tuple[str, str, str, dict[str, Any]]]) -> list[str]:
    return [f"{name} {method.upper()} {path}" for name, path, method, _ in ops]


@pytest.mark.parametrize("name", list(DOCS))
def test_business_routes_are_versioned_and_operations_stay_at_the_root(name: str) -> None:
    paths = set(DOCS[name]["paths"])
    assert {"/healthz", "/readyz", "/metrics"} <= paths
    assert all(p.startswith("/v1/") for p in paths - {"/healthz", "/readyz", "/metrics"}), sorted(paths)
    assert DOCS[name]["servers"], "a generated client needs to know where the API lives"


@pytest.mark.parametrize("name", list(DOCS))
def test_operation_ids_are_short_unique_and_stable(name: str) -> None:
    ids = [op["operationId"] for ops in DOCS[name]["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    assert max(len(i) for i in ids) <= 40, max(ids, key=len)
    assert all(i.isidentifier() for i in ids)


PROBES = {"/healthz", "/readyz"}


@pytest.mark.parametrize(("name", "path", "method", "op"), OPERATIONS, ids=_ids(OPERATIONS))
def test_every_error_is_a_problem_document(name: str, path: str, method: str, op: dict[str, Any]) -> None:
    errors = {status: r for status, r in op["responses"].items() if status.startswith(("4", "5"))}
    assert "422" in errors and "400" in errors
    for status, response in errors.items():
        if path in PROBES and status == "503":
            # An orchestrator reads the probe's own body when it fails: which loop or check.
            assert list(response["content"]) == ["application/json"], response
            continue
        assert list(response["content"]) == [PROBLEM_JSON], (status, response)
        assert response["content"][PROBLEM_JSON]["schema"] == {"$ref": "#/components/schemas/Problem"}
    if "{" in path:
        assert "404" in errors
    if method in {"post", "put", "patch"}:
        assert {"409", "413"} <= set(errors)


@pytest.mark.parametrize("name", list(DOCS))
def test_the_security_scheme_documents_role_and_scope(name: str) -> None:
    doc = DOCS[name]
    scheme = doc["components"]["securitySchemes"]["bearer"]
    assert scheme["scheme"] == "bearer"
    assert "`role`" in scheme["description"] and "`scope`" in scheme["description"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for path, ops in doc["paths"].items():
        for op in ops.values():
            public = path in {"/healthz", "/readyz", "/metrics", "/v1/calendar/{year}"} or path.startswith(
                "/v1/public/"
            )
            assert ("security" in op) is not public and ("401" in op["responses"]) is not public, path


async def test_docs_and_redoc_are_served_without_a_cdn() -> None:
    bootstrap = SERVICES["referral"].bootstrap()
    app = bootstrap.create_app(bootstrap.Settings(environment="test", run_background=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        for page in ("/docs", "/redoc"):
            html = (await client.get(page)).text
            assert "cdn." not in html and "unpkg" not in html, page
            assets = [part.split('"')[0] for part in html.split('src="')[1:]]
            assert assets, page
            for asset in assets:
                assert asset.startswith("/"), asset
                r = await client.get(asset)
                assert r.status_code == 200 and len(r.content) > 10_000, asset


def _success_schema(doc: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = (
        op["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
    )
    ref = schema.get("$ref", "")
    return doc["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def _is_page(schema: dict[str, Any]) -> bool:
    return set(schema.get("properties", {})) == {"items", "next_cursor"}


LISTS = [
    (name, path, method, op)
    for name, path, method, op in OPERATIONS
    if op["operationId"].startswith("list_") or _is_page(_success_schema(DOCS[name], op))
]


def test_the_five_services_have_lists() -> None:
    assert {name for name, *_ in LISTS} == set(DOCS)


@pytest.mark.parametrize(("name", "path", "method", "op"), LISTS, ids=_ids(LISTS))
def test_every_list_pages_by_limit_and_cursor(name: str, path: str, method: str, op: dict[str, Any]) -> None:
    """Cursor pagination on every list: ``limit`` (bounded) and ``cursor`` in, the one
    envelope ``{items, next_cursor}`` out."""
    assert method == "get"
    query = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
    assert {"limit", "cursor"} <= set(query), sorted(query)
    limit = query["limit"]["schema"]
    assert limit["type"] == "integer" and limit["minimum"] == 1 and limit["maximum"] >= limit["default"]
    page = _success_schema(DOCS[name], op)
    assert _is_page(page), page
    assert page["required"] == ["items", "next_cursor"]
    assert page["properties"]["items"]["type"] == "array"


@pytest.mark.parametrize(("name", "path", "method", "op"), OPERATIONS, ids=_ids(OPERATIONS))
def test_no_answer_is_a_bare_list(name: str, path: str, method: str, op: dict[str, Any]) -> None:
    for status, response in op["responses"].items():
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        assert schema.get("type") != "array", (status, "a list answers in the envelope {items, next_cursor}")
