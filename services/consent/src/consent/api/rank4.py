"""LJ-10 endpoints for civil affairs: the work list of rank-4 signatures filed with it, their
acknowledgement, and the confirmation of a major public interest a rank-4 head signs on."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from consent.api.schemas import ConfirmationOut, Rank4FilingOut
from consent.service import public_interest, rank4
from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun

router = APIRouter(tags=["rank-4 signatures and civil affairs (LJ-10)"])


class AcknowledgementIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"note": "已电话核实供养机构负责人签字"}]}
    )

    note: str | None = Field(default=None, max_length=1000, description="What civil affairs noted")


class PublicInterestIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "区疾控中心确认的传染病防控需要，须立即隔离治疗"}]}
    )

    reason: str = Field(min_length=1, max_length=1000, description="The major public interest confirmed (encrypted)")


@router.get(
    "/rank4-signatures",
    summary="LJ-10: civil affairs' work list of rank-4 signatures filed with it (open, overdue or acknowledged)",
    response_model=None,
    responses={200: {"model": Page[Rank4FilingOut]}},
)
async def get_rank4_signatures(
    run: QueryRun, page: PageQuery, state: rank4.WorkListState = rank4.WorkListState.OPEN
) -> dict[str, Any]:
    """Oldest filed first, paged by `limit` and `cursor` (`next_cursor`). `state` filters
    the list; each item names its rule (LJ-10)."""
    return await run.keyset_page(
        "rank4.read",
        lambda ctx: rank4.work_list(ctx, run.principal, page, state),
        page,
        lambda f: sort_key(f["filed_at"], f["consent_id"]),
    )


@router.post(
    "/rank4-signatures/{consent_id}/acknowledgement",
    summary="LJ-10: civil affairs acknowledges a rank-4 signature filed with it",
    response_model=None,
    responses={200: {"model": Rank4FilingOut}},
)
async def post_rank4_acknowledgement(consent_id: str, body: AcknowledgementIn, run: CommandRun) -> JSONResponse:
    return await run("rank4.acknowledge", lambda ctx: rank4.acknowledge(ctx, run.principal, consent_id, note=body.note))


@router.post(
    "/treatments/{treatment_id}/public-interest-confirmation",
    status_code=201,
    summary="LJ-10: civil affairs confirms the major public interest on which a rank-4 head may sign the treatment",
    response_model=None,
    responses={201: {"model": ConfirmationOut}},
)
async def post_treatment_public_interest(treatment_id: str, body: PublicInterestIn, run: CommandRun) -> JSONResponse:
    return await run(
        "public_interest.confirm",
        lambda ctx: rank4.confirm_public_interest(
            ctx, run.principal, rank4.Subject.TREATMENT, treatment_id, reason=body.reason
        ),
        status=201,
    )


@router.post(
    "/self-pay-items/{item_id}/public-interest-confirmation",
    status_code=201,
    summary="LJ-10: civil affairs confirms the major public interest on which a rank-4 head may sign the item's form",
    response_model=None,
    responses={201: {"model": ConfirmationOut}},
)
async def post_item_public_interest(item_id: str, body: PublicInterestIn, run: CommandRun) -> JSONResponse:
    return await run(
        "public_interest.confirm",
        lambda ctx: rank4.confirm_public_interest(
            ctx, run.principal, rank4.Subject.SELF_PAY_ITEM, item_id, reason=body.reason
        ),
        status=201,
    )


@router.post(
    "/rank4-signatures/{consent_id}/public-interest/confirmation",
    summary="LJ-10: civil affairs confirms the major public interest a pending rank-4 signature cites: it counts",
    response_model=None,
    responses={200: {"model": Rank4FilingOut}},
)
async def post_rank4_public_interest_confirmation(
    consent_id: str, body: PublicInterestIn, run: CommandRun
) -> JSONResponse:
    """The signature counts from now: ConsentSigned, the treatment consented or the self-pay
    form on to its initial review (LJ-7.2)."""
    return await run(
        "public_interest.confirm",
        lambda ctx: public_interest.decide(ctx, run.principal, consent_id, confirm=True, reason=body.reason),
    )


@router.post(
    "/rank4-signatures/{consent_id}/public-interest/rejection",
    summary="LJ-10: civil affairs rejects the major public interest a pending rank-4 signature cites: it never counts",
    response_model=None,
    responses={200: {"model": Rank4FilingOut}},
)
async def post_rank4_public_interest_rejection(
    consent_id: str, body: PublicInterestIn, run: CommandRun
) -> JSONResponse:
    """The treatment or the self-pay form still awaits an eligible signer (LJ-10)."""
    return await run(
        "public_interest.confirm",
        lambda ctx: public_interest.decide(ctx, run.principal, consent_id, confirm=False, reason=body.reason),
    )
