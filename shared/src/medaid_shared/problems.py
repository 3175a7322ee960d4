"""RFC 9457 problem details for every 4xx and 5xx answer.

Domain and service code raise the pure error types of :mod:`medaid_shared.errors`
(re-exported here for the HTTP edge); the handlers installed by
:func:`install_problem_handlers` turn them, FastAPI validation errors and any unexpected
exception into ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail`` and, where a field is at fault, ``field``.

``field`` has one shape at every service (docs/VOCABULARY.md): a body field is an RFC 6901
JSON pointer (``/lines/0/amount``, ``/photos/0``; ``""`` is the whole body), a query, path
or header parameter is its name (``cursor``, ``Idempotency-Key``). Services raise the name
they know (``lines.0.amount``, ``photos[0]``, ``reason``) and :func:`wire_field` turns it
into that shape here, from the operation's declared parameters, so no service formats one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from medaid_shared.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    Problem,
    RuleViolation,
    Unauthorized,
    ValidationFailed,
)
from medaid_shared.responses import JSONResponse
from medaid_shared.transient import is_transient

__all__ = [
    "PROBLEM_JSON",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "NotFound",
    "Problem",
    "RuleViolation",
    "Unauthorized",
    "ValidationFailed",
    "install_problem_handlers",
    "json_pointer",
    "loc_field",
    "problem_response",
    "validation_problem",
    "wire_field",
]

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger("medaid.problems")


def problem_response(problem: Problem, request: Request | None = None) -> JSONResponse:
    """An RFC 9457 response for ``problem``, its fields in the one wire shape."""
    instance = str(request.url.path) if request is not None else None
    body = problem.body(instance)
    parameters = _parameters(request.scope.get("route")) if request is not None else frozenset()
    if problem.field is not None:
        body["field"] = wire_field(problem.field, parameters)
    errors = body.get("errors")
    if isinstance(errors, list):
        body["errors"] = [
            {**e, "field": wire_field(str(e["field"]), parameters)} if isinstance(e, dict) and "field" in e else e
            for e in errors
        ]
    return JSONResponse(body, status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers())


_PARAMETER_SOURCES = ("query", "path", "header", "cookie")
_SEGMENT = re.compile(r"[^.\[\]]+")


def json_pointer(path: Sequence[str | int]) -> str:
    """RFC 6901: ``("lines", 0, "amount")`` → ``/lines/0/amount`` (``~`` and ``/`` escaped)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _header_name(name: str) -> str:
    return "-".join(word.capitalize() for word in name.split("-"))


def loc_field(loc: Sequence[str | int]) -> str:
    """The wire ``field`` of a pydantic error location. FastAPI's locations start with
    where the value came from (``("body", "lines", 0, "amount")``, ``("query", "limit")``);
    a model validated by a service itself (a multipart part, a stored document) has a
    location inside its body."""
    if not loc:
        return ""
    source, rest = loc[0], list(loc[1:])
    if source == "body":
        return json_pointer(rest)
    if source in _PARAMETER_SOURCES and rest:
        return _header_name(str(rest[0])) if source == "header" else str(rest[0])
    return json_pointer(list(loc))


def wire_field(field: str, parameters: frozenset[str] = frozenset()) -> str:
    """A field name a service raised, in the wire shape: a declared parameter (or an
    HTTP header, ``Idempotency-Key``) keeps its name; anything else is a body path
    (``lines.0.amount``, ``photos[0]``, ``guardian.name``) made a JSON pointer; ``body``
    is the whole body. A pointer passes unchanged."""
    if field.startswith("/") or field == "":
        return field
    if field == "body":
        return ""
    if field.lower() in parameters or re.fullmatch(r"[A-Z][A-Za-z]*(-[A-Z][A-Za-z]*)+", field):
        return field
    return json_pointer(_SEGMENT.findall(field))


