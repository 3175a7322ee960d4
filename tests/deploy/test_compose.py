"""docker-compose.yml: valid against the Compose Specification's JSON Schema, and the same
system as `make up` (Kafka in KRaft mode, PostgreSQL, migrations before servers, health
checks on /readyz, an OpenTelemetry collector; Prometheus and Jaeger on a profile)."""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import jsonschema
import pytest
import yaml

from medaid_shared.localstack import all_topics
from medaid_shared.services import SERVICES
from tests.deploy.support import (
    DATA,
    DEPLOY,
    DEPLOYABLES,
    REPO,
    SERVICE_NAMES,
    compose,
    compose_env,
    dockerfile,
    interpolate,
)

INFRA_CONDITIONS = {
    "postgres": "service_healthy",
    "kafka": "service_healthy",
    "kafka-init": "service_completed_successfully",
    "otel-collector": "service_started",
}


def _validator() -> jsonschema.Draft7Validator:
    schema = json.loads((DATA / "compose-spec.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _healthcheck_url(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    text = " ".join(test) if isinstance(test, list) else test
    match = re.search(r"http://[^'\" ]+", text)
    assert match, text
    return match.group(0)


def test_compose_file_is_valid_against_the_compose_specification() -> None:
    errors = sorted(_validator().iter_errors(compose()), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_compose_schema_rejects_what_compose_would_reject() -> None:
    """The schema check can fail: a misspelt key and an unknown depends_on condition."""
    validator = _validator()
    broken = compose()
    broken["services"]["referral"]["healtcheck"] = broken["services"]["referral"].pop("healthcheck")
    assert not validator.is_valid(broken)
    broken = compose()
    broken["services"]["referral"]["depends_on"]["postgres"]["condition"] = "service_ready"
    assert not validator.is_valid(broken)


def test_compose_runs_every_service_and_nothing_unknown() -> None:
    services = compose()["services"]
    expected = set(SERVICE_NAMES) | {f"{s}-migrate" for s in SERVICE_NAMES}
    expected |= {"postgres", "kafka", "kafka-init", "otel-collector", "prometheus", "jaeger", "console"}
    assert set(services) == expected


def test_kafka_is_the_official_image_in_kraft_mode() -> None:
    services = compose()["services"]
    for name in ("kafka", "kafka-init"):
        assert services[name]["image"].startswith("apache/kafka:"), services[name]["image"]
    env = compose_env(services["kafka"])
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(f"{env['KAFKA_NODE_ID']}@kafka:")
    assert not any("ZOOKEEPER" in key for key in env), "KRaft: no ZooKeeper"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false", "topics come from kafka-init only"
    advertised = dict(item.split("://") for item in env["KAFKA_ADVERTISED_LISTENERS"].split(","))
    assert advertised["PLAINTEXT"] == "kafka:9092"
    assert "healthcheck" in services["kafka"]


def test_compose_creates_every_topic_the_code_uses() -> None:
    init = compose()["services"]["kafka-init"]
    env = compose_env(init)
    created = set(env["TOPICS"].split())
    missing = set(all_topics("medaid")) - created
    assert not missing, f"add to kafka-init TOPICS in docker-compose.yml: {sorted(missing)}"
    assert created <= set(all_topics("medaid")), sorted(created - set(all_topics("medaid")))
    script = init["command"][0]
    assert "kafka-topics.sh" in script and "--create" in script and "--if-not-exists" in script
    assert "$${TOPICS}" in script, "the loop reads the TOPICS list (escaped from compose interpolation)"
    assert init["depends_on"] == {"kafka": {"condition": "service_healthy"}}
    assert init["restart"] == "no"


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_service_is_built_from_its_dockerfile_and_checked_on_readyz(service: str) -> None:
    info = SERVICES[service]
    spec = compose()["services"][service]
    assert spec["build"] == {"context": ".", "dockerfile": f"services/{service}/Dockerfile"}
    assert (REPO / spec["build"]["dockerfile"]).resolve() == dockerfile(service).resolve()
    assert interpolate(spec["image"]).startswith(f"medaid/{service}:")
    assert spec["ports"] == [f"127.0.0.1:{info.port}:{info.port}"], "same address as `make up`"
    assert _healthcheck_url(spec) == f"http://127.0.0.1:{info.port}/readyz"
    assert spec.get("profiles") is None, "the services run without any profile"


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_service_starts_only_after_its_migration_and_the_infrastructure(service: str) -> None:
    depends = compose()["services"][service]["depends_on"]
    expected = {name: {"condition": condition} for name, condition in INFRA_CONDITIONS.items()}
    expected[f"{service}-migrate"] = {"condition": "service_completed_successfully"}
    assert depends == expected


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_migration_is_a_one_shot_step_with_the_same_image(service: str) -> None:
    services = compose()["services"]
    migrate, server = services[f"{service}-migrate"], services[service]
    assert migrate["command"] == ["medaid", "migrate", "--service", service]
    assert migrate["image"] == server["image"]
    assert migrate["build"] == server["build"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert "ports" not in migrate and "healthcheck" not in migrate


@pytest.mark.parametrize("service", [*SERVICE_NAMES, *(f"{s}-migrate" for s in SERVICE_NAMES), "console"])
def test_our_containers_are_hardened(service: str) -> None:
    spec = compose()["services"][service]
    assert spec["read_only"] is True
    assert spec["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in spec["security_opt"]
    assert "user" not in spec, "the image's unprivileged user"


def test_services_reach_postgres_kafka_and_the_collector_by_their_compose_names() -> None:
    services = compose()["services"]
    postgres = compose_env(services["postgres"])
    for name in SERVICE_NAMES:
        env = compose_env(services[name])
        assert env["DATABASE_URL"] == (
            f"postgresql+asyncpg://{postgres['POSTGRES_USER']}:{postgres['POSTGRES_PASSWORD']}"
            f"@postgres:5432/{postgres['POSTGRES_DB']}"
        )
        assert compose_env(services[f"{name}-migrate"])["DATABASE_URL"] == env["DATABASE_URL"]
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"
        assert env["MEDAID_ENVIRONMENT"] == "development", "compose runs the development system, like make up"


def test_collector_receives_otlp_http_where_the_services_send_it() -> None:
    services = compose()["services"]
    collector = services["otel-collector"]
    (mount,) = collector["volumes"]
    source, target, _mode = mount.split(":")
    assert f"--config={target}" in collector["command"]
    config = yaml.safe_load((REPO / source).read_text())
    assert config["receivers"]["otlp"]["protocols"]["http"]["endpoint"] == "0.0.0.0:4318"
    traces = config["service"]["pipelines"]["traces"]
    assert traces["receivers"] == ["otlp"]
    assert set(traces["exporters"]) <= set(config["exporters"])
    assert set(traces["processors"]) <= set(config["processors"])
    jaeger = config["exporters"]["otlp/jaeger"]["endpoint"]
    assert jaeger == "jaeger:4317"
    jaeger_args = " ".join(services["jaeger"]["command"])
    assert "receivers.otlp.protocols.grpc.endpoint=0.0.0.0:4317" in jaeger_args


def test_observability_profile_is_optional_and_scrapes_every_service() -> None:
    services = compose()["services"]
    profiled = {name for name, spec in services.items() if spec.get("profiles")}
    assert profiled == {"prometheus", "jaeger"}
    assert all(services[n]["profiles"] == ["observability"] for n in profiled)
    (mount,) = services["prometheus"]["volumes"]
    config = yaml.safe_load((REPO / mount.split(":")[0]).read_text())
    targets = {t for job in config["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]}
    assert targets == {f"{name}:{info.port}" for name, info in DEPLOYABLES.items()}
    assert all(job["metrics_path"] == "/metrics" for job in config["scrape_configs"])


def test_mounted_files_exist() -> None:
    for name, spec in compose()["services"].items():
        for mount in spec.get("volumes") or []:
            source = mount.split(":")[0]
            if source.startswith("."):
                assert (REPO / source).is_file(), f"{name}: {source}"
                assert (REPO / source).resolve().is_relative_to(DEPLOY.resolve())


def test_kafka_init_script_is_valid_bash_after_interpolation() -> None:
    init = compose()["services"]["kafka-init"]
    assert init["entrypoint"][:2] == ["/bin/bash", "-ec"]
    script = interpolate(init["command"][0])
    result = subprocess.run(["bash", "-n", "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
