"""LJ-11.2 endpoints: expert pool, assignment, the evaluation record."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from consent.api.schemas import AssignmentOut, EvaluationOut, ExpertListedOut, ExpertOut
from consent.domain.major import Recommendation
from consent.service import forms, major
from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun

router = APIRouter(tags=["major treatment (LJ-11.2)"])


class ExpertIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"expert_id": "QC-LZ-0207", "name": "韦振明", "hospital_id": "LZ-RMYY", "specialty": "surgery"}
            ]
        },
    )

    expert_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)
    hospital_id: str = Field(min_length=1, max_length=64)
    specialty: str = Field(min_length=1, max_length=100)


class ExpertPatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"active": False}, {"hospital_id": "LZ-ZYY", "specialty": "high_risk_procedure"}]
        },
    )

    name: str | None = Field(default=None, min_length=1, max_length=100)
    hospital_id: str | None = Field(default=None, min_length=1, max_length=64)
    specialty: str | None = Field(default=None, min_length=1, max_length=100)
    active: bool | None = None


class AssignmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"specialty": "surgery"}, {}]})

    specialty: str | None = Field(default=None, min_length=1, max_length=100)


class AttendingIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "attending_doctor": "dr-huang",
                    "opinion": "急性化脓性阑尾炎，保守治疗无效",
                    "recommendation": "proceed",
                }
            ]
        },
    )

    attending_doctor: str = Field(min_length=1, max_length=200)
    opinion: str = Field(min_length=1, max_length=4000, description="Stored encrypted")
    recommendation: Recommendation


class ExpertOpinionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"opinion": "手术指征明确，同意腹腔镜下阑尾切除", "recommendation": "proceed"}]
        },
    )

    opinion: str = Field(min_length=1, max_length=4000, description="Stored encrypted")
    recommendation: Recommendation


@router.post(
    "/experts",
    status_code=201,
    summary="Add a quality-control expert to the health bureau's pool",
    response_model=None,
    responses={201: {"model": ExpertOut}},
)
async def post_expert(
    body: ExpertIn,
    run: CommandRun,
) -> JSONResponse:
    return await run("expert.manage", lambda ctx: major.add_expert(ctx, run.principal, **body.model_dump()), status=201)


@router.patch(
    "/experts/{expert_id}",
    summary="Change or deactivate an expert",
    response_model=None,
    responses={200: {"model": ExpertOut}},
)
async def patch_expert(
    expert_id: str,
    body: ExpertPatch,
    run: CommandRun,
) -> JSONResponse:
    return await run(
        "expert.manage", lambda ctx: major.update_expert(ctx, run.principal, expert_id, body.model_dump()), status=200
    )


@router.get(
    "/experts",
    summary="The expert pool with each expert's assignment load, by expert id",
    response_model=None,
    responses={200: {"model": Page[ExpertListedOut]}},
)
async def list_experts(run: QueryRun, page: PageQuery) -> Any:
    return await run.keyset_page(
        "expert.read", lambda ctx: major.list_experts(ctx, page), page, lambda e: sort_key(e["expert_id"])
    )


@router.post(
    "/treatments/{treatment_id}/expert-assignment",
    status_code=201,
    summary="Assign the next expert by fair rotation, not from the treating hospital (LJ-11.2)",
    response_model=None,
    responses={201: {"model": AssignmentOut}},
)
async def post_assignment(
    treatment_id: str,
    body: AssignmentIn,
    run: CommandRun,
) -> JSONResponse:
    return await run(
        "expert.assign",
        lambda ctx: major.assign_expert(ctx, run.principal, treatment_id, specialty=body.specialty),
        status=201,
    )


@router.post(
    "/treatments/{treatment_id}/evaluation/attending",
    summary="The attending doctor's part of the major-treatment evaluation record",
    response_model=None,
    responses={200: {"model": EvaluationOut}},
)
async def post_attending(
    treatment_id: str,
    body: AttendingIn,
    run: CommandRun,
) -> JSONResponse:
    return await run(
        "evaluation.attending",
        lambda ctx: major.attending_part(ctx, run.principal, treatment_id, **body.model_dump()),
        status=200,
    )


@router.post(
    "/treatments/{treatment_id}/evaluation/expert",
    summary="The assigned expert's part of the major-treatment evaluation record",
    response_model=None,
    responses={200: {"model": EvaluationOut}},
)
async def post_expert_part(
    treatment_id: str,
    body: ExpertOpinionIn,
    run: CommandRun,
) -> JSONResponse:
    return await run(
        "evaluation.expert",
        lambda ctx: major.expert_part(ctx, run.principal, treatment_id, **body.model_dump()),
        status=200,
    )


@router.get(
    "/treatments/{treatment_id}/evaluation",
    summary="The major-treatment evaluation record",
    response_model=None,
    responses={200: {"model": EvaluationOut}},
)
async def get_evaluation(
    treatment_id: str,
    run: QueryRun,
) -> dict[str, Any]:
    result: dict[str, Any] = await run.fetch(
        "treatment.read", lambda ctx: major.get_evaluation(ctx, run.principal, treatment_id)
    )
    return result


@router.get(
    "/treatments/{treatment_id}/evaluation-record.html",
    response_class=HTMLResponse,
    summary="Annex 4: the major-treatment evaluation record (重大治疗评估备案表), print-ready",
)
async def get_evaluation_record_html(
    treatment_id: str,
    run: QueryRun,
) -> HTMLResponse:
    html: str = await run.fetch("treatment.read", lambda ctx: forms.evaluation_record(ctx, run.principal, treatment_id))
    return HTMLResponse(html)
