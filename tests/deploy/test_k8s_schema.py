"""`kubectl kustomize deploy/k8s/overlays/<env>` renders, and every object in it is valid:
built-in kinds against the Kubernetes OpenAPI schemas (kubernetes-validate, strict), custom
resources (Strimzi, CloudNativePG) against their CRD schemas in data/crds."""

from __future__ import annotations

import copy

import jsonschema
import kubernetes_validate
import pytest

from tests.deploy.support import CRD_SCHEMAS, OVERLAYS, Doc, crd_json_schema, of_kind, rendered

# The oldest Kubernetes release the manifests target (deploy/README.md) and the newest the
# validator knows.
K8S_VERSIONS = ("1.31", kubernetes_validate.utils.latest_version())
NAMESPACES = {"dev": "medaid-dev", "prod": "medaid"}


def _validate(doc: Doc, version: str) -> None:
    key = (doc["apiVersion"], doc["kind"])
    if key in CRD_SCHEMAS:
        jsonschema.Draft7Validator(crd_json_schema(*key)).validate(doc)
    else:
        kubernetes_validate.validate(doc, version, strict=True)


def _errors(doc: Doc, version: str) -> str | None:
    try:
        _validate(doc, version)
    except (jsonschema.ValidationError, kubernetes_validate.utils.ValidationError) as exc:
        return f"{doc['kind']}/{doc['metadata']['name']}: {'/'.join(map(str, exc.path))}: {exc.message}"
    except kubernetes_validate.utils.SchemaNotFoundError as exc:
        return f"{doc['kind']}/{doc['metadata']['name']}: {exc.message}"
    return None


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_against_its_schema(overlay: str, version: str) -> None:
    docs = rendered(overlay)
    assert docs
    problems = [p for p in (_errors(doc, version) for doc in docs) if p]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_custom_resource_has_a_crd_schema(overlay: str) -> None:
    custom = {(d["apiVersion"], d["kind"]) for d in rendered(overlay) if not _is_builtin(d)}
    assert custom == set(CRD_SCHEMAS), "custom resources without a schema in data/crds (or unused schemas)"


def _is_builtin(doc: Doc) -> bool:
    group = doc["apiVersion"].rpartition("/")[0]
    return group in ("", "apps", "batch", "policy", "autoscaling", "networking.k8s.io")


@pytest.mark.parametrize(
    ("kind", "breakage"),
    [
        ("Deployment", lambda d: d["spec"]["template"]["spec"]["containers"][0].update(readinesProbe={})),
        ("NetworkPolicy", lambda d: d["spec"].update(policyType=["Ingress"])),
        ("HorizontalPodAutoscaler", lambda d: d["spec"].update(maxReplicas="eight")),
        ("KafkaTopic", lambda d: d["spec"].update(partitions=0)),
        ("KafkaTopic", lambda d: d["spec"].update(partition=12)),
        ("Kafka", lambda d: d["spec"]["kafka"]["listeners"][0].update(type="internel")),
        ("KafkaNodePool", lambda d: d["spec"].update(roles=["broker", "zookeeper"])),
        ("Cluster", lambda d: d["spec"].update(instance=3)),
        ("Cluster", lambda d: d["spec"]["postgresql"]["parameters"].update(max_connections=500)),
    ],
)
def test_validation_catches_mistakes(kind: str, breakage: object) -> None:
    """Each check can fail: a misspelt field, a wrong type, a value out of range."""
    original = of_kind(rendered("prod"), kind)[0]
    assert _errors(original, K8S_VERSIONS[0]) is None
    broken = copy.deepcopy(original)
    breakage(broken)  # type: ignore[operator]
    assert _errors(broken, K8S_VERSIONS[0]) is not None


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_owns_its_namespace(overlay: str) -> None:
    docs = rendered(overlay)
    (namespace,) = of_kind(docs, "Namespace")
    assert namespace["metadata"]["name"] == NAMESPACES[overlay]
    labels = namespace["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/warn"] == "restricted"
    for doc in docs:
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == NAMESPACES[overlay], doc["metadata"]["name"]
