"""GD-16.4: after the deadline or after a "not identified" reply, the bureau can still report
the identity it found: IdentityVerified with late = true (emergency-fund demands the fund
money back)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from medaid_shared.testing import ServiceHarness

from .helpers import VALID_ID, filed, hospital, identified, police, register_facility

SH = ZoneInfo("Asia/Shanghai")


def _late_body(id_number: str = VALID_ID) -> dict[str, str]:
    body = identified(id_number)
    del body["outcome"]
    return body


async def _late(svc: ServiceHarness, request_id: str, at: datetime, headers: dict[str, str] | None = None) -> Any:
    with time_machine.travel(at, tick=False):
        return await svc.client.post(
            f"/identity-checks/{request_id}/late-identification", json=_late_body(), headers=headers or police(svc)
        )


async def _file(svc: ServiceHarness) -> dict[str, Any]:
    await register_facility(svc, "H001", "PSB01")
    with time_machine.travel(datetime(2026, 9, 30, 10, 0, tzinfo=SH), tick=False):
        return await filed(svc)


async def test_gd_16_4_identification_after_not_identified_reply_is_late(svc: ServiceHarness) -> None:
    body = await _file(svc)
    with time_machine.travel(datetime(2026, 10, 9, 9, 0, tzinfo=SH), tick=False):
        r = await svc.client.post(
            f"/identity-checks/{body['request_id']}/reply", json={"outcome": "not_identified"}, headers=police(svc)
        )
    assert r.json()["reply"]["late"] is False
    r = await _late(svc, body["request_id"], datetime(2026, 11, 20, 9, 0, tzinfo=SH))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "identified" and out["late_identification"]["late"] is True
    assert out["reply"]["outcome"] == "not_identified"  # the final reply stays on record
    events = await svc.published("IdentityVerified")
    assert [e["payload"]["outcome"] for e in events] == ["not_identified", "identified"]
    late = events[1]["payload"]
    assert late["late"] is True and late["late_identification"] is True
    assert late["id_number_masked"] and late["id_number_sealed"] and VALID_ID not in str(late)


async def test_gd_16_4_identification_after_the_deadline_without_any_reply(svc: ServiceHarness) -> None:
    body = await _file(svc)
    with time_machine.travel(datetime(2026, 10, 11, 0, 0, 1, tzinfo=SH), tick=False):
        assert await svc.runtime.scheduler.fire_due() == 1  # GD-16.3 overdue first
    r = await _late(svc, body["request_id"], datetime(2026, 10, 15, 9, 0, tzinfo=SH))
    assert r.status_code == 200 and r.json()["status"] == "identified"
    [event] = await svc.published("IdentityVerified")
    assert event["payload"]["late"] is True and event["payload"]["outcome"] == "identified"
    # the identification was the final word: no reply can follow
    with time_machine.travel(datetime(2026, 10, 16, 9, 0, tzinfo=SH), tick=False):
        again = await svc.client.post(
            f"/identity-checks/{body['request_id']}/reply", json={"outcome": "not_identified"}, headers=police(svc)
        )
    assert again.status_code == 409


async def test_gd_16_4_not_allowed_while_the_reply_window_is_open(svc: ServiceHarness) -> None:
    body = await _file(svc)
    r = await _late(svc, body["request_id"], datetime(2026, 10, 10, 12, 0, tzinfo=SH))  # make-up Saturday: in window
    assert r.status_code == 422 and r.json()["rule"] == "GD-16.4"
    assert await svc.published("IdentityVerified") == []


async def test_gd_16_4_twice_or_after_identified_is_a_conflict(svc: ServiceHarness) -> None:
    body = await _file(svc)
    with time_machine.travel(datetime(2026, 10, 9, 9, 0, tzinfo=SH), tick=False):
        await svc.client.post(f"/identity-checks/{body['request_id']}/reply", json=identified(), headers=police(svc))
    r = await _late(svc, body["request_id"], datetime(2026, 11, 1, 9, 0, tzinfo=SH))
    assert r.status_code == 409 and r.json()["rule"] == "GD-16.4"
    assert len(await svc.published("IdentityVerified")) == 1


async def test_gd_16_4_authorization_and_invalid_id_number(svc: ServiceHarness) -> None:
    body = await _file(svc)
    at = datetime(2026, 10, 20, 9, 0, tzinfo=SH)
    for headers in (police(svc, "PSB02"), hospital(svc)):
        assert (await _late(svc, body["request_id"], at, headers)).status_code == 403
    with time_machine.travel(at, tick=False):
        r = await svc.client.post(
            f"/identity-checks/{body['request_id']}/late-identification",
            json=_late_body(VALID_ID[:17] + "Y"),
            headers=police(svc),
        )
    assert r.status_code == 422 and r.json()["field"] == "/id_number"
    assert await svc.published("IdentityVerified") == []
