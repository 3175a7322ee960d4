"""``medaid new-service``: a service generated from the one skeleton is lint-clean, migrates,
boots and answers — and the command refuses a taken name, a bad name or an existing folder."""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from medaid_shared.app import API_PREFIX
from medaid_shared.auth import issue_token
from medaid_shared.cli import app as cli
from medaid_shared.migrations import upgrade
from medaid_shared.new_service import create_service
from medaid_shared.testing import REPO_ROOT, ROOT, Infrastructure, migration_drift

NAME, PACKAGE, PORT = "dispute-office", "dispute_office", 8016


@pytest.fixture
def generated(tmp_path: Path) -> Iterator[Path]:
    """The service written into a temporary services folder, importable while the test runs."""
    folder = create_service(tmp_path / "services", NAME, PORT)
    sys.path.insert(0, str(folder / "src"))
    try:
        yield folder
    finally:
        sys.path.remove(str(folder / "src"))
        for module in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[module]


def test_the_generated_service_is_lint_clean(generated: Path) -> None:
    ruff = REPO_ROOT / ".venv" / "bin" / "ruff"
    # As the repository's configuration checks it once the checklist made the package first-party.
    first_party = f"lint.isort.known-first-party = ['medaid_shared', '{PACKAGE}']"
    for args in (["check", "--no-cache", "--config", first_party], ["format", "--check", "--no-cache"]):
        result = subprocess.run(
            [str(ruff), *args, str(generated)], capture_output=True, text=True, cwd=REPO_ROOT, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr


async def test_the_generated_service_migrates_boots_and_answers(
    generated: Path, infrastructure: Infrastructure
) -> None:
    bootstrap = importlib.import_module(f"{PACKAGE}.bootstrap")
    await asyncio.to_thread(upgrade, generated / "src" / PACKAGE / "migrations", infrastructure.database_url)
    settings = bootstrap.Settings(
        database_url=infrastructure.database_url,
        kafka_bootstrap_servers=infrastructure.kafka_bootstrap,
        topic_prefix=infrastructure.topic_prefix,
        environment="test",
        run_background=False,
    )
    assert settings.db_schema == PACKAGE and settings.default_port == PORT
    app = bootstrap.create_app(settings)
    runtime = app.state.runtime
    await runtime.start()
    try:
        assert await migration_drift(runtime) == []  # the first migration builds what the code declares
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"{ROOT}{API_PREFIX}") as client:
            assert (await client.get(f"{ROOT}/healthz")).status_code == 200
            admin = {"Authorization": f"Bearer {issue_token(settings, subject='admin-1', role='admin')}"}
            answer = await client.get("/status", headers=admin)
            assert answer.status_code == 200 and answer.json() == {"service": NAME}
            hospital = {"Authorization": f"Bearer {issue_token(settings, subject='h-1', role='hospital')}"}
            assert (await client.get("/status", headers=hospital)).status_code == 403
            kinds = (await client.get("/parameters/kinds", headers=admin)).json()["kinds"]
            assert {"idempotency_retention", "consumer_attempts"} <= {k["kind"] for k in kinds}
    finally:
        await runtime.stop()


def test_the_command_writes_the_folder_and_prints_the_checklist(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["new-service", NAME, "--port", str(PORT), "--services-dir", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert (tmp_path / NAME / "src" / PACKAGE / "bootstrap.py").is_file()
    assert "docker-compose.yml" in done.output and "deploy/k8s/base/services/dispute-office/" in done.output
    again = runner.invoke(cli, ["new-service", NAME, "--port", str(PORT), "--services-dir", str(tmp_path)])
    assert again.exit_code != 0 and "already exists" in again.output
    taken = runner.invoke(cli, ["new-service", "referral", "--port", "8031", "--services-dir", str(tmp_path)])
    assert taken.exit_code != 0
    bad = runner.invoke(cli, ["new-service", "Dispute_Office", "--port", "8032", "--services-dir", str(tmp_path)])
    assert bad.exit_code != 0
