"""Application, review, notice, disbursement and write-off endpoints (GD-20, GD-21)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from emergency_fund.api.schemas import (
    ApplicationListItemOut,
    ApplicationOut,
    CoReviewNoteOut,
    DisbursementOut,
    NoticeOut,
    answers,
)
from emergency_fund.service import applications
from emergency_fund.service.commands import (
    AgencyReviewCmd,
    ApplicationCreate,
    CoReviewCmd,
    FinanceRejectCmd,
    ReviewCmd,
    WriteOffCmd,
)
from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun

router = APIRouter(prefix="/applications", tags=["applications"])


@router.post(
    "",
    status_code=201,
    summary="Submit a unit application (附件3, GD-20.1)",
    response_model=None,
    responses=answers(ApplicationOut, 201),
)
async def submit(
    body: ApplicationCreate,
    run: CommandRun,
) -> JSONResponse:
    return await run("application.submit", lambda env: applications.submit(env, body))


@router.get(
    "",
    summary="Applications in the caller's scope, in the order submitted",
    response_model=None,
    responses=answers(Page[ApplicationListItemOut]),
)
async def list_applications(
    run: QueryRun,
    page: PageQuery,
    state: str | None = None,
) -> Any:
    return await run.keyset_page(
        "application.read",
        lambda env: applications.list_applications(env, state, page),
        page,
        lambda a: sort_key(a["application_id"]),
    )


@router.get(
    "/{app_id}",
    summary="An application with its cases, steps, notes, notices and disbursement",
    response_model=None,
    responses=answers(ApplicationOut),
)
async def get_application(
    app_id: str,
    run: QueryRun,
) -> Any:
    return await run.fetch("application.read", lambda env: applications.get_application(env, app_id))


@router.post(
    "/{app_id}/co-review-notes",
    status_code=201,
    summary="Police / civil affairs / insurance note (GD-20.2)",
    response_model=None,
    responses=answers(CoReviewNoteOut, 201),
)
async def co_review(
    app_id: str,
    body: CoReviewCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("application.co_review", lambda env: applications.co_review(env, app_id, body))


@router.post(
    "/{app_id}/agency-review",
    summary="The agency's review, 10 working days (GD-20.2)",
    response_model=None,
    responses=answers(ApplicationOut),
)
async def agency_review(
    app_id: str,
    body: AgencyReviewCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("application.review.agency", lambda env: applications.agency_review(env, app_id, body))


@router.post(
    "/{app_id}/health-review",
    summary="Health forwards to finance, 5 working days (GD-20.2)",
    response_model=None,
    responses=answers(ApplicationOut),
)
async def health_review(
    app_id: str,
    body: ReviewCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("application.review.health", lambda env: applications.health_review(env, app_id, body))


@router.post(
    "/{app_id}/finance-rejection",
    summary="Finance refuses to disburse, with reason (GD-20.2)",
    response_model=None,
    responses=answers(ApplicationOut),
)
async def finance_reject(
    app_id: str,
    body: FinanceRejectCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("application.review.finance", lambda env: applications.finance_reject(env, app_id, body))


@router.post(
    "/{app_id}/notices",
    status_code=201,
    summary="Publish the hospital's or the agency's notice (GD-21)",
    response_model=None,
    responses=answers(NoticeOut, 201),
)
async def publish_notice(
    app_id: str,
    run: CommandRun,
) -> JSONResponse:
    return await run("notice.publish", lambda env: applications.publish_notice(env, app_id))


@router.post(
    "/{app_id}/disbursement",
    status_code=201,
    summary="Disburse, once, after both notices (GD-21)",
    response_model=None,
    responses=answers(DisbursementOut, 201),
)
async def disburse(
    app_id: str,
    run: CommandRun,
) -> JSONResponse:
    return await run("application.disburse", lambda env: applications.disburse(env, app_id))


@router.post(
    "/{app_id}/write-off",
    summary="Write the disbursement off (核销, GD-21)",
    response_model=None,
    responses=answers(ApplicationOut),
)
async def write_off(
    app_id: str,
    body: WriteOffCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("application.write_off", lambda env: applications.write_off(env, app_id, body))
