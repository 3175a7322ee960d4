"""Who may do what in the referral service (role × action), as data."""

from __future__ import annotations

from medaid_shared.auth import Policy

POLICY = Policy.from_mapping({})
