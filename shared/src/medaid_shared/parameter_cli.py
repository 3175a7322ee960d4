"""``medaid parameters``: load and list a service's versioned parameters from data.

Only an administrator changes parameters: the command takes the administrator's bearer
token (``--token`` or ``MEDAID_TOKEN``), verifies it as the API does, and records the load
in the service's decision log under that administrator. A load is all or nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from medaid_shared.auth import TokenVerifier
from medaid_shared.authz import Principal
from medaid_shared.errors import Problem
from medaid_shared.parameter_store import ServiceParameters
from medaid_shared.parameters import ParameterVersion
from medaid_shared.runtime import Runtime
from medaid_shared.services import SERVICES

parameters_app = typer.Typer(help="Versioned policy parameters of a service", no_args_is_help=True)
TokenOpt = Annotated[str | None, typer.Option("--token", envvar="MEDAID_TOKEN", help="an admin bearer token")]
OneService = Annotated[str, typer.Option("--service", "-s", help="the service whose parameters")]


def _load_local_env() -> None:
    env_file = Path(".medaid/local.env")
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                os.environ.setdefault(key.strip(), value.strip())


def _service(name: str) -> tuple[Any, ServiceParameters]:
    if name not in SERVICES:
        raise typer.BadParameter(f"unknown service {name}; known: {', '.join(SERVICES)}")
    bootstrap = SERVICES[name].bootstrap()
    declared = getattr(bootstrap, "SERVICE", None)
    parameters: ServiceParameters | None = getattr(declared, "parameters", None) or getattr(
        bootstrap, "PARAMETERS", None
    )
    if parameters is None:
        raise typer.BadParameter(f"{name} declares no versioned parameters")
    return bootstrap, parameters


def principal_of(settings: Any, token: str | None) -> Principal:
    """The administrator named by ``token`` (verified as the API verifies it)."""
    if not token:
        raise typer.BadParameter("an administrator's bearer token is required (--token or MEDAID_TOKEN)")
    try:
        return TokenVerifier(settings).verify(token)
    except Problem as exc:
        raise typer.BadParameter(exc.detail) from exc


def read_versions(parameters: ServiceParameters, path: Path) -> list[ParameterVersion]:
    """The versions of a JSON file ``{"versions": [...]}``; exits with 2 when unreadable."""
    try:
        data = json.loads(path.read_text())
        return [parameters.catalogue.version_model.model_validate(v) for v in data["versions"]]
    except (OSError, ValueError, KeyError, TypeError, ValidationError) as exc:
        typer.echo(f"cannot read {path}: {exc}", err=True)
        raise typer.Exit(2) from exc


async def load_versions(
    runtime: Runtime, parameters: ServiceParameters, principal: Principal, versions: list[ParameterVersion]
) -> dict[str, Any]:
    """Load ``versions`` into the service's database as ``principal``."""
    async with runtime.db.unit_of_work() as uow:
        return await parameters.store(uow.session, runtime.settings).load(uow, principal, versions)


async def list_versions(runtime: Runtime, parameters: ServiceParameters) -> list[dict[str, Any]]:
    """The stored versions of the service."""
    async with runtime.db.read() as session:
        return await parameters.store(session, runtime.settings).listing()


def run(bootstrap: Any, settings: Any, work: Any) -> Any:
    """Run ``work(runtime)`` against the service's database, then close it."""
    runtime = bootstrap.build_runtime(settings)

    async def go() -> Any:
        try:
            return await work(runtime)
        finally:
            await runtime.db.dispose()

    return asyncio.run(go())


@parameters_app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help='JSON {"versions": [...]}')], service: OneService, token: TokenOpt = None
) -> None:
    """Load parameter versions, all or nothing (overlapping or sub-statutory versions are refused)."""
    _load_local_env()
    bootstrap, parameters = _service(service)
    settings = bootstrap.Settings()
    principal = principal_of(settings, token)
    versions = read_versions(parameters, file)
    try:
        result = run(bootstrap, settings, lambda rt: load_versions(rt, parameters, principal, versions))
    except Problem as exc:
        typer.echo(f"refused: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    for version_id in result["loaded"]:
        typer.echo(f"loaded {version_id}")


@parameters_app.command("list")
def list_(service: OneService, token: TokenOpt = None) -> None:
    """Print the stored parameter versions as JSON."""
    _load_local_env()
    bootstrap, parameters = _service(service)
    settings = bootstrap.Settings()
    try:
        policy = bootstrap.SERVICE.policy if hasattr(bootstrap, "SERVICE") else bootstrap.POLICY
        policy.authorize(principal_of(settings, token), "parameters.read")
    except Problem as exc:
        typer.echo(f"refused: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    rows = run(bootstrap, settings, lambda rt: list_versions(rt, parameters))
    typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
