"""What the deployment tests read: docker-compose.yml, the Dockerfiles, the rendered
Kubernetes overlays, the schemas in data/, and the services' settings classes."""

from __future__ import annotations

import copy
import functools
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import AliasChoices, AliasPath

from medaid_shared.services import CONSOLE, SERVICES, ServiceInfo

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"
OVERLAYS = ("dev", "prod")
DATA = Path(__file__).resolve().parent / "data"
COMPOSE_FILE = REPO / "docker-compose.yml"
SERVICE_NAMES = tuple(SERVICES)
# Every image we build: the five services and the web console (no database, no migration).
DEPLOYABLES: dict[str, ServiceInfo] = {**SERVICES, CONSOLE.name: CONSOLE}
IMAGE_NAMES = tuple(DEPLOYABLES)

Doc = dict[str, Any]
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# ---------------------------------------------------------------- Kubernetes


def kubectl() -> str:
    path = shutil.which("kubectl") or "/usr/bin/kubectl"
    if not Path(path).is_file():
        raise RuntimeError("kubectl not found: the deployment tests render the overlays with `kubectl kustomize`")
    return path


@functools.cache
def _rendered(overlay: str) -> tuple[Doc, ...]:
    result = subprocess.run(
        [kubectl(), "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"kubectl kustomize deploy/k8s/overlays/{overlay} failed:\n{result.stderr}")
    return tuple(doc for doc in yaml.load_all(result.stdout, Loader=_LOADER) if doc)


def rendered(overlay: str) -> list[Doc]:
    """The overlay as the cluster would receive it (a fresh copy: tests may not share edits)."""
    return copy.deepcopy(list(_rendered(overlay)))


def of_kind(docs: Iterable[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d["kind"] == kind]


def named(docs: Iterable[Doc], kind: str, name: str) -> Doc:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} named {name}, found {len(found)}"
    return found[0]


def selected_by(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a label selector (matchLabels / matchExpressions) selects these labels."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if (
            (op == "In" and labels.get(key) not in values)
            or (op == "NotIn" and labels.get(key) in values)
            or (op == "Exists" and key not in labels)
            or (op == "DoesNotExist" and key in labels)
        ):
            return False
    return True


def pod_templates(docs: Iterable[Doc]) -> Iterator[tuple[Doc, Doc]]:
    """(workload, pod template) for every Deployment and Job."""
    for doc in docs:
        if doc["kind"] in ("Deployment", "Job"):
            yield doc, doc["spec"]["template"]


def container_env(docs: list[Doc], container: Doc) -> dict[str, str | None]:
    """The environment a container gets: its ConfigMaps (envFrom) resolved to their keys and
    values, then its own env entries (value, or None for a Secret/field reference)."""
    env: dict[str, str | None] = {}
    for source in container.get("envFrom") or []:
        assert "configMapRef" in source, f"envFrom other than a ConfigMap: {source}"
        configmap = named(docs, "ConfigMap", source["configMapRef"]["name"])
        env.update(configmap.get("data") or {})
    for entry in container.get("env") or []:
        env[entry["name"]] = entry.get("value")
    return env


def secret_refs(container: Doc) -> list[dict[str, Any]]:
    return [
        e["valueFrom"]["secretKeyRef"] for e in container.get("env") or [] if "secretKeyRef" in e.get("valueFrom", {})
    ]


def deployment_name(service: str) -> str:
    return f"medaid-{service}"


# ---------------------------------------------------------------- compose


def compose() -> Doc:
    loaded: Doc = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


_INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::?-(?P<default>[^}]*))?\}")


def interpolate(value: str) -> str:
    """Compose's variable interpolation with nothing set in the environment: `${X:-d}` → d.
    A bare `${X}` (no default) is an error: `docker compose up` must work with no .env file."""

    def sub(match: re.Match[str]) -> str:
        if match.group("default") is None:
            raise AssertionError(f"{match.group(0)} has no default")
        return match.group("default")

    return _INTERPOLATION.sub(sub, value.replace("$$", "\0")).replace("\0", "$")


def compose_env(service: Doc) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: interpolate(str(value)) for key, value in env.items()}


# ---------------------------------------------------------------- Dockerfiles


