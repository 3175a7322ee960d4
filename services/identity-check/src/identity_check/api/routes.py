"""HTTP routes of the identity-check service."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
