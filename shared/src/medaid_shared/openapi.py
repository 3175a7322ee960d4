"""The OpenAPI document every service publishes: what an integrator generates a client from.

FastAPI describes a route's success answer; this module adds what FastAPI does not know
about our edge, once for all services:

- one ``Problem`` schema (RFC 9457 plus our ``field`` and ``rule`` members) under
  ``application/problem+json`` for every error status an operation can answer — FastAPI's
  default 422 shape is replaced, because it is not the body the service sends;
- the bearer-token security scheme, with the token's ``role`` and ``scope`` claims spelled
  out, on every operation that needs a token;
- a ``servers`` block, so a generated client knows where the API lives.

Which error statuses an operation can answer is decided from what the kernel's edge does
for every request (authentication, authorisation, validation, size limits) and from the
operation's shape (path parameters can name something unknown; commands can conflict);
``openapi_extra={"x-public": True}`` marks an operation that needs no token.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from fastapi import FastAPI
from fastapi.openapi.utils import (
    get_definitions,
    get_fields_from_routes,
    get_flat_models_from_fields,
    get_model_name_map,
    get_openapi,
)
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute

from medaid_shared.problems import PROBLEM_JSON

PUBLIC = {"x-public": True}
"""``openapi_extra`` of an operation that needs no token."""

# A pointer's segments may hold any character, a line break included (a map's key as sent):
# [\s\S], not ".", which stops at one.
FIELD_PATTERN = r"^(/[\s\S]*)?$|^[A-Za-z][A-Za-z0-9_-]*$"
"""A problem's ``field``: an RFC 6901 pointer into the body (``""`` the whole body), or the
name of a query, path or header parameter (:func:`medaid_shared.problems.wire_field`)."""

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details. `field` names the request field at fault (a JSON "
    "pointer into the body, or the name of a query parameter or header); `rule` names the SPEC "
    "rule that decided the refusal.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "examples": ["/problems/validation-failed"]},
        "title": {"type": "string", "examples": ["Validation failed"]},
        "status": {"type": "integer", "examples": [422]},
        "detail": {"type": "string", "examples": ["value is not a valid decimal"]},
        "instance": {"type": "string", "examples": ["/v1/bills"]},
        "field": {"type": "string", "pattern": FIELD_PATTERN, "examples": ["/lines/0/amount", "cursor"]},
        "rule": {"type": "string", "examples": ["LJ-7.3"]},
        "errors": {
            "type": "array",
            "description": "every field at fault, when more than one is",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string", "pattern": FIELD_PATTERN}, "message": {"type": "string"}},
                "additionalProperties": True,
            },
        },
    },
    "additionalProperties": True,
}

ERROR_TEXT = {
    "400": "Bad request (for example a malformed body or a character set that does not match its bytes)",
    "401": "No valid bearer token",
    "403": "The token's role or scope does not allow this",
    "404": "Nothing with this id is known",
    "409": "Conflicts with the current state (or an Idempotency-Key used for another request)",
    "413": "The request body is larger than this service accepts",
    "415": "The body's media type is not accepted",
    "422": "A field is invalid or a rule refuses the request; `field` and `rule` say which",
    "503": "Not ready (a dependency is unavailable); retry after `Retry-After` seconds",
}

BEARER_DESCRIPTION = (
    "A JWT (OpenID Connect in production; `medaid token` in development) whose claims are "
    "`sub` (who), `role` (one of the roles of SPEC 0.3: hospital, institution, "
    "village_committee, town_government, civil_affairs, medical_insurance, health_bureau, police, hrss, "
    "fund_agency, finance, auditor, guardian, agent, patient, admin) and `scope` (a list of "
    "`kind:value` entries naming where the caller acts: `facility:H001`, `institution:I01`, "
    "`village:V01`, `town:T01`, `district:liujiang`, `jurisdiction:PSB-LJ`, `city:liuzhou`)."
)


def _error_statuses(method: str, path: str, public: bool) -> list[str]:
    statuses = ["400", "413", "415", "422", "503"] if method in {"post", "put", "patch"} else ["400", "422", "503"]
    if not public:
        statuses += ["401", "403"]
    if "{" in path:
        statuses.append("404")
    if method in {"post", "put", "patch", "delete"}:
        statuses.append("409")
    return sorted(set(statuses))


def _problem_response(status: str) -> dict[str, Any]:
    return {
        "description": ERROR_TEXT[status],
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _with_problems(operation: dict[str, Any], method: str, path: str) -> None:
    public = bool(operation.pop("x-public", False))
    responses = operation.setdefault("responses", {})
    # An operation may declare a problem status beyond the usual ones (a lookup's 404 with no
    # id in its path): it gets the Problem body like the rest, with its own description.
    extra = [status for status in responses if status in ERROR_TEXT]
    for status in sorted({*_error_statuses(method, path, public), *extra}):
        declared = responses.get(status)
        if declared and status != "422" and PROBLEM_JSON not in declared.get("content", {PROBLEM_JSON: None}):
            continue  # the operation declares its own answer for this status (/healthz's 503)
        description = (declared or {}).get("description") if status != "422" else None
        responses[status] = _problem_response(status)
        if description and description not in {"Validation Error", "Successful Response"}:
            responses[status]["description"] = description
    if not public:
        operation["security"] = [{"bearer": []}]


def document(app: FastAPI, servers: Iterable[dict[str, str]]) -> dict[str, Any]:
    """The service's OpenAPI document, built once and cached on the app."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        servers=list(servers),
    )
    _restore_example_nulls(doc, app.routes)
    for path, operations in doc.get("paths", {}).items():
        for method, operation in operations.items():
            _with_problems(operation, method, path)
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    components["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": BEARER_DESCRIPTION}
    }
    app.openapi_schema = doc
    return doc


def _restore_example_nulls(doc: dict[str, Any], routes: list[BaseRoute]) -> None:
    """FastAPI drops every ``null`` when it encodes the document, also inside examples, which
    leaves an example answer without its nullable required fields (not an instance of its
    schema). The examples are put back as the models and routes declare them."""
    fields = get_fields_from_routes(routes)
    _, definitions = get_definitions(
        fields=fields,
        model_name_map=get_model_name_map(get_flat_models_from_fields(fields, known_models=set())),
        separate_input_output_schemas=True,
    )
    schemas = doc.get("components", {}).get("schemas", {})
    for name, declared in definitions.items():
        if name in schemas:
            _put_examples(schemas[name], declared)
    for context in iter_route_contexts(routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        route = cast(Any, context)  # an APIRoute as included: its full path and merged responses
        for status, answer in route.responses.items():
            for media, content in answer.get("content", {}).items():
                if "example" in content:
                    for method in route.methods:
                        operation = doc["paths"][route.path_format][method.lower()]
                        operation["responses"][str(status)]["content"][media]["example"] = content["example"]


def _put_examples(encoded: Any, declared: Any) -> None:
    if isinstance(declared, dict) and isinstance(encoded, dict):
        for key, value in declared.items():
            if key == "examples":
                encoded[key] = value
            elif key in encoded:
                _put_examples(encoded[key], value)
    elif isinstance(declared, list) and isinstance(encoded, list) and len(declared) == len(encoded):
        for e, d in zip(encoded, declared, strict=True):
            _put_examples(e, d)


def operation_id(route: APIRoute) -> str:
    """A short, stable operation id: the route function's name (``file_admission``), so a
    generated client's methods read like the domain. Names are unique per service (checked)."""
    return route.name
