"""HTTP routes of the emergency-fund service."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
