"""Settings of the referral service."""

from __future__ import annotations

from typing import ClassVar

from medaid_shared.settings import ServiceSettings


class ReferralSettings(ServiceSettings):
    service_name: ClassVar[str] = "referral"
    default_port: ClassVar[int] = 8001
