"""LJ-7 endpoints: self-pay items and their double review."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from consent.api.schemas import AwaitingStepOut, ConsentOut, ItemOut, ItemSummaryOut
from consent.api.treatments import SignatureIn
from consent.domain.selfpay import Status
from consent.service import forms, selfpay
from consent.service.selfpay import ItemCategory, ReviewOutcome
from medaid_shared.identifiers import ItemCode
from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun

router = APIRouter(tags=["self-pay double review (LJ-7)"])

# SPEC 0.2: CNY, > 0, at most 2 decimals — rejected at the edge with the field named.
Amount = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2, examples=["200.00"])]


class ItemIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "item_code": "XJ01DHM059B001010100433",
                    "item_name": "注射用美罗培南",
                    "category": "drug",
                    "unit_price": "180.00",
                    "quantity": 6,
                    "necessity": "重症肺炎，头孢曲松治疗72小时无效，痰培养示产ESBL肺炎克雷伯菌",
                    "attending_doctor": "dr-huang",
                }
            ]
        },
    )

    item_code: ItemCode
    item_name: str = Field(min_length=1, max_length=200)
    category: ItemCategory
    unit_price: Amount
    quantity: int = Field(gt=0, le=100000)
    necessity: str = Field(min_length=1, max_length=4000, description="Why it is needed (stored encrypted)")
    attending_doctor: str = Field(min_length=1, max_length=200)
    emergency: bool = False


class ReviewIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"outcome": "approved"},
                {"outcome": "rejected", "reason": "目录内药品可替代（哌拉西林他唑巴坦）"},
            ]
        },
    )

    outcome: ReviewOutcome
    reason: str | None = Field(default=None, max_length=2000, description="Required when objecting")


class FilingIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"note": "单次费用超过1000元，报镇社会救助经办机构备案"}]}
    )

    note: str | None = Field(default=None, max_length=2000)


@router.post(
    "/admissions/{admission_id}/self-pay-items",
    status_code=201,
    summary="Propose an out-of-catalogue item (LJ-7.0); < 200 is recorded without review",
    response_model=None,
    responses={201: {"model": ItemOut}},
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


@router.get(
    "/self-pay-items",
    summary="Self-pay items across admissions, in the caller's scope, optionally by status (LJ-7.2, LJ-7.3)",
    response_model=None,
    responses={200: {"model": Page[ItemSummaryOut]}},
)
async def list_items(
    run: QueryRun,
    page: PageQuery,
    status: Annotated[Status | None, Query(description="only the items in this status")] = None,
) -> Any:
    return await run.keyset_page(
        "self_pay.read",
        lambda ctx: selfpay.list_items(ctx, run.principal, page, status),
        page,
        lambda i: sort_key(i["proposed_at"], i["item_id"]),
    )


@router.get(
    "/self-pay-reviews",
    summary="Self-pay items across admissions awaiting the caller's review step, overdue first (LJ-7.2, LJ-7.3)",
    response_model=None,
    responses={200: {"model": Page[AwaitingStepOut]}},
)
async def list_awaiting_review(run: QueryRun, page: PageQuery) -> Any:
    """The institution head's, the village committee's (with the guardian or agent) initial
    reviews, the town government's filings, civil affairs' reviews: the items in the
    caller's scope awaiting that step, each with the step's due instant on the official
    calendar, the nearest due (so the overdue) first; paged by `limit` and `cursor`. Another
    role takes no step: 403."""
    return await run.keyset_page(
        "self_pay.read",
        lambda ctx: selfpay.awaiting_me(ctx, run.principal, page),
        page,
        lambda i: sort_key(*selfpay.awaiting_sort_key(i)),
    )


@router.get(
    "/self-pay-items/{item_id}",
    summary="A self-pay item with its status and whole trail",
    response_model=None,
    responses={200: {"model": ItemOut}},
)
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
    response_model=None,
    responses={201: {"model": ConsentOut}},
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
    response_model=None,
    responses={200: {"model": ItemOut}},
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
    response_model=None,
    responses={200: {"model": ItemOut}},
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
    response_model=None,
    responses={200: {"model": ItemOut}},
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
