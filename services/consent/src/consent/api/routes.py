"""HTTP routes of the consent service."""

from __future__ import annotations

from fastapi import APIRouter

from consent.api import major, persons, rank4, selfpay, treatments

router = APIRouter()
router.include_router(persons.router)
router.include_router(treatments.router)
router.include_router(selfpay.router)
router.include_router(major.router)
router.include_router(rank4.router)
