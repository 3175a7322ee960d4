"""``python -m settlement.cli``: load and list the versioned policy parameters and the
insurance catalogue (医保目录) from data.

The same as ``medaid parameters load|list --service settlement`` (the kernel's command),
except that ``load`` without a file loads the shipped examples (insurance values marked as
examples). Only an administrator changes parameters: the command takes the administrator's
bearer token (``--token`` or ``MEDAID_TOKEN``), verifies it like the API does, and records
the load in the decision log under that administrator.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from medaid_shared import parameter_cli
from medaid_shared.authz import Principal
from medaid_shared.errors import Problem
from medaid_shared.parameter_cli import TokenOpt
from medaid_shared.runtime import Runtime
from settlement import bootstrap
from settlement.domain.catalogue import CatalogueEntry
from settlement.service import catalogue

app = typer.Typer(help="medaid settlement: policy parameters", no_args_is_help=True)

EXAMPLES = "example_parameters.json"
CATALOGUE_EXAMPLE = "example_catalogue.json"


def example_file(name: str = EXAMPLES) -> Path:
    """A shipped example file (parameters or catalogue, its values marked as examples)."""
    return Path(str(resources.files("settlement") / "data" / name))


@app.command("load")
def load(
    file: Annotated[Path | None, typer.Argument(help='JSON {"versions": [...]}; default: the shipped examples')] = None,
    token: TokenOpt = None,
) -> None:
    """Load parameter versions, all or nothing (overlapping versions are refused)."""
    parameter_cli.load(file or example_file(), "settlement", token)


@app.command("list")
def list_(token: TokenOpt = None) -> None:
    """Print the stored parameter versions as JSON."""
    parameter_cli.list_("settlement", token)


async def load_catalogue_entries(
    runtime: Runtime, principal: Principal, entries: list[CatalogueEntry]
) -> dict[str, Any]:
    async with runtime.db.unit_of_work() as uow:
        return await catalogue.load_catalogue(bootstrap.command(runtime, uow), principal, entries)


async def list_catalogue_entries(runtime: Runtime) -> list[dict[str, Any]]:
    async with runtime.db.read() as session:
        return await catalogue.list_catalogue(bootstrap.query(runtime, session), None, None)


@app.command("catalogue-load")
def catalogue_load(
    file: Annotated[Path | None, typer.Argument(help='JSON {"items": [...]}; default: the shipped example')] = None,
    token: TokenOpt = None,
) -> None:
    """Load insurance catalogue entries, all or nothing (overlapping entries are refused)."""
    parameter_cli._load_local_env()
    settings = bootstrap.Settings()
    principal = parameter_cli.principal_of(settings, token)
    path = file or example_file(CATALOGUE_EXAMPLE)
    try:
        data = json.loads(path.read_text())
        entries = [CatalogueEntry.model_validate(v) for v in data["items"]]
    except (OSError, ValueError, KeyError, TypeError, ValidationError) as exc:
        typer.echo(f"cannot read {path}: {exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        result = parameter_cli.run(bootstrap, settings, lambda rt: load_catalogue_entries(rt, principal, entries))
    except Problem as exc:
        typer.echo(f"refused: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"loaded {len(result['loaded'])} catalogue entries")


@app.command("catalogue-list")
def catalogue_list(token: TokenOpt = None) -> None:
    """Print the stored catalogue entries as JSON."""
    parameter_cli._load_local_env()
    settings = bootstrap.Settings()
    try:
        bootstrap.POLICY.authorize(parameter_cli.principal_of(settings, token), "catalogue.read")
    except Problem as exc:
        typer.echo(f"refused: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    rows = parameter_cli.run(bootstrap, settings, list_catalogue_entries)
    typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    app()
