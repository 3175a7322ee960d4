"""The insurance catalogue (医保目录) as versioned reference data owned by settlement
(SPEC 0.5): loaded by an administrator (API and CLI), published to consent, looked up for
every bill line; the hospital never says whether its item is in the catalogue."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from medaid_shared.contracts.common import Region
from medaid_shared.testing import ServiceHarness
from settlement.adapters import tables as t
from settlement.cli import CATALOGUE_EXAMPLE, example_file
from tests_settlement.test_cli import cli
from tests_settlement.world import (
    admin,
    admit,
    bill,
    catalogue_entry,
    discharge,
    hospital,
    line,
    load_parameters,
)


async def _count(svc: ServiceHarness, table: object) -> int:
    async with svc.runtime.db.read() as s:
        return int((await s.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def test_a_5000_out_of_catalogue_drug_cannot_be_billed_as_in_catalogue(svc: ServiceHarness) -> None:
    """The issue's first finding: a 5,000 CNY out-of-catalogue drug sent as in-catalogue
    skipped the consent form and both reviews (LJ-7) and was paid by basic insurance and
    medical aid. The line now names its code; the catalogue says it is out of catalogue, so
    with no approval the hospital bears it (LJ-7.4) and no insurance or aid pays (LJ-6.1)."""
    await load_parameters(svc)
    await admit(svc)
    await discharge(svc)
    claimed = {**line("5000.00", code="SELF001"), "in_catalogue": True}
    r = await svc.client.post("/bills", json=bill("B1", [claimed]), headers=hospital(svc))
    assert r.status_code == 422, r.text  # the field does not exist any more: never sent
    assert r.json()["field"] == "/lines/0/in_catalogue"
    assert await _count(svc, t.bill) == 0

    r = await svc.client.post("/bills", json=bill("B1", [line("5000.00", code="SELF001")]), headers=hospital(svc))
    assert r.status_code == 201, r.text
    assert r.json()["lines"][0]["in_catalogue"] is False
    assert r.json()["lines"][0]["catalogue_version"] == "SELF001:any:2026-01-01"
    st = (await svc.client.post("/admissions/A1/settlement", headers=hospital(svc))).json()
    assert st["in_catalogue_total"] == "0.00" and st["out_of_catalogue_total"] == "5000.00"
    assert st["amounts"]["basic_insurance"] == "0.00" and st["amounts"]["medical_aid"] == "0.00"
    assert st["amounts"]["hospital_borne"] == "5000.00"
    assert [ln["rule"] for ln in st["lines"]] == ["LJ-7.4"]


async def test_an_unknown_item_code_is_a_problem_naming_the_line_and_nothing_is_stored(svc: ServiceHarness) -> None:
    await admit(svc)
    lines = [line("10.00"), line("20.00", code="NO-SUCH-CODE")]
    r = await svc.client.post("/bills", json=bill("B1", lines), headers=hospital(svc))
    assert r.status_code == 422, r.text
    problem = r.json()
    assert (problem["field"], problem["rule"]) == ("/lines/1/item_code", "LJ-6.1")
    assert "NO-SUCH-CODE" in problem["detail"]
    assert await _count(svc, t.bill) == 0 and await _count(svc, t.bill_line) == 0


async def test_an_in_catalogue_item_cannot_carry_a_self_pay_item(svc: ServiceHarness) -> None:
    await admit(svc)
    r = await svc.client.post(
        "/bills", json=bill("B1", [{**line("300.00"), "self_pay_item_id": "SP1"}]), headers=hospital(svc)
    )
    assert r.status_code == 422
    assert (r.json()["field"], r.json()["rule"]) == ("/lines/0/self_pay_item_id", "LJ-7.0")


async def test_membership_follows_the_service_date_and_the_facility_region(svc: ServiceHarness) -> None:
    """An entry applies from its effective date; a region's own entry beats ``any``."""
    await admit(svc)  # the test catalogue: DRG001 in the catalogue everywhere from 2026-01-01
    later = [
        catalogue_entry("NEW01", True, effective_from="2026-03-05"),
        catalogue_entry("DRG001", False, region=Region.LIUJIANG.value),
    ]
    r = await svc.client.post("/admin/catalogue", json={"items": later}, headers=admin(svc))
    assert r.status_code == 201, r.text
    early = line("50.00", code="NEW01")  # served 2026-03-03, before NEW01 is listed
    r = await svc.client.post("/bills", json=bill("B1", [early], kind="interim"), headers=hospital(svc))
    assert (r.status_code, r.json()["field"]) == (422, "/lines/0/item_code")
    in_time = line("50.00", code="NEW01", day=date(2026, 3, 5))
    r = await svc.client.post(
        "/bills", json=bill("B1", [in_time, line("80.00")], kind="interim"), headers=hospital(svc)
    )
    assert r.status_code == 201, r.text
    assert [(ln["in_catalogue"], ln["catalogue_version"]) for ln in r.json()["lines"]] == [
        (True, "NEW01:any:2026-03-05"),
        (False, "DRG001:liujiang:2026-01-01"),  # Liujiang's own entry wins over "any"
    ]


