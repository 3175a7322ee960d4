"""Hospital and national identifiers on the statement, and item codes as hospitals send
them: national medical-insurance codes at their real length and Chinese local codes."""

from __future__ import annotations

from medaid_shared.testing import ServiceHarness
from tests_settlement.world import (
    admin,
    admit,
    catalogue_entry,
    hospital,
    insurance,
    line,
    load_parameters,
    register_person,
    settled,
)

IDS = {"hospital_admission_no": "ZY2026-001234", "psn_no": "45020000000000001234", "mdtrt_id": "450200202603010001"}
NATIONAL_DRUG = "XA01ABD075A002010100483"
SERVICE_ITEM = "001201000010000-120100001"


async def test_the_statement_shows_the_hospital_and_national_ids_and_takes_real_item_codes(
    svc: ServiceHarness,
) -> None:
    await load_parameters(svc)
    await register_person(svc)
    items = [catalogue_entry(NATIONAL_DRUG, True), catalogue_entry(SERVICE_ITEM, True), catalogue_entry("床位费", True)]
    r = await svc.client.post("/admin/catalogue", json={"items": items}, headers=admin(svc))
    assert r.status_code == 201, r.text
    st = await settled(
        svc,
        [
            line("100.00", code=NATIONAL_DRUG),
            line("50.00", code=SERVICE_ITEM),
            line("30.00", code="床位费", category="bed"),
        ],
        identifiers=IDS,
    )
    got = (await svc.client.get(f"/statements/{st['statement_id']}", headers=insurance(svc))).json()
    assert got["admission_identifiers"] == {**IDS, "setl_id": None}
    assert got["national_fields"]["medfee_sumamt"] == "180.00"
    bill = (await svc.client.get("/bills", headers=insurance(svc))).json()["items"][0]
    lines = (await svc.client.get(f"/bills/{bill['bill_id']}", headers=insurance(svc))).json()["lines"]
    assert [ln["item_code"] for ln in lines] == [NATIONAL_DRUG, SERVICE_ITEM, "床位费"]


async def test_an_item_code_out_of_shape_is_refused_naming_the_line(svc: ServiceHarness) -> None:
    await admit(svc)
    for code in ("X" * 51, "-DRG", "DRG 001", "药<品>"):
        body = {"bill_number": "B-X", "admission_id": "A1", "kind": "interim", "lines": [line("1.00", code=code)]}
        r = await svc.client.post("/bills", json=body, headers=hospital(svc))
        assert r.status_code == 422, (code, r.text)
        assert r.json()["field"].endswith("item_code"), r.json()
    assert (await svc.client.get("/bills", headers=insurance(svc))).json()["items"] == []
