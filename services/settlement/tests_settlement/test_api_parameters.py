"""Policy parameters: versioned by effective date, region and facility level, loaded by an
administrator only, overlapping versions refused (LJ-6.1, LJ-6.2)."""

from __future__ import annotations

import json
from typing import Any

from medaid_shared.testing import ServiceHarness
from settlement.cli import example_file
from tests_settlement.factories import AID_PARAMETERS, BASIC_PARAMETERS, CRITICAL_PARAMETERS
from tests_settlement.world import admin, hospital, insurance, load_parameters


async def _count(svc: ServiceHarness) -> int:
    r = await svc.client.get("/parameters", headers=insurance(svc))
    assert r.status_code == 200
    return len(r.json()["items"])


async def test_lj_6_1_admin_loads_versions_and_readers_see_them(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    r = await svc.client.get("/parameters", headers=hospital(svc))
    assert r.status_code == 200
    ids = {v["version_id"]: v for v in r.json()["items"]}
    assert set(ids) == {
        "basic_insurance:any:any:2026-01-01",
        "critical_illness:any:any:2026-01-01",
        "medical_aid:any:any:2026-01-01",
    }
    assert ids["basic_insurance:any:any:2026-01-01"]["example"] is True
    assert ids["medical_aid:any:any:2026-01-01"]["values"]["annual_ceiling"] == "60000.00"
    filtered = await svc.client.get("/parameters?kind=medical_aid&on=2025-12-31", headers=insurance(svc))
    assert filtered.json()["items"] == []
    audit = await svc.client.get("/parameters?kind=medical_aid&on=2026-06-30", headers=insurance(svc))
    assert [v["kind"] for v in audit.json()["items"]] == ["medical_aid"]


async def test_lj_6_2_shipped_example_file_loads_with_examples_marked(svc: ServiceHarness) -> None:
    data = json.loads(example_file().read_text())
    r = await svc.client.post("/admin/parameters", json={"versions": data["versions"]}, headers=admin(svc))
    assert r.status_code == 201, r.text
    stored = (await svc.client.get("/parameters", headers=insurance(svc))).json()["items"]
    insurance_versions = [v for v in stored if v["kind"] != "medical_aid"]
    assert insurance_versions and all(v["example"] for v in insurance_versions)
    (aid,) = [v for v in stored if v["kind"] == "medical_aid"]
    assert aid["example"] is False
    assert aid["values"] == {"deductible": "0.00", "ratio": "1", "annual_ceiling": "60000.00"}


async def test_overlapping_parameter_versions_are_refused_and_nothing_changes(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    before = await _count(svc)
    overlapping = {**BASIC_PARAMETERS, "effective_from": "2026-07-01"}  # open-ended 2026-01-01 version stands
    fresh = {**BASIC_PARAMETERS, "facility_level": "city", "effective_from": "2026-01-01"}
    r = await svc.client.post("/admin/parameters", json={"versions": [fresh, overlapping]}, headers=admin(svc))
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    assert "overlap" in r.json()["detail"]
    assert await _count(svc) == before  # all or nothing: the fresh one was not stored either


async def test_overlap_within_one_load_is_refused_and_adjacent_periods_are_fine(svc: ServiceHarness) -> None:
    first = {**AID_PARAMETERS, "effective_to": "2026-07-01"}
    second = {**AID_PARAMETERS, "effective_from": "2026-07-01", "values": {"annual_ceiling": "70000.00"}}
    clash = {**AID_PARAMETERS, "effective_from": "2026-06-30"}
    r = await svc.client.post("/admin/parameters", json={"versions": [first, clash]}, headers=admin(svc))
    assert r.status_code == 409
    assert await _count(svc) == 0
    r = await svc.client.post("/admin/parameters", json={"versions": [first, second]}, headers=admin(svc))
    assert r.status_code == 201, r.text
    assert await _count(svc) == 2


async def test_only_an_administrator_changes_parameters(svc: ServiceHarness) -> None:
    body = {"versions": [BASIC_PARAMETERS]}
    for headers in (hospital(svc), insurance(svc), svc.token("civil_affairs")):
        r = await svc.client.post("/admin/parameters", json=body, headers=headers)
        assert r.status_code == 403, r.text
    assert (await svc.client.post("/admin/parameters", json=body)).status_code == 401
    assert await _count(svc) == 0
    r = await svc.client.get("/parameters", headers=svc.token("police", "jurisdiction:PSB01"))
    assert r.status_code == 403


async def test_invalid_parameter_values_are_problem_details(svc: ServiceHarness) -> None:
    bad: list[dict[str, Any]] = [
        {**BASIC_PARAMETERS, "values": {**BASIC_PARAMETERS["values"], "ratio": "1.5"}},
        {**BASIC_PARAMETERS, "values": {**BASIC_PARAMETERS["values"], "deductible": "-1.00"}},
        {**BASIC_PARAMETERS, "values": {**BASIC_PARAMETERS["values"], "deductible": "1.001"}},
        {**BASIC_PARAMETERS, "values": {**BASIC_PARAMETERS["values"], "annual_ceiling": "lots"}},
        {**BASIC_PARAMETERS, "effective_to": "2025-12-31"},
        {**BASIC_PARAMETERS, "region": "mars"},
        {
            **CRITICAL_PARAMETERS,
            "values": {**CRITICAL_PARAMETERS["values"], "tiers": [{"from_amount": "5", "ratio": "0.5"}]},
        },
        {**BASIC_PARAMETERS, "kind": "lottery"},
    ]
    for version in bad:
        r = await svc.client.post("/admin/parameters", json={"versions": [version]}, headers=admin(svc))
        assert r.status_code == 422, (version, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert await _count(svc) == 0
