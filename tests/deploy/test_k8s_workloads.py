"""Per service in every overlay: a Deployment with probes, requests and limits and a hardened
securityContext, a Service, a migration Job, an autoscaler and a disruption budget that all
point at it; secrets only as references; images pinned."""

from __future__ import annotations

import re

import pytest

from medaid_shared.services import SERVICES
from tests.deploy.support import (
    DEPLOY,
    OVERLAYS,
    SERVICE_NAMES,
    Doc,
    deployment_name,
    named,
    of_kind,
    pod_templates,
    rendered,
    secret_refs,
    selected_by,
)

CASES = [(overlay, service) for overlay in OVERLAYS for service in SERVICE_NAMES]


def _container(workload: Doc) -> Doc:
    (container,) = workload["spec"]["template"]["spec"]["containers"]
    return container


def _port_number(container: Doc, port: int | str) -> int:
    if isinstance(port, int):
        return port
    (match,) = [p["containerPort"] for p in container["ports"] if p["name"] == port]
    return int(match)


def _assert_hardened(template: Doc) -> None:
    pod = template["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod.get("automountServiceAccountToken") is False
    for container in pod["containers"]:
        ctx = container["securityContext"]
        assert ctx["runAsNonRoot"] is True, container["name"]
        assert ctx["readOnlyRootFilesystem"] is True, container["name"]
        assert ctx["allowPrivilegeEscalation"] is False, container["name"]
        assert ctx["capabilities"] == {"drop": ["ALL"]}, container["name"]
        assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}, container["name"]
        assert "privileged" not in ctx or ctx["privileged"] is False
        resources = container["resources"]
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources[kind]), f"{container['name']}: {kind}"


@pytest.mark.parametrize(("overlay", "service"), CASES)
def test_deployment_probes_ports_and_resources(overlay: str, service: str) -> None:
    info = SERVICES[service]
    deployment = named(rendered(overlay), "Deployment", deployment_name(service))
    container = _container(deployment)
    assert [(p["name"], p["containerPort"]) for p in container["ports"]] == [("http", info.port)]
    for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        get = container[probe]["httpGet"]
        assert get["path"] == path, probe
        assert _port_number(container, get["port"]) == info.port, probe
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(info.port)
    assert annotations["prometheus.io/path"] == "/metrics"
    assert "replicas" not in deployment["spec"], "the autoscaler owns the replica count"
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert "command" not in container and "args" not in container, "the image's own server command"
    # Docker-link variables (MEDAID_<SERVICE>_PORT=tcp://...) would share our settings' prefix.
    assert deployment["spec"]["template"]["spec"]["enableServiceLinks"] is False


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_is_hardened(overlay: str) -> None:
    templates = list(pod_templates(rendered(overlay)))
    assert len(templates) == 2 * len(SERVICES) + 2  # deployments, migration jobs, the collector, the console
    for workload, template in templates:
        try:
            _assert_hardened(template)
        except AssertionError as exc:
            raise AssertionError(f"{workload['kind']}/{workload['metadata']['name']}: {exc}") from exc


@pytest.mark.parametrize(("overlay", "service"), CASES)
def test_service_exposes_the_deployments_port(overlay: str, service: str) -> None:
    docs = rendered(overlay)
    deployment = named(docs, "Deployment", deployment_name(service))
    svc = named(docs, "Service", deployment_name(service))
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert selected_by({"matchLabels": svc["spec"]["selector"]}, pod_labels)
    (port,) = svc["spec"]["ports"]
    assert port["port"] == SERVICES[service].port
    assert _port_number(_container(deployment), port["targetPort"]) == SERVICES[service].port
    # The Service selects this service's API pods and nothing else (not its migration Job).
    for _, template in pod_templates(docs):
        if template is not deployment["spec"]["template"]:
            assert not selected_by({"matchLabels": svc["spec"]["selector"]}, template["metadata"]["labels"])


