"""``python -m settlement.cli``: load and list the versioned policy parameters from data.

Only an administrator changes parameters: the command takes the administrator's bearer
token (``--token`` or ``MEDAID_TOKEN``), verifies it like the API does, and records the
load in the decision log under that administrator.
"""

from __future__ import annotations

import asyncio
import json
import os
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from medaid_shared.auth import Principal, TokenVerifier
from medaid_shared.problems import Problem
from medaid_shared.runtime import Runtime
from settlement.bootstrap import WIRING, Settings, build_runtime
from settlement.domain.parameters import ParameterVersion
from settlement.domain.policy import POLICY
from settlement.service import parameters

app = typer.Typer(help="medaid settlement: policy parameters", no_args_is_help=True)

EXAMPLES = "example_parameters.json"
TokenOpt = Annotated[str | None, typer.Option("--token", envvar="MEDAID_TOKEN", help="an admin bearer token")]


def example_file() -> Path:
    """The shipped example parameters (insurance values marked as examples)."""
    return Path(str(resources.files("settlement") / "data" / EXAMPLES))


def _load_local_env() -> None:
    env_file = Path(".medaid/local.env")
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                os.environ.setdefault(key.strip(), value.strip())


def _principal(settings: Settings, token: str | None) -> Principal:
    if not token:
        raise typer.BadParameter("an administrator's bearer token is required (--token or MEDAID_TOKEN)")
    try:
        return TokenVerifier(settings).verify(token)
    except Problem as exc:
        raise typer.BadParameter(exc.detail) from exc


async def load_versions(runtime: Runtime, principal: Principal, versions: list[ParameterVersion]) -> dict[str, Any]:
    async with runtime.db.unit_of_work() as uow:
        return await parameters.load_parameters(WIRING.command(runtime, uow), principal, versions)


async def list_versions(runtime: Runtime) -> list[dict[str, Any]]:
    async with runtime.db.read() as session:
        return await parameters.list_parameters(WIRING.query(runtime, session), None, None)


def _run(settings: Settings, work: Any) -> Any:
    runtime = build_runtime(settings)

    async def go() -> Any:
        try:
            return await work(runtime)
        finally:
            await runtime.db.dispose()

    return asyncio.run(go())


@app.command("load")
def load(
    file: Annotated[Path | None, typer.Argument(help='JSON {"versions": [...]}; default: the shipped examples')] = None,
    token: TokenOpt = None,
) -> None:
    """Load parameter versions, all or nothing (overlapping versions are refused)."""
    _load_local_env()
    settings = Settings()
    principal = _principal(settings, token)
    path = file or example_file()
    try:
        data = json.loads(path.read_text())
        versions = [ParameterVersion.model_validate(v) for v in data["versions"]]
    except (OSError, ValueError, KeyError, ValidationError) as exc:
        typer.echo(f"cannot read {path}: {exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        result = _run(settings, lambda rt: load_versions(rt, principal, versions))
    except Problem as exc:
        typer.echo(f"refused: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    for version_id in result["loaded"]:
        typer.echo(f"loaded {version_id}")


@app.command("list")
def list_(token: TokenOpt = None) -> None:
    """Print the stored parameter versions as JSON."""
    _load_local_env()
    settings = Settings()
    try:
        POLICY.authorize(_principal(settings, token), "parameters.read")
    except Problem as exc:
        typer.echo(f"refused: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(json.dumps(_run(settings, list_versions), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    app()
