"""The Dockerfiles: one per service (and the web console's), multi-stage, slim, non-root, installing exactly what
uv.lock pins for that service, serving on the service's port; migration is another command."""

from __future__ import annotations

import json
import re
import shlex
import tomllib

import pytest

from tests.deploy.support import DEPLOYABLES, IMAGE_NAMES, REPO, dockerfile, dockerfile_instructions


def _args(instructions: list[tuple[str, str]], name: str) -> list[str]:
    return [args for instruction, args in instructions if instruction == name]


def _exec_form(args: str) -> list[str]:
    assert args.startswith("["), f"not exec form (signals would not reach the server): {args}"
    value = json.loads(args)
    assert isinstance(value, list)
    return [str(v) for v in value]


def _arg_defaults(instructions: list[tuple[str, str]]) -> dict[str, str]:
    defaults = {}
    for args in _args(instructions, "ARG"):
        name, _, default = args.partition("=")
        defaults[name] = default
    return defaults


def _stages(instructions: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction, args in instructions:
        if instruction == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((instruction, args))
    return stages


def test_every_service_has_a_dockerfile_and_nothing_else_is_one() -> None:
    found = {p.parent.name for p in (REPO / "services").glob("*/Dockerfile")}
    assert found == set(IMAGE_NAMES)


@pytest.mark.parametrize("service", IMAGE_NAMES)
def test_image_is_multi_stage_slim_and_runs_as_an_unprivileged_user(service: str) -> None:
    instructions = dockerfile_instructions(dockerfile(service))
    args = _arg_defaults(instructions)
    stages = _stages(instructions)
    assert len(stages) >= 2, "multi-stage: build tools stay out of the runtime image"
    runtime = stages[-1]
    base = runtime[0][1].split(" AS ")[0]
    base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], base)
    assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", base), base
    users = _args(runtime, "USER")
    assert users, "the runtime stage sets a USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000, f"numeric non-root uid (runAsNonRoot can check it): {uid}"
    # No package manager, compiler or uv in the final image: only the built environment is copied.
    assert not any("uv " in a or "apt-get" in a or "pip " in a for a in _args(runtime, "RUN")), runtime
    copies = _args(runtime, "COPY")
    assert copies and all(c.startswith("--from=build ") for c in copies), copies


@pytest.mark.parametrize("service", IMAGE_NAMES)
def test_image_installs_from_the_lock_file_only_this_service(service: str) -> None:
    instructions = dockerfile_instructions(dockerfile(service))
    syncs = [a for a in _args(instructions, "RUN") if "uv sync" in a]
    assert syncs
    for run in syncs:
        command = shlex.split(run[run.index("uv sync") :])
        assert "--frozen" in command, "install exactly what uv.lock pins"
        assert "--no-dev" in command
        assert command[command.index("--package") + 1] == f"medaid-{service}"
    # The final sync installs the packages themselves, not editable links to the build stage.
    assert "--no-editable" in shlex.split(syncs[-1])
    # Sources copied: the kernel and this service only; every copied path exists.
    copied = []
    for args in _args(_stages(instructions)[-2], "COPY"):
        if args.startswith("--from="):
            continue
        parts = [p for p in args.split() if not p.startswith("--")]
        copied += parts[:-1]
    for path in copied:
        assert (REPO / path).exists(), f"COPY {path}: no such path"
    other_services = [p for p in copied if p.startswith("services/") and not p.startswith(f"services/{service}/")]
    assert not other_services, other_services
    assert "uv.lock" in copied


@pytest.mark.parametrize("service", IMAGE_NAMES)
def test_image_uses_the_uv_version_the_makefile_pins(service: str) -> None:
    pinned = re.search(r"^UV_VERSION := (\S+)$", (REPO / "Makefile").read_text(), re.M)
    assert pinned
    args = _arg_defaults(dockerfile_instructions(dockerfile(service)))
    assert args["UV_IMAGE"] == f"ghcr.io/astral-sh/uv:{pinned.group(1)}"


@pytest.mark.parametrize("service", IMAGE_NAMES)
def test_image_serves_the_service_on_its_port_and_migrates_separately(service: str) -> None:
    info = DEPLOYABLES[service]
    instructions = dockerfile_instructions(dockerfile(service))
    cmd = _exec_form(_args(instructions, "CMD")[-1])
    assert cmd[:2] == ["uvicorn", f"{info.package}.main:app"]
    assert cmd[cmd.index("--port") + 1] == str(info.port)
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0"
    assert "migrate" not in cmd, "the server start does not migrate; `medaid migrate` is its own step"
    assert _args(instructions, "EXPOSE") == [str(info.port)]
    (healthcheck,) = _args(instructions, "HEALTHCHECK")
    assert f"http://127.0.0.1:{info.port}/readyz" in healthcheck
    assert not _args(instructions, "ENTRYPOINT"), "no entrypoint: `medaid migrate ...` replaces the command"


def test_image_python_satisfies_the_projects_requires_python() -> None:
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    minimum = tuple(int(x) for x in requires.removeprefix(">=").split("."))
    for service in IMAGE_NAMES:
        base = _arg_defaults(dockerfile_instructions(dockerfile(service)))["PYTHON_IMAGE"]
        version = re.match(r"python:(\d+)\.(\d+)", base)
        assert version and (int(version.group(1)), int(version.group(2))) >= minimum, base
