"""The emergency as a recorded determination (LJ-11.3, SPEC 0.5): HTTP routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun
from referral.api.schemas import AdmissionOut, UrgentConditionOut, UrgentConditionsLoadOut
from referral.service import emergency
from referral.service.commands import EmergencyBasisIn, EmergencyReviewIn, UrgentConditionsIn

router = APIRouter()


@router.post(
    "/admissions/{admission_id}/emergency",
    tags=["emergency"],
    summary="Record the emergency's basis within the window (LJ-11.3)",
    response_model=None,
    responses={200: {"model": AdmissionOut}},
)
async def determine_emergency(
    admission_id: str,
    body: Annotated[EmergencyBasisIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("emergency.determine", lambda c: emergency.determine(c, run.principal, admission_id, body))


@router.post(
    "/admissions/{admission_id}/emergency/review",
    tags=["emergency"],
    summary="Contest an emergency: upheld withdraws its exemptions (SPEC 0.5)",
    response_model=None,
    responses={200: {"model": AdmissionOut}},
)
async def review_emergency(
    admission_id: str,
    body: Annotated[EmergencyReviewIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("emergency.review", lambda c: emergency.review(c, run.principal, admission_id, body))


@router.post(
    "/admin/urgent-conditions",
    status_code=201,
    tags=["emergency"],
    summary="Load the national list of urgent and critical illnesses (国卫办医发〔2013〕32号)",
    response_model=None,
    responses={201: {"model": UrgentConditionsLoadOut}},
)
async def load_urgent_conditions(
    body: Annotated[UrgentConditionsIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("urgent_conditions.load", lambda c: emergency.load_conditions(c, run.principal, body), status=201)


@router.get(
    "/urgent-conditions",
    tags=["emergency"],
    summary="The national list of urgent and critical illnesses, by code",
    response_model=None,
    responses={200: {"model": Page[UrgentConditionOut]}},
)
async def list_urgent_conditions(run: QueryRun, page: PageQuery) -> Any:
    return await run.keyset_page(
        "urgent_conditions.read", lambda c: emergency.list_conditions(c, page), page, lambda u: sort_key(u["code"])
    )