def dockerfile(service: str) -> Path:
    return REPO / "services" / service / "Dockerfile"


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order; continuation lines joined, comments dropped."""
    logical: list[str] = []
    current = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    if current:
        logical.append(current)
    result = []
    for line in logical:
        instruction, _, args = line.partition(" ")
        result.append((instruction.upper(), args.strip()))
    return result


# ---------------------------------------------------------------- settings


def settings_class(service: str) -> Any:
    return SERVICES[service].bootstrap().Settings


def _alias_names(alias: Any) -> set[str]:
    if isinstance(alias, str):
        return {alias}
    if isinstance(alias, AliasPath):
        return {str(alias.path[0])}
    if isinstance(alias, AliasChoices):
        return set().union(*(_alias_names(choice) for choice in alias.choices))
    return set()


def settings_env_names(settings_cls: Any) -> set[str]:
    """Every environment variable name a pydantic-settings class reads (upper-cased: the
    classes are case-insensitive). An alias replaces the env prefix, as in pydantic-settings."""
    config = settings_cls.model_config
    prefix = config.get("env_prefix", "")
    names: set[str] = set()
    for field_name, field in settings_cls.model_fields.items():
        aliases = _alias_names(field.validation_alias) or _alias_names(field.alias)
        names |= aliases or {f"{prefix}{field_name}"}
    if not config.get("case_sensitive", False):
        names = {name.upper() for name in names}
    return names


# ---------------------------------------------------------------- schemas


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def crd_schema_to_json_schema(node: Any) -> Any:
    """A CRD openAPIV3Schema as JSON Schema, with every object that does not preserve unknown
    fields closed (stricter than the API server, which prunes unknown fields silently)."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: crd_schema_to_json_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = crd_schema_to_json_schema(value)
        elif key.startswith("x-kubernetes-"):
            continue
        else:
            out[key] = value
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if (
        node.get("type") == "object"
        and "properties" in node
        and "additionalProperties" not in node
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


CRD_SCHEMAS = {
    ("kafka.strimzi.io/v1beta2", "Kafka"): "kafka.strimzi.io_v1beta2_Kafka.yaml",
    ("kafka.strimzi.io/v1beta2", "KafkaNodePool"): "kafka.strimzi.io_v1beta2_KafkaNodePool.yaml",
    ("kafka.strimzi.io/v1beta2", "KafkaTopic"): "kafka.strimzi.io_v1beta2_KafkaTopic.yaml",
    ("postgresql.cnpg.io/v1", "Cluster"): "postgresql.cnpg.io_v1_Cluster.yaml",
}


@functools.cache
def crd_json_schema(api_version: str, kind: str) -> Any:
    return crd_schema_to_json_schema(load_yaml(DATA / "crds" / CRD_SCHEMAS[(api_version, kind)]))


# ---------------------------------------------------------------- service folders


def deployment_gaps(root: Path = REPO) -> dict[str, list[str]]:
    """For every service folder under ``root/services`` (one with a ``pyproject.toml``), what
    of its deployment is missing: its entry in the service registry, its Dockerfile, its
    docker-compose services, its Kubernetes manifests and their place in the base
    kustomization. A folder made by ``medaid new-service`` lacks all but the Dockerfile
    until its checklist is done."""
    compose_services = set(yaml.safe_load((root / "docker-compose.yml").read_text())["services"])
    base = root / "deploy" / "k8s" / "base"
    resources = set(yaml.safe_load((base / "kustomization.yaml").read_text()).get("resources") or [])
    gaps: dict[str, list[str]] = {}
    for project in sorted((root / "services").glob("*/pyproject.toml")):
        name, folder = project.parent.name, project.parent
        migrates = name != CONSOLE.name  # the console has no database
        manifests = base / "services" / name
        wanted = {
            "registry entry (medaid_shared.services)": name in DEPLOYABLES,
            "Dockerfile": (folder / "Dockerfile").is_file(),
            f"docker-compose.yml service {name}": name in compose_services,
            f"docker-compose.yml service {name}-migrate": not migrates or f"{name}-migrate" in compose_services,
            f"deploy/k8s/base/services/{name}/kustomization.yaml": (manifests / "kustomization.yaml").is_file(),
            f"deploy/k8s/base/services/{name}/deployment.yaml": (manifests / "deployment.yaml").is_file(),
            f"deploy/k8s/base/services/{name}/migrate-job.yaml": not migrates
            or (manifests / "migrate-job.yaml").is_file(),
            f"services/{name} in deploy/k8s/base/kustomization.yaml": f"services/{name}" in resources,
        }
        missing = [what for what, present in wanted.items() if not present]
        if missing:
            gaps[name] = missing
    return gaps
