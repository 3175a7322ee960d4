"""Work queues over the cases: the channel confirmations awaiting a department (GD-18.1),
the exclusion proposals awaiting the agency (GD-14) and the extension requests awaiting the
agency or the health department (GD-13.3). Each pages like every list (cursor, limit)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from emergency_fund.api.schemas import ChannelConfirmationOut, ExclusionProposalOut, ExtensionRequestOut, answers
from emergency_fund.service import channels, exclusions, stay
from medaid_shared.pagination import Page, PageQuery, sort_key
from medaid_shared.routes import QueryRun

router = APIRouter(tags=["queues"])


@router.get(
    "/channel-confirmations",
    summary="Channel amounts awaiting confirmation by a department (GD-18.1), by case and channel",
    response_model=None,
    responses=answers(Page[ChannelConfirmationOut]),
)
async def channel_confirmations(
    run: QueryRun,
    page: PageQuery,
    awaiting: str = Query(
        default="me",
        max_length=40,
        description="`me` (the caller's role), or — for the agency and the auditor — a confirming role",
    ),
) -> Any:
    return await run.keyset_page(
        "case.channel.queue",
        lambda env: channels.awaiting(env, awaiting, page),
        page,
        lambda i: sort_key(i["case_id"], i["channel"]),
    )


@router.get(
    "/exclusion-proposals",
    summary="The hospitals' exclusion proposals awaiting the agency (GD-14), by case and cost item",
    response_model=None,
    responses=answers(Page[ExclusionProposalOut]),
)
async def exclusion_proposals(run: QueryRun, page: PageQuery) -> Any:
    return await run.keyset_page(
        "case.exclusion.queue",
        lambda env: exclusions.proposals(env, page),
        page,
        lambda i: sort_key(i["case_id"], i["cost_item_id"]),
    )


@router.get(
    "/emergency-extensions",
    summary="Extension requests awaiting the agency or the health department (GD-13.3), by case",
    response_model=None,
    responses=answers(Page[ExtensionRequestOut]),
)
async def emergency_extensions(run: QueryRun, page: PageQuery) -> Any:
    return await run.keyset_page(
        "case.extension.queue", lambda env: stay.pending_extensions(env, page), page, lambda i: sort_key(i["case_id"])
    )
