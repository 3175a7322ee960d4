"""Test harness: real PostgreSQL and a real Kafka-protocol broker for every test session.

By default a session starts the embedded PostgreSQL (shared by concurrent sessions, each
in its own fresh database) and its own Tansu broker on a free port; ``DATABASE_URL`` and
``KAFKA_BOOTSTRAP_SERVERS`` point the tests at other servers instead. Topic names get a
per-session prefix so sessions never see each other's events.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import os
import re
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from medaid_shared.app import API_PREFIX
from medaid_shared.auth import issue_token
from medaid_shared.events import Event
from medaid_shared.kafka import ensure_topics
from medaid_shared.localstack import all_topics, free_port, start_embedded_postgres, start_tansu
from medaid_shared.responses import is_off_the_wire_instant
from medaid_shared.runtime import Runtime
from medaid_shared.services import SERVICES

REPO_ROOT = Path(__file__).resolve().parents[3]
ROOT = "http://test"
"""The in-process test client's origin: ``ROOT + "/healthz"`` reaches the operations endpoints."""


@dataclass
class Infrastructure:
    database_url: str
    kafka_bootstrap: str
    topic_prefix: str
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a service process started by a test."""
        return {
            "DATABASE_URL": self.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "MEDAID_TOPIC_PREFIX": self.topic_prefix,
            "MEDAID_ENVIRONMENT": "test",
            **extra,
        }


def _create_database(base_url: str, name: str) -> str:
    async def go() -> None:
        engine = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await engine.dispose()

    asyncio.run(go())
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def infrastructure() -> Iterator[Infrastructure]:
    run_id = uuid.uuid4().hex[:10]
    procs: list[subprocess.Popen[bytes]] = []
    server = None
    base_url = os.environ.get("DATABASE_URL")
    if not base_url:
        base_url, server = start_embedded_postgres(REPO_ROOT / ".medaid" / "test-pgdata", database="postgres")
    db_url = _create_database(base_url, f"medaid_test_{run_id}")
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if not bootstrap:
        port = free_port()
        logs = REPO_ROOT / ".medaid" / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        procs.append(start_tansu(port, logs / f"tansu-test-{run_id}.log"))
        bootstrap = f"127.0.0.1:{port}"
    infra = Infrastructure(db_url, bootstrap, f"t{run_id}", procs)
    asyncio.run(ensure_topics(bootstrap, all_topics(infra.topic_prefix)))
    try:
        yield infra
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)
        del server  # the embedded server stops when the last session using it ends


_migrated: set[str] = set()


@dataclass
class ServiceHarness:
    """One service in-process: its runtime, an HTTP client on its app, and helpers."""

    name: str
    infra: Infrastructure
    app: Any
    runtime: Runtime
    client: httpx.AsyncClient

    def token(self, role: str, *scopes: str, subject: str | None = None) -> dict[str, str]:
        tok = issue_token(self.runtime.settings, subject=subject or f"{role}-1", role=role, scopes=scopes)
        return {"Authorization": f"Bearer {tok}"}

    async def truncate(self) -> None:
        """Empty every table of the service (between tests)."""
        schema = self.runtime.settings.db_schema
        async with self.runtime.db.unit_of_work() as uow:
            names = (
                (
                    await uow.session.execute(
                        text(
                            "SELECT tablename FROM pg_tables WHERE schemaname = :s AND tablename <> 'alembic_version'"
                        ),
                        {"s": schema},
                    )
                )
                .scalars()
                .all()
            )
            if names:
                joined = ", ".join(f'"{schema}"."{n}"' for n in names)
                await uow.session.execute(text(f"TRUNCATE {joined} RESTART IDENTITY CASCADE"))
        self.runtime.calendar = type(self.runtime.calendar)()

    async def published(self, event_type: str | None = None) -> list[dict[str, Any]]:
        """The outbox rows written so far (what the service has published or will)."""
        t = self.runtime.db.tables.outbox
        from sqlalchemy import select

        query = select(t).order_by(t.c.seq)
        if event_type:
            query = query.where(t.c.event_type.like(f"%.{event_type}"))
        async with self.runtime.db.read() as s:
            return [dict(r) for r in (await s.execute(query)).mappings().all()]


def service_settings(name: str, infra: Infrastructure, **overrides: Any) -> Any:
    info = SERVICES[name]
    bootstrap = info.bootstrap()
    return bootstrap.Settings(
        database_url=infra.database_url,
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        topic_prefix=infra.topic_prefix,
        environment="test",
        run_background=False,
        **overrides,
    )


def migrate(name: str, infra: Infrastructure) -> None:
    if name in _migrated:
        return
    from medaid_shared.migrations import upgrade

    upgrade(SERVICES[name].migrations_dir(), infra.database_url)
    _migrated.add(name)


async def start_harness(name: str, infra: Infrastructure, **overrides: Any) -> ServiceHarness:
    await asyncio.to_thread(migrate, name, infra)
    bootstrap = SERVICES[name].bootstrap()
    app = bootstrap.create_app(service_settings(name, infra, **overrides))
    runtime: Runtime = app.state.runtime
    await runtime.start()
    # The client speaks the service's versioned API: paths in tests are relative to /v1;
    # operations endpoints are reached with an absolute URL (ROOT + "/healthz").
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=f"{ROOT}{API_PREFIX}",
        event_hooks={"response": [check_wire_vocabulary(app)]},
    )
    return ServiceHarness(name, infra, app, runtime, client)


async def stop_harness(h: ServiceHarness) -> None:
    await h.client.aclose()
    await h.runtime.stop()


@pytest.fixture(scope="session")
async def harness_pool(infrastructure: Infrastructure) -> AsyncIterator[dict[str, ServiceHarness]]:
    """Each service's harness, started once per test session and stopped at its end."""
    pool: dict[str, ServiceHarness] = {}
    try:
        yield pool
    finally:
        for h in pool.values():
            await stop_harness(h)


