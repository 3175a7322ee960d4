"""Reference data and policy parameters over HTTP (GD-12, GD-13.4, GD-13.5)."""

from __future__ import annotations

from datetime import timedelta

from medaid_shared import clock
from medaid_shared.testing import ServiceHarness

from .helpers import CITY, H1, OTHER_CITY, call, load_parameters, ok, parameter_version, register_facility


async def test_facility_registration_scoped_to_the_agency_city(svc: ServiceHarness) -> None:
    body = {"city": CITY, "name": "人民医院", "ownership": "non_public"}
    r = await call(svc, "PUT", f"/reference/facilities/{H1}", "agency", body)
    assert r.status_code == 201
    assert (await call(svc, "PUT", f"/reference/facilities/{H1}", "agency", body)).status_code == 200
    assert (await call(svc, "PUT", f"/reference/facilities/{H1}", "hospital", body)).status_code == 403
    assert (await call(svc, "PUT", f"/reference/facilities/{H1}", "other_agency", body)).status_code == 403
    moved = {**body, "city": OTHER_CITY}
    assert (await call(svc, "PUT", f"/reference/facilities/{H1}", "other_agency", moved)).status_code == 403
    r = await call(svc, "PUT", f"/reference/facilities/{H1}", "agency", {**body, "ownership": "mixed"})
    assert r.status_code == 422
    listed = (await ok(svc, "GET", "/reference/facilities", "hospital", params={"city": CITY}))["items"]
    assert [(f["facility_id"], f["ownership"]) for f in listed] == [(H1, "non_public")]
    assert (await call(svc, "GET", "/reference/facilities", "other_agency", params={"city": CITY})).status_code == 403
    assert (await call(svc, "GET", "/reference/facilities", "patient", params={"city": CITY})).status_code == 403


async def test_gd_12_diseases_national_list_and_city_additions(svc: ServiceHarness) -> None:
    national = {
        "code": "I21",
        "name": "急性心肌梗死",
        "scope": "national",
        "urgent_critical": True,
        "effective_from": "2013-01-01",
        "basis": "国卫办医发〔2013〕32号",
    }
    await ok(svc, "POST", "/reference/diseases", "health", national)
    dup = await call(svc, "POST", "/reference/diseases", "health", national)
    assert dup.status_code == 409
    addition = {**national, "code": "T71", "name": "窒息", "scope": CITY, "basis": "监督管理委员会决议 2026-1"}
    r = await call(svc, "POST", "/reference/diseases", "health", {**addition, "urgent_critical": False})
    assert r.status_code == 422 and r.json()["rule"] == "GD-12"
    await ok(svc, "POST", "/reference/diseases", "health", addition)
    other = await call(svc, "POST", "/reference/diseases", "health", {**addition, "scope": OTHER_CITY})
    assert other.status_code == 403
    assert (await call(svc, "POST", "/reference/diseases", "agency", addition)).status_code == 403
    bad_dates = {**addition, "code": "X1", "effective_to": "2012-12-31"}
    assert (await call(svc, "POST", "/reference/diseases", "health", bad_dates)).status_code == 422
    codes = [
        d["code"] for d in (await ok(svc, "GET", "/reference/diseases", "hospital", params={"city": CITY}))["items"]
    ]
    assert sorted(codes) == ["I21", "T71"]
    only_national = (await ok(svc, "GET", "/reference/diseases", "agency"))["items"]
    assert [d["code"] for d in only_national] == ["I21"]
    assert (await call(svc, "GET", "/reference/diseases", "patient")).status_code == 403


