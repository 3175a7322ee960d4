"""The admin API of a service's versioned parameters: load versions (administrator, all
or nothing), list the stored versions, and describe the declared kinds with their defaults
and statutory bounds. Mounted by every service that declares parameters."""

# No postponed annotations here: the routes are typed by models made per service at run time.

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, ConfigDict, Field, create_model

from medaid_shared.answers import ParameterKindsOut, ParametersLoadOut, ParameterVersionOut
from medaid_shared.app import IdempotencyKey, RuntimeDep
from medaid_shared.auth import CurrentPrincipal
from medaid_shared.db import UnitOfWork
from medaid_shared.idempotency import encode, run_command
from medaid_shared.pagination import Page, PageQuery, paginate, sort_key
from medaid_shared.parameter_store import ServiceParameters
from medaid_shared.parameters import ParameterCatalogue, ParameterVersion
from medaid_shared.responses import JSONResponse

CHANGE = "parameters.change"
READ = "parameters.read"
TAGS: list[str | Any] = ["administration"]


def _example_version(catalogue: ParameterCatalogue) -> dict[str, Any]:
    """A version an administrator could load: the service's first kind that has a default
    (its own kinds come before the kernel's), with the default's values."""
    kind = next(k for k in catalogue.kinds if k.default is not None)
    assert kind.default is not None
    return {
        "kind": kind.name,
        "region": "liujiang",
        "facility_level": "any",
        "effective_from": "2027-01-01",
        "values": kind.default.model_dump(mode="json"),
        "example": True,
        "source": "EXAMPLE: the default values, effective in Liujiang from 2027",
    }


def _answer_example(example: Any) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": encode(example)}}}}


def parameter_router(parameters: ServiceParameters) -> APIRouter:
    """``POST /admin/parameters``, ``GET /parameters``, ``GET /parameters/kinds``."""
    router = APIRouter()
    version_model = parameters.catalogue.version_model
    kind_enum = version_model.model_fields["kind"].annotation
    example = _example_version(parameters.catalogue)
    version_id = f"{example['kind']}:liujiang:any:2027-01-01"
    body_model: type[BaseModel] = create_model(
        "ParameterVersionsIn",
        __config__=ConfigDict(json_schema_extra={"examples": [{"versions": [example]}]}),
        versions=(list[version_model], Field(min_length=1, max_length=500)),  # type: ignore[valid-type]
    )
    described = next(k for k in parameters.catalogue.describe() if k["kind"] == example["kind"])

    @router.post(
        "/admin/parameters",
        tags=TAGS,
        status_code=201,
        summary="Load policy parameter versions",
        response_model=ParametersLoadOut,
        responses={201: {"content": {"application/json": {"example": {"loaded": [version_id]}}}}},
    )
    async def load_parameters(
        body: Annotated[body_model, Body()],
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        idempotency_key: IdempotencyKey = None,
    ) -> JSONResponse:
        """All or nothing; overlapping versions of the same kind, region and level are
        refused, and so is a version weaker than a statutory bound of its kind."""
        runtime.policy.authorize(principal, CHANGE)
        versions: list[ParameterVersion] = body.versions  # type: ignore[attr-defined]

        async def command(uow: UnitOfWork) -> tuple[int, Any]:
            return 201, await parameters.store(uow.session, runtime.settings).load(uow, principal, versions)

        request = {"method": "POST", "path": "/admin/parameters", "body": body.model_dump(mode="json")}
        status, answer = await run_command(runtime.db, principal, idempotency_key, request, command)
        return JSONResponse(answer, status_code=status)

    @router.get(
        "/parameters",
        tags=TAGS,
        summary="Policy parameter versions by version id",
        response_model=Page[ParameterVersionOut],
        responses=_answer_example(
            {"items": [{"version_id": version_id, **example, "effective_to": None}], "next_cursor": None}
        ),
    )
    async def list_parameters(
        principal: CurrentPrincipal,
        runtime: RuntimeDep,
        page: PageQuery,
        kind: Annotated[kind_enum | None, Query()] = None,  # type: ignore[valid-type]
        on: date | None = None,
    ) -> Any:
        runtime.policy.authorize(principal, READ)
        async with runtime.db.read() as session:
            versions = await parameters.store(session, runtime.settings).listing(kind, on)
        return encode(paginate(versions, page, lambda v: sort_key(v["version_id"])))

    @router.get(
        "/parameters/kinds",
        tags=TAGS,
        summary="Declared parameter kinds, defaults and statutory bounds",
        response_model=ParameterKindsOut,
        responses=_answer_example({"kinds": [described]}),
    )
    async def parameter_kinds(principal: CurrentPrincipal, runtime: RuntimeDep) -> Any:
        runtime.policy.authorize(principal, READ)
        return JSONResponse(encode({"kinds": parameters.catalogue_for(runtime.settings).describe()}))

    return router
