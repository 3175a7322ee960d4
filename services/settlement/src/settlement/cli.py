"""``python -m settlement.cli``: load and list the versioned policy parameters from data.

The same as ``medaid parameters load|list --service settlement`` (the kernel's command),
except that ``load`` without a file loads the shipped examples (insurance values marked as
examples). Only an administrator changes parameters: the command takes the administrator's
bearer token (``--token`` or ``MEDAID_TOKEN``), verifies it like the API does, and records
the load in the decision log under that administrator.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from medaid_shared import parameter_cli
from medaid_shared.parameter_cli import TokenOpt

app = typer.Typer(help="medaid settlement: policy parameters", no_args_is_help=True)

EXAMPLES = "example_parameters.json"


def example_file() -> Path:
    """The shipped example parameters (insurance values marked as examples)."""
    return Path(str(resources.files("settlement") / "data" / EXAMPLES))


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


if __name__ == "__main__":
    app()
