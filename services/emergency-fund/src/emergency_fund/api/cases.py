"""Case endpoints: opening, cost list, emergency period, identity path, assessment and the
individual application (GD-12 … GD-18, GD-22.3, GD-23)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from emergency_fund.service import cases, refunds
from emergency_fund.service.base import Env
from emergency_fund.service.commands import (
    CaseCreate,
    ChannelPaymentCmd,
    CivilAffairsCheckCmd,
    ClaimCmd,
    CostItemsCmd,
    DiseaseUpdate,
    ExclusionCmd,
    ExtensionCmd,
    IdentifyCmd,
    IdentityReadCmd,
    RefundDemandCmd,
    UnableToPayCmd,
    VagrantRegistrationCmd,
    WaiverCmd,
)
from medaid_shared.routes import CommandRun, QueryRun

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post("", status_code=201, summary="Open a case (GD-12, GD-13.1, GD-13.2)")
async def open_case(
    body: CaseCreate,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: cases.open_case(env, body))


@router.get("", summary="Cases in the caller's scope")
async def list_cases(
    run: QueryRun,
    state: str | None = None,
    facility_id: str | None = None,
) -> Any:
    return await run.fetch(None, lambda env: cases.list_cases(env, state, facility_id))


@router.get("/{case_id}", summary="A case with its cost list, channels and checks")
async def get_case(
    case_id: str,
    run: QueryRun,
) -> Any:
    return await run.fetch(None, lambda env: cases.get_case(env, case_id))


@router.get("/{case_id}/assessment", summary="Caps, gap and what still blocks a claim")
async def get_assessment(
    case_id: str,
    run: QueryRun,
) -> Any:
    return await run.fetch(None, lambda env: cases.assessment(env, case_id))


@router.post("/{case_id}/identity-reads", summary="Read the full identity, audit-logged (SPEC 0.4)")
async def read_identity(
    case_id: str,
    body: IdentityReadCmd,
    run: CommandRun,
) -> JSONResponse:
    async def fn(env: Env) -> tuple[int, Any]:
        return 200, await cases.read_identity(env, case_id, body.reason)

    return await run(None, fn)


@router.post("/{case_id}/identity", summary="The patient's identity became known (GD-18)")
async def identify(
    case_id: str,
    body: IdentifyCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: cases.identify(env, case_id, body))


@router.put("/{case_id}/disease", summary="Set the case's disease code (GD-12)")
async def set_disease(
    case_id: str,
    body: DiseaseUpdate,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: cases.set_disease(env, case_id, body))


@router.post("/{case_id}/cost-items", status_code=201, summary="Add cost-list items (GD-20.1, GD-14)")
async def add_cost_items(
    case_id: str,
    body: CostItemsCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: cases.add_cost_items(env, case_id, body))


@router.post("/{case_id}/emergency-extension", summary="Extend the emergency period (GD-13.3)")
async def extend(
    case_id: str,
    body: ExtensionCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: cases.extend_period(env, case_id, body))


@router.post("/{case_id}/channel-payments", status_code=201, summary="What an existing channel paid (GD-18.1)")
async def record_channel(
    case_id: str,
    body: ChannelPaymentCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: cases.record_channel(env, case_id, body))


@router.post("/{case_id}/unable-to-pay", summary="The 'unable to pay' basis (GD-17)")
async def unable_to_pay(
    case_id: str,
    body: UnableToPayCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: cases.set_unable_to_pay(env, case_id, body))


@router.post("/{case_id}/civil-affairs-check", status_code=201, summary="Civil affairs' status check (GD-22.3)")
async def civil_affairs_check(
    case_id: str,
    body: CivilAffairsCheckCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: cases.civil_affairs_check(env, case_id, body))


@router.post("/{case_id}/vagrant-registration", status_code=201, summary="Homeless vagrant registration (GD-18.2)")
async def vagrant(
    case_id: str,
    body: VagrantRegistrationCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: cases.register_vagrant(env, case_id, body))


@router.post("/{case_id}/waiver", summary="The hospital waives part of the cost (GD-23)")
async def waiver(
    case_id: str,
    body: WaiverCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: cases.waive(env, case_id, body))


@router.post("/{case_id}/exclusion", summary="Exclude the case: able to pay but refuses (GD-14)")
async def exclusion(
    case_id: str,
    body: ExclusionCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: cases.exclude(env, case_id, body))


@router.post("/{case_id}/claim", status_code=201, summary="File the individual application (附件2, GD-20.1)")
async def claim(
    case_id: str,
    body: ClaimCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: cases.claim(env, case_id, body))


@router.post("/{case_id}/refund-demand", status_code=201, summary="Demand a paid case's money back (GD-16.4)")
async def refund_demand(
    case_id: str,
    body: RefundDemandCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run(None, lambda env: refunds.demand_manually(env, case_id, body))
