"""Hospital and national identifiers of an admission: the hospital's admission number
(住院号) and the national platform's psn_no / mdtrt_id / setl_id are kept, announced with
AdmissionFiled and printed on the outside-care filing form (annex 1); malformed ones are
refused naming the field, and nothing is filed."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from medaid_shared.clock import SHANGHAI
from medaid_shared.testing import ServiceHarness

from .helpers import admit, assert_problem, count, hospital, institution, world

IDS = {
    "hospital_admission_no": "ZY2026-001234",
    "psn_no": "45020000000000001234",
    "mdtrt_id": "450200202609290000123",
    "setl_id": "450200202610050000456",
}


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


async def test_the_admission_carries_the_hospital_and_national_ids_to_the_form(svc: ServiceHarness) -> None:
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["central"], "2026-09-29T09:00:00+08:00", **IDS)
        assert {k: adm[k] for k in IDS} == IDS
        got = (await svc.client.get(f"/admissions/{adm['admission_id']}", headers=hospital(svc))).json()
        assert {k: got[k] for k in IDS} == IDS
        (event,) = await svc.published("AdmissionFiled")
        assert {k: event["payload"][k] for k in IDS} == IDS
        f = await svc.client.post(
            "/filings",
            json={
                "person_id": w["central"],
                "facility_id": "H001",
                "admission_id": adm["admission_id"],
                "reason": "肺部感染",
            },
            headers=institution(svc, "I01"),
        )
        html = (await svc.client.get(f"/filings/{f.json()['filing_id']}/form", headers=institution(svc))).text
        for label, value in (("住院号", IDS["hospital_admission_no"]), ("医保人员编号", IDS["psn_no"])):
            assert f"<th>{label}</th><td>{value}</td>" in html, label
        assert IDS["mdtrt_id"] in html


async def test_a_hospital_admission_number_may_be_chinese_and_the_ids_are_optional(svc: ServiceHarness) -> None:
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["central"], "2026-09-29T09:00:00+08:00", hospital_admission_no="住院2026-0012")
        assert adm["hospital_admission_no"] == "住院2026-0012" and adm["psn_no"] is None
        other = await admit(svc, w["decentral"], "2026-09-29T09:30:00+08:00")
        assert all(other[k] is None for k in IDS)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hospital_admission_no", "ZY 2026"),
        ("hospital_admission_no", "x" * 41),
        ("hospital_admission_no", "-ZY1"),
        ("psn_no", "人员编号"),
        ("mdtrt_id", "4502<script>"),
        ("setl_id", "9" * 31),
    ],
)
async def test_a_malformed_identifier_is_refused_naming_it(svc: ServiceHarness, field: str, value: str) -> None:
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        body = {"person_id": w["central"], "facility_id": "H001", "admitted_at": "2026-09-29T09:00:00+08:00"}
        r = await svc.client.post("/admissions", json={**body, field: value}, headers=hospital(svc))
        assert_problem(r, 422, field=f"/{field}")
        assert await count(svc, "admission") == 0