@pytest.fixture
async def harness(
    service_name: str, harness_pool: dict[str, ServiceHarness], infrastructure: Infrastructure
) -> ServiceHarness:
    """The service under test (each service's conftest names it with ``service_name``)."""
    if service_name not in harness_pool:
        harness_pool[service_name] = await start_harness(service_name, infrastructure)
    return harness_pool[service_name]


@pytest.fixture
async def svc(harness: ServiceHarness) -> AsyncIterator[ServiceHarness]:
    """The service with empty tables, for one test."""
    await harness.truncate()
    yield harness


async def migration_drift(runtime: Runtime) -> list[Any]:
    """Differences between a service's tables in code and what its migrations built (its
    own schema only; Alembic's version table is bookkeeping, not a model). Empty = agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    schema = runtime.settings.db_schema

    def diff(conn: Any) -> list[Any]:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "include_schemas": True,
                "version_table_schema": schema,
                "include_name": lambda name, kind, parents: kind != "schema" or name == schema,
            },
        )
        return list(compare_metadata(ctx, runtime.db.metadata))

    async with runtime.db.engine.connect() as conn:
        return await conn.run_sync(diff)


def _operation_finder(doc: dict[str, Any]) -> Callable[[httpx.Request], dict[str, Any] | None]:
    """The operation of ``doc`` a request was sent to (None for an undocumented route)."""
    operations: list[tuple[str, re.Pattern[str], dict[str, Any]]] = []
    for path, ops in doc["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$")
        for method, op in ops.items():
            operations.append((method.upper(), pattern, op))
    # Literal paths before templated ones (``/queue`` before ``/{request_id}``).
    operations.sort(key=lambda o: o[1].pattern.count("[^/]+"))

    def find(request: httpx.Request) -> dict[str, Any] | None:
        path = request.url.path
        return next((o for m, p, o in operations if m == request.method and p.match(path)), None)

    return find


class OffVocabulary(AssertionError):
    """An answer that breaks the one wire vocabulary of docs/VOCABULARY.md."""


def _problem_fields(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return []
    fields = [body["field"]] if isinstance(body.get("field"), str) else []
    errors = body.get("errors")
    return fields + [e["field"] for e in errors or [] if isinstance(e, dict) and isinstance(e.get("field"), str)]


def _strings(body: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(body, str):
        yield path, body
    elif isinstance(body, dict):
        for key, value in body.items():
            yield from _strings(value, f"{path}/{key}")
    elif isinstance(body, list):
        for i, value in enumerate(body):
            yield from _strings(value, f"{path}/{i}")


def check_wire_vocabulary(app: Any) -> Callable[[httpx.Response], Awaitable[None]]:
    """A response hook every harness client carries, so every API test of every service
    checks what the vocabulary fixes about each answer it receives: every time in a JSON
    answer is an instant in UTC with ``Z``, and a problem's ``field`` is a JSON pointer
    into the body or the name of a parameter the operation declares."""
    operation = _operation_finder(app.openapi())

    async def check(response: httpx.Response) -> None:
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media not in ("application/json", "application/problem+json"):
            return
        await response.aread()
        where = f"{response.request.method} {response.request.url.path} → {response.status_code}"
        body = response.json()
        local = [(at, text) for at, text in _strings(body) if is_off_the_wire_instant(text)]
        if local:
            raise OffVocabulary(f"{where}: times not in UTC with Z: {local[:3]}")
        if media != "application/problem+json":
            return
        op = operation(response.request) or {}
        declared = {p["name"].lower() for p in op.get("parameters", [])}
        for named in _problem_fields(body):
            pointer = named == "" or named.startswith("/")
            header = re.fullmatch(r"[A-Z][A-Za-z]*(-[A-Z][A-Za-z]*)+", named) is not None
            if not (pointer or header or named.lower() in declared):
                raise OffVocabulary(f"{where}: problem field {named!r} is neither a JSON pointer nor a parameter")

    return check


class UndocumentedAnswer(AssertionError):
    """A success answer its service's OpenAPI document does not describe."""


