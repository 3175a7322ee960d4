"""HTTP routes of the emergency-fund service."""

from __future__ import annotations

from fastapi import APIRouter

from emergency_fund.api import applications, blacklist, cases, funds, public, queues, reference, refunds, reports

router = APIRouter()
router.include_router(funds.router)
router.include_router(reference.router)
router.include_router(cases.router)
router.include_router(applications.router)
router.include_router(refunds.router)
router.include_router(blacklist.router)
router.include_router(reports.router)
router.include_router(queues.router)
router.include_router(public.router)
