"""``medaid new-service <name>``: a new service folder in the one shape every service has.

It writes ``services/<name>/`` — settings, tables in the service's own schema (the kernel's
and the versioned-parameter table), a role × action policy, one query route, the
``ServiceDefinition`` in ``bootstrap.py``, the ASGI entry point, the first migration, a
README, a Dockerfile and a test folder — and prints the list of what else a service needs
(the registry, the workspace, the deployment manifests), which the deployment tests check:
a service folder without them fails ``tests/deploy``.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

FILES: dict[str, str] = {
    "pyproject.toml": """[project]
name = "medaid-$name"
version = "0.1.0"
description = "medaid $name service"
requires-python = ">=3.11"
dependencies = ["medaid-shared"]

[tool.uv.sources]
medaid-shared = { workspace = true }

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[tool.hatch.build.targets.wheel]
packages = ["src/$pkg"]
""",
    "README.md": """# $name

What this service owns, in the product's terms: (to be written).

Port $port; schema `$pkg`. The service is declared in `src/$pkg/bootstrap.py`
(`medaid_shared.service.ServiceDefinition`): settings, tables, policy, routers, consumers,
deadline handlers and versioned parameters. Layers: `domain/` (pure: rules and the
policy), `service/` (use cases), `adapters/` (tables, repositories), `api/` (routes that
hand their use case to `CommandRun` / `QueryRun`).
""",
    "src/$pkg/__init__.py": '''"""The medaid $name service."""
''',
    "src/$pkg/settings.py": '''"""Settings of the $name service (env prefix ``MEDAID_``)."""

from __future__ import annotations

from typing import ClassVar

from medaid_shared.settings import ServiceSettings


class ${cls}Settings(ServiceSettings):
    """What the $name service reads from its environment, beside the kernel's settings."""

    service_name: ClassVar[str] = "$name"
    default_port: ClassVar[int] = $port
''',
    "src/$pkg/domain/__init__.py": "",
    "src/$pkg/domain/policy.py": '''"""Who may do what in the $name service (role × action), as data."""

from __future__ import annotations

from medaid_shared.authz import Policy

STATUS = "$pkg.status"

POLICY = Policy.from_mapping(
    {
        STATUS: ["admin", "auditor"],
        # the kernel's versioned parameters (POST /admin/parameters)
        "parameters.change": ["admin"],
        "parameters.read": ["admin", "auditor"],
    }
)
''',
    "src/$pkg/service/__init__.py": "",
    "src/$pkg/service/ports.py": '''"""What the $name service's use cases need from storage, and the context they get."""

from __future__ import annotations

from typing import Protocol

from medaid_shared.parameters import ParameterVersion
from medaid_shared.usecase import UseCaseContext
from $pkg.settings import ${cls}Settings


class Repository(Protocol):
    """The service's records and named queries (one repository per unit of work)."""

    async def parameter_versions(self) -> list[ParameterVersion]:
        """The stored versions of the service's parameter kinds."""
        ...


Ctx = UseCaseContext[${cls}Settings, Repository]
"""The kernel's one use-case context, typed for this service."""
''',
    "src/$pkg/adapters/__init__.py": "",
    "src/$pkg/adapters/repository.py": '''"""The storage port (``service.ports.Repository``) on PostgreSQL, with SQLAlchemy Core."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from medaid_shared.idempotency import KERNEL_PARAMETERS
from medaid_shared.parameter_store import ParameterStore
from medaid_shared.parameters import ParameterVersion
from $pkg.adapters.tables import kernel


class SqlRepository:
    """One repository per unit of work (or read session)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def parameter_versions(self) -> list[ParameterVersion]:
        """The stored versions of the kernel's parameter kinds (the service's own join them)."""
        return await ParameterStore(self.session, kernel.parameter_version, KERNEL_PARAMETERS).versions()
''',
    "src/$pkg/adapters/tables.py": '''"""The $name service's tables, all in its own PostgreSQL schema."""

from __future__ import annotations

from sqlalchemy import MetaData

from medaid_shared.tables import kernel_tables

