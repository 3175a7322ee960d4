"""Every request body and every JSON success answer in the five committed OpenAPI documents
shows a realistic example, and each example is a whole instance its schema accepts (every
required field, nothing the schema forbids): what an integrator copies from `/docs` works.

Realistic means: ID numbers real-shaped with their GB 11643 check character, ids that are
UUIDs are UUIDv7, masked names and ID numbers masked, times in UTC with ``Z``."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from medaid_shared.crypto import is_valid_id_number
from medaid_shared.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]
DOCS = {name: json.loads((ROOT / "services" / name / "openapi.json").read_text()) for name in SERVICES}
JSON = "application/json"
UUID_SHAPE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")


def _bodies(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], list[Any]]]:
    """(where, schema, examples) of every JSON request body and JSON success answer."""
    for ops in doc["paths"].values():
        for op in ops.values():
            parts = [("request", op.get("requestBody", {}))]
            parts += [(status, r) for status, r in op["responses"].items() if status.startswith("2")]
            for part, declared in parts:
                media = declared.get("content", {}).get(JSON)
                if media is None:
                    continue
                schema = _resolved(doc, media["schema"])
                examples = list(media.get("examples", {}).values()) or schema.get("examples") or []
                if "example" in media:
                    examples.append(media["example"])
                yield f"{op['operationId']} {part}", media["schema"], examples


def _resolved(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return dict(doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]) if ref else schema


BODIES = [(name, where, schema, examples) for name, doc in DOCS.items() for where, schema, examples in _bodies(doc)]
IDS = [f"{name} {where}" for name, where, _, _ in BODIES]


@pytest.mark.parametrize(("service", "where", "schema", "examples"), BODIES, ids=IDS)
def test_every_body_and_answer_shows_a_whole_example_its_schema_accepts(
    service: str, where: str, schema: dict[str, Any], examples: list[Any]
) -> None:
    assert examples, f"{service} {where} shows no example"
    validator = Draft202012Validator({**schema, "components": DOCS[service]["components"]})
    for example in examples:
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(example)]
        assert not errors, errors
        _assert_realistic(example)


def _field_examples(name: str, doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
    def walk(where: str, node: Any) -> Iterator[tuple[str, dict[str, Any], Any]]:
        if isinstance(node, dict):
            for example in node.get("examples", []) if isinstance(node.get("examples"), list) else []:
                yield where, node, example
            for key, child in node.items():
                if key not in {"examples", "example"}:
                    yield from walk(f"{where}/{key}", child)
        elif isinstance(node, list):
            for i, child in enumerate(node):
                yield from walk(f"{where}/{i}", child)

    yield from walk(name, doc["components"]["schemas"])


FIELDS = [
    (name, where, schema, example)
    for name, doc in DOCS.items()
    for where, schema, example in _field_examples(name, doc)
]


@pytest.mark.parametrize(("service", "where", "schema", "example"), FIELDS, ids=[f[1] for f in FIELDS])
def test_every_example_in_a_schema_is_one_it_accepts(
    service: str, where: str, schema: dict[str, Any], example: Any
) -> None:
    """Also the examples of single fields (a masked name, an item code) and of whole models."""
    validator = Draft202012Validator({**schema, "components": DOCS[service]["components"]})
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(example)]
    assert not errors, errors


def _assert_realistic(value: Any, key: str = "") -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _assert_realistic(v, k)
    elif isinstance(value, list):
        for v in value:
            _assert_realistic(v, key)
    elif isinstance(value, str):
        if UUID_SHAPE.match(value):
            assert uuid.UUID(value).version == 7, (key, value)
        if key == "id_number":
            assert is_valid_id_number(value), value
        if key.endswith("_masked") and value:  # empty: nothing known to mask (an unidentified patient)
            assert "*" in value, (key, value)
        if INSTANT.match(value) and not key.endswith("_local"):  # Shanghai time only where a field says so
            assert value.endswith("Z"), (key, value)


def openapi_app(service: str) -> FastAPI:
    bootstrap = SERVICES[service].bootstrap()
    app: FastAPI = bootstrap.create_app(bootstrap.Settings(run_background=False))
    return app


def _request_models() -> Iterator[tuple[str, str, type[BaseModel]]]:
    for name in SERVICES:
        for context in iter_route_contexts(openapi_app(name).routes):
            route: Any = context
            field = getattr(route, "body_field", None) if isinstance(context.original_route, APIRoute) else None
            model = field.field_info.annotation if field is not None else None
            if isinstance(model, type) and issubclass(model, BaseModel):
                yield name, route.name, model


REQUESTS = list(_request_models())


@pytest.mark.parametrize(("service", "operation", "model"), REQUESTS, ids=[f"{s} {o}" for s, o, _ in REQUESTS])
def test_every_request_example_is_one_the_service_accepts(service: str, operation: str, model: type[BaseModel]) -> None:
    """Beyond the schema: the model's own checks (an amount is quantity × unit price, a
    rejection gives reasons) accept the example too."""
    for example in model.model_json_schema().get("examples", []):
        model.model_validate(example)
