"""HTTP routes of the referral service (thin: authorize, call the use case, answer)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import IntegrityError

from medaid_shared.app import IdempotencyKey, RuntimeDep
from medaid_shared.auth import CurrentPrincipal
from medaid_shared.authz import Principal
from medaid_shared.contracts.common import FacilityLevel, FilingState, Region, SupportType
from medaid_shared.db import UnitOfWork
from medaid_shared.errors import Conflict
from medaid_shared.idempotency import run_command
from medaid_shared.runtime import Runtime
from referral.api.forms import filing_form_html
from referral.domain.discharge import ViolationKind
from referral.service import (
    admissions,
    care_file,
    discharge,
    facilities,
    filings,
    followups,
    health_plans,
    persons,
    referrals,
    timeline,
)
from referral.service.commands import (
    AdmissionIn,
    ApprovalIn,
    DischargeIn,
    DocumentIn,
    FacilityIn,
    FacilityPatch,
    FilingIn,
    FitnessIn,
    ForwardIn,
    HealthPlanIn,
    PersonIn,
    PersonLookup,
    PersonPatch,
    PhoneReportIn,
    ReferralIn,
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
        try:
            code, result = await run_command(runtime.db, principal, key, fingerprint, run)
        except IntegrityError as exc:
            # a concurrent twin won the race on a unique key (e.g. one open admission per person)
            raise Conflict("a concurrent request changed this record first; reload and retry") from exc
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

    # ---- §2 referrals ----------------------------------------------------------------

    @router.post("/referrals", status_code=201, tags=["referrals"], summary="Refer from the first visit (LJ-4.2a)")
    async def create_referral(
        body: Annotated[ReferralIn, Body()],
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "referral.create")
        return await api.command(
            runtime, principal, request, key, body, lambda c: referrals.create(c, principal, body), 201
        )

    @router.post(
        "/referrals/{referral_id}/approval",
        tags=["referrals"],
        summary="Approve or reject a transfer beyond the district (LJ-4.3a)",
    )
    async def decide_referral(
        referral_id: str,
        body: Annotated[ApprovalIn, Body()],
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "referral.approve")
        return await api.command(
            runtime, principal, request, key, body, lambda c: referrals.decide(c, principal, referral_id, body)
        )

    @router.get("/referrals", tags=["referrals"], summary="Referrals in your scope")
    async def list_referrals(
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        person_id: str | None = None,
        pending: bool | None = None,
    ) -> Any:
        runtime.policy.authorize(principal, "referral.read")
        return await api.query(runtime, lambda c: referrals.listing(c, principal, person_id=person_id, pending=pending))

    @router.get("/referrals/{referral_id}", tags=["referrals"], summary="One referral")
    async def get_referral(referral_id: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> Any:
        runtime.policy.authorize(principal, "referral.read")
        return await api.query(runtime, lambda c: referrals.get(c, principal, referral_id))

    # ---- §2 admissions -----------------------------------------------------------------

    @router.post("/admissions", status_code=201, tags=["admissions"], summary="File an admission (AdmissionFiled)")
    async def file_admission(
        body: Annotated[AdmissionIn, Body()],
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "admission.file")
        return await api.command(
            runtime, principal, request, key, body, lambda c: admissions.file(c, principal, body), 201
        )

    @router.get("/admissions", tags=["admissions"], summary="Admissions in your scope")
    async def list_admissions(
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        person_id: str | None = None,
        filing_state: FilingState | None = None,
        open: bool | None = None,
    ) -> Any:
        runtime.policy.authorize(principal, "admission.read")
        return await api.query(
            runtime,
            lambda c: admissions.listing(c, principal, person_id=person_id, filing_state=filing_state, open_only=open),
        )

    @router.get("/admissions/{admission_id}", tags=["admissions"], summary="One admission with its compliance")
    async def get_admission(admission_id: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> Any:
        runtime.policy.authorize(principal, "admission.read")
        return await api.query(runtime, lambda c: admissions.get(c, principal, admission_id))

    # ---- §2 outside-care filings -------------------------------------------------------

    @router.post("/filings", status_code=201, tags=["filings"], summary="File the outside-care form (LJ-4.2b/c)")
    async def submit_filing(
        body: Annotated[FilingIn, Body()],
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "filing.submit")
        return await api.command(
            runtime, principal, request, key, body, lambda c: filings.submit(c, principal, body), 201
        )

    @router.post("/admissions/{admission_id}/phone-report", tags=["filings"], summary="Phone pre-report (LJ-4.2d)")
    async def phone_report(
        admission_id: str,
        body: Annotated[PhoneReportIn, Body()],
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "filing.phone_report")
        return await api.command(
            runtime, principal, request, key, body, lambda c: filings.phone_report(c, principal, admission_id, body)
        )

    @router.post(
        "/filings/{filing_id}/forward", tags=["filings"], summary="Town passes the filing to civil affairs (LJ-4.2c)"
    )
    async def forward_filing(
        filing_id: str,
        body: Annotated[ForwardIn, Body()],
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "filing.forward")
        return await api.command(
            runtime, principal, request, key, body, lambda c: filings.forward(c, principal, filing_id, body)
        )

    @router.get("/filings", tags=["filings"], summary="Filings in your scope")
    async def list_filings(
        principal: CurrentPrincipal, runtime: RuntimeDep, awaiting_forward: bool | None = None
    ) -> Any:
        runtime.policy.authorize(principal, "filing.read")
        return await api.query(runtime, lambda c: filings.listing(c, principal, awaiting_forward=awaiting_forward))

    @router.get("/filings/{filing_id}", tags=["filings"], summary="One filing")
    async def get_filing(filing_id: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> Any:
        runtime.policy.authorize(principal, "filing.read")
        return await api.query(runtime, lambda c: filings.get(c, principal, filing_id))

    @router.get(
        "/filings/{filing_id}/form",
        tags=["filings"],
        summary="Print-ready outside-care filing form (外出就医备案表, annex 1)",
        response_class=HTMLResponse,
    )
    async def print_filing_form(filing_id: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> HTMLResponse:
        runtime.policy.authorize(principal, "filing.print")
        async with runtime.db.unit_of_work() as uow:
            data = await filings.form_data(wiring.command(runtime, uow), principal, filing_id)
        return HTMLResponse(filing_form_html(data))

    # ---- LJ-12 / LJ-17 discharge and violations ----------------------------------------

    @router.post("/admissions/{admission_id}/fitness", tags=["discharge"], summary="Fit for discharge (LJ-12)")
    async def record_fitness(
        admission_id: str,
        body: Annotated[FitnessIn, Body()],
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "discharge.record")
        return await api.command(
            runtime, principal, request, key, body, lambda c: discharge.fitness(c, principal, admission_id, body)
        )

    @router.post(
        "/admissions/{admission_id}/discharge", tags=["discharge"], summary="Discharge (DischargeRecorded, LJ-12)"
    )
    async def record_discharge(
        admission_id: str,
        body: Annotated[DischargeIn, Body()],
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "discharge.record")
        return await api.command(
            runtime, principal, request, key, body, lambda c: discharge.discharge(c, principal, admission_id, body)
        )

    @router.post(
        "/admissions/{admission_id}/documents",
        status_code=201,
        tags=["discharge"],
        summary="Issue a discharge document (LJ-12)",
    )
    async def issue_document(
        admission_id: str,
        body: Annotated[DocumentIn, Body()],
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "discharge.record")
        return await api.command(
            runtime, principal, request, key, body, lambda c: discharge.document(c, principal, admission_id, body), 201
        )

    @router.get("/violations", tags=["discharge"], summary="Violation records (LJ-17)")
    async def list_violations(
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        facility_id: str | None = None,
        kind: ViolationKind | None = None,
        year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    ) -> Any:
        runtime.policy.authorize(principal, "violation.read")
        return await api.query(
            runtime, lambda c: discharge.violations(c, principal, facility_id=facility_id, kind=kind, year=year)
        )

    @router.get("/violations/report", tags=["discharge"], summary="Violations per hospital (LJ-17)")
    async def violations_report(
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    ) -> Any:
        runtime.policy.authorize(principal, "violation.report")
        return await api.query(runtime, lambda c: discharge.report(c, year))

    # ---- LJ-15.1 health plans ------------------------------------------------------------

    @router.post(
        "/persons/{person_id}/health-plans",
        status_code=201,
        tags=["after discharge"],
        summary="Make or adjust the health plan after discharge (LJ-15.1)",
    )
    async def make_health_plan(
        person_id: str,
        body: Annotated[HealthPlanIn, Body()],
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        request: Request,
        key: IdempotencyKey = None,
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "health_plan.write")

        async def use(c: Ctx) -> Any:
            return await health_plans.make(c, principal, await persons.load_person(c, person_id), body)

        return await api.command(runtime, principal, request, key, body, use, 201)

    @router.get("/persons/{person_id}/health-plans", tags=["after discharge"], summary="A person's health plans")
    async def list_health_plans(person_id: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> Any:
        runtime.policy.authorize(principal, "health_plan.read")

        async def use(c: Ctx) -> Any:
            return await health_plans.listing(c, principal, await persons.load_person(c, person_id))

        return await api.query(runtime, use)

    # ---- LJ-15.3 one-person external-care file -------------------------------------------

    @router.get("/persons/{person_id}/care-file", tags=["care file"], summary="The one-person file (LJ-15.3)")
    async def read_care_file(
        person_id: str, principal: CurrentPrincipal, runtime: RuntimeDep, request: Request
    ) -> JSONResponse:
        runtime.policy.authorize(principal, "care_file.read")
        return await api.command(
            runtime, principal, request, None, None, lambda c: care_file.read(c, principal, person_id, export="json")
        )

    @router.get(
        "/persons/{person_id}/care-file.csv",
        tags=["care file"],
        summary="The one-person file as CSV (LJ-15.3)",
        response_class=Response,
    )
    async def export_care_file(person_id: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> Response:
        runtime.policy.authorize(principal, "care_file.read")
        async with runtime.db.unit_of_work() as uow:
            result = await care_file.read(wiring.command(runtime, uow), principal, person_id, export="csv")
        return Response(
            timeline.to_csv(result["entries"]),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="care-file-{person_id}.csv"'},
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
