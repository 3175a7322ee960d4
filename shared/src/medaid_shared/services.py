"""The five services: name, package, port (and the web console, which runs beside them). Looked up by name (never imported here), so the
kernel stays independent of the services it runs."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    package: str
    port: int

    @property
    def schema(self) -> str:
        return self.name.replace("-", "_")

    @property
    def local_port(self) -> int:
        """The port ``make up`` serves it on; ``MEDAID_PORT_OFFSET`` shifts every service's."""
        return self.port + int(os.environ.get("MEDAID_PORT_OFFSET", "0"))

    def bootstrap(self) -> ModuleType:
        return importlib.import_module(f"{self.package}.bootstrap")

    def package_dir(self) -> Path:
        module = importlib.import_module(self.package)
        assert module.__file__
        return Path(module.__file__).parent

    def migrations_dir(self) -> Path:
        return self.package_dir() / "migrations"


SERVICES: dict[str, ServiceInfo] = {
    s.name: s
    for s in (
        ServiceInfo("referral", "referral", 8001),
        ServiceInfo("consent", "consent", 8002),
        ServiceInfo("settlement", "settlement", 8003),
        ServiceInfo("emergency-fund", "emergency_fund", 8004),
        ServiceInfo("identity-check", "identity_check", 8005),
    )
}

# The web console (工作台): a sixth deployable with no database, schema or events of its own;
# it is started beside the services and talks only to their APIs.
CONSOLE = ServiceInfo("console", "console", 8000)
