"""The consumer's attempts before a dead letter are a kernel parameter every service stores
beside its own, also one (the fund) whose own parameters have another shape: an
administrator loads a version (SPEC 0.5), a version of no attempt is refused, nobody else
loads one."""

from __future__ import annotations

from medaid_shared.testing import ServiceHarness


async def test_spec_0_5_the_consumer_attempts_are_a_kernel_parameter_of_the_fund(svc: ServiceHarness) -> None:
    admin = svc.token("admin")
    kinds = (await svc.client.get("/parameters/kinds", headers=admin)).json()["kinds"]
    assert next(k for k in kinds if k["kind"] == "consumer_attempts")["default"]["values"] == {"max_attempts": 3}
    version = {"kind": "consumer_attempts", "effective_from": "2027-01-01", "values": {"max_attempts": 5}}
    refused = await svc.client.post("/admin/parameters", json={"versions": [version]}, headers=svc.token("finance"))
    assert refused.status_code == 403
    zero = {**version, "values": {"max_attempts": 0}}
    assert (await svc.client.post("/admin/parameters", json={"versions": [zero]}, headers=admin)).status_code == 422
    r = await svc.client.post("/admin/parameters", json={"versions": [version]}, headers=admin)
    assert r.status_code == 201, r.text
    assert r.json() == {"loaded": ["consumer_attempts:any:any:2027-01-01"]}
