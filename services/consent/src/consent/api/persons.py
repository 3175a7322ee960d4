"""LJ-10 endpoints: who may sign now; the verified absence of a guardian."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from consent.api.schemas import AbsenceOut, SigningAuthorityOut
from consent.service import persons
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun

router = APIRouter(tags=["signing authority (LJ-10)"])


class GuardianAbsenceIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"evidence_ref": "LJ-FLY-NO-GUARDIAN", "evidence_note": "户籍及民政登记核查：无配偶、子女及其他监护人"}
            ]
        },
    )

    evidence_ref: str = Field(min_length=1, max_length=200, description="Reference of the verification document")
    evidence_note: str | None = Field(default=None, max_length=2000, description="What was checked (stored encrypted)")
    finding: persons.Finding = Field(
        default=persons.Finding.NO_GUARDIAN,
        description="no_guardian: none exists; cannot_act: the guardian on file or named cannot act (civil affairs only, LJ-10)",
    )


@router.get(
    "/persons/{person_id}/signing-authority",
    summary="LJ-10: who may sign for the person now, and why each higher rank is skipped",
    response_model=None,
    responses={200: {"model": SigningAuthorityOut}},
)
async def get_signing_authority(
    person_id: str,
    run: QueryRun,
    major_public_interest: bool = False,
) -> dict[str, Any]:
    result: dict[str, Any] = await run.fetch(
        "person.signing_authority",
        lambda ctx: persons.signing_authority(
            ctx, run.principal, person_id, major_public_interest=major_public_interest
        ),
    )
    return result


@router.post(
    "/persons/{person_id}/guardian-absence",
    status_code=201,
    summary="LJ-10: record the verified absence of a legal guardian / obligor, with evidence",
    response_model=None,
    responses={201: {"model": AbsenceOut}},
)
async def post_guardian_absence(
    person_id: str,
    body: GuardianAbsenceIn,
    run: CommandRun,
) -> JSONResponse:
    return await run(
        "person.verify_guardian_absence",
        lambda ctx: persons.record_guardian_absence(
            ctx,
            run.principal,
            person_id,
            evidence_ref=body.evidence_ref,
            evidence_note=body.evidence_note,
            finding=body.finding,
        ),
        status=201,
    )