SCHEMA = "$pkg"
metadata = MetaData(schema=SCHEMA)
kernel = kernel_tables(metadata)
''',
    "src/$pkg/api/__init__.py": "",
    "src/$pkg/api/routes.py": '''"""The $name service's routes (under ``/v1``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from medaid_shared.routes import QueryRun
from $pkg.domain.policy import STATUS
from $pkg.service.ports import Ctx

router = APIRouter(tags=["$name"])


class StatusOut(BaseModel):
    """The service's name: it runs and answers."""

    service: str


@router.get("/status", response_model=StatusOut, summary="The service answers")
async def service_status(run: QueryRun) -> Any:
    """Whether the service answers (an example of a query route)."""

    async def query(ctx: Ctx) -> dict[str, str]:
        return {"service": ctx.settings.service_name}

    return await run(STATUS, query)
''',
    "src/$pkg/bootstrap.py": '''"""The $name service, declared: settings, tables, policy, repository and routers; its use
cases get the kernel's one use-case context (``service.ports.Ctx``)."""

from __future__ import annotations

from $pkg.adapters.repository import SqlRepository
from $pkg.adapters.tables import metadata
from $pkg.api.routes import router
from $pkg.domain.policy import POLICY
from $pkg.settings import ${cls}Settings as Settings
from medaid_shared.service import ServiceDefinition

__all__ = ["SERVICE", "Settings", "build_runtime", "create_app", "metadata"]

SERVICE = ServiceDefinition(
    title="medaid $name",
    description="(what the $name service owns)",
    settings=Settings,
    metadata=metadata,
    policy=POLICY,
    routers=lambda: [router],
    repository=SqlRepository,
)
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
''',
    "src/$pkg/main.py": '''"""ASGI entry point: ``uvicorn $pkg.main:app``."""

from $pkg.bootstrap import create_app

app = create_app()
''',
    "src/$pkg/migrations/env.py": """\"\"\"Alembic's environment: the service's own schema only.\"\"\"

from medaid_shared.migrations import run_env
from $pkg.adapters.tables import metadata

run_env(metadata)
""",
    "src/$pkg/migrations/script.py.mako": '''"""$${message}

Revision ID: $${up_revision}
Revises: $${down_revision | comma,n}
Create Date: $${create_date}
"""

from alembic import op
import sqlalchemy as sa
$${imports if imports else ""}

revision = $${repr(up_revision)}
down_revision = $${repr(down_revision)}
branch_labels = $${repr(branch_labels)}
depends_on = $${repr(depends_on)}


def upgrade() -> None:
    $${upgrades if upgrades else "pass"}


def downgrade() -> None:
    $${downgrades if downgrades else "pass"}
''',
    "src/$pkg/migrations/versions/0001_kernel.py": '''"""Kernel tables (outbox, inbox, dead letters, deadlines, audit log, idempotency keys,
calendar) and the versioned parameters.

Revision ID: 0001
Revises:
"""

from medaid_shared.migrations import create_kernel_tables, drop_kernel_tables
from medaid_shared.parameter_store import create_parameter_table, drop_parameter_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the kernel's tables and the parameter table in the service's schema."""
    create_kernel_tables("$pkg")
    create_parameter_table("$pkg")


def downgrade() -> None:
    """Drop them."""
    drop_parameter_table("$pkg")
    drop_kernel_tables("$pkg")
''',
    "tests_$pkg/__init__.py": "",
    "Dockerfile": """# syntax=docker/dockerfile:1
# medaid $name service image (port $port). Build from the repository root:
#
#   docker build -f services/$name/Dockerfile -t medaid/$name .
#
# The schema migration is a separate, earlier step with the same image:
#
#   docker run --rm -e DATABASE_URL=... medaid/$name medaid migrate --service $name

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM $${UV_IMAGE} AS uv

FROM $${PYTHON_IMAGE} AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \\
    UV_LINK_MODE=copy \\
    UV_PYTHON_DOWNLOADS=never \\
    UV_PYTHON_PREFERENCE=only-system \\
    UV_PROJECT_ENVIRONMENT=/opt/medaid/venv
