"""Health, readiness and metrics for the orchestrator; the test clock in tests only."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from medaid_shared import clock
from medaid_shared.app import ClockSetting


def operations_router(test_clock: bool) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        # The console holds no state: it is ready once it serves; the services' own
        # readiness is theirs to report.
        return JSONResponse({"status": "ready"})

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    if test_clock:

        @router.put("/_test/clock")
        async def set_clock(body: ClockSetting) -> dict[str, str]:
            clock.set_offset(clock.ensure_utc(body.now) - (clock.now() - clock.get_offset()))
            return {"now": clock.now().isoformat()}

    return router
