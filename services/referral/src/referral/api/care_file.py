"""The one-person external-care file (LJ-15.3): HTTP routes (each hands its use case to the kernel's command or query dependency)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from medaid_shared.responses import JSONResponse
from medaid_shared.routes import QueryRun
from referral.api.schemas import CareFileOut
from referral.service import (
    care_file,
    timeline,
)

router = APIRouter()


@router.get(
    "/persons/{person_id}/care-file",
    tags=["care file"],
    summary="The one-person file (LJ-15.3)",
    response_model=None,
    responses={200: {"model": CareFileOut}},
)
async def read_care_file(
    person_id: str,
    run: QueryRun,
) -> JSONResponse:
    return await run.audited("care_file.read", lambda c: care_file.read(c, run.principal, person_id, export="json"))


@router.get(
    "/persons/{person_id}/care-file.csv",
    tags=["care file"],
    summary="The one-person file as CSV (LJ-15.3)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The file as CSV"}},
)
async def export_care_file(
    person_id: str,
    run: QueryRun,
) -> Response:
    result = await run.fetch(
        "care_file.read", lambda c: care_file.read(c, run.principal, person_id, export="csv"), audited=True
    )
    return Response(
        timeline.to_csv(result["entries"]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="care-file-{person_id}.csv"'},
    )
