"""Every service folder is a deployed service: registered, with its image, its compose
services and its Kubernetes manifests. A sixth service made by ``medaid new-service`` fails
this check until its checklist is done."""

from __future__ import annotations

from pathlib import Path

from medaid_shared.new_service import create_service
from tests.deploy.support import REPO, deployment_gaps


def test_every_service_folder_is_registered_and_deployed() -> None:
    assert deployment_gaps() == {}


def test_a_service_folder_without_its_manifests_fails_the_check(tmp_path: Path) -> None:
    """A copy of the repository's deployment (the real compose file and manifests) beside
    the real service folders and one new folder that has only what the skeleton gives."""
    (tmp_path / "docker-compose.yml").write_text((REPO / "docker-compose.yml").read_text())
    (tmp_path / "deploy").symlink_to(REPO / "deploy")
    services = tmp_path / "services"
    services.mkdir()
    for folder in (REPO / "services").iterdir():
        (services / folder.name).symlink_to(folder)
    assert deployment_gaps(tmp_path) == {}
    create_service(services, "dispute-office", 8016)
    assert deployment_gaps(tmp_path) == {
        "dispute-office": [
            "registry entry (medaid_shared.services)",
            "docker-compose.yml service dispute-office",
            "docker-compose.yml service dispute-office-migrate",
            "deploy/k8s/base/services/dispute-office/kustomization.yaml",
            "deploy/k8s/base/services/dispute-office/deployment.yaml",
            "deploy/k8s/base/services/dispute-office/migrate-job.yaml",
            "services/dispute-office in deploy/k8s/base/kustomization.yaml",
        ]
    }
    (services / "dispute-office" / "Dockerfile").unlink()
    assert "Dockerfile" in deployment_gaps(tmp_path)["dispute-office"]
