"""The one vocabulary of docs/VOCABULARY.md, checked over the five committed OpenAPI
documents where it can be checked mechanically. A known deviation is named here with the
service that still has it; when the service is fixed, its entry must go."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from medaid_shared.authz import Role
from medaid_shared.feed import DEPARTMENTS
from medaid_shared.minimisation import FULL_READS
from medaid_shared.openapi import FIELD_PATTERN
from medaid_shared.problems import wire_field
from medaid_shared.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]
DOCS = {name: json.loads((ROOT / "services" / name / "openapi.json").read_text()) for name in SERVICES}
SCOPE_KINDS = ("facility", "institution", "village", "town", "district", "jurisdiction", "city")
REVIEW_WORDS = {"approved", "rejected"}
KNOWN_OUTCOME_DEVIATIONS: dict[tuple[str, str], set[str]] = {}


def _properties(
    doc: dict[str, Any], node: Any, model: str = "", seen: frozenset[str] = frozenset()
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(model, property, schema) of every property reachable from ``node``."""
    if isinstance(node, list):
        for item in node:
            yield from _properties(doc, item, model, seen)
        return
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            yield from _properties(doc, doc["components"]["schemas"][name], name, seen | {name})
        return
    for prop, schema in node.get("properties", {}).items():
        yield model, prop, schema
        yield from _properties(doc, schema, model, seen)
    for key in ("items", "additionalProperties", "anyOf", "allOf", "oneOf"):
        yield from _properties(doc, node.get(key), model, seen)


def _answers(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for ops in doc["paths"].values():
        for op in ops.values():
            for status, response in op["responses"].items():
                if status.startswith("2"):
                    for content in response.get("content", {}).values():
                        found += list(_properties(doc, content.get("schema", {})))
    return found


def _types(schema: dict[str, Any]) -> set[str]:
    types = {schema["type"]} if isinstance(schema.get("type"), str) else set()
    for alternative in schema.get("anyOf", []):
        types |= _types(alternative)
    return types


@pytest.mark.parametrize("name", list(DOCS))
def test_no_storage_names_in_answers(name: str) -> None:
    storage = {p for _, p, _ in _answers(DOCS[name]) if re.search(r"_(enc|digest|idx)$", p)}
    assert not storage, storage


@pytest.mark.parametrize("name", list(DOCS))
def test_money_and_every_number_is_a_decimal_string(name: str) -> None:
    numbers = {(m, p) for m, p, s in _answers(DOCS[name]) if "number" in _types(s)}
    assert not numbers, numbers


@pytest.mark.parametrize("name", list(DOCS))
def test_a_field_named_at_is_an_instant(name: str) -> None:
    def instant(schema: dict[str, Any]) -> bool:
        formats = {schema.get("format")} | {a.get("format") for a in schema.get("anyOf", [])}
        return "date-time" in formats

    wrong = {
        (m, p) for m, p, s in _properties(DOCS[name], DOCS[name]["components"]) if p.endswith("_at") and not instant(s)
    }
    assert not wrong, wrong


@pytest.mark.parametrize("name", list(DOCS))
def test_a_resource_answers_its_id_as_resource_id(name: str) -> None:
    """A feed event's `id` is the CloudEvents attribute; a reference names what it refers to
    (a signer's `signer_id`, an adviser's `unit_id`), never a bare `id`."""
    bare = {(name, m) for m, p, _ in _answers(DOCS[name]) if p == "id" and m != "FeedEvent"}
    assert not bare, bare


@pytest.mark.parametrize("name", list(DOCS))
def test_no_answer_carries_shanghai_wall_clock_time(name: str) -> None:
    local = {(m, p) for m, p, _ in _answers(DOCS[name]) if p.endswith("_local")}
    assert not local, local


@pytest.mark.parametrize("name", list(DOCS))
def test_full_values_only_in_audited_full_reads(name: str) -> None:
    allowed = FULL_READS.get(name, frozenset())
    full = {
        (m, p)
        for m, p, _ in _answers(DOCS[name])
        if p in {"id_number", "full_name", "patient_name", "signer_name"} and m not in allowed
    }
    assert not full, full
    masked = {p for _, p, _ in _answers(DOCS[name]) if "mask" in p}
    assert all(p.endswith("_masked") for p in masked), masked


def test_review_outcomes_are_approved_or_rejected() -> None:
    deviations = {}
    for name, doc in DOCS.items():
        for model, schema in doc["components"]["schemas"].items():
            words = set(schema.get("enum", []))
            if model.endswith("Outcome") and words and words != REVIEW_WORDS and "identified" not in words:
                deviations[(name, model)] = words
    assert deviations == KNOWN_OUTCOME_DEVIATIONS


@pytest.mark.parametrize("name", list(DOCS))
def test_a_problem_field_is_a_json_pointer_or_a_parameter_name(name: str) -> None:
    problem = DOCS[name]["components"]["schemas"]["Problem"]["properties"]
    for schema in (problem["field"], problem["errors"]["items"]["properties"]["field"]):
        assert schema["pattern"] == FIELD_PATTERN
    shape = re.compile(FIELD_PATTERN)
    assert all(shape.match(example) for example in problem["field"]["examples"])
    for wrong in ("lines.0.amount", "photos[0]", "guardian.name"):
        assert not shape.match(wrong), wrong
    for raised, wire in (("lines.0.amount", "/lines/0/amount"), ("photos[0]", "/photos/0"), ("reason", "/reason")):
        assert wire_field(raised) == wire and shape.match(wire)


def test_a_feed_department_is_named_as_its_role() -> None:
    assert {name: e.role.value for name, e in DEPARTMENTS.items() if name != e.role.value} == {}


@pytest.mark.parametrize("name", list(DOCS))
def test_roles_and_scope_kinds_are_the_same_at_every_service(name: str) -> None:
    described = DOCS[name]["components"]["securitySchemes"]["bearer"]["description"]
    missing = [r.value for r in Role if r.value not in described]
    assert not missing, missing
    assert all(f"`{kind}:" in described for kind in SCOPE_KINDS), described