def check_answers_against_document(h: ServiceHarness) -> None:
    """From now on every success answer the harness's client receives must be one its
    service's OpenAPI document declares: the status among the operation's, the media type
    among the status's, and a JSON body valid against the declared schema (the models allow
    no field they do not name). A service's conftest turns this on once its document types
    every answer, so each of its API tests also checks the document."""
    if getattr(h.client, "_checks_answers", False):
        return
    from jsonschema import Draft202012Validator

    doc = h.app.openapi()
    operation = _operation_finder(doc)

    async def check(response: httpx.Response) -> None:
        if not 200 <= response.status_code < 300:
            return
        request = response.request
        path = request.url.path
        op = operation(request)
        if op is None:
            return  # the test clock and other undocumented test routes
        declared = op["responses"].get(str(response.status_code))
        where = f"{request.method} {path} → {response.status_code} ({op['operationId']})"
        if declared is None:
            raise UndocumentedAnswer(f"{where}: status not declared ({sorted(op['responses'])})")
        media = response.headers.get("content-type", "").split(";")[0].strip()
        content = declared.get("content", {})
        if media not in content:
            raise UndocumentedAnswer(f"{where}: media type {media!r} not declared ({sorted(content)})")
        if media != "application/json":
            return
        await response.aread()
        schema = {**content[media].get("schema", {}), "components": doc.get("components", {})}
        errors = sorted(Draft202012Validator(schema).iter_errors(response.json()), key=lambda e: list(e.path))
        if errors:
            detail = "; ".join(f"/{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5])
            raise UndocumentedAnswer(f"{where}: the answer is not the documented one: {detail}")

    h.client.event_hooks["response"].append(check)
    h.client._checks_answers = True  # type: ignore[attr-defined]


def event_constructions(package: str, contracts: ModuleType) -> dict[str, list[str]]:
    """Where a service's source builds each event of its contracts module (issue 12: events
    are built from domain results in one place each): event class name → ``module:line`` of
    every call of the class, or of a call that hands the class to a generic builder
    (``_person(PersonUpdated, row)``). Read from the source, so nothing is imported or run."""
    names = {
        name
        for name, value in vars(contracts).items()
        if isinstance(value, type) and issubclass(value, Event) and value.__module__ == contracts.__name__
    }
    root = Path(importlib.import_module(package).__file__ or "").parent
    found: dict[str, list[str]] = {name: [] for name in names}
    for path in sorted(root.rglob("*.py")):
        module = ".".join((package, *path.relative_to(root).with_suffix("").parts)).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            called = [node.func, *node.args]
            for expr in called:
                name = expr.id if isinstance(expr, ast.Name) else expr.attr if isinstance(expr, ast.Attribute) else None
                if name in names:
                    found[name].append(f"{module}:{node.lineno}")
    return found
