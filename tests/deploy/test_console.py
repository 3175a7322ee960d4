"""The web console as a deployable: the same address as `make up` (127.0.0.1:8000), built from
its own image, no database or migration, its settings exactly what it reads, pointing at the
five services by their compose and Kubernetes names; on Kubernetes a hardened Deployment with
probes, a Service, an autoscaler and a disruption budget, its secrets as references, and the
network policies letting it (and only it, besides the ingress) reach the services' APIs."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

from console.settings import Settings
from medaid_shared.services import CONSOLE, SERVICES
from tests.deploy.support import (
    DEPLOY,
    OVERLAYS,
    SERVICE_NAMES,
    Doc,
    compose,
    compose_env,
    container_env,
    deployment_name,
    interpolate,
    named,
    rendered,
    selected_by,
    settings_env_names,
)
from tests.deploy.test_k8s_network import DNS, _egress_allows, _ingress_allows

NAME = deployment_name(CONSOLE.name)


def _container(doc: Doc) -> Doc:
    (container,) = doc["spec"]["template"]["spec"]["containers"]
    return container


def _settings(env: dict[str, str | None], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key in list(os.environ):
        if key.upper().startswith("MEDAID_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value if value is not None else "stand-in-for-a-secret-value-of-32-bytes")
    return Settings()


def test_make_up_and_compose_serve_the_console_on_port_8000() -> None:
    assert CONSOLE.port == Settings.default_port == 8000
    assert CONSOLE.port not in {info.port for info in SERVICES.values()}
    spec = compose()["services"]["console"]
    assert spec["build"] == {"context": ".", "dockerfile": "services/console/Dockerfile"}
    assert interpolate(spec["image"]).startswith("medaid/console:")
    assert spec["ports"] == ["127.0.0.1:8000:8000"]
    assert "127.0.0.1:8000/readyz" in " ".join(spec["healthcheck"]["test"])
    # After the services it calls, with no database, broker or migration of its own.
    assert spec["depends_on"] == {name: {"condition": "service_healthy"} for name in SERVICE_NAMES}
    assert "console-migrate" not in compose()["services"]


def test_compose_console_reads_only_its_settings_and_finds_every_service(monkeypatch: pytest.MonkeyPatch) -> None:
    env = compose_env(compose()["services"]["console"])
    unknown = sorted(set(env) - settings_env_names(Settings))
    assert not unknown, unknown
    assert not {"DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"} & set(env)
    settings = _settings(dict(env), monkeypatch)
    assert settings.environment == "development"
    assert settings.service_urls() == {name: f"http://{name}:{info.port}" for name, info in SERVICES.items()}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_k8s_console_deployment_is_probed_hardened_and_scaled(overlay: str) -> None:
    docs = rendered(overlay)
    deployment = named(docs, "Deployment", NAME)
    container = _container(deployment)
    assert [(p["name"], p["containerPort"]) for p in container["ports"]] == [("http", 8000)]
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert "command" not in container and "args" not in container
    assert deployment["spec"]["template"]["spec"]["enableServiceLinks"] is False
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    ctx = container["securityContext"]
    assert ctx["readOnlyRootFilesystem"] is True and ctx["runAsNonRoot"] is True
    assert ctx["capabilities"] == {"drop": ["ALL"]} and ctx["allowPrivilegeEscalation"] is False
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    service = named(docs, "Service", NAME)
    assert selected_by({"matchLabels": service["spec"]["selector"]}, labels)
    assert [p["port"] for p in service["spec"]["ports"]] == [8000]
    hpa = named(docs, "HorizontalPodAutoscaler", NAME)
    assert hpa["spec"]["scaleTargetRef"]["name"] == NAME
    assert selected_by(named(docs, "PodDisruptionBudget", NAME)["spec"]["selector"], labels)
    if overlay == "prod":
        assert hpa["spec"]["minReplicas"] >= 2
        assert re.fullmatch(r"medaid/console:\d+\.\d+\.\d+", container["image"]), container["image"]
    assert not [d for d in docs if d["kind"] == "Job" and "console" in d["metadata"]["name"]], "no migration"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_k8s_console_settings_parse_and_need_the_oidc_client_in_production(
    overlay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = rendered(overlay)
    env = container_env(docs, _container(named(docs, "Deployment", NAME)))
    unknown = sorted(set(env) - settings_env_names(Settings))
    assert not unknown, f"the console does not read {unknown}"
    assert env["MEDAID_REFERRAL_URL"] == "http://medaid-referral:8001"
    settings = _settings(env, monkeypatch)
    assert settings.environment == ("development" if overlay == "dev" else "production")
    assert settings.service_urls() == {
        name: f"http://{deployment_name(name)}:{info.port}" for name, info in SERVICES.items()
    }
    # Without the OIDC Secret (optional references), production refuses to start.
    if overlay == "prod":
        without = {k: v for k, v in env.items() if not k.startswith("MEDAID_OIDC_")}
        with pytest.raises(ValueError, match="MEDAID_OIDC_ISSUER"):
            _settings(without, monkeypatch)
    secrets = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in _container(named(docs, "Deployment", NAME))["env"]}
    assert secrets["MEDAID_SESSION_SECRET"] == {"name": "medaid-console-keys", "key": "session-secret"}
    readme = (DEPLOY / "README.md").read_text()
    for ref in secrets.values():
        assert ref["name"] in readme and ref["key"] in readme


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_let_the_console_reach_the_services_and_the_ingress_reach_it(overlay: str) -> None:
    docs = rendered(overlay)
    console_labels = named(docs, "Deployment", NAME)["spec"]["template"]["metadata"]["labels"]
    policy = named(docs, "NetworkPolicy", NAME)
    assert selected_by(policy["spec"]["podSelector"], console_labels)
    gateway = {"network.medaid.io/api-access": "true"}
    assert _ingress_allows(policy, {}, 8000, namespace=gateway)
    assert not _ingress_allows(policy, {}, 8000, namespace={"kubernetes.io/metadata.name": "other"})
    assert _egress_allows(policy, DNS[1], 53, "UDP", namespace=DNS[0])
    peers: dict[str, Any] = {}
    for name, info in SERVICES.items():
        api_labels = named(docs, "Deployment", deployment_name(name))["spec"]["template"]["metadata"]["labels"]
        peers[name] = api_labels
        assert _egress_allows(policy, api_labels, info.port), name
        service_policy = named(docs, "NetworkPolicy", deployment_name(name))
        assert _ingress_allows(service_policy, console_labels, info.port), f"{name} refuses the console"
    # Not the database or the brokers: the console has no data of its own.
    assert not _egress_allows(policy, {"cnpg.io/cluster": "medaid-pg", "cnpg.io/instanceRole": "primary"}, 5432)
    assert not _egress_allows(policy, {"strimzi.io/cluster": "medaid", "strimzi.io/broker-role": "true"}, 9092)
