"""The parameters CLI (``python -m settlement.cli``): an administrator loads versions from a
file; anyone else is refused; overlapping versions are refused."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from medaid_shared.auth import issue_token
from medaid_shared.testing import ServiceHarness
from tests_settlement.factories import BASIC_PARAMETERS


async def cli(svc: ServiceHarness, *args: str, role: str = "admin") -> tuple[int, str, str]:
    token = issue_token(svc.runtime.settings, subject=f"{role}-cli", role=role)
    env = {**os.environ, **svc.infra.env(MEDAID_TOKEN=token)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "settlement.cli", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def _stored(svc: ServiceHarness) -> list[str]:
    r = await svc.client.get("/parameters", headers=svc.token("medical_insurance"))
    return [v["version_id"] for v in r.json()["items"]]


async def test_admin_loads_the_shipped_examples_with_the_cli(svc: ServiceHarness) -> None:
    code, out, err = await cli(svc, "load")
    assert code == 0, err
    assert "loaded medical_aid:any:any:2026-01-01" in out
    assert "medical_aid:any:any:2026-01-01" in await _stored(svc)
    code, out, _ = await cli(svc, "list", role="medical_insurance")
    assert code == 0
    assert any(v["example"] for v in json.loads(out))
    # loading the same versions again overlaps: refused, nothing changes
    before = await _stored(svc)
    code, _, err = await cli(svc, "load")
    assert code == 1
    assert "overlapping" in err
    assert await _stored(svc) == before


async def test_only_an_administrator_loads_parameters_with_the_cli(svc: ServiceHarness, tmp_path: Path) -> None:
    file = tmp_path / "p.json"
    file.write_text(json.dumps({"versions": [BASIC_PARAMETERS]}))
    code, _, err = await cli(svc, "load", str(file), role="medical_insurance")
    assert code == 1
    assert "administrator" in err
    assert await _stored(svc) == []
    code, _, _ = await cli(svc, "list", role="police")
    assert code == 1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"versions": [{**BASIC_PARAMETERS, "values": {"ratio": "2"}}]}))
    code, _, err = await cli(svc, "load", str(bad))
    assert code == 2
    assert await _stored(svc) == []
    code, _, _ = await cli(svc, "load", str(file))
    assert code == 0
    assert await _stored(svc) == ["basic_insurance:any:any:2026-01-01"]
