"""LJ-11 endpoints: treatments and their consents."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from consent.api.schemas import AdmissionRecordsOut, ConsentOut, TreatmentOut
from consent.domain.treatment import Kind, MajorCategory
from consent.service import treatments
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun

router = APIRouter(tags=["treatments and consents (LJ-11)"])


class TreatmentIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "major",
                    "category": "surgery",
                    "procedure_code": "47.0100",
                    "description": "腹腔镜下阑尾切除术",
                    "attending_doctor": "dr-huang",
                },
                {
                    "kind": "emergency",
                    "description": "感染性休克抢救",
                    "attending_doctor": "dr-huang",
                    "emergency_reason": "血压 70/40 mmHg，意识模糊",
                },
            ]
        },
    )

    kind: Kind
    category: MajorCategory | None = Field(default=None, description="Major treatments only (LJ-11.2)")
    procedure_code: str | None = Field(
        default=None,
        pattern=r"^[0-9]{2}(\.[0-9A-Za-z]{1,6})?$",
        examples=["51.2300"],
        description="National operation and procedure code (ICD-9-CM-3 based); required but for an emergency "
        "rescue. A code on the versioned surgery or high-risk list makes the treatment major (LJ-11.2)",
    )
    description: str = Field(min_length=1, max_length=2000, description="Stored encrypted")
    attending_doctor: str = Field(min_length=1, max_length=200)
    emergency_reason: str | None = Field(default=None, max_length=1000, description="Emergency rescue only (LJ-11.3)")


class SignatureIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"signature_ref": "ESIG-LJRMYY-20261208-0007"}]}
    )

    major_public_interest_reason: str | None = Field(
        default=None, max_length=1000, description="Rank 4 only: the major public interest (LJ-10)"
    )
    signature_ref: str | None = Field(default=None, max_length=200, description="Scanned or electronic signature")


@router.post(
    "/admissions/{admission_id}/treatments",
    status_code=201,
    summary="Record a routine, major or emergency treatment (LJ-11.1, LJ-11.2, LJ-11.3, LJ-5)",
    response_model=None,
    responses={201: {"model": TreatmentOut}},
)
async def post_treatment(
    admission_id: str,
    body: TreatmentIn,
    run: CommandRun,
) -> JSONResponse:
    return await run(
        "treatment.record",
        lambda ctx: treatments.record_treatment(
            ctx,
            run.principal,
            admission_id,
            kind=body.kind,
            category=body.category,
            procedure_code=body.procedure_code,
            description=body.description,
            attending_doctor=body.attending_doctor,
            emergency_reason=body.emergency_reason,
        ),
        status=201,
    )


@router.post(
    "/treatments/{treatment_id}/consent",
    status_code=201,
    summary="Sign the treatment as the eligible signer (LJ-10); the token subject is the signer",
    response_model=None,
    responses={201: {"model": ConsentOut}},
)
async def post_treatment_consent(
    treatment_id: str,
    body: SignatureIn,
    run: CommandRun,
) -> JSONResponse:
    return await run(
        "consent.sign",
        lambda ctx: treatments.sign_treatment(
            ctx,
            run.principal,
            treatment_id,
            major_public_interest_reason=body.major_public_interest_reason,
            signature_ref=body.signature_ref,
        ),
        status=201,
    )


@router.get(
    "/treatments/{treatment_id}",
    summary="A treatment, its status and its consent",
    response_model=None,
    responses={200: {"model": TreatmentOut}},
)
async def get_treatment(
    treatment_id: str,
    run: QueryRun,
) -> dict[str, Any]:
    result: dict[str, Any] = await run.fetch(
        "treatment.read", lambda ctx: treatments.get_treatment(ctx, run.principal, treatment_id)
    )
    return result


@router.get(
    "/consents/{consent_id}",
    summary="A signed consent (immutable)",
    response_model=None,
    responses={200: {"model": ConsentOut}},
)
async def get_consent(
    consent_id: str,
    run: QueryRun,
) -> dict[str, Any]:
    result: dict[str, Any] = await run.fetch(
        "consent.read", lambda ctx: treatments.get_consent(ctx, run.principal, consent_id)
    )
    return result


@router.get(
    "/admissions/{admission_id}/records",
    summary="An admission's treatments, consents and self-pay items",
    response_model=None,
    responses={200: {"model": AdmissionRecordsOut}},
)
async def get_admission_records(
    admission_id: str,
    run: QueryRun,
) -> dict[str, Any]:
    result: dict[str, Any] = await run.fetch(
        "treatment.read", lambda ctx: treatments.admission_records(ctx, run.principal, admission_id)
    )
    return result
