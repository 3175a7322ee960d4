"""LJ-7 endpoints: self-pay items and their double review; the versioned policy parameters."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from consent.api.treatments import SignatureIn
from consent.domain.parameters import CumulativeScope
from consent.service import forms, parameters, selfpay
from consent.service.selfpay import ItemCategory, ReviewOutcome
from medaid_shared.routes import CommandRun, QueryRun

router = APIRouter(tags=["self-pay double review (LJ-7)"])

# SPEC 0.2: CNY, > 0, at most 2 decimals — rejected at the edge with the field named.
Amount = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2, examples=["200.00"])]


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_code: str = Field(min_length=1, max_length=64)
    item_name: str = Field(min_length=1, max_length=200)
    category: ItemCategory
    unit_price: Amount
    quantity: int = Field(gt=0, le=100000)
    necessity: str = Field(min_length=1, max_length=4000, description="Why it is needed (stored encrypted)")
    attending_doctor: str = Field(min_length=1, max_length=200)
    emergency: bool = False


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: ReviewOutcome
    reason: str | None = Field(default=None, max_length=2000, description="Required when objecting")


class FilingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=2000)


class ParametersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str = Field(min_length=1, max_length=64)
    effective_from: AwareDatetime
    review_threshold: Amount = Decimal("200.00")
    civil_affairs_single_threshold: Amount = Decimal("1000.00")
    civil_affairs_cumulative_threshold: Amount = Decimal("2000.00")
    cumulative_scope: CumulativeScope = CumulativeScope.ADMISSION
    expert_from_other_hospital: bool = True
    note: str = Field(default="", max_length=2000)


@router.post(
    "/admissions/{admission_id}/self-pay-items",
    status_code=201,
    summary="Propose an out-of-catalogue item (LJ-7.0); < 200 is recorded without review",
)
async def post_item(
    admission_id: str,
    body: ItemIn,
    run: CommandRun,
) -> JSONResponse:
    return await run(
        "self_pay.propose",
        lambda ctx: selfpay.propose(ctx, run.principal, admission_id, **body.model_dump()),
        status=201,
    )


@router.get("/self-pay-items/{item_id}", summary="A self-pay item with its status and whole trail")
async def get_item(
    item_id: str,
    run: QueryRun,
) -> dict[str, Any]:
    result: dict[str, Any] = await run.fetch("self_pay.read", lambda ctx: selfpay.get_item(ctx, run.principal, item_id))
    return result


@router.get(
    "/self-pay-items/{item_id}/consent-form.html",
    response_class=HTMLResponse,
    summary="Annex 3: the informed-consent form for self-pay items, print-ready (LJ-7.1)",
)
async def get_consent_form_html(
    item_id: str,
    run: QueryRun,
) -> HTMLResponse:
    html: str = await run.fetch("self_pay.read", lambda ctx: forms.self_pay_form(ctx, run.principal, item_id))
    return HTMLResponse(html)


@router.post(
    "/self-pay-items/{item_id}/consent-form",
    status_code=201,
    summary="LJ-7.1: the eligible signer (LJ-10) signs the informed-consent form",
)
async def post_consent_form(
    item_id: str,
    body: SignatureIn,
    run: CommandRun,
) -> JSONResponse:
    return await run(
        "self_pay.sign_form",
        lambda ctx: selfpay.sign_form(
            ctx,
            run.principal,
            item_id,
            major_public_interest_reason=body.major_public_interest_reason,
            signature_ref=body.signature_ref,
        ),
        status=201,
    )


@router.post(
    "/self-pay-items/{item_id}/initial-review",
    status_code=200,
    summary="LJ-7.2: initial review by the institution head, or the village committee head with the guardian/agent",
)
async def post_initial_review(
    item_id: str,
    body: ReviewIn,
    run: CommandRun,
) -> JSONResponse:
    return await run(
        "self_pay.initial_review",
        lambda ctx: selfpay.initial_review(ctx, run.principal, item_id, outcome=body.outcome, reason=body.reason),
        status=200,
    )


@router.post(
    "/self-pay-items/{item_id}/civil-affairs-filing",
    status_code=200,
    summary="LJ-7.3: the town government files a decentralized person's item with civil affairs",
)
async def post_filing(
    item_id: str,
    body: FilingIn,
    run: CommandRun,
) -> JSONResponse:
    return await run(
        "self_pay.file",
        lambda ctx: selfpay.file_with_civil_affairs(ctx, run.principal, item_id, note=body.note),
        status=200,
    )


@router.post(
    "/self-pay-items/{item_id}/civil-affairs-review",
    status_code=200,
    summary="LJ-7.3: the district civil-affairs review of a filed item",
)
async def post_civil_affairs_review(
    item_id: str,
    body: ReviewIn,
    run: CommandRun,
) -> JSONResponse:
    return await run(
        "self_pay.civil_affairs_review",
        lambda ctx: selfpay.civil_affairs_review(ctx, run.principal, item_id, outcome=body.outcome, reason=body.reason),
        status=200,
    )


@router.get(
    "/policy/parameters", tags=["policy parameters"], summary="Versioned policy parameters and the one in force"
)
async def get_parameters(
    run: QueryRun,
) -> dict[str, Any]:
    result: dict[str, Any] = await run.fetch("parameters.read", parameters.list_parameters)
    return result


@router.post(
    "/policy/parameters",
    status_code=201,
    tags=["policy parameters"],
    summary="Load a parameter version with its effective date (administrator)",
)
async def post_parameters(
    body: ParametersIn,
    run: CommandRun,
) -> JSONResponse:
    values = body.model_dump()
    effective_from: datetime = values.pop("effective_from")
    return await run(
        "parameters.write",
        lambda ctx: parameters.add_parameters(ctx, run.principal, effective_from=effective_from, **values),
        status=201,
    )
