"""Settings of the identity-check service."""

from __future__ import annotations

from typing import ClassVar

from medaid_shared.settings import ServiceSettings


class IdentityCheckSettings(ServiceSettings):
    service_name: ClassVar[str] = "identity-check"
    default_port: ClassVar[int] = 8005