WORKDIR /src
RUN --mount=type=cache,target=/root/.cache/uv \\
    --mount=type=bind,source=uv.lock,target=uv.lock \\
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \\
    uv sync --frozen --no-dev --no-install-workspace --package medaid-$name
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/pyproject.toml
COPY shared/src shared/src
COPY services/$name/pyproject.toml services/$name/pyproject.toml
COPY services/$name/src services/$name/src
RUN --mount=type=cache,target=/root/.cache/uv \\
    uv sync --frozen --no-dev --no-editable --package medaid-$name

FROM $${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="medaid-$name" \\
      org.opencontainers.image.description="medaid $name service"
RUN groupadd --system --gid 10001 medaid \\
 && useradd --system --uid 10001 --gid medaid --home-dir /nonexistent --no-create-home \\
      --shell /usr/sbin/nologin medaid
COPY --from=build /opt/medaid/venv /opt/medaid/venv
ENV PATH=/opt/medaid/venv/bin:$$PATH \\
    PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1
WORKDIR /app
USER 10001:10001
EXPOSE $port
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \\
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/readyz', timeout=2)"]
CMD ["uvicorn", "$pkg.main:app", "--host", "0.0.0.0", "--port", "$port", "--no-access-log", "--lifespan", "on"]
""",
}

CHECKLIST = """\
Created services/$name/ (package $pkg, schema $pkg, port $port). What else a service needs
(tests/deploy fails until the deployment entries exist):
  [ ] shared/src/medaid_shared/services.py: ServiceInfo("$name", "$pkg", $port) in SERVICES
  [ ] pyproject.toml (root): "medaid-$name" in the dependencies and [tool.uv.sources];
      "$pkg" in ruff's known-first-party, mypy_path, and each import-linter contract
  [ ] uv lock, then make .venv/.synced
  [ ] docker-compose.yml: services "$name" and "$name-migrate" (copy identity-check's)
  [ ] deploy/k8s/base/services/$name/ (deployment, service, migrate-job, hpa, pdb,
      networkpolicy, kustomization) and its line in deploy/k8s/base/kustomization.yaml
  [ ] the network policies of the services it calls or that call it
  [ ] .venv/bin/medaid contracts; .venv/bin/medaid trace --write
"""


def package_of(name: str) -> str:
    """The Python package (and schema) of a service name."""
    return name.replace("-", "_")


def _values(name: str, port: int) -> dict[str, str]:
    pkg = package_of(name)
    return {"name": name, "pkg": pkg, "port": str(port), "cls": "".join(p.title() for p in name.split("-"))}


def create_service(services_dir: Path, name: str, port: int) -> Path:
    """Write ``services_dir/<name>/`` from the skeleton; returns the folder. Refuses a name
    that is not lower-case words joined by ``-``, and a folder that already exists."""
    if not NAME.match(name):
        raise ValueError(f"{name!r}: a service name is lower-case words joined by '-' (e.g. dispute-office)")
    if not 1024 <= port <= 65535:
        raise ValueError(f"port {port} is not a port a service may listen on")
    folder = services_dir / name
    if folder.exists():
        raise FileExistsError(f"{folder} already exists")
    values = _values(name, port)
    for relative, text in FILES.items():
        path = folder / Template(relative).substitute(values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_first_party_sorted(Template(text).substitute(values), values["pkg"]))
    return folder


def _first_party_sorted(text: str, package: str) -> str:
    """The kernel's and the service's imports in one sorted block, as isort orders them
    once the package is first-party (the checklist's ruff step)."""
    first_party = re.compile(rf"^from (medaid_shared|{package})[. ]")
    lines, out = text.split("\n"), []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and first_party.match(lines[j]):
            j += 1
        out.extend(sorted(lines[i:j]) if j > i else [lines[i]])
        i = max(j, i + 1)
    return "\n".join(out)


def checklist(name: str, port: int) -> str:
    """What a new service needs beyond its folder."""
    return Template(CHECKLIST).substitute(_values(name, port))