async def test_gd_13_4_cost_average_import(svc: ServiceHarness) -> None:
    await register_facility(svc, H1)
    body = {
        "year": 2026,
        "source": "卫健委 2025 年度统计",
        "rows": [{"facility_id": H1, "disease_code": "I21", "average_cost": "18000.00"}],
    }
    assert (await ok(svc, "POST", "/reference/cost-averages", "health", body))["imported"] == 1
    again = {**body, "rows": [{"facility_id": H1, "disease_code": "I21", "average_cost": "19000.00"}]}
    await ok(svc, "POST", "/reference/cost-averages", "agency", again)
    rows = (await ok(svc, "GET", "/reference/cost-averages", "hospital", params={"facility_id": H1}))["items"]
    assert [(r["disease_code"], r["average_cost"]) for r in rows] == [("I21", "19000.00")]
    unknown = {**body, "rows": [{"facility_id": "H999", "disease_code": "I21", "average_cost": "1.00"}]}
    r = await call(svc, "POST", "/reference/cost-averages", "health", unknown)
    assert r.status_code == 422 and r.json()["field"] == "/rows/0/facility_id"
    twice = {**body, "rows": body["rows"] * 2}
    assert (await call(svc, "POST", "/reference/cost-averages", "health", twice)).status_code == 422
    assert (await call(svc, "POST", "/reference/cost-averages", "hospital", body)).status_code == 403
    other = {**body}
    assert (await call(svc, "POST", "/reference/cost-averages", "other_agency", other)).status_code == 403
    assert (
        await call(svc, "GET", "/reference/cost-averages", "hospital2", params={"facility_id": H1})
    ).status_code == 403
    assert (await ok(svc, "GET", "/reference/cost-averages", "other_agency", params={"facility_id": "H999"}))[
        "items"
    ] == []


async def test_gd_13_5_living_standard(svc: ServiceHarness) -> None:
    body = {"monthly_amount": "900.00", "effective_from": "2026-01-01", "source": "柳州市民政局 2026"}
    await ok(svc, "PUT", f"/reference/living-standards/{CITY}", "civil", body)
    assert (await call(svc, "PUT", f"/reference/living-standards/{CITY}", "hospital", body)).status_code == 403
    assert (await call(svc, "PUT", f"/reference/living-standards/{CITY}", "other_agency", body)).status_code == 403
    bad = {**body, "monthly_amount": "-1"}
    assert (await call(svc, "PUT", f"/reference/living-standards/{CITY}", "civil", bad)).status_code == 422
    rows = (await ok(svc, "GET", f"/reference/living-standards/{CITY}", "agency"))["items"]
    assert [r["monthly_amount"] for r in rows] == ["900.00"]


async def test_parameters_are_kernel_versions_cited_by_decisions(svc: ServiceHarness) -> None:
    """GD-13.3 / SPEC 0.6: the fund's parameters are kernel kinds loaded by the administrator
    only, by effective day; a decision cites the version it applied."""
    tomorrow = (clock.to_local(clock.now()) + timedelta(days=1)).date().isoformat()
    version = parameter_version("emergency_period", tomorrow, emergency_period_hours=96)
    assert (await load_parameters(svc, version, as_="agency")).status_code == 403
    assert (await load_parameters(svc, version)).status_code == 201
    assert (await load_parameters(svc, version)).status_code == 409  # overlaps the stored one
    kinds = {k["kind"]: k for k in (await ok(svc, "GET", "/parameters/kinds", "auditor"))["kinds"]}
    assert kinds["emergency_period"]["default"]["values"]["emergency_period_hours"] == 72
    assert kinds["public_notice"]["rule"] == "GD-21"
    [stored] = (await ok(svc, "GET", "/parameters", "admin", params={"kind": "emergency_period"}))["items"]
    assert stored["version_id"] == f"emergency_period:any:any:{tomorrow}"
    assert (await call(svc, "GET", "/parameters", "hospital")).status_code == 403
    for bad in (
        parameter_version("emergency_period", tomorrow, emergency_period_hours=-1),
        parameter_version("nope", tomorrow),
        parameter_version("preallocation", tomorrow, preallocation_min_share="2"),
    ):
        assert (await load_parameters(svc, bad)).status_code == 422, bad
