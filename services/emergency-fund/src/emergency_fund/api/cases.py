"""Case endpoints: opening, cost list, emergency period, identity path, assessment and the
individual application (GD-12 … GD-18, GD-22.3, GD-23)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from emergency_fund.api.schemas import (
    NAMES_UNKNOWN,
    AssessmentOut,
    CaseIdentityOut,
    CaseOut,
    CaseSummaryOut,
    RefundOut,
    answers,
)
from emergency_fund.domain.eligibility import Channel
from emergency_fund.service import cases, channels, exclusions, refunds, stay
from emergency_fund.service.base import Env
from emergency_fund.service.commands import (
    CaseCreate,
    ChannelConfirmationCmd,
    ChannelPaymentCmd,
    ChannelWaiverCmd,
    CivilAffairsCheckCmd,
    ClaimCmd,
    CostItemsCmd,
    DiseaseUpdate,
    ExclusionCmd,
    ExclusionDecisionCmd,
    ExtensionCmd,
    ExtensionDecisionCmd,
    IdentifyCmd,
    IdentityReadCmd,
    ItemExclusionDecisionCmd,
    RefundDemandCmd,
    StayEndCmd,
    UnableToPayCmd,
    VagrantRegistrationCmd,
    WaiverCmd,
)
from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.responses import JSONResponse
from medaid_shared.routes import CommandRun, QueryRun

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post(
    "",
    status_code=201,
    summary="Open a case (GD-12, GD-13.1, GD-13.2)",
    response_model=None,
    responses={**answers(CaseOut, 201), **NAMES_UNKNOWN},
)
async def open_case(
    body: CaseCreate,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.create", lambda env: cases.open_case(env, body))


@router.get(
    "",
    summary="Cases in the caller's scope, in the order registered",
    response_model=None,
    responses=answers(Page[CaseSummaryOut]),
)
async def list_cases(
    run: QueryRun,
    page: PageQuery,
    state: str | None = None,
    facility_id: str | None = None,
) -> Any:
    return await run.keyset_page(
        "case.read", lambda env: cases.list_cases(env, state, facility_id, page), page, lambda c: sort_key(c["case_id"])
    )


@router.get(
    "/{case_id}",
    summary="A case with its cost list, channels and checks",
    response_model=None,
    responses=answers(CaseOut),
)
async def get_case(
    case_id: str,
    run: QueryRun,
) -> Any:
    return await run.fetch("case.read", lambda env: cases.get_case(env, case_id))


@router.get(
    "/{case_id}/assessment",
    summary="Caps, gap and what still blocks a claim",
    response_model=None,
    responses=answers(AssessmentOut),
)
async def get_assessment(
    case_id: str,
    run: QueryRun,
) -> Any:
    return await run.fetch("case.read", lambda env: cases.assessment(env, case_id))


@router.post(
    "/{case_id}/identity-reads",
    summary="Read the full identity, audit-logged (SPEC 0.4)",
    response_model=None,
    responses=answers(CaseIdentityOut),
)
async def read_identity(
    case_id: str,
    body: IdentityReadCmd,
    run: CommandRun,
) -> JSONResponse:
    async def fn(env: Env) -> tuple[int, Any]:
        return 200, await cases.read_identity(env, case_id, body.reason)

    return await run("case.identity.read", fn)


@router.post(
    "/{case_id}/identity",
    summary="The patient's identity became known (GD-18; after payment GD-16.4)",
    response_model=None,
    responses=answers(CaseOut),
)
async def identify(
    case_id: str,
    body: IdentifyCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.update", lambda env: refunds.hospital_identifies(env, case_id, body))


@router.put(
    "/{case_id}/disease", summary="Set the case's disease code (GD-12)", response_model=None, responses=answers(CaseOut)
)
async def set_disease(
    case_id: str,
    body: DiseaseUpdate,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.update", lambda env: cases.set_disease(env, case_id, body))


@router.post(
    "/{case_id}/cost-items",
    status_code=201,
    summary="Add cost-list items (GD-20.1, GD-14)",
    response_model=None,
    responses=answers(CaseOut, 201),
)
async def add_cost_items(
    case_id: str,
    body: CostItemsCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.update", lambda env: cases.add_cost_items(env, case_id, body))


@router.post(
    "/{case_id}/emergency-extension",
    summary="Ask to extend the emergency period, with the evidence that fits the category (GD-13.3)",
    response_model=None,
    responses=answers(CaseOut),
)
async def extend(
    case_id: str,
    body: ExtensionCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.update", lambda env: stay.request_extension(env, case_id, body))


@router.post(
    "/{case_id}/emergency-extension/decision",
    summary="The agency or the health department decides an extension (GD-13.3)",
    response_model=None,
    responses=answers(CaseOut),
)
async def extension_decision(
    case_id: str,
    body: ExtensionDecisionCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.extension.decide", lambda env: stay.decide_extension(env, case_id, body))


@router.post(
    "/{case_id}/stay-end",
    summary="When the stay ended: discharge, death, transfer (GD-13.5)",
    response_model=None,
    responses=answers(CaseOut),
)
async def stay_end(
    case_id: str,
    body: StayEndCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.update", lambda env: stay.record_stay_end(env, case_id, body))


@router.post(
    "/{case_id}/channel-payments",
    status_code=201,
    summary="The hospital's claim of what a channel paid (GD-18.1)",
    response_model=None,
    responses=answers(CaseOut, 201),
)
async def record_channel(
    case_id: str,
    body: ChannelPaymentCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.update", lambda env: channels.record_claim(env, case_id, body))


@router.post(
    "/{case_id}/channel-payments/{channel}/confirmation",
    status_code=201,
    summary="The department responsible confirms what its channel paid (GD-18.1)",
    response_model=None,
    responses=answers(CaseOut, 201),
)
async def confirm_channel(
    case_id: str,
    channel: Channel,
    body: ChannelConfirmationCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.channel.confirm", lambda env: channels.confirm(env, case_id, channel, body))


@router.post(
    "/{case_id}/channel-payments/{channel}/waiver",
    summary="The agency accepts a channel's claim without confirmation, with the reason (GD-18.1)",
    response_model=None,
    responses=answers(CaseOut),
)
async def waive_channel(
    case_id: str,
    channel: Channel,
    body: ChannelWaiverCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.channel.waive", lambda env: channels.waive(env, case_id, channel, body))


@router.post(
    "/{case_id}/unable-to-pay",
    summary="The 'unable to pay' basis (GD-17)",
    response_model=None,
    responses=answers(CaseOut),
)
async def unable_to_pay(
    case_id: str,
    body: UnableToPayCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.update", lambda env: cases.set_unable_to_pay(env, case_id, body))


@router.post(
    "/{case_id}/civil-affairs-check",
    status_code=201,
    summary="Civil affairs' status check (GD-22.3)",
    response_model=None,
    responses=answers(CaseOut, 201),
)
async def civil_affairs_check(
    case_id: str,
    body: CivilAffairsCheckCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.civil_affairs", lambda env: cases.civil_affairs_check(env, case_id, body))


@router.post(
    "/{case_id}/vagrant-registration",
    status_code=201,
    summary="Homeless vagrant registration (GD-18.2)",
    response_model=None,
    responses=answers(CaseOut, 201),
)
async def vagrant(
    case_id: str,
    body: VagrantRegistrationCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.civil_affairs", lambda env: cases.register_vagrant(env, case_id, body))


@router.post(
    "/{case_id}/waiver",
    summary="The hospital waives part of the cost (GD-23)",
    response_model=None,
    responses=answers(CaseOut),
)
async def waiver(
    case_id: str,
    body: WaiverCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.update", lambda env: cases.waive(env, case_id, body))


@router.post(
    "/{case_id}/exclusion",
    summary="Able to pay but refuses (GD-14): the hospital proposes, the agency's own finding excludes",
    response_model=None,
    responses=answers(CaseOut),
)
async def exclusion(
    case_id: str,
    body: ExclusionCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.exclude", lambda env: exclusions.propose_or_exclude(env, case_id, body))


@router.post(
    "/{case_id}/exclusion-decision",
    summary="The agency decides the hospital's exclusion proposal (GD-14)",
    response_model=None,
    responses=answers(CaseOut),
)
async def exclusion_decision(
    case_id: str,
    body: ExclusionDecisionCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.exclusion.decide", lambda env: exclusions.decide_case(env, case_id, body))


@router.post(
    "/{case_id}/cost-items/{item_id}/exclusion-decision",
    summary="The agency decides a cost item's exclusion, or excludes an item itself (GD-14)",
    response_model=None,
    responses=answers(CaseOut),
)
async def item_exclusion_decision(
    case_id: str,
    item_id: str,
    body: ItemExclusionDecisionCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.exclusion.decide", lambda env: exclusions.decide_item(env, case_id, item_id, body))


@router.post(
    "/{case_id}/claim",
    status_code=201,
    summary="File the individual application (附件2, GD-20.1)",
    response_model=None,
    responses=answers(CaseOut, 201),
)
async def claim(
    case_id: str,
    body: ClaimCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("case.claim", lambda env: cases.claim(env, case_id, body))


@router.post(
    "/{case_id}/refund-demand",
    status_code=201,
    summary="Demand a paid case's money back (GD-16.4)",
    response_model=None,
    responses=answers(RefundOut, 201),
)
async def refund_demand(
    case_id: str,
    body: RefundDemandCmd,
    run: CommandRun,
) -> JSONResponse:
    return await run("refund.demand", lambda env: refunds.demand_manually(env, case_id, body))
