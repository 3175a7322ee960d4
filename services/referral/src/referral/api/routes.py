"""HTTP routes of the referral service: one router per resource, each route handing its use
case to the kernel's command or query dependency."""

from __future__ import annotations

from fastapi import APIRouter

from referral.api import (
    admissions,
    care_file,
    discharge,
    facilities,
    filings,
    followups,
    health_plans,
    persons,
    referrals,
)

router = APIRouter()
for resource in (facilities, persons, referrals, admissions, filings, discharge, health_plans, care_file, followups):
    router.include_router(resource.router)
