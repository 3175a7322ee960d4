"""Annex 3 prints the hospital's admission number (住院号) and the national platform's ids
learnt from AdmissionFiled, not our own admission id in their place; item codes are the
national codes or the hospital's local codes, Chinese ones included."""

from __future__ import annotations

from medaid_shared.testing import ServiceHarness

from .helpers import admission_event, capacity, catalogue_event, feed, no_guardian_verified, setup_person
from .test_api_forms import text_of

HOSPITAL = ("hospital", "facility:H001")
ITEM = {
    "item_name": "床位费（单间）",
    "category": "consumable",
    "unit_price": "120.00",
    "quantity": 1,
    "necessity": "隔离需要",
    "attending_doctor": "doc-1",
}


async def test_annex_3_shows_the_hospital_admission_number_and_the_national_ids(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(False), guardian=no_guardian_verified(), admission_id=None)
    admitted = admission_event("A1", "P1").model_copy(
        update={"hospital_admission_no": "ZY2026-001234", "psn_no": "45020000000000001234", "mdtrt_id": "M-77"}
    )
    await feed(svc, admitted)
    await feed(svc, catalogue_event("床位费", False))
    r = await svc.client.post(
        "/admissions/A1/self-pay-items", json={**ITEM, "item_code": "床位费"}, headers=svc.token(*HOSPITAL)
    )
    assert r.status_code == 201, r.text
    form = await svc.client.get(
        f"/self-pay-items/{r.json()['item_id']}/consent-form.html", headers=svc.token(*HOSPITAL)
    )
    text = text_of(form.text)
    assert "住院号ZY2026-001234" in text and "医保人员编号45020000000000001234" in text and "医保就诊IDM-77" in text
    assert "医保结算ID—" in text and "救助登记号A1" in text
    assert "床位费" in text


async def test_an_item_code_is_bounded_and_starts_with_a_letter_or_digit(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(False), guardian=no_guardian_verified())
    for code in ("", "-X", "X 1", "x" * 51, "X<1>"):
        r = await svc.client.post(
            "/admissions/A1/self-pay-items", json={**ITEM, "item_code": code}, headers=svc.token(*HOSPITAL)
        )
        assert r.status_code == 422 and r.json()["field"] == "/item_code", (code, r.text)
