"""HTTP routes of the referral service."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
