"""LJ-12 / LJ-17 over HTTP: fitness, discharge, the three documents within 24 hours,
violations and the per-hospital report."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
import time_machine
from cryptography.exceptions import InvalidTag

from medaid_shared.clock import SHANGHAI
from medaid_shared.crypto import Unsealer
from medaid_shared.settings import (
    DEV_CONSENT_FORMS_PRIVATE_KEY,
    DEV_DIAGNOSIS_GROUPS_PRIVATE_KEY,
    DEV_PERSON_MATCHING_PRIVATE_KEY,
    DIAGNOSIS_GROUPS_PURPOSE,
)
from medaid_shared.testing import ServiceHarness

from .helpers import (
    admit,
    assert_problem,
    audit_actions,
    ca,
    count,
    file_centralized,
    fire,
    health,
    hospital,
    institution,
    mi,
    payloads,
    world,
)

DOCS = ("diagnosis_certificate", "discharge_summary", "itemised_cost_list")


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


async def test_lj_12_discharge_with_all_documents_in_time(svc: ServiceHarness) -> None:
    """LJ-12: fit → discharged → DischargeRecorded; all three documents within 24 hours → no violation."""
    with time_machine.travel(sh(2026, 10, 12, 9), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["central"], "2026-10-12T08:00:00+08:00")
        await file_centralized(svc, w["central"], adm)
        aid = adm["admission_id"]
    with time_machine.travel(sh(2026, 10, 20, 11), tick=False):
        r = await svc.client.post(f"/admissions/{aid}/fitness", json={"doctor": "Dr Qin"}, headers=hospital(svc))
        assert r.status_code == 200 and r.json()["fit_at"] is not None
        assert_problem(
            await svc.client.post(f"/admissions/{aid}/fitness", json={"doctor": "x"}, headers=hospital(svc)), 409
        )
        d = await svc.client.post(
            f"/admissions/{aid}/discharge",
            json={"discharged_at": "2026-10-20T10:00:00+08:00", "diagnosis_group": "J18"},
            headers=hospital(svc),
        )
        assert d.status_code == 200, d.text
        (row,) = await svc.published("DischargeRecorded")
        rec = row["payload"]
        assert rec["admission_id"] == aid and row["dataschema"].endswith("DischargeRecorded:2")
        # SPEC 0.4 / LJ-9: settlement consumes the group, sealed for it alone
        assert "diagnosis_group" not in rec and "J18" not in json.dumps(rec)
        assert (
            Unsealer(DEV_DIAGNOSIS_GROUPS_PRIVATE_KEY).open(rec["diagnosis_group_sealed"], DIAGNOSIS_GROUPS_PURPOSE)
            == "J18"
        )
        for other in (DEV_CONSENT_FORMS_PRIVATE_KEY, DEV_PERSON_MATCHING_PRIVATE_KEY):
            with pytest.raises(InvalidTag):
                Unsealer(other).open(rec["diagnosis_group_sealed"], DIAGNOSIS_GROUPS_PURPOSE)
        await _diagnosis_rests_encrypted_and_stays_off_the_feeds(svc, aid)
        await _no_diagnosis_in_clear_on_the_broker(svc, aid)
        assert datetime.fromisoformat(rec["documents_due_at"]) == sh(2026, 10, 21, 10)
    with time_machine.travel(sh(2026, 10, 21, 9), tick=False):
        for kind in DOCS:
            r = await svc.client.post(
                f"/admissions/{aid}/documents", json={"kind": kind, "document_ref": f"D-{kind}"}, headers=hospital(svc)
            )
            assert r.status_code == 201 and r.json()["late"] is False
        assert r.json()["missing"] == []
    with time_machine.travel(sh(2026, 10, 22, 9), tick=False):
        assert await fire(svc) == 0
        assert await svc.published("DischargeDocumentsOverdue") == []
        assert await count(svc, "violation") == 0
        got = await svc.client.get(f"/admissions/{aid}", headers=institution(svc, "I01"))
        assert [x["kind"] for x in got.json()["documents"]] == list(DOCS)


async def test_lj_12_lj_17_overdue_documents_become_a_violation(svc: ServiceHarness) -> None:
    """LJ-12 / LJ-17: a document missing at 24 hours → violation record + DischargeDocumentsOverdue;
    the report per hospital lists it for health and medical insurance."""
    with time_machine.travel(sh(2026, 10, 12, 9), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["central"], "2026-10-12T08:00:00+08:00")
        await file_centralized(svc, w["central"], adm)
        aid = adm["admission_id"]
        await svc.client.post(
            f"/admissions/{aid}/discharge", json={"discharged_at": "2026-10-12T08:30:00+08:00"}, headers=hospital(svc)
        )
        await svc.client.post(
            f"/admissions/{aid}/documents",
            json={"kind": "discharge_summary", "document_ref": "S"},
            headers=hospital(svc),
        )
    with time_machine.travel(sh(2026, 10, 13, 8, 29), tick=False):
        assert await fire(svc) == 0
    with time_machine.travel(sh(2026, 10, 13, 8, 31), tick=False):
        assert await fire(svc) == 1
        (over,) = payloads(await svc.published("DischargeDocumentsOverdue"))
        assert over["missing_documents"] == ["diagnosis_certificate", "itemised_cost_list"]
        assert over["facility_id"] == "H001"
        vs = await svc.client.get("/violations", headers=health(svc))
        assert [v["violation_id"] for v in vs.json()["items"]] == [over["violation_id"]]
        assert vs.json()["items"][0]["rule"] == "LJ-12" and vs.json()["items"][0]["kind"] == "documents_overdue"
        late = await svc.client.post(
            f"/admissions/{aid}/documents",
            json={"kind": "itemised_cost_list", "document_ref": "C"},
            headers=hospital(svc),
        )
        assert late.json()["late"] is True
        for headers in (health(svc), mi(svc), ca(svc)):
            rep = await svc.client.get("/violations/report?year=2026", headers=headers)
            assert rep.status_code == 200
            assert rep.json()["year"] == 2026
            assert rep.json()["items"] == [
                {
                    "facility_id": "H001",
                    "documents_overdue": 1,
                    "late_discharge": 0,
                    "total": 1,
                    "name": "Hospital H001",
                    "level": "district",
                }
            ]
        assert (await svc.client.get("/violations/report?year=2025", headers=mi(svc))).json()["items"] == []
        assert_problem(await svc.client.get("/violations/report", headers=hospital(svc)), 403)
        assert_problem(await svc.client.get("/violations/report", headers=institution(svc)), 403)
        # a hospital sees its own violation records only
        assert len((await svc.client.get("/violations", headers=hospital(svc, "H001"))).json()["items"]) == 1
        assert (await svc.client.get("/violations", headers=hospital(svc, "C001"))).json()["items"] == []
        assert (await svc.client.get("/violations?facility_id=H001", headers=hospital(svc, "C001"))).json()[
            "items"
        ] == []
        assert_problem(await svc.client.get("/violations", headers=institution(svc)), 403)
        assert any(a[0] == "violation.record" for a in await audit_actions(svc))


async def test_lj_12_late_discharge_after_fitness_is_a_violation(svc: ServiceHarness) -> None:
    """LJ-12 (interpretation: 24 hours): held in hospital two days after being fit → late_discharge (LJ-17)."""
    with time_machine.travel(sh(2026, 10, 12, 9), tick=False):
        w = await world(svc)
        aid = (await admit(svc, w["central"], "2026-10-12T08:00:00+08:00"))["admission_id"]
        await svc.client.post(f"/admissions/{aid}/fitness", json={"doctor": "Dr Qin"}, headers=hospital(svc))
    with time_machine.travel(sh(2026, 10, 14, 12), tick=False):
        r = await svc.client.post(
            f"/admissions/{aid}/discharge", json={"discharged_at": "2026-10-14T11:00:00+08:00"}, headers=hospital(svc)
        )
        assert r.status_code == 200
        (v,) = (await svc.client.get("/violations?kind=late_discharge", headers=mi(svc))).json()["items"]
        assert v["admission_id"] == aid and v["details"]["delay_hours_allowed"] == 24


async def test_discharge_bad_input_and_denials_change_nothing(svc: ServiceHarness) -> None:
    """Discharge before admission, twice, in the future, by another hospital, documents before discharge."""
    with time_machine.travel(sh(2026, 10, 12, 9), tick=False):
        w = await world(svc)
        aid = (await admit(svc, w["central"], "2026-10-12T08:00:00+08:00"))["admission_id"]
        url = f"/admissions/{aid}/discharge"
        assert_problem(
            await svc.client.post(url, json={"discharged_at": "2026-10-11T08:00:00+08:00"}, headers=hospital(svc)),
            422,
            field="/discharged_at",
        )
        assert_problem(
            await svc.client.post(url, json={"discharged_at": "2026-10-13T08:00:00+08:00"}, headers=hospital(svc)),
            422,
            field="/discharged_at",
        )
        assert_problem(
            await svc.client.post(
                url, json={"discharged_at": "2026-10-12T08:30:00+08:00"}, headers=hospital(svc, "C001")
            ),
            403,
        )
        assert_problem(
            await svc.client.post(url, json={"discharged_at": "2026-10-12T08:30:00+08:00"}, headers=institution(svc)),
            403,
        )
        assert_problem(
            await svc.client.post(
                "/admissions/nope/discharge", json={"discharged_at": "2026-10-12T08:30:00+08:00"}, headers=hospital(svc)
            ),
            404,
        )
        doc = {"kind": "discharge_summary", "document_ref": "S"}
        assert_problem(
            await svc.client.post(f"/admissions/{aid}/documents", json=doc, headers=hospital(svc)), 422, rule="LJ-12"
        )
        assert_problem(
            await svc.client.post(f"/admissions/{aid}/documents", json={**doc, "kind": "x-ray"}, headers=hospital(svc)),
            422,
            field="/kind",
        )
        assert_problem(
            await svc.client.post(f"/admissions/{aid}/fitness", json={"doctor": "x"}, headers=hospital(svc, "C001")),
            403,
        )
        assert await svc.published("DischargeRecorded") == []
        ok = await svc.client.post(url, json={"discharged_at": "2026-10-12T08:30:00+08:00"}, headers=hospital(svc))
        assert ok.status_code == 200
        assert_problem(
            await svc.client.post(url, json={"discharged_at": "2026-10-12T08:30:00+08:00"}, headers=hospital(svc)), 409
        )
        assert_problem(
            await svc.client.post(f"/admissions/{aid}/fitness", json={"doctor": "x"}, headers=hospital(svc)), 409
        )
        assert_problem(
            await svc.client.post(f"/admissions/{aid}/documents", json=doc, headers=hospital(svc, "C001")), 403
        )
        assert_problem(await svc.client.post(f"/admissions/{aid}/documents", json=doc, headers=ca(svc)), 403)
        await svc.client.post(f"/admissions/{aid}/documents", json=doc, headers=hospital(svc))
        assert_problem(await svc.client.post(f"/admissions/{aid}/documents", json=doc, headers=hospital(svc)), 409)
        # discharged: the person may be admitted again
        again = await admit(svc, w["central"], "2026-10-12T08:45:00+08:00")
        assert again["admission_id"] != aid
        assert len(await svc.published("DischargeRecorded")) == 1


async def _diagnosis_rests_encrypted_and_stays_off_the_feeds(svc: ServiceHarness, aid: str) -> None:
    """Issue scenario: ``admission.diagnosis_group`` was stored in clear and went to the civil
    affairs, medical insurance, health bureau and auditor feeds. It rests as ciphertext, reads back
    to the hospital, and no feed shows it (SPEC 0.4)."""
    from sqlalchemy import select

    from referral.adapters.tables import admission

    async with svc.runtime.db.read() as s:
        row = (await s.execute(select(admission).where(admission.c.admission_id == aid))).mappings().one()
    assert "diagnosis_group" not in row and b"J18" not in bytes(row["diagnosis_group_enc"])
    got = await svc.client.get(f"/admissions/{aid}", headers=hospital(svc))
    assert got.json()["diagnosis_group"] == "J18"
    # SPEC 0.4: the carers and the auditor see the admission, not the diagnosis (one or the list)
    for headers in (institution(svc, "I01"), svc.token("auditor")):
        one = await svc.client.get(f"/admissions/{aid}", headers=headers)
        assert one.status_code == 200 and one.json()["diagnosis_group"] is None and "J18" not in one.text
    listed = await svc.client.get("/admissions", headers=institution(svc, "I01"))
    assert listed.status_code == 200 and aid in listed.text and "J18" not in listed.text
    await svc.runtime.relay.publish_batch()
    for role, department, scopes in (
        ("civil_affairs", "civil_affairs", ["district:liujiang"]),
        ("medical_insurance", "medical_insurance", []),
        ("health_bureau", "health_bureau", []),
        ("auditor", "auditor", []),
    ):
        r = await svc.client.get(f"/feed/{department}", params={"limit": 500}, headers=svc.token(role, *scopes))
        assert r.status_code == 200, r.text
        discharges = [e["data"] for e in r.json()["events"] if e["type"].endswith("DischargeRecorded")]
        assert discharges, department
        assert all("diagnosis_group" not in d and "diagnosis_group_sealed" not in d for d in discharges), department


async def _no_diagnosis_in_clear_on_the_broker(svc: ServiceHarness, aid: str) -> None:
    """Issue 16: the discharge as the broker holds it (and as a consumer's dead letter would
    keep it) carries the diagnosis group only sealed for settlement."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    settings = svc.runtime.settings
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        topic = settings.topic("referral.admission")
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or set()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        values: list[bytes] = []

        async def behind() -> bool:
            return any([await consumer.position(tp) < end[tp] for tp in partitions])

        while await behind():
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                values += [r.value for r in records if r.key == aid.encode() and r.value]
    finally:
        await consumer.stop()
    discharges = [json.loads(v) for v in values if b"documents_due_at" in v]
    assert discharges, "the discharge is not on the broker"
    for value in values:
        assert b"J18" not in value and b'"diagnosis_group"' not in value
    assert all(d["diagnosis_group_sealed"] for d in discharges)
