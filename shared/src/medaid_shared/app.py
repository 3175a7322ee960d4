"""The FastAPI application every service is built from: problem details, metrics, tracing,
``/healthz``, ``/readyz``, ``/metrics``, the calendar admin API and (tests only) the clock."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Request, Response
from fastapi.responses import PlainTextResponse
from fastapi_offline import FastAPIOffline
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medaid_shared import clock
from medaid_shared.answers import CalendarLoadOut, CalendarYearOut, HealthOut, ReadyOut
from medaid_shared.audit_api import audit_router
from medaid_shared.auth import CurrentPrincipal, TokenVerifier
from medaid_shared.authz import Role
from medaid_shared.calendar import parse_year_notice
from medaid_shared.errors import Forbidden, ValidationFailed
from medaid_shared.feed import feed_router
from medaid_shared.http_edge import BodyGuard
from medaid_shared.idempotency import run_command
from medaid_shared.observability import REQUEST_LATENCY, configure_logging, configure_tracing
from medaid_shared.openapi import PUBLIC, operation_id
from medaid_shared.openapi import document as openapi_document
from medaid_shared.problems import install_problem_handlers
from medaid_shared.responses import JSONResponse
from medaid_shared.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    # async: FastAPI runs a plain ``def`` dependency in its thread pool, a thread hop per request
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", description="Repeat a command safely: the same key returns the first answer."),
]


CalendarYearNumber = Annotated[int, Path(ge=2000, le=2100, description="calendar year")]


class CalendarYear(BaseModel):
    """A yearly State Council holiday notice: holidays and make-up working days (调休上班日)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "holidays": ["2027-01-01", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09"],
                    "workdays": ["2027-02-20"],
                    "source": "国务院办公厅关于2027年部分节假日安排的通知",
                }
            ]
        }
    )

    holidays: list[str] = Field(default_factory=list, examples=[["2027-01-01"]])
    workdays: list[str] = Field(default_factory=list, examples=[["2027-02-07"]])
    source: str = Field(default="State Council notice", max_length=300)


class ClockSetting(BaseModel):
    now: datetime


API_PREFIX = "/v1"
SERVERS = ({"url": "/", "description": "this service (business paths carry the /v1 version prefix)"},)
"""Business routes live under a version prefix; operations (health, readiness, metrics, docs)
stay at the root, where orchestrators and scrapers expect them."""


def _loops(runtime: Runtime) -> dict[str, dict[str, Any]]:
    """The loops' report as it is answered: seconds as a decimal string (no JSON numbers)."""
    return {name: {**loop, "down_for_s": f"{loop['down_for_s']:.3f}"} for name, loop in runtime.loops().items()}


