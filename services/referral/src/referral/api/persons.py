"""Destitute persons (§1, LJ-2.1): HTTP routes (each hands its use case to the kernel's command or query dependency)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from medaid_shared.contracts.common import SupportType
from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun
from referral.api.schemas import IdNumberOut, PersonLookupOut, PersonOut, PersonSummaryOut
from referral.service import (
    persons,
)
from referral.service.commands import (
    PersonIn,
    PersonLookup,
    PersonPatch,
)

router = APIRouter()


@router.post(
    "/persons",
    status_code=201,
    tags=["persons"],
    summary="Register a destitute person (LJ-2.1)",
    response_model=None,
    responses={201: {"model": PersonOut}},
)
async def register_person(
    body: Annotated[PersonIn, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("person.write", lambda c: persons.register(c, run.principal, body), status=201)


@router.patch(
    "/persons/{person_id}",
    tags=["persons"],
    summary="Change a person's record",
    response_model=None,
    responses={200: {"model": PersonOut}},
)
async def update_person(
    person_id: str,
    body: Annotated[PersonPatch, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("person.write", lambda c: persons.update(c, run.principal, person_id, body))


@router.get(
    "/persons",
    tags=["persons"],
    summary="Persons in your scope (masked), in the order registered",
    response_model=None,
    responses={200: {"model": Page[PersonSummaryOut]}},
)
async def list_persons(
    run: QueryRun,
    page: PageQuery,
    support_type: SupportType | None = None,
) -> Any:
    return await run.keyset_page(
        "person.read",
        lambda c: persons.listing(c, run.principal, page, support_type=support_type),
        page,
        lambda p: sort_key(p["person_id"]),
    )


@router.post(
    "/persons/lookup",
    tags=["persons"],
    summary="Find a person by ID number (masked answer)",
    response_model=None,
    responses={
        200: {"model": PersonLookupOut},
        404: {"description": "No registered destitute person with this ID number in the caller's scope"},
    },
)
async def lookup_person(
    body: Annotated[PersonLookup, Body()],
    run: CommandRun,
) -> JSONResponse:
    return await run("person.lookup", lambda c: persons.lookup(c, run.principal, body.id_number))


@router.get(
    "/persons/{person_id}",
    tags=["persons"],
    summary="One person (ID number masked)",
    response_model=None,
    responses={200: {"model": PersonOut}},
)
async def get_person(
    person_id: str,
    run: QueryRun,
) -> Any:
    return await run.fetch("person.read", lambda c: persons.get(c, run.principal, person_id))


@router.get(
    "/persons/{person_id}/id-number",
    tags=["persons"],
    summary="The full ID number (audit-logged read)",
    response_model=None,
    responses={200: {"model": IdNumberOut}},
)
async def read_id_number(
    person_id: str,
    purpose: Annotated[str, Query(min_length=3, max_length=300)],
    run: QueryRun,
) -> JSONResponse:
    return await run.audited(
        "person.read_id_number", lambda c: persons.read_id_number(c, run.principal, person_id, purpose)
    )
