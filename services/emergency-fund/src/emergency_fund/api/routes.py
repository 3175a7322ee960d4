"""HTTP routes of the emergency-fund service."""

from __future__ import annotations

from fastapi import APIRouter

from emergency_fund.api import funds, reference

router = APIRouter()
router.include_router(funds.router)
router.include_router(reference.router)