def operations_router() -> APIRouter:
    router = APIRouter()

    @router.get(
        "/healthz",
        tags=["operations"],
        summary="Alive: no background loop down past its limit",
        openapi_extra=PUBLIC,
        response_model=HealthOut,
        responses={503: {"model": HealthOut, "description": "A background loop is down past its limit"}},
    )
    async def healthz(runtime: RuntimeDep) -> JSONResponse:
        if runtime.alive():
            return JSONResponse({"status": "ok"})
        down = [name for name, loop in runtime.loops().items() if loop["down_for_s"] > 0]
        return JSONResponse({"status": "failing", "loops_down": down}, status_code=503)

    @router.get(
        "/readyz",
        tags=["operations"],
        summary="Ready: database and broker reachable, loops running",
        openapi_extra=PUBLIC,
        response_model=ReadyOut,
        responses={503: {"model": ReadyOut, "description": "Not ready: the failing checks say which"}},
    )
    async def readyz(runtime: RuntimeDep) -> JSONResponse:
        checks = await runtime.readiness()
        ok = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "checks": checks, "loops": _loops(runtime)},
            status_code=200 if ok else 503,
        )

    @router.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics",
        openapi_extra=PUBLIC,
        response_class=PlainTextResponse,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def calendar_router() -> APIRouter:
    router = APIRouter()

    @router.put(
        "/admin/calendar/{year}",
        tags=["administration"],
        summary="Load a year of official calendar data",
        response_model=CalendarLoadOut,
    )
    async def put_calendar_year(
        year: CalendarYearNumber,
        body: CalendarYear,
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        idempotency_key: IdempotencyKey = None,
    ) -> Any:
        """SPEC 0.1: one calendar for the whole system — loaded here, every service stores
        the same days from the ``CalendarYearLoaded`` event; open deadlines are counted again.
        A repeat with the same Idempotency-Key answers the first load (the load itself is
        idempotent: the same year again changes nothing)."""
        if principal.role != Role.ADMIN:
            raise Forbidden("only an administrator loads calendar data")
        try:
            days = parse_year_notice(year, body.model_dump())
        except ValueError as exc:
            raise ValidationFailed(str(exc), field="holidays") from exc

        async def load(_uow: Any) -> tuple[int, Any]:
            moved = await runtime.load_calendar_year(year, days, body.source, loaded_by=principal.subject)
            return 200, {"year": year, "days": len(days), "official": True, "deadlines_moved": len(moved)}

        request = {"method": "PUT", "path": f"/admin/calendar/{year}", "body": body.model_dump(mode="json")}
        _status, answer = await run_command(runtime.db, principal, idempotency_key, request, load)
        return answer

    @router.get(
        "/calendar/{year}",
        tags=["administration"],
        summary="Working-day calendar of a year",
        openapi_extra=PUBLIC,
        response_model=CalendarYearOut,
    )
    async def get_calendar_year(year: CalendarYearNumber, runtime: RuntimeDep) -> dict[str, Any]:
        from datetime import date, timedelta

        cal = runtime.calendar
        day, non_working, make_up = date(year, 1, 1), [], []
        while day.year == year:
            working = cal.is_working_day(day)
            if not working and day.weekday() < 5:
                non_working.append(day.isoformat())
            if working and day.weekday() >= 5:
                make_up.append(day.isoformat())
            day += timedelta(days=1)
        return {
            "year": year,
            "official": cal.knows_year(year),
            "calendar_provisional": not cal.knows_year(year),
            "holidays_on_weekdays": non_working,
            "make_up_working_days": make_up,
        }

    return router


def test_clock_router() -> APIRouter:
    """Only mounted when ``MEDAID_TEST_CLOCK=true`` (refused in production)."""
    router = APIRouter(prefix="/_test", tags=["test clock"])

    @router.put("/clock")
    async def set_clock(body: ClockSetting) -> dict[str, str]:
        clock.set_offset(clock.ensure_utc(body.now) - (clock.now() - clock.get_offset()))
        return {"now": clock.now().isoformat()}

    @router.get("/clock")
    async def get_clock() -> dict[str, str]:
        return {"now": clock.now().isoformat()}

    return router


def create_service_app(
    runtime_factory: Callable[[], Runtime],
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    version: str = "1.0.0",
) -> FastAPI:
    """Build a service's app. The runtime is created here and started in the lifespan."""
    runtime = runtime_factory()
    settings = runtime.settings
    configure_logging(settings.service_name, settings.log_level)
    configure_tracing(settings.service_name, settings.otlp_endpoint)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    # Swagger UI and ReDoc from assets the service serves itself: hospital and government
    # networks often have no route to a public CDN.
    app = FastAPIOffline(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        # Every JSON answer's times in UTC with Z, whichever route built it (docs/VOCABULARY.md).
        default_response_class=JSONResponse,
    )
    app.openapi = lambda: openapi_document(app, SERVERS)  # type: ignore[method-assign]
    app.state.runtime = runtime
    app.state.token_verifier = TokenVerifier(settings)
    install_problem_handlers(app)

    # An oversized or mis-encoded body is refused before anything reads it. Declared before
    # the metrics middleware so it sits inside it: the route sees its byte count directly.
    app.add_middleware(BodyGuard, max_body_bytes=settings.max_request_bytes)

    app.add_middleware(RequestMetrics, service=settings.service_name)

    app.include_router(operations_router())
    if settings.test_clock:
        app.include_router(test_clock_router())
    for router in (calendar_router(), feed_router(), audit_router(), *routers):
        app.include_router(router, prefix=API_PREFIX)
    # One server span per request; the ASGI receive/send spans cost more than they tell.
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics", exclude_spans=["receive", "send"])
    if settings.trace_statements:
        SQLAlchemyInstrumentor().instrument(engine=runtime.db.engine.sync_engine)
    return app


class RequestMetrics:
    """Request latency by service, method, route template and status, as pure ASGI
    middleware (Starlette's ``BaseHTTPMiddleware`` costs a task group and a memory stream
    per request)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            REQUEST_LATENCY.labels(
                self.service, scope["method"], getattr(route, "path", "unmatched"), str(status)
            ).observe(time.perf_counter() - started)
