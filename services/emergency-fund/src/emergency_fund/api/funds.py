"""Fund, ledger, pre-allocation and organisation endpoints (GD-3, GD-7, GD-8)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from emergency_fund.api.schemas import (
    CommitteeMemberOut,
    FundCreatedOut,
    FundOut,
    InflowOut,
    LedgerTxnOut,
    OrganisationOut,
    PreallocationCheckOut,
    PreallocationOut,
    PreallocationPlanOut,
    PreallocationReconciliationOut,
    TrainingOut,
    TrainingStatusOut,
    answers,
)
from emergency_fund.service import funds
from emergency_fund.service.commands import (
    CommitteeMemberCmd,
    FundCreate,
    InflowCmd,
    PreallocationCmd,
    PreallocationReturnCmd,
    TrainingCmd,
)
from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun

router = APIRouter(prefix="/funds", tags=["fund"])
YearQ = Annotated[int, Query(ge=2000, le=2100)]


@router.post(
    "",
    status_code=201,
    summary="Create a city's fund (GD-3)",
    response_model=None,
    responses=answers(FundCreatedOut, 201),
)
async def create_fund(
    body: FundCreate,
    run: CommandRun,
) -> JSONResponse:
    return await run("fund.create", lambda env: funds.create_fund(env, body))


@router.get(
    "/{city}",
    summary="A fund and its balances, from the ledger only (GD-3)",
    response_model=None,
    responses=answers(FundOut),
)
async def get_fund(
    city: str,
    run: QueryRun,
) -> Any:
    return await run.fetch("fund.read", lambda env: funds.fund_summary(env, city))


@router.post(
    "/{city}/inflows",
    status_code=201,
    summary="Book an inflow (GD-3)",
    response_model=None,
    responses=answers(InflowOut, 201),
)
async def add_inflow(
    city: str,
    body: InflowCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("fund.inflow", lambda env: funds.record_inflow(env, city, body))


@router.get(
    "/{city}/ledger",
    summary="Ledger transactions with their entries, latest first (GD-3)",
    response_model=None,
    responses=answers(Page[LedgerTxnOut]),
)
async def list_ledger(
    city: str,
    run: QueryRun,
    page: PageQuery,
    account: str | None = None,
) -> Any:
    return await run.keyset_page(
        "fund.read", lambda env: funds.ledger_view(env, city, account, page), page, lambda t: sort_key(t["txn_id"])
    )


@router.get(
    "/{city}/preallocations/plan",
    summary="Suggested pre-allocations from last cycle's use (GD-7)",
    response_model=None,
    responses=answers(PreallocationPlanOut),
)
async def preallocation_plan(
    city: str,
    year: YearQ,
    run: QueryRun,
) -> Any:
    return await run.fetch("fund.read", lambda env: funds.preallocation_plan(env, city, year))


@router.post(
    "/{city}/preallocations",
    status_code=201,
    summary="Pre-allocate to a hospital (GD-7)",
    response_model=None,
    responses=answers(PreallocationOut, 201),
)
async def preallocate(
    city: str,
    body: PreallocationCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("fund.preallocate", lambda env: funds.preallocate(env, city, body))


@router.post(
    "/{city}/preallocations/returns",
    status_code=201,
    summary="Unused pre-allocation returned (GD-7)",
    response_model=None,
    responses=answers(PreallocationOut, 201),
)
async def return_preallocation(
    city: str,
    body: PreallocationReturnCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("fund.preallocate", lambda env: funds.return_preallocation(env, city, body))


@router.get(
    "/{city}/preallocations/check",
    summary="Pre-allocations ≥ 80 % of upper transfers? (GD-7)",
    response_model=None,
    responses=answers(PreallocationCheckOut),
)
async def preallocation_check(
    city: str,
    year: YearQ,
    run: QueryRun,
) -> Any:
    return await run.fetch("fund.read", lambda env: funds.minimum_check(env, city, year))


@router.get(
    "/{city}/preallocations/reconciliation",
    summary="Pre-allocated money vs approved claims (GD-7)",
    response_model=None,
    responses=answers(PreallocationReconciliationOut),
)
async def preallocation_reconciliation(
    city: str,
    year: YearQ,
    run: QueryRun,
) -> Any:
    return await run.fetch("fund.read", lambda env: funds.reconciliation(env, city, year))


@router.post(
    "/{city}/committee-members",
    status_code=201,
    summary="Add a supervisory committee member (GD-8)",
    response_model=None,
    responses=answers(CommitteeMemberOut, 201),
)
async def add_committee_member(
    city: str,
    body: CommitteeMemberCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("fund.committee", lambda env: funds.add_committee_member(env, city, body))


@router.get(
    "/{city}/organisation",
    summary="Supervisory committee and handling agency (GD-8)",
    response_model=None,
    responses=answers(OrganisationOut),
)
async def get_organisation(
    city: str,
    run: QueryRun,
) -> Any:
    return await run.fetch("fund.organisation.read", lambda env: funds.organisation(env, city))


@router.post(
    "/{city}/trainings",
    status_code=201,
    summary="Record a training of the hospitals (GD-8)",
    response_model=None,
    responses=answers(TrainingOut, 201),
)
async def add_training(
    city: str,
    body: TrainingCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("fund.training", lambda env: funds.record_training(env, city, body))


@router.get(
    "/{city}/trainings",
    summary="The year's trainings and the reminder (GD-8)",
    response_model=None,
    responses=answers(TrainingStatusOut),
)
async def get_trainings(
    city: str,
    year: YearQ,
    run: QueryRun,
) -> Any:
    return await run.fetch("fund.organisation.read", lambda env: funds.training_status(env, city, year))
