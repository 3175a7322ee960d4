"""The deployment files describe the services the tests run: every environment variable
they set is a setting the service reads (and parses), every port is the service's port,
every topic the code uses exists with enough partitions, and the database takes the
connections the autoscalers can open."""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from typing import Any

import pytest

from medaid_shared.localstack import all_topics
from medaid_shared.services import SERVICES
from tests.deploy.support import (
    DEPLOY,
    OVERLAYS,
    SERVICE_NAMES,
    Doc,
    compose,
    compose_env,
    container_env,
    deployment_name,
    named,
    of_kind,
    rendered,
    settings_class,
    settings_env_names,
)

CASES = [(overlay, service) for overlay in OVERLAYS for service in SERVICE_NAMES]
# A stand-in for each Secret value, only to check that the settings parse.
SECRET_STAND_IN = base64.b64encode(b"stand-in for a Secret, 32 bytes!").decode()


def _container(docs: list[Doc], kind: str, name: str) -> Doc:
    (container,) = named(docs, kind, name)["spec"]["template"]["spec"]["containers"]
    return container


def _settings_from(env: Mapping[str, str | None], service: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Build the service's Settings from exactly this environment (Secret references get a
    stand-in value), as the container would at start-up."""
    names = settings_env_names(settings_class(service))
    for key in list(os.environ):
        if key.upper() in names or key.upper().startswith("MEDAID_"):
            monkeypatch.delenv(key)
    from medaid_shared.crypto import new_keypair

    # The fund and consent check their key pairs belong together: stand in with real pairs.
    private, public = new_keypair()
    forms_private, forms_public = new_keypair()
    diagnosis_private, diagnosis_public = new_keypair()
    pair = {
        "MEDAID_DIAGNOSIS_GROUPS_PRIVATE_KEY": diagnosis_private,
        "MEDAID_DIAGNOSIS_GROUPS_PUBLIC_KEY": diagnosis_public,
        "MEDAID_PERSON_MATCHING_PRIVATE_KEY": private,
        "MEDAID_PERSON_MATCHING_PUBLIC_KEY": public,
        "MEDAID_CONSENT_FORMS_PRIVATE_KEY": forms_private,
        "MEDAID_CONSENT_FORMS_PUBLIC_KEY": forms_public,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, pair.get(key, SECRET_STAND_IN) if value is None else value)
    return settings_class(service)()


def test_the_settings_introspection_sees_aliases_and_prefixes() -> None:
    names = settings_env_names(settings_class("referral"))
    assert {"DATABASE_URL", "MEDAID_DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "OTEL_EXPORTER_OTLP_ENDPOINT"} <= names
    assert {"MEDAID_ENVIRONMENT", "MEDAID_ENCRYPTION_KEY", "MEDAID_DB_POOL_SIZE"} <= names
    assert "DB_POOL_SIZE" not in names and "MEDAID_OTLP_ENDPOINT" in names


@pytest.mark.parametrize(("overlay", "service"), CASES)
def test_k8s_sets_only_settings_the_service_reads(overlay: str, service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = rendered(overlay)
    known = settings_env_names(settings_class(service))
    for kind, name in (("Deployment", deployment_name(service)), ("Job", f"medaid-{service}-migrate")):
        env = container_env(docs, _container(docs, kind, name))
        unknown = sorted(set(env) - known)
        assert not unknown, f"{kind}/{name} sets variables {settings_class(service).__name__} does not read: {unknown}"
    env = container_env(docs, _container(docs, "Deployment", deployment_name(service)))
    settings = _settings_from(env, service, monkeypatch)
    expected_environment = "development" if overlay == "dev" else "production"
    assert settings.environment == expected_environment
    assert settings.db_schema == SERVICES[service].schema


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_production_settings_refuse_to_start_without_the_secrets(overlay: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The secrets really come from the Secret references: without them a production service
    stops at start-up (the kernel refuses its development keys)."""
    docs = rendered(overlay)
    env = container_env(docs, _container(docs, "Deployment", deployment_name("referral")))
    without_secrets = {k: v for k, v in env.items() if v is not None}
    if env["MEDAID_ENVIRONMENT"] == "production":
        with pytest.raises(ValueError, match="must be set outside development"):
            _settings_from(without_secrets, "referral", monkeypatch)
    else:
        assert _settings_from(without_secrets, "referral", monkeypatch).environment == "development"