async def test_only_an_administrator_loads_the_catalogue_overlaps_are_refused_and_each_entry_is_published(
    svc: ServiceHarness,
) -> None:
    items = [catalogue_entry("A1", True), catalogue_entry("B1", False, kind="test")]
    r = await svc.client.post("/admin/catalogue", json={"items": items}, headers=hospital(svc))
    assert r.status_code == 403
    r = await svc.client.post("/admin/catalogue", json={"items": items}, headers=admin(svc))
    assert r.status_code == 201, r.text
    assert r.json() == {"loaded": ["A1:any:2026-01-01", "B1:any:2026-01-01"]}
    published = await svc.published("CatalogueItemPublished")
    assert {(p["payload"]["code"], p["payload"]["in_catalogue"]) for p in published} == {("A1", True), ("B1", False)}

    again = [catalogue_entry("C1", True), catalogue_entry("A1", False, effective_from="2026-06-01")]
    r = await svc.client.post("/admin/catalogue", json={"items": again}, headers=admin(svc))
    assert r.status_code == 409 and r.json()["field"] == "/items"
    assert await _count(svc, t.catalogue_item) == 2  # all or nothing
    assert len(await svc.published("CatalogueItemPublished")) == 2

    bad = [{**catalogue_entry("D1", True), "region": "mars"}]
    r = await svc.client.post("/admin/catalogue", json={"items": bad}, headers=admin(svc))
    assert r.status_code == 422 and r.json()["field"].startswith("/items/0")
    listed = await svc.client.get("/catalogue?code=B1", headers=hospital(svc))
    assert [e["kind"] for e in listed.json()["items"]] == ["test"]


async def test_the_example_catalogue_is_marked_and_loads_with_the_cli(svc: ServiceHarness, tmp_path: Path) -> None:
    data = json.loads(example_file(CATALOGUE_EXAMPLE).read_text())
    assert "EXAMPLE" in data["_comment"]
    assert all(item["example"] is True for item in data["items"])
    code, out, err = await cli(svc, "catalogue-load")
    assert code == 0, err
    assert f"loaded {len(data['items'])} catalogue entries" in out
    code, _, err = await cli(svc, "catalogue-load")  # the same entries again overlap: refused
    assert code == 1 and "overlapping" in err
    code, _, err = await cli(svc, "catalogue-load", role="hospital")
    assert code == 1 and "administrator" in err
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"items": [{"code": "X"}]}))
    code, _, _ = await cli(svc, "catalogue-load", str(bad))
    assert code == 2
    code, out, _ = await cli(svc, "catalogue-list", role="medical_insurance")
    assert code == 0 and len(json.loads(out)) == len(data["items"])
