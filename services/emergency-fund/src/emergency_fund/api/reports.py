"""Reports and the GD-19 export."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from emergency_fund.service import reports
from medaid_shared.routes import QueryRun

router = APIRouter(tags=["reports"])


@router.get("/reports/fund-use", summary="Fund use per hospital and month")
async def fund_use(
    year: Annotated[int, Query(ge=2000, le=2100)],
    run: QueryRun,
    city: str | None = None,
) -> Any:
    return await run.fetch(None, lambda env: reports.fund_use(env, city, year))


@router.get("/reports/overdue-steps", summary="Review steps past their deadline (GD-20.2)")
async def overdue_steps(
    run: QueryRun,
    city: str | None = None,
) -> Any:
    return await run.fetch(None, lambda env: reports.overdue_steps(env, city))


@router.get("/reports/notices-running", summary="Notices still running (GD-21)")
async def notices_running(
    run: QueryRun,
    city: str | None = None,
) -> Any:
    return await run.fetch(None, lambda env: reports.notices_running(env, city))


@router.get("/exports/registrations", summary="Records for the national registration platform (GD-19)")
async def registrations(
    city: str,
    from_: Annotated[date, Query(alias="from")],
    to: date,
    run: QueryRun,
    format: Literal["json", "csv"] = "json",
) -> Any:
    rows = await run.fetch(None, lambda env: reports.registrations(env, city, from_, to))
    if format == "csv":
        return PlainTextResponse(
            reports.to_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="registrations-{city}-{from_}-{to}.csv"'},
        )
    return {"fields": reports.EXPORT_FIELDS, "records": rows}
