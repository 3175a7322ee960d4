"""Versioned policy parameters: read the versions, load a new one (administrator)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from consent.domain.parameters import CumulativeScope, PolicyParameters, effective
from consent.domain.selfpay import check_money
from consent.service.ports import Ctx
from medaid_shared import clock
from medaid_shared.authz import Principal
from medaid_shared.errors import Conflict, ValidationFailed


async def list_parameters(ctx: Ctx) -> dict[str, Any]:
    versions = await ctx.store.parameter_versions()
    now = clock.now()
    return {
        "in_force": effective(versions, now, ctx.default_parameters).as_json(),
        "default": ctx.default_parameters.as_json(),
        "versions": [v.as_json() for v in versions],
    }


async def add_parameters(
    ctx: Ctx,
    principal: Principal,
    *,
    version: str,
    effective_from: datetime,
    review_threshold: Decimal,
    civil_affairs_single_threshold: Decimal,
    civil_affairs_cumulative_threshold: Decimal,
    cumulative_scope: CumulativeScope,
    expert_from_other_hospital: bool,
    note: str,
) -> dict[str, Any]:
    """A new version applies from ``effective_from`` (never in the past, so the decisions
    already made keep the version they were made under)."""
    at = clock.ensure_utc(effective_from)
    if at < clock.now():
        raise ValidationFailed("effective_from is in the past", field="effective_from")
    p = PolicyParameters(
        version=version,
        effective_from=at,
        review_threshold=check_money(review_threshold, "review_threshold"),
        civil_affairs_single_threshold=check_money(civil_affairs_single_threshold, "civil_affairs_single_threshold"),
        civil_affairs_cumulative_threshold=check_money(
            civil_affairs_cumulative_threshold, "civil_affairs_cumulative_threshold"
        ),
        cumulative_scope=cumulative_scope,
        expert_from_other_hospital=expert_from_other_hospital,
        note=note,
    )
    existing = await ctx.store.parameter_versions()
    if any(v.version == version for v in existing) or version == ctx.default_parameters.version:
        raise Conflict(f"parameter version {version} already exists", field="version")
    if any(v.effective_from == at for v in existing):
        raise Conflict("another version already starts at that instant", field="effective_from")
    await ctx.store.insert(
        "policy_parameters",
        {**p.as_dict(), "created_by": principal.subject, "created_at": clock.now()},
    )
    await ctx.uow.audit(principal, "parameters.add", version, reason=note or None, details=p.as_json())
    return p.as_json()
