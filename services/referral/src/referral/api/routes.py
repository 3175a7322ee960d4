"""HTTP routes of the referral service (thin: authorize, call the use case, answer)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse

from medaid_shared.app import IdempotencyKey, RuntimeDep
from medaid_shared.auth import CurrentPrincipal, Principal
from medaid_shared.contracts.common import FacilityLevel, Region, SupportType
from medaid_shared.db import UnitOfWork
from medaid_shared.idempotency import run_command
from medaid_shared.runtime import Runtime
from referral.service import facilities, followups, persons
from referral.service.commands import (
    FacilityIn,
    FacilityPatch,
    PersonIn,
    PersonLookup,
    PersonPatch,
    VisitIn,
)
from referral.service.context import Ctx, Wiring

Use = Callable[[Ctx], Awaitable[Any]]


class Api:
    """Runs use cases: commands in a unit of work (idempotent with a key), queries on a
    read session."""

    def __init__(self, wiring: Wiring) -> None:
        self.wiring = wiring

    async def command(
        self,
        runtime: Runtime,
        principal: Principal,
        request: Request,
        key: str | None,
        body: Any,
        use: Use,
        status: int = 200,
    ) -> JSONResponse:
        async def run(uow: UnitOfWork) -> tuple[int, Any]:
            return status, await use(self.wiring.command(runtime, uow))

        fingerprint = {"path": request.url.path, "body": body}
        code, result = await run_command(runtime.db, principal, key, fingerprint, run)
        return JSONResponse(result, status_code=code)

    async def query(self, runtime: Runtime, use: Use) -> Any:
        async with runtime.db.read() as session:
            return await use(self.wiring.query(runtime, session))


def build_router(wiring: Wiring) -> APIRouter:
    router = APIRouter()
    api = Api(wiring)

    # ---- §1 facilities ---------------------------------------------------------------

    @router.post("/facilities", status_code=201, tags=["facilities"], summary="Register a facility")
    async def register_facility(
        body: Annotated[FacilityIn, Body()],
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "facility.write")
        return await api.command(
            runtime, principal, request, key, body, lambda c: facilities.register(c, principal, body), 201
        )

    @router.patch("/facilities/{facility_id}", tags=["facilities"], summary="Change a facility")
    async def update_facility(
        facility_id: str,
        body: Annotated[FacilityPatch, Body()],
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "facility.write")
        return await api.command(
            runtime, principal, request, key, body, lambda c: facilities.update(c, principal, facility_id, body)
        )

    @router.get("/facilities", tags=["facilities"], summary="List facilities")
    async def list_facilities(
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        level: FacilityLevel | None = None,
        region: Region | None = None,
        designated: bool | None = None,
    ) -> Any:
        runtime.policy.authorize(principal, "facility.read")
        return await api.query(
            runtime, lambda c: facilities.listing(c, level=level, region=region, designated=designated)
        )

    @router.get("/facilities/{facility_id}", tags=["facilities"], summary="One facility")
    async def get_facility(facility_id: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> Any:
        runtime.policy.authorize(principal, "facility.read")

        async def use(c: Ctx) -> Any:
            return facilities.view(await facilities.load(c, facility_id))

        return await api.query(runtime, use)

    # ---- §1 persons ------------------------------------------------------------------

    @router.post("/persons", status_code=201, tags=["persons"], summary="Register a destitute person (LJ-2.1)")
    async def register_person(
        body: Annotated[PersonIn, Body()],
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "person.write")
        return await api.command(
            runtime, principal, request, key, body, lambda c: persons.register(c, principal, body), 201
        )

    @router.patch("/persons/{person_id}", tags=["persons"], summary="Change a person's record")
    async def update_person(
        person_id: str,
        body: Annotated[PersonPatch, Body()],
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "person.write")
        return await api.command(
            runtime, principal, request, key, body, lambda c: persons.update(c, principal, person_id, body)
        )

    @router.get("/persons", tags=["persons"], summary="Persons in your scope (masked)")
    async def list_persons(
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        support_type: SupportType | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> Any:
        runtime.policy.authorize(principal, "person.read")
        return await api.query(runtime, lambda c: persons.listing(c, principal, support_type=support_type, limit=limit))

    @router.post("/persons/lookup", tags=["persons"], summary="Find a person by ID number (masked answer)")
    async def lookup_person(
        body: Annotated[PersonLookup, Body()], principal: CurrentPrincipal, runtime: RuntimeDep, request: Request
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "person.lookup")
        return await api.command(
            runtime, principal, request, None, body, lambda c: persons.lookup(c, principal, body.id_number)
        )

    @router.get("/persons/{person_id}", tags=["persons"], summary="One person (ID number masked)")
    async def get_person(person_id: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> Any:
        runtime.policy.authorize(principal, "person.read")
        return await api.query(runtime, lambda c: persons.get(c, principal, person_id))

    @router.get("/persons/{person_id}/id-number", tags=["persons"], summary="The full ID number (audit-logged read)")
    async def read_id_number(
        person_id: str,
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        request: Request,
        purpose: Annotated[str, Query(min_length=3, max_length=300)],
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "person.read_id_number")
        return await api.command(
            runtime, principal, request, None, None, lambda c: persons.read_id_number(c, principal, person_id, purpose)
        )

    # ---- LJ-16 follow-up visits --------------------------------------------------------

    @router.post(
        "/persons/{person_id}/visits", status_code=201, tags=["follow-up"], summary="Record a town visit (LJ-16)"
    )
    async def record_visit(
        person_id: str,
        body: Annotated[VisitIn, Body()],
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "visit.record")

        async def use(c: Ctx) -> Any:
            person = await persons.load_person(c, person_id)
            return await followups.record_visit(c, principal, person, body)

        return await api.command(runtime, principal, request, key, body, use, 201)

    @router.get("/follow-ups", tags=["follow-up"], summary="Visit schedule per town, overdue flagged (LJ-16)")
    async def list_followups(
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        town_id: str | None = None,
        overdue: bool | None = None,
    ) -> Any:
        runtime.policy.authorize(principal, "followup.read")
        return await api.query(runtime, lambda c: followups.listing(c, principal, town_id=town_id, overdue=overdue))

    @router.get("/follow-ups/summary", tags=["follow-up"], summary="Followed and overdue persons per town (LJ-16)")
    async def followup_summary(principal: CurrentPrincipal, runtime: RuntimeDep) -> Any:
        runtime.policy.authorize(principal, "followup.read")
        return await api.query(runtime, lambda c: followups.summary(c, principal))

    return router
