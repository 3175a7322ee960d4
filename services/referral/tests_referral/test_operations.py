"""Operations endpoints every service has."""

from medaid_shared.testing import ServiceHarness


async def test_health_and_readiness(svc: ServiceHarness) -> None:
    assert svc.name == "referral"
    assert (await svc.client.get("http://test/healthz")).json() == {"status": "ok"}
    ready = await svc.client.get("http://test/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": True, "broker": True, "background": True}


async def test_metrics_and_openapi(svc: ServiceHarness) -> None:
    metrics = await svc.client.get("http://test/metrics")
    assert "medaid_outbox_backlog" in metrics.text or metrics.status_code == 200
    assert (await svc.client.get("http://test/openapi.json")).json()["info"]["title"].startswith("medaid")


async def test_unknown_route_is_problem_details(svc: ServiceHarness) -> None:
    r = await svc.client.get("/no-such-thing")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 404