@pytest.mark.parametrize(("overlay", "service"), CASES)
def test_migration_job_runs_medaid_migrate_with_the_same_image(overlay: str, service: str) -> None:
    docs = rendered(overlay)
    job = named(docs, "Job", f"medaid-{service}-migrate")
    deployment = named(docs, "Deployment", deployment_name(service))
    container = _container(job)
    assert container["command"] == ["medaid", "migrate", "--service", service]
    assert container["image"] == _container(deployment)["image"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["spec"]["backoffLimit"] >= 1
    # the database, and the key of the migrations that encrypt existing rows (SPEC 0.4); referral's
    # also the key it seals the outbox's discharge diagnosis groups for settlement with, and
    # settlement's private key, whose public half seals its dead letters' groups (LJ-9)
    names = ["DATABASE_URL", "MEDAID_ENCRYPTION_KEY"]
    if service == "referral":
        names.append("MEDAID_DIAGNOSIS_GROUPS_PUBLIC_KEY")
    if service == "settlement":
        names.append("MEDAID_DIAGNOSIS_GROUPS_PRIVATE_KEY")  # seals the dead letters' groups
    assert [e["name"] for e in container["env"]] == names
    same = [e for e in _container(deployment)["env"] if e["name"] in names]
    assert container["env"] == same, "migrations and server use the same database and key"


@pytest.mark.parametrize(("overlay", "service"), CASES)
def test_autoscaler_and_disruption_budget_target_the_deployment(overlay: str, service: str) -> None:
    docs = rendered(overlay)
    deployment = named(docs, "Deployment", deployment_name(service))
    hpa = named(docs, "HorizontalPodAutoscaler", deployment_name(service))
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": deployment_name(service),
    }
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    assert any(m["type"] == "Resource" and m["resource"]["name"] == "cpu" for m in hpa["spec"]["metrics"])
    pdb = named(docs, "PodDisruptionBudget", deployment_name(service))
    assert selected_by(pdb["spec"]["selector"], deployment["spec"]["template"]["metadata"]["labels"])
    assert pdb["spec"].get("maxUnavailable") == 1 or pdb["spec"].get("minAvailable", 0) < hpa["spec"]["minReplicas"]
    if overlay == "prod":
        assert hpa["spec"]["minReplicas"] >= 2, "production survives losing a pod or a node"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_secret_is_committed_only_referenced(overlay: str) -> None:
    docs = rendered(overlay)
    assert not of_kind(docs, "Secret")
    readme = (DEPLOY / "README.md").read_text()
    referenced = set()
    for _, template in pod_templates(docs):
        for container in template["spec"]["containers"]:
            for ref in secret_refs(container):
                referenced.add((ref["name"], ref["key"]))
    assert referenced
    per_service = re.compile(rf"^medaid-({'|'.join(map(re.escape, SERVICE_NAMES))})-keys$")
    for name, key in sorted(referenced):
        documented = per_service.sub("medaid-<service>-keys", name)
        assert documented in readme and key in readme, f"deploy/README.md should say how to create {name} ({key})"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_has_its_own_encryption_key_and_only_the_fund_opens_sealed_ids(overlay: str) -> None:
    """SPEC 0.4: no key that could recompute an ID number's digest is shared; every service
    seals with the fund's public key, and only the fund reads the private one."""
    docs = rendered(overlay)
    public = set()
    for service in SERVICE_NAMES:
        container = _container(named(docs, "Deployment", deployment_name(service)))
        refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"] if "valueFrom" in e}
        assert refs["MEDAID_ENCRYPTION_KEY"]["name"] == f"medaid-{service}-keys"
        assert refs["MEDAID_ENCRYPTION_KEY"].get("optional", False) is False
        assert "MEDAID_MATCHING_KEY" not in refs
        public.add(
            (refs["MEDAID_PERSON_MATCHING_PUBLIC_KEY"]["name"], refs["MEDAID_PERSON_MATCHING_PUBLIC_KEY"]["key"])
        )
        private = refs.get("MEDAID_PERSON_MATCHING_PRIVATE_KEY")
        if service == "emergency-fund":
            assert private is not None and private["name"] == "medaid-emergency-fund-keys"
        else:
            assert private is None
    assert len(public) == 1


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_images_are_pinned(overlay: str) -> None:
    for workload, template in pod_templates(rendered(overlay)):
        for container in template["spec"]["containers"]:
            image = container["image"]
            name, _, tag = image.rpartition(":")
            assert name and tag and tag != "latest", f"{workload['metadata']['name']}: {image}"
            if overlay == "prod" and name.startswith("medaid/"):
                assert re.fullmatch(r"\d+\.\d+\.\d+", tag), f"a release version in production: {image}"
