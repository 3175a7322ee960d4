"""HTTP routes of the consent service."""

from __future__ import annotations

from fastapi import APIRouter

from consent.api import persons

router = APIRouter()
router.include_router(persons.router)