def _parameters(route: Any) -> frozenset[str]:
    """The names (lower case) of the query, path, header and cookie parameters ``route``
    declares, its dependencies' included."""
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return frozenset()
    from fastapi.dependencies.utils import get_flat_params

    return frozenset(name.lower() for p in get_flat_params(dependant) for name in (p.name, p.alias))


def validation_problem(errors: Sequence[Any]) -> ValidationFailed:
    """Pydantic errors as one problem: the first names ``field``, ``errors`` lists them
    all; the field and the message only, never the input (it may be personal data)."""
    listed = [{"field": loc_field(e.get("loc", ())), "message": e.get("msg", "invalid")} for e in errors]
    first = listed[0] if listed else {"field": "", "message": "invalid"}
    where = first["field"] or "body"
    return ValidationFailed(f"{where}: {first['message']}", field=first["field"], extra={"errors": listed})


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc, request)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return problem_response(validation_problem(exc.errors()), request)


_HTTP_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict with the current state"),
    413: ("too-large", "Request too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug, title = _HTTP_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
    body = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": exc.status_code,
        "detail": str(exc.detail),
        "instance": str(request.url.path),
    }
    return JSONResponse(body, status_code=exc.status_code, media_type=PROBLEM_JSON, headers=exc.headers)


def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The database or broker is down, restarting or aborted the transaction for contention:
    # not a fault of the request, and a retry (with the same Idempotency-Key) will succeed.
    log.warning("service_unavailable", path=request.url.path, error_type=type(exc).__name__)
    body = {
        "type": "/problems/unavailable",
        "title": "Service unavailable",
        "status": 503,
        "detail": "A system this service depends on is briefly unavailable; retry the request.",
        "instance": str(request.url.path),
    }
    return JSONResponse(body, status_code=503, media_type=PROBLEM_JSON, headers={"Retry-After": "1"})


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    if is_transient(exc):
        return _unavailable(request, exc)
    # The detail stays generic: an internal error must never leak data (SPEC 0.4).
    log.error("unhandled_error", path=request.url.path, error_type=type(exc).__name__)
    body = {
        "type": "/problems/internal-error",
        "title": "Internal error",
        "status": 500,
        "detail": "The server failed to handle the request; it has been logged.",
        "instance": str(request.url.path),
    }
    return JSONResponse(body, status_code=500, media_type=PROBLEM_JSON)


async def _on_integrity(request: Request, exc: Exception) -> JSONResponse:
    # A unique key hit by a concurrent twin: the caller's request clashes with a record
    # that now exists. No database detail is echoed (it may hold personal data).
    log.warning("integrity_conflict", path=request.url.path)
    return problem_response(Conflict("the request conflicts with a record that already exists"), request)


def _sqlstate(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        state = getattr(candidate, "sqlstate", None)
        if isinstance(state, str):
            return state
    return ""


async def _on_database_error(request: Request, exc: Exception) -> JSONResponse:
    # SQLSTATE class 22 (data exception): a value the database cannot store, such as a NUL
    # character in text. That is the caller's input, not a server fault.
    if _sqlstate(exc).startswith("22"):
        return problem_response(
            ValidationFailed("a value in the request cannot be stored (e.g. a NUL character)"), request
        )
    return await _on_unexpected(request, exc)


async def _on_unencodable(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(ValidationFailed("the request contains text that is not valid Unicode"), request)


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` as RFC 9457 problem details."""
    from sqlalchemy.exc import DBAPIError, IntegrityError

    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(IntegrityError, _on_integrity)
    app.add_exception_handler(DBAPIError, _on_database_error)
    app.add_exception_handler(UnicodeEncodeError, _on_unencodable)
    # Handled here (not by the last-resort handler, which re-raises to the server): an
    # unreachable database or broker is a 503 the client retries.
    from aiokafka.errors import KafkaError
    from sqlalchemy.exc import SQLAlchemyError

    for infrastructure_error in (OSError, SQLAlchemyError, KafkaError):
        app.add_exception_handler(infrastructure_error, _on_unexpected)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
