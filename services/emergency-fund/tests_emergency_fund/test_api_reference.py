"""Reference data and policy parameters over HTTP (GD-12, GD-13.4, GD-13.5)."""

from __future__ import annotations

from datetime import timedelta

from medaid_shared import clock
from medaid_shared.testing import ServiceHarness

from .helpers import CITY, H1, OTHER_CITY, call, ok, register_facility


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
    listed = await ok(svc, "GET", "/reference/facilities", "hospital", params={"city": CITY})
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
    codes = [d["code"] for d in await ok(svc, "GET", "/reference/diseases", "hospital", params={"city": CITY})]
    assert sorted(codes) == ["I21", "T71"]
    only_national = await ok(svc, "GET", "/reference/diseases", "agency")
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
    rows = await ok(svc, "GET", "/reference/cost-averages", "hospital", params={"facility_id": H1})
    assert [(r["disease_code"], r["average_cost"]) for r in rows] == [("I21", "19000.00")]
    unknown = {**body, "rows": [{"facility_id": "H999", "disease_code": "I21", "average_cost": "1.00"}]}
    r = await call(svc, "POST", "/reference/cost-averages", "health", unknown)
    assert r.status_code == 422 and r.json()["field"] == "rows.0.facility_id"
    twice = {**body, "rows": body["rows"] * 2}
    assert (await call(svc, "POST", "/reference/cost-averages", "health", twice)).status_code == 422
    assert (await call(svc, "POST", "/reference/cost-averages", "hospital", body)).status_code == 403
    other = {**body}
    assert (await call(svc, "POST", "/reference/cost-averages", "other_agency", other)).status_code == 403
    assert (
        await call(svc, "GET", "/reference/cost-averages", "hospital2", params={"facility_id": H1})
    ).status_code == 403
    assert await ok(svc, "GET", "/reference/cost-averages", "other_agency", params={"facility_id": "H999"}) == []


async def test_gd_13_5_living_standard(svc: ServiceHarness) -> None:
    body = {"monthly_amount": "900.00", "effective_from": "2026-01-01", "source": "柳州市民政局 2026"}
    await ok(svc, "PUT", f"/reference/living-standards/{CITY}", "civil", body)
    assert (await call(svc, "PUT", f"/reference/living-standards/{CITY}", "hospital", body)).status_code == 403
    assert (await call(svc, "PUT", f"/reference/living-standards/{CITY}", "other_agency", body)).status_code == 403
    bad = {**body, "monthly_amount": "-1"}
    assert (await call(svc, "PUT", f"/reference/living-standards/{CITY}", "civil", bad)).status_code == 422
    rows = await ok(svc, "GET", f"/reference/living-standards/{CITY}", "agency")
    assert [r["monthly_amount"] for r in rows] == ["900.00"]


async def test_parameters_are_versioned_and_admin_only(svc: ServiceHarness) -> None:
    start = clock.now() + timedelta(minutes=5)
    body = {"value": 96, "effective_from": start.isoformat(), "reason": "市卫健委通知"}
    r = await call(svc, "PUT", "/parameters/emergency_period_hours", "agency", body)
    assert r.status_code == 403
    await ok(svc, "PUT", "/parameters/emergency_period_hours", "admin", body)
    assert (await call(svc, "PUT", "/parameters/emergency_period_hours", "admin", body)).status_code == 409
    now = await ok(svc, "GET", "/parameters", "admin")
    assert now["values"]["emergency_period_hours"]["value"] == 72
    later = await ok(svc, "GET", "/parameters", "auditor", params={"at": (start + timedelta(seconds=1)).isoformat()})
    assert later["values"]["emergency_period_hours"]["value"] == 96
    assert later["values"]["living_cost_days_per_month"]["interpretation"] is True
    for name, value in [("emergency_period_hours", -1), ("nope", 1), ("preallocation_min_share", "2")]:
        r = await call(svc, "PUT", f"/parameters/{name}", "admin", {**body, "value": value})
        assert r.status_code == 422, r.text
    past = {**body, "effective_from": "2020-01-01T00:00:00+00:00"}
    assert (await call(svc, "PUT", "/parameters/notice_working_days", "admin", past)).status_code == 422
    naive = {**body, "effective_from": "2030-01-01T00:00:00"}
    assert (await call(svc, "PUT", "/parameters/notice_working_days", "admin", naive)).status_code == 422
    assert (await call(svc, "GET", "/parameters", "hospital")).status_code == 403
    assert (await call(svc, "GET", "/parameters", "admin", params={"at": "2026-01-01T00:00:00"})).status_code == 422