@pytest.mark.parametrize(("overlay", "service"), CASES)
def test_k8s_migrate_job_has_the_services_encryption_key_and_environment(overlay: str, service: str) -> None:
    """SPEC 0.4: a migration that encrypts existing rows (medaid_shared.migrations_crypto)
    seals them with the key the service reads them with, and knows it runs in production."""
    docs = rendered(overlay)
    job = container_env(docs, _container(docs, "Job", f"medaid-{service}-migrate"))
    deployment = container_env(docs, _container(docs, "Deployment", deployment_name(service)))
    assert "MEDAID_ENCRYPTION_KEY" in job, f"the {service} migration has no MEDAID_ENCRYPTION_KEY"
    job_key = _secret_ref(docs, "Job", f"medaid-{service}-migrate", "MEDAID_ENCRYPTION_KEY")
    assert job_key == _secret_ref(docs, "Deployment", deployment_name(service), "MEDAID_ENCRYPTION_KEY")
    assert job_key == (f"medaid-{service}-keys", "encryption-key")
    assert job["MEDAID_ENVIRONMENT"] == deployment["MEDAID_ENVIRONMENT"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_k8s_consent_forms_key_pair_is_deployed(overlay: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """SPEC 0.4 / LJ-7.1: every service reads the consent forms' public key from the shared
    Secret (referral seals full names with it); only consent gets the private half, from its
    own Secret; without the pair a production consent service refuses to start."""
    docs = rendered(overlay)
    for service in SERVICE_NAMES:
        name = deployment_name(service)
        public = _secret_ref(docs, "Deployment", name, "MEDAID_CONSENT_FORMS_PUBLIC_KEY")
        assert public == ("medaid-shared-keys", "consent-forms-public-key"), service
        private = container_env(docs, _container(docs, "Deployment", name)).get("MEDAID_CONSENT_FORMS_PRIVATE_KEY", "-")
        if service == "consent":
            assert _secret_ref(docs, "Deployment", name, "MEDAID_CONSENT_FORMS_PRIVATE_KEY") == (
                "medaid-consent-keys",
                "consent-forms-private-key",
            )
        else:
            assert private == "-", f"{service} must not hold the consent forms' private key"
    env = container_env(docs, _container(docs, "Deployment", deployment_name("consent")))
    if env["MEDAID_ENVIRONMENT"] == "production":
        without_private = {k: v for k, v in env.items() if k != "MEDAID_CONSENT_FORMS_PRIVATE_KEY"}
        with pytest.raises(ValueError, match="MEDAID_CONSENT_FORMS_PRIVATE_KEY"):
            _settings_from(without_private, "consent", monkeypatch)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_k8s_diagnosis_groups_key_pair_is_deployed(overlay: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """SPEC 0.4 / LJ-9: referral (and its migration, which seals the outbox's discharges)
    reads the diagnosis groups' public key from the shared Secret; only settlement gets the
    private half, from its own Secret; without it a production settlement refuses to start."""
    docs = rendered(overlay)
    for kind, name in (("Deployment", deployment_name("referral")), ("Job", "medaid-referral-migrate")):
        assert _secret_ref(docs, kind, name, "MEDAID_DIAGNOSIS_GROUPS_PUBLIC_KEY") == (
            "medaid-shared-keys",
            "diagnosis-groups-public-key",
        )
    assert _secret_ref(docs, "Job", "medaid-settlement-migrate", "MEDAID_DIAGNOSIS_GROUPS_PRIVATE_KEY") == (
        "medaid-settlement-keys",
        "diagnosis-groups-private-key",
    )
    for service in SERVICE_NAMES:
        env = container_env(docs, _container(docs, "Deployment", deployment_name(service)))
        if service == "settlement":
            assert _secret_ref(docs, "Deployment", deployment_name(service), "MEDAID_DIAGNOSIS_GROUPS_PRIVATE_KEY") == (
                "medaid-settlement-keys",
                "diagnosis-groups-private-key",
            )
        else:
            assert "MEDAID_DIAGNOSIS_GROUPS_PRIVATE_KEY" not in env, f"{service} must not open diagnosis groups"
    env = container_env(docs, _container(docs, "Deployment", deployment_name("settlement")))
    if env["MEDAID_ENVIRONMENT"] == "production":
        without_private = {k: v for k, v in env.items() if k != "MEDAID_DIAGNOSIS_GROUPS_PRIVATE_KEY"}
        with pytest.raises(ValueError, match="MEDAID_DIAGNOSIS_GROUPS_PRIVATE_KEY"):
            _settings_from(without_private, "settlement", monkeypatch)
        referral = container_env(docs, _container(docs, "Deployment", deployment_name("referral")))
        without_public = {k: v for k, v in referral.items() if k != "MEDAID_DIAGNOSIS_GROUPS_PUBLIC_KEY"}
        with pytest.raises(ValueError, match="MEDAID_DIAGNOSIS_GROUPS_PUBLIC_KEY"):
            _settings_from(without_public, "referral", monkeypatch)


def _secret_ref(docs: list[Doc], kind: str, name: str, variable: str) -> tuple[str, str]:
    """The (Secret, key) a container's variable is read from."""
    (entry,) = [e for e in _container(docs, kind, name).get("env", []) if e["name"] == variable]
    ref = entry["valueFrom"]["secretKeyRef"]
    return ref["name"], ref["key"]


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_compose_sets_only_settings_the_service_reads(service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    services = compose()["services"]
    known = settings_env_names(settings_class(service))
    for name in (service, f"{service}-migrate"):
        env = compose_env(services[name])
        unknown = sorted(set(env) - known)
        assert not unknown, f"compose service {name} sets variables the {service} settings do not read: {unknown}"
    settings = _settings_from(dict(compose_env(services[service])), service, monkeypatch)
    assert settings.environment == "development"


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_every_port_is_the_services_port(service: str) -> None:
    port = SERVICES[service].port
    assert settings_class(service).default_port == port
    services = compose()["services"]
    assert services[service]["ports"] == [f"127.0.0.1:{port}:{port}"]
    for overlay in OVERLAYS:
        docs = rendered(overlay)
        container = _container(docs, "Deployment", deployment_name(service))
        assert [p["containerPort"] for p in container["ports"]] == [port]
        assert [p["port"] for p in named(docs, "Service", deployment_name(service))["spec"]["ports"]] == [port]
        policy = named(docs, "NetworkPolicy", deployment_name(service))
        assert {p["port"] for rule in policy["spec"]["ingress"] for p in rule["ports"]} == {port}
    assert len({info.port for info in SERVICES.values()}) == len(SERVICES)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_topic_the_code_uses_is_a_kafka_topic(overlay: str) -> None:
    docs = rendered(overlay)
    (kafka,) = of_kind(docs, "Kafka")
    topics = {t["spec"]["topicName"]: t for t in of_kind(docs, "KafkaTopic")}
    expected = set(all_topics("medaid"))
    missing = sorted(expected - set(topics))
    assert not missing, f"add KafkaTopic resources to deploy/k8s/base/kafka/topics.yaml: {missing}"
    assert set(topics) <= expected, f"KafkaTopics no code uses: {sorted(set(topics) - expected)}"
    for name, topic in topics.items():
        assert topic["metadata"]["name"] == name
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_partitions_allow_every_replica_of_a_consumer_group_to_work(overlay: str) -> None:
    """Scale-out = more replicas per consumer group; a replica beyond the partition count
    idles. Every event topic has at least as many partitions as any autoscaler's maximum."""
    docs = rendered(overlay)
    max_replicas = max(h["spec"]["maxReplicas"] for h in of_kind(docs, "HorizontalPodAutoscaler"))
    for topic in of_kind(docs, "KafkaTopic"):
        if not topic["spec"]["topicName"].endswith(".dead-letter.v1"):
            assert topic["spec"]["partitions"] >= max_replicas, topic["spec"]["topicName"]
    assert of_kind(docs, "Kafka")[0]["spec"]["kafka"]["config"]["auto.create.topics.enable"] is False


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_replication_fits_the_brokers(overlay: str) -> None:
    docs = rendered(overlay)
    (kafka,) = of_kind(docs, "Kafka")
    brokers = sum(p["spec"]["replicas"] for p in of_kind(docs, "KafkaNodePool") if "broker" in p["spec"]["roles"])
    controllers = sum(
        p["spec"]["replicas"] for p in of_kind(docs, "KafkaNodePool") if "controller" in p["spec"]["roles"]
    )
    assert controllers % 2 == 1, "a KRaft quorum has an odd number of controllers"
    config = kafka["spec"]["kafka"]["config"]
    for topic in of_kind(docs, "KafkaTopic"):
        assert topic["spec"]["replicas"] <= brokers, topic["spec"]["topicName"]
        assert config["min.insync.replicas"] <= topic["spec"]["replicas"], "acks=all producers would be refused"
    assert config["default.replication.factor"] <= brokers
    assert config["offsets.topic.replication.factor"] <= brokers
    if overlay == "prod":
        assert brokers >= 3 and config["min.insync.replicas"] == 2
        assert all(t["spec"]["replicas"] == 3 for t in of_kind(docs, "KafkaTopic"))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_database_takes_every_connection_the_autoscalers_can_open(overlay: str) -> None:
    """Each replica's SQLAlchemy pool holds up to 2 x MEDAID_DB_POOL_SIZE connections
    (medaid_shared.db.make_engine: max_overflow = pool_size); a migration uses one."""
    docs = rendered(overlay)
    (cluster,) = of_kind(docs, "Cluster")
    max_connections = int(cluster["spec"]["postgresql"]["parameters"]["max_connections"])
    needed = 0
    for service in SERVICE_NAMES:
        env = container_env(docs, _container(docs, "Deployment", deployment_name(service)))
        pool = int(env.get("MEDAID_DB_POOL_SIZE") or settings_class(service).model_fields["db_pool_size"].default)
        needed += named(docs, "HorizontalPodAutoscaler", deployment_name(service))["spec"]["maxReplicas"] * 2 * pool
        needed += 1
    reserved = 10  # superuser_reserved_connections, replication and operator connections
    assert needed + reserved <= max_connections, f"{needed} + {reserved} > max_connections {max_connections}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_database_secret_is_documented_for_this_cluster(overlay: str) -> None:
    """DATABASE_URL comes from a Secret; deploy/README.md builds it for this very cluster."""
    docs = rendered(overlay)
    (cluster,) = of_kind(docs, "Cluster")
    initdb = cluster["spec"]["bootstrap"]["initdb"]
    readme = (DEPLOY / "README.md").read_text()
    host = f"{cluster['metadata']['name']}-rw"
    assert f"postgresql+asyncpg://{initdb['owner']}:" in readme
    assert f"@{host}:5432/{initdb['database']}" in readme
    assert f"{cluster['metadata']['name']}-app" in readme, "the owner's password is in the operator's app Secret"
