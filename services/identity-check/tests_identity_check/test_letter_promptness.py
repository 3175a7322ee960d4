"""GD-16.1: the hospital sends the letter "immediately" — a letter that reaches the bureau
later than the versioned interval after the admission (as the fund case records it) is
flagged on the letter and announced."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from medaid_shared.contracts.emergency_fund import FundCaseOpened
from medaid_shared.testing import ServiceHarness

from .helpers import filed, hospital, meta, register_facility, token

SH = ZoneInfo("Asia/Shanghai")
FILED = datetime(2026, 10, 9, 9, 0, tzinfo=SH)


async def _case_opened(svc: ServiceHarness, body: dict[str, Any], admitted_at: datetime, **over: str) -> None:
    event = FundCaseOpened(
        case_id=over.get("case_id", "EC-1"),
        facility_id=over.get("facility_id", body["facility_id"]),
        patient_ref=over.get("patient_ref", body["patient_ref"]),
        identity_check_request_id=body["request_id"],
        city="liuzhou",
        admitted_at=admitted_at,
        opened_at=datetime.now(SH),
    )
    consumer = next(c for c in svc.runtime.consumers if c.name == "fund-cases")
    await consumer._apply(event, meta(event.event_type))


async def _letter(svc: ServiceHarness, body: dict[str, Any]) -> dict[str, Any]:
    r = await svc.client.get(f"/identity-checks/{body['request_id']}", headers=hospital(svc))
    assert r.status_code == 200, r.text
    return r.json()


async def test_gd_16_1_a_letter_sent_long_after_the_admission_is_flagged(svc: ServiceHarness) -> None:
    await register_facility(svc)
    with time_machine.travel(FILED, tick=False):
        body = await filed(svc)
        assert (await _letter(svc, body))["sent_late"] is None  # unknown until the fund case tells the admission
    with time_machine.travel(FILED + timedelta(hours=2), tick=False):
        # another hospital's or another admission's case names this letter: nothing changes
        await _case_opened(svc, body, FILED - timedelta(days=5), facility_id="H999")
        await _case_opened(svc, body, FILED - timedelta(days=5), patient_ref="ZY-OTHER")
        assert (await _letter(svc, body))["admitted_at"] is None
        await _case_opened(svc, body, FILED - timedelta(hours=24, seconds=1))
        letter = await _letter(svc, body)
        assert letter["sent_late"] is True and letter["admission_source"] == "emergency-fund case EC-1"
        assert letter["sent_late_parameters_version"] == "letter_promptness:any:any:default"
        [event] = await svc.published("IdentityLetterSentLate")
        assert event["payload"]["request_id"] == body["request_id"]
        assert event["payload"]["max_hours_after_admission"] == 24
        await _case_opened(svc, body, FILED - timedelta(days=9), case_id="EC-2")  # recorded once
        assert len(await svc.published("IdentityLetterSentLate")) == 1


async def test_gd_16_1_immediately_is_a_versioned_interpretation(svc: ServiceHarness) -> None:
    await register_facility(svc)
    admin = token(svc, "admin")
    version = {
        "kind": "letter_promptness",
        "effective_from": "2026-10-01",
        "values": {"max_hours_after_admission": 6},
        "source": "市公安局、卫健委通知",
    }
    with time_machine.travel(datetime(2026, 9, 20, 9, 0, tzinfo=SH), tick=False):
        zero = {**version, "values": {"max_hours_after_admission": 0}}
        bad = await svc.client.post("/admin/parameters", json={"versions": [zero]}, headers=admin)
        assert bad.status_code == 422
        r = await svc.client.post("/admin/parameters", json={"versions": [version]}, headers=admin)
        assert r.status_code == 201, r.text
    with time_machine.travel(FILED, tick=False):
        body = await filed(svc)
        await _case_opened(svc, body, FILED - timedelta(hours=7))
        letter = await _letter(svc, body)
        assert letter["sent_late"] is True
        assert letter["sent_late_parameters_version"] == "letter_promptness:any:any:2026-10-01"
