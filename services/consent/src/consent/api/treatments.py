"""LJ-11 endpoints: treatments and their consents."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from consent.api.deps import Services, answer
from consent.domain.treatment import Kind, MajorCategory
from consent.service import treatments
from medaid_shared.app import IdempotencyKey
from medaid_shared.auth import CurrentPrincipal

router = APIRouter(tags=["treatments and consents (LJ-11)"])


class TreatmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    category: MajorCategory | None = Field(default=None, description="Major treatments only (LJ-11.2)")
    description: str = Field(min_length=1, max_length=2000, description="Stored encrypted")
    attending_doctor: str = Field(min_length=1, max_length=200)
    emergency_reason: str | None = Field(default=None, max_length=1000, description="Emergency rescue only (LJ-11.3)")


class SignatureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    major_public_interest_reason: str | None = Field(
        default=None, max_length=1000, description="Rank 4 only: the major public interest (LJ-10)"
    )
    signature_ref: str | None = Field(default=None, max_length=200, description="Scanned or electronic signature")


@router.post(
    "/admissions/{admission_id}/treatments",
    status_code=201,
    summary="Record a routine, major or emergency treatment (LJ-11.1, LJ-11.2, LJ-11.3, LJ-5)",
)
async def post_treatment(
    admission_id: str,
    body: TreatmentIn,
    principal: CurrentPrincipal,
    services: Services,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    services.runtime.policy.authorize(principal, "treatment.record")
    return answer(
        await services.command(
            principal,
            idempotency_key,
            {"admission_id": admission_id, **body.model_dump()},
            lambda ctx: treatments.record_treatment(
                ctx,
                principal,
                admission_id,
                kind=body.kind,
                category=body.category,
                description=body.description,
                attending_doctor=body.attending_doctor,
                emergency_reason=body.emergency_reason,
            ),
        )
    )


@router.post(
    "/treatments/{treatment_id}/consent",
    status_code=201,
    summary="Sign the treatment as the eligible signer (LJ-10); the token subject is the signer",
)
async def post_treatment_consent(
    treatment_id: str,
    body: SignatureIn,
    principal: CurrentPrincipal,
    services: Services,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    services.runtime.policy.authorize(principal, "consent.sign")
    return answer(
        await services.command(
            principal,
            idempotency_key,
            {"treatment_id": treatment_id, **body.model_dump()},
            lambda ctx: treatments.sign_treatment(
                ctx,
                principal,
                treatment_id,
                major_public_interest_reason=body.major_public_interest_reason,
                signature_ref=body.signature_ref,
            ),
        )
    )


@router.get("/treatments/{treatment_id}", summary="A treatment, its status and its consent")
async def get_treatment(treatment_id: str, principal: CurrentPrincipal, services: Services) -> dict[str, Any]:
    services.runtime.policy.authorize(principal, "treatment.read")
    result: dict[str, Any] = await services.query(lambda ctx: treatments.get_treatment(ctx, principal, treatment_id))
    return result


@router.get("/consents/{consent_id}", summary="A signed consent (immutable)")
async def get_consent(consent_id: str, principal: CurrentPrincipal, services: Services) -> dict[str, Any]:
    services.runtime.policy.authorize(principal, "consent.read")
    result: dict[str, Any] = await services.query(lambda ctx: treatments.get_consent(ctx, principal, consent_id))
    return result


@router.get("/admissions/{admission_id}/records", summary="An admission's treatments, consents and self-pay items")
async def get_admission_records(admission_id: str, principal: CurrentPrincipal, services: Services) -> dict[str, Any]:
    services.runtime.policy.authorize(principal, "treatment.read")
    result: dict[str, Any] = await services.query(
        lambda ctx: treatments.admission_records(ctx, principal, admission_id)
    )
    return result
