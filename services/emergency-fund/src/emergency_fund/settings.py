"""Settings of the emergency-fund service."""

from __future__ import annotations

from typing import ClassVar

from medaid_shared.settings import ServiceSettings


class EmergencyFundSettings(ServiceSettings):
    service_name: ClassVar[str] = "emergency-fund"
    default_port: ClassVar[int] = 8004
