"""LJ-15.3: the one-person external-care file — our own steps plus consent and settlement
events (consumed idempotently), in order, readable by civil affairs, JSON and CSV."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime
from decimal import Decimal

import time_machine

from medaid_shared.clock import SHANGHAI
from medaid_shared.contracts.consent import ConsentSigned, MajorTreatmentEvaluated, SelfPayDecided, SkippedRank
from medaid_shared.contracts.settlement import SettlementCompleted, SettlementReversed
from medaid_shared.events import Event, EventMeta
from medaid_shared.testing import ServiceHarness

from .helpers import admit, assert_problem, audit_actions, ca, file_centralized, hospital, institution, mi, world


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def meta(event: Event, event_id: str | None = None) -> EventMeta:
    return EventMeta(
        id=event_id or str(uuid.uuid4()),
        source="test",
        type=event.event_type,
        subject=None,
        time=None,
        traceparent=None,
        topic=event.topic,
        partition=0,
        offset=0,
    )


async def deliver(svc: ServiceHarness, event: Event, event_id: str | None = None) -> str:
    consumer, _calendar = svc.runtime.consumers  # and the kernel's calendar consumer (SPEC 0.1)
    return await consumer._apply(event, meta(event, event_id))


def test_lj_15_3_consumers_registered_for_consent_and_settlement(svc: ServiceHarness) -> None:
    """LJ-15.3: the file consumes ConsentSigned, SelfPayDecided, MajorTreatmentEvaluated,
    SettlementCompleted and SettlementReversed."""
    consumer, _calendar = svc.runtime.consumers  # and the kernel's calendar consumer (SPEC 0.1)
    assert consumer.name == "care-file"
    assert set(consumer.handlers) == {
        m.event_type
        for m in (ConsentSigned, SelfPayDecided, MajorTreatmentEvaluated, SettlementCompleted, SettlementReversed)
    }


async def test_lj_15_3_file_in_order_with_consumed_events_json_and_csv(svc: ServiceHarness) -> None:
    """LJ-15.3: referral, admission, filing, consent, self-pay, evaluation, discharge,
    settlement and reversal in chronological order; a redelivered event is applied once."""
    with time_machine.travel(sh(2026, 5, 4, 9), tick=False):
        w = await world(svc)
        pid = w["central"]
        r = await svc.client.post(
            "/referrals",
            json={
                "person_id": pid,
                "from_facility_id": "TH01",
                "to_facility_id": "H001",
                "first_visit_at": "2026-05-04T08:00:00+08:00",
                "slip_ref": "ZZ-9",
            },
            headers=hospital(svc, "TH01"),
        )
        assert r.status_code == 201
    with time_machine.travel(sh(2026, 5, 4, 11), tick=False):
        adm = await admit(svc, pid, "2026-05-04T10:00:00+08:00")
        aid = adm["admission_id"]
        await file_centralized(svc, pid, adm)
    # events from the other services, delivered out of order
    settled = SettlementCompleted(
        statement_id="S1",
        admission_id=aid,
        person_id=pid,
        facility_id="H001",
        mode="one_stop",
        total=Decimal("8000.00"),
        basic_insurance=Decimal("5000.00"),
        critical_illness=Decimal("0.00"),
        medical_aid=Decimal("2800.00"),
        support_fund=Decimal("200.00"),
        self_pay_support=Decimal("0.00"),
        hospital_borne=Decimal("0.00"),
        personal_cash=Decimal("0.00"),
        aid_year=2026,
        completed_at=sh(2026, 5, 10, 9),
    )
    consent = ConsentSigned(
        consent_id="C1",
        admission_id=aid,
        person_id=pid,
        decision="major",
        signer_id="g-1",
        signer_rank=2,
        signer_role="guardian",
        signed_at=sh(2026, 5, 5, 9),
        skipped_ranks=[SkippedRank(rank=1, reason="not lucid")],
    )
    evaluated = MajorTreatmentEvaluated(
        evaluation_id="E1",
        admission_id=aid,
        person_id=pid,
        treatment="PCI",
        attending_doctor="Dr A",
        expert_id="X1",
        expert_hospital_id="C001",
        conclusion="proceed",
        evaluated_at=sh(2026, 5, 5, 8),
    )
    selfpay = SelfPayDecided(
        item_id="I1",
        admission_id=aid,
        person_id=pid,
        item_code="STENT-1",
        amount=Decimal("1500.00"),
        outcome="approved",
        decided_at=sh(2026, 5, 6, 9),
        rules=["LJ-7.3"],
    )
    reversed_ = SettlementReversed(
        statement_id="S2",
        reversed_statement_id="S1",
        admission_id=aid,
        person_id=pid,
        medical_aid_released=Decimal("2800.00"),
        reason="coding error",
        reversed_at=sh(2026, 5, 11, 9),
    )
    assert await deliver(svc, settled, "ev-settled") == "applied"
    assert await deliver(svc, settled, "ev-settled") == "duplicate"
    for e in (consent, evaluated, selfpay, reversed_):
        assert await deliver(svc, e) == "applied"
    with time_machine.travel(sh(2026, 5, 8, 12), tick=False):
        await svc.client.post(
            f"/admissions/{aid}/discharge", json={"discharged_at": "2026-05-08T10:00:00+08:00"}, headers=hospital(svc)
        )
    with time_machine.travel(sh(2026, 6, 1, 12), tick=False):
        r = await svc.client.get(f"/persons/{pid}/care-file", headers=ca(svc))
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["person"]["person_id"] == pid and "*" in body["person"]["id_number_masked"]
        kinds = [e["kind"] for e in body["entries"]]
        assert kinds == [
            "referral",
            "admission",
            "filing_submitted",
            "major_treatment_evaluated",
            "consent_signed",
            "self_pay_decided",
            "discharge",
            "settlement_completed",
            "settlement_reversed",
        ]
        by_kind = {e["kind"]: e for e in body["entries"]}
        assert by_kind["settlement_completed"]["summary"]["medical_aid"] == "2800.00"
        assert by_kind["consent_signed"]["source"] == "consent" and by_kind["consent_signed"]["admission_id"] == aid
        assert "PCI" not in r.text  # the treatment stays with the consent service
        assert by_kind["admission"]["at"] == "2026-05-04T02:00:00Z"
        assert ("care_file.read", pid, "LJ-15.3") in await audit_actions(svc)

        c = await svc.client.get(f"/persons/{pid}/care-file.csv", headers=ca(svc))
        assert c.status_code == 200 and c.headers["content-type"].startswith("text/csv")
        assert "attachment" in c.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(c.text)))
        assert [row["kind"] for row in rows] == kinds
        assert rows[-1]["summary"].startswith("{") and rows[0]["source"] == "referral"


async def test_lj_15_3_file_is_for_civil_affairs_only(svc: ServiceHarness) -> None:
    """LJ-15.3: readable by civil affairs; other roles are denied, unknown persons are 404."""
    with time_machine.travel(sh(2026, 5, 4, 9), tick=False):
        w = await world(svc)
        for headers in (institution(svc, "I01"), hospital(svc), mi(svc)):
            assert_problem(await svc.client.get(f"/persons/{w['central']}/care-file", headers=headers), 403)
            assert_problem(await svc.client.get(f"/persons/{w['central']}/care-file.csv", headers=headers), 403)
        assert_problem(await svc.client.get("/persons/nope/care-file", headers=ca(svc)), 404)
        assert_problem(await svc.client.get("/persons/nope/care-file.csv", headers=ca(svc)), 404)
        assert_problem(await svc.client.get(f"/persons/{w['central']}/care-file"), 401)
        empty = await svc.client.get(f"/persons/{w['central']}/care-file", headers=ca(svc))
        assert empty.json()["entries"] == []
