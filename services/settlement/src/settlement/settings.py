"""Settings of the settlement service."""

from __future__ import annotations

from typing import ClassVar

from medaid_shared.settings import ServiceSettings


class SettlementSettings(ServiceSettings):
    service_name: ClassVar[str] = "settlement"
    default_port: ClassVar[int] = 8003
