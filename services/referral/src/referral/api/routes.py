"""HTTP routes of the referral service: one router per resource, each route handing its use
case to the kernel's command or query dependency."""

from __future__ import annotations

from fastapi import APIRouter

from referral.api import (
    admissions,
    care_file,
    discharge,
    emergency,
    facilities,
    filings,
    followups,
    health_plans,
    persons,
    referrals,
    work,
)

router = APIRouter()
for resource in (
    facilities,
    persons,
    referrals,
    admissions,
    emergency,
    filings,
    discharge,
    health_plans,
    care_file,
    followups,
    work,
):
    router.include_router(resource.router)
