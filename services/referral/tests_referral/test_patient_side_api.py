"""LJ-12 / LJ-17 seen from the patient's side (the issue: late discharge was recorded only if
the hospital reported itself). The institution, the village committee or the guardian records
that the patient was declared fit or that the documents are withheld; that starts the LJ-12
clocks and the violations follow without the hospital's self-report."""

from __future__ import annotations

from datetime import datetime

import time_machine

from medaid_shared.clock import SHANGHAI
from medaid_shared.testing import ServiceHarness

from .helpers import (
    add_person,
    admit,
    assert_problem,
    audit_actions,
    ca,
    decentralized,
    fire,
    hospital,
    institution,
    payloads,
    village,
    world,
)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


FIT = {"kind": "declared_fit", "at": "2026-10-01T10:00:00+08:00", "source": "主治医生 黄医生 查房时告知可出院"}


async def violations(svc: ServiceHarness) -> list[dict[str, object]]:
    r = await svc.client.get("/violations", headers=ca(svc))
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def test_lj_12_a_patient_held_ten_days_over_an_unpaid_bill_is_a_violation(svc: ServiceHarness) -> None:
    """Declared fit on 10-01 (the institution's report; the hospital records no fitness), held
    over the unpaid bill until 10-11: the late discharge is a violation on 10-02, while the
    patient is still held, and the hospital's own discharge record adds no second one."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["central"], "2026-09-29T09:00:00+08:00")
        aid = adm["admission_id"]
    with time_machine.travel(sh(2026, 10, 1, 18), tick=False):
        url = f"/admissions/{aid}/patient-side"
        assert_problem(await svc.client.post(url, json=FIT, headers=hospital(svc)), 403)
        assert_problem(await svc.client.post(url, json=FIT, headers=institution(svc, "I02")), 403)
        assert_problem(
            await svc.client.post(url, json={**FIT, "at": "2026-10-02T10:00:00+08:00"}, headers=institution(svc)),
            422,
            field="/at",
        )
        r = await svc.client.post(url, json=FIT, headers=institution(svc))
        assert r.status_code == 200, r.text
        assert r.json()["patient_fit_report"]["role"] == "institution" and r.json()["fit_at"] is None
        assert_problem(await svc.client.post(url, json=FIT, headers=institution(svc)), 409, field="/kind")
    with time_machine.travel(sh(2026, 10, 2, 9, 59), tick=False):
        await fire(svc)
        assert await violations(svc) == []
    with time_machine.travel(sh(2026, 10, 2, 10, 1), tick=False):
        await fire(svc)
        (late,) = await violations(svc)
        assert late["kind"] == "late_discharge" and late["facility_id"] == "H001" and late["rule"] == "LJ-12"
        details = late["details"]
        assert isinstance(details, dict)
        assert details["fit_reported_by"] == "patient_side" and details["still_in_hospital"] is True
        assert any(a[0] == "violation.record" for a in await audit_actions(svc))
    with time_machine.travel(sh(2026, 10, 11, 10), tick=False):
        r = await svc.client.post(
            f"/admissions/{aid}/discharge",
            json={"discharged_at": "2026-10-11T09:30:00+08:00"},
            headers=hospital(svc),
        )
        assert r.status_code == 200, r.text
        assert [v["kind"] for v in await violations(svc)] == ["late_discharge"]
        report = (await svc.client.get("/violations/report?year=2026", headers=ca(svc))).json()
        assert report["items"][0]["late_discharge"] == 1


async def test_lj_12_a_discharge_recorded_late_after_a_patient_side_report_is_late(svc: ServiceHarness) -> None:
    """Reported only after the hospital's discharge: the late discharge is judged at once."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["central"], "2026-09-29T09:00:00+08:00")
        aid = adm["admission_id"]
    with time_machine.travel(sh(2026, 10, 5, 10), tick=False):
        await svc.client.post(
            f"/admissions/{aid}/discharge", json={"discharged_at": "2026-10-05T09:00:00+08:00"}, headers=hospital(svc)
        )
        assert await violations(svc) == []  # no fitness on record: the discharge stood in for it
        r = await svc.client.post(f"/admissions/{aid}/patient-side", json=FIT, headers=institution(svc))
        assert r.status_code == 200, r.text
        (late,) = await violations(svc)
        assert late["kind"] == "late_discharge"


async def test_lj_12_documents_withheld_reported_by_the_guardian_start_the_24_hours(svc: ServiceHarness) -> None:
    """The hospital records no discharge and keeps the documents: the registered guardian's
    report starts the documents' 24 hours → documents_overdue and DischargeDocumentsOverdue."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        guarded = await add_person(
            svc,
            decentralized(7, guardian={"guardian_id": "G-7", "name": "李大哥", "relation": "brother"}),
        )
        adm = await admit(svc, guarded["person_id"], "2026-09-29T09:00:00+08:00")
        aid = adm["admission_id"]
        assert w["decentral"] != guarded["person_id"]
    withheld = {
        "kind": "documents_withheld",
        "at": "2026-10-01T10:00:00+08:00",
        "source": "住院处：结清费用才给出院小结",
    }
    with time_machine.travel(sh(2026, 10, 1, 12), tick=False):
        url = f"/admissions/{aid}/patient-side"
        assert_problem(await svc.client.post(url, json=withheld, headers=svc.token("guardian", subject="G-8")), 403)
        assert_problem(await svc.client.post(url, json=withheld, headers=village(svc, "V02")), 403)
        r = await svc.client.post(url, json=withheld, headers=svc.token("guardian", subject="G-7"))
        assert r.status_code == 200, r.text
        assert r.json()["documents_withheld_report"]["role"] == "guardian"
    with time_machine.travel(sh(2026, 10, 2, 10, 1), tick=False):
        await fire(svc)
        (overdue,) = await violations(svc)
        assert overdue["kind"] == "documents_overdue"
        (event,) = payloads(await svc.published("DischargeDocumentsOverdue"))
        assert event["admission_id"] == aid and len(event["missing_documents"]) == 3
