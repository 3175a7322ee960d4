"""NetworkPolicies: everything is denied by default, and each workload is allowed exactly what
it needs: a service takes traffic on its port and reaches PostgreSQL, Kafka, the collector
and DNS; a migration reaches PostgreSQL and DNS. The peers named in the policies are the
pods the operators and our manifests actually create."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest

from medaid_shared.services import SERVICES
from tests.deploy.support import (
    OVERLAYS,
    SERVICE_NAMES,
    Doc,
    container_env,
    deployment_name,
    named,
    of_kind,
    pod_templates,
    rendered,
    selected_by,
)

CASES = [(overlay, service) for overlay in OVERLAYS for service in SERVICE_NAMES]
DNS = {"kubernetes.io/metadata.name": "kube-system"}, {"k8s-app": "kube-dns"}


def _pod_labels_of_operators(docs: list[Doc]) -> dict[str, dict[str, str]]:
    """Labels the operators put on the pods they run for our custom resources."""
    (kafka,) = of_kind(docs, "Kafka")
    (cluster,) = of_kind(docs, "Cluster")
    return {
        "postgres": {"cnpg.io/cluster": cluster["metadata"]["name"], "cnpg.io/instanceRole": "primary"},
        # Strimzi labels every node of a node pool with the broker role like this.
        "kafka": {
            "strimzi.io/cluster": kafka["metadata"]["name"],
            "strimzi.io/kind": "Kafka",
            "strimzi.io/broker-role": "true",
        },
    }


def _allow_policies(docs: list[Doc], labels: dict[str, str]) -> list[Doc]:
    """The policies written for these pods (default-deny-all, which selects every pod, aside)."""
    return [
        p
        for p in of_kind(docs, "NetworkPolicy")
        if p["spec"]["podSelector"] and selected_by(p["spec"]["podSelector"], labels)
    ]


def _peer_matches(peer: dict[str, Any], labels: dict[str, str], namespace: dict[str, str] | None) -> bool:
    """Whether a policy peer selects a pod with these labels in a namespace with these labels
    (namespace None: the policy's own namespace)."""
    if "ipBlock" in peer:
        return False
    if "namespaceSelector" in peer:
        if namespace is None or not selected_by(peer["namespaceSelector"], namespace):
            return False
    elif namespace is not None:
        return False
    return selected_by(peer.get("podSelector", {}), labels)


def _egress_allows(
    policy: Doc, labels: dict[str, str], port: int, protocol: str = "TCP", namespace: dict[str, str] | None = None
) -> bool:
    for rule in policy["spec"].get("egress") or []:
        ports_ok = not rule.get("ports") or any(
            p["port"] == port and p.get("protocol", "TCP") == protocol for p in rule["ports"]
        )
        peers_ok = not rule.get("to") or any(_peer_matches(peer, labels, namespace) for peer in rule["to"])
        if ports_ok and peers_ok:
            return True
    return False


def _ingress_allows(policy: Doc, labels: dict[str, str], port: int, namespace: dict[str, str] | None = None) -> bool:
    for rule in policy["spec"].get("ingress") or []:
        ports_ok = not rule.get("ports") or any(p["port"] == port for p in rule["ports"])
        peers_ok = not rule.get("from") or any(_peer_matches(peer, labels, namespace) for peer in rule["from"])
        if ports_ok and peers_ok:
            return True
    return False


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_default_deny_covers_every_pod_both_ways(overlay: str) -> None:
    policy = named(rendered(overlay), "NetworkPolicy", "default-deny-all")
    assert policy["spec"]["podSelector"] == {}
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert not policy["spec"].get("ingress") and not policy["spec"].get("egress")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_has_an_allow_policy_of_its_own(overlay: str) -> None:
    docs = rendered(overlay)
    for workload, template in pod_templates(docs):
        assert _allow_policies(docs, template["metadata"]["labels"]), (
            f"{workload['kind']}/{workload['metadata']['name']} can talk to nothing"
        )


@pytest.mark.parametrize(("overlay", "service"), CASES)
def test_service_policy_allows_exactly_what_the_service_needs(overlay: str, service: str) -> None:
    docs = rendered(overlay)
    pod_labels = named(docs, "Deployment", deployment_name(service))["spec"]["template"]["metadata"]["labels"]
    policy = named(docs, "NetworkPolicy", deployment_name(service))
    assert selected_by(policy["spec"]["podSelector"], pod_labels)
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    # Only its own port comes in.
    ports = {p["port"] for rule in policy["spec"]["ingress"] for p in rule["ports"]}
    assert ports == {SERVICES[service].port}
    gateway = {"network.medaid.io/api-access": "true"}
    assert _ingress_allows(policy, {}, SERVICES[service].port, namespace=gateway)
    assert not _ingress_allows(policy, {}, SERVICES[service].port, namespace={"kubernetes.io/metadata.name": "other"})
    # Out: the database, the brokers, the collector and DNS, on their ports only.
    peers = _pod_labels_of_operators(docs)
    collector = named(docs, "Deployment", "otel-collector")["spec"]["template"]["metadata"]["labels"]
    assert _egress_allows(policy, peers["postgres"], 5432)
    assert _egress_allows(policy, peers["kafka"], 9092)
    assert _egress_allows(policy, collector, 4318)
    assert _egress_allows(policy, DNS[1], 53, "UDP", namespace=DNS[0])
    assert _egress_allows(policy, DNS[1], 53, "TCP", namespace=DNS[0])
    assert not _egress_allows(policy, peers["postgres"], 8000)
    assert not _egress_allows(policy, {"app": "anything"}, 443)
    assert len(policy["spec"]["egress"]) == 4


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_policy_ports_are_the_ports_the_services_are_configured_with(overlay: str) -> None:
    docs = rendered(overlay)
    (kafka,) = of_kind(docs, "Kafka")
    (listener,) = kafka["spec"]["kafka"]["listeners"]
    collector_service = named(docs, "Service", "otel-collector")
    for service in SERVICE_NAMES:
        container = named(docs, "Deployment", deployment_name(service))["spec"]["template"]["spec"]["containers"][0]
        env = container_env(docs, container)
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == f"{kafka['metadata']['name']}-kafka-bootstrap:{listener['port']}"
        otlp = urlparse(env["OTEL_EXPORTER_OTLP_ENDPOINT"])
        assert otlp.hostname == collector_service["metadata"]["name"]
        (port,) = [p for p in collector_service["spec"]["ports"] if p["port"] == otlp.port]
        assert port["name"] == "otlp-http", "the kernel exports OTLP over HTTP"
    assert listener["port"] == 9092 and listener["tls"] is False


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_migrations_reach_only_the_database_and_dns(overlay: str) -> None:
    docs = rendered(overlay)
    peers = _pod_labels_of_operators(docs)
    for service in SERVICE_NAMES:
        labels = named(docs, "Job", f"medaid-{service}-migrate")["spec"]["template"]["metadata"]["labels"]
        policies = _allow_policies(docs, labels)
        assert [p["metadata"]["name"] for p in policies] == ["medaid-migrations"]
        (policy,) = policies
        assert _egress_allows(policy, peers["postgres"], 5432)
        assert _egress_allows(policy, DNS[1], 53, "UDP", namespace=DNS[0])
        assert not _egress_allows(policy, peers["kafka"], 9092)
        assert not policy["spec"].get("ingress")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_infrastructure_accepts_the_services_and_the_migrations(overlay: str) -> None:
    docs = rendered(overlay)
    peers = _pod_labels_of_operators(docs)
    (postgres_policy,) = _allow_policies(docs, peers["postgres"])
    collector_labels = named(docs, "Deployment", "otel-collector")["spec"]["template"]["metadata"]["labels"]
    (collector_policy,) = _allow_policies(docs, collector_labels)
    for service in SERVICE_NAMES:
        api = named(docs, "Deployment", deployment_name(service))["spec"]["template"]["metadata"]["labels"]
        migration = named(docs, "Job", f"medaid-{service}-migrate")["spec"]["template"]["metadata"]["labels"]
        assert _ingress_allows(postgres_policy, api, 5432)
        assert _ingress_allows(postgres_policy, migration, 5432)
        assert _ingress_allows(collector_policy, api, 4318)
    # The CloudNativePG operator reaches the instances' status port; replicas reach the primary.
    assert _ingress_allows(postgres_policy, {}, 8000, namespace={"kubernetes.io/metadata.name": "cnpg-system"})
    assert _ingress_allows(postgres_policy, peers["postgres"], 5432)
    # Strimzi writes the ingress rules of its listeners; its pods' way out is ours to allow.
    (kafka_policy,) = _allow_policies(docs, peers["kafka"])
    assert kafka_policy["spec"]["policyTypes"] == ["Egress"]
    assert _egress_allows(kafka_policy, peers["kafka"], 9091)
    assert _egress_allows(kafka_policy, DNS[1], 53, "UDP", namespace=DNS[0])
