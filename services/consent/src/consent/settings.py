"""Settings of the consent service."""

from __future__ import annotations

from typing import ClassVar

from medaid_shared.settings import ServiceSettings


class ConsentSettings(ServiceSettings):
    service_name: ClassVar[str] = "consent"
    default_port: ClassVar[int] = 8002
