"""Reports and the GD-19 export."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse, Response

from emergency_fund.api.schemas import (
    FundUseOut,
    OverdueStepOut,
    RegistrationBatchesOut,
    RegistrationExportOut,
    RunningNoticeOut,
    answers,
)
from emergency_fund.service import reports
from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.routes import QueryRun

router = APIRouter(tags=["reports"])
CSV = "text/csv"


def _instant(text: str) -> datetime:
    """An answered instant (UTC with Z, or the export's Shanghai time) back as a sort key."""
    return datetime.fromisoformat(text)


@router.get(
    "/reports/fund-use", summary="Fund use per hospital and month", response_model=None, responses=answers(FundUseOut)
)
async def fund_use(
    year: Annotated[int, Query(ge=2000, le=2100)],
    run: QueryRun,
    city: str | None = None,
) -> Any:
    return await run.fetch("report.read", lambda env: reports.fund_use(env, city, year))


@router.get(
    "/reports/overdue-steps",
    summary="Review steps past their deadline (GD-20.2), earliest due first",
    response_model=None,
    responses=answers(Page[OverdueStepOut]),
)
async def overdue_steps(run: QueryRun, page: PageQuery, city: str | None = None) -> Any:
    return await run.keyset_page(
        "report.read",
        lambda env: reports.overdue_steps(env, city, page),
        page,
        lambda s: sort_key(_instant(s["due_at"]), s["application_id"], s["step"]),
    )


@router.get(
    "/reports/notices-running",
    summary="Notices still running (GD-21), the first to end first",
    response_model=None,
    responses=answers(Page[RunningNoticeOut]),
)
async def notices_running(run: QueryRun, page: PageQuery, city: str | None = None) -> Any:
    return await run.keyset_page(
        "report.read",
        lambda env: reports.notices_running(env, city, page),
        page,
        lambda n: sort_key(_instant(n["ends_at"]), n["notice_id"]),
    )


@router.get(
    "/exports/registrations",
    summary="Records for the national registration platform (GD-19)",
    description="JSON pages the records in admission order (`limit`, `cursor` → `next_cursor`); "
    "`format=csv` answers the whole period as one file, as the platform takes it (`limit` and "
    "`cursor` do not apply to it).",
    response_model=None,
    responses={
        200: {
            "model": RegistrationExportOut,
            "content": {CSV: {"schema": {"type": "string"}}},
            "description": "a page of records as JSON, or the whole CSV file with format=csv",
        }
    },
)
async def registrations(
    city: str,
    from_: Annotated[date, Query(alias="from")],
    to: date,
    run: QueryRun,
    page: PageQuery,
    format: Literal["json", "csv"] = "json",
) -> Any:
    if format == "json":
        listed = await run.keyset_page(
            "export.read",
            lambda env: reports.registrations(env, city, from_, to, page),
            page,
            lambda r: sort_key(_instant(r["admitted_at"]), r["record_id"]),
        )
        return {"fields": reports.EXPORT_FIELDS, **listed}
    rows = await run.fetch("export.read", lambda env: reports.registrations(env, city, from_, to))
    if format == "csv":
        return PlainTextResponse(
            reports.to_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="registrations-{city}-{from_}-{to}.csv"'},
        )
    raise AssertionError(format)  # the query parameter admits json and csv only


@router.get(
    "/exports/registrations/batches",
    summary="The registration files delivered on schedule, their manifests after a cursor (GD-19)",
    response_model=None,
    responses=answers(RegistrationBatchesOut),
)
async def registration_batches(
    city: str,
    run: QueryRun,
    after: Annotated[int, Query(ge=0, le=2_000_000_000, description="the cursor: a batch's seq")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    return await run.fetch("export.read", lambda env: reports.registration_batches(env, city, after, limit))


@router.get(
    "/exports/registrations/batches/{batch_id}/file",
    summary="One delivered registration file (GD-19)",
    response_class=Response,
    responses={200: {"content": {CSV: {"schema": {"type": "string"}}}, "description": "The CSV file, UTF-8"}},
)
async def registration_batch_file(batch_id: str, run: QueryRun) -> Any:
    batch = await run.fetch("export.read", lambda env: reports.registration_batch_file(env, batch_id))
    return PlainTextResponse(
        batch.content,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="registrations-{batch.city}-{batch.seq:06d}.csv"',
            "X-Content-SHA256": batch.sha256,
        },
    )
