"""SPEC 0.1 and GD-16.2/GD-16.3: the reply window follows the year's calendar notice loaded
afterwards (a request overdue too early awaits its reply again, IdentityCheckReopened), and
a reply at the exact instant the deadline fires never deadlocks with the scheduler."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from medaid_shared.calendar import parse_year_notice
from medaid_shared.testing import ServiceHarness

from .helpers import filed, hospital, police, register_facility

SH = ZoneInfo("Asia/Shanghai")
NOTICE_2027 = {"holidays": [f"2027-10-0{d}" for d in range(1, 8)], "workdays": ["2027-09-26", "2027-10-09"]}


async def test_spec_0_1_a_request_overdue_before_the_real_end_awaits_its_reply_again(svc: ServiceHarness) -> None:
    """Received Thu 2027-09-30 on the provisional 2027 (National Day 1–3 October and its
    补假 on 4–5 October): due at the end of Fri 10-08, overdue at 10-09 00:00. The 2027
    notice, loaded on 10-09, makes 1–7 October days off and Sat 10-09 a working day: the
    real third working day is Mon 10-11."""
    await register_facility(svc)
    with time_machine.travel(datetime(2027, 9, 30, 10, 0, tzinfo=SH), tick=False):
        body = await filed(svc)
    assert body["reply_due_at"] == "2027-10-08T15:59:59Z" and body["calendar_provisional"] is True
    with time_machine.travel(datetime(2027, 10, 9, 0, 0, 0, tzinfo=SH), tick=False):
        assert await svc.runtime.scheduler.fire_due() == 1
    with time_machine.travel(datetime(2027, 10, 9, 10, 0, tzinfo=SH), tick=False):
        await svc.runtime.load_calendar_year(2027, parse_year_notice(2027, NOTICE_2027), "国办发明电", loaded_by="a")
        detail = (await svc.client.get(f"/identity-checks/{body['request_id']}", headers=hospital(svc))).json()
        assert detail["status"] == "awaiting_reply" and detail["reply_due_at"] == "2027-10-11T15:59:59Z"
        assert detail["calendar_provisional"] is False
    [reopened] = await svc.published("IdentityCheckReopened")
    p = reopened["payload"]
    assert p["reopened"] is True and p["previous_reply_due_at"] == "2027-10-08T15:59:59Z"
    assert p["reply_due_at"] == "2027-10-11T15:59:59Z"
    [moved] = await svc.published("DeadlineMoved")
    assert moved["payload"]["reopened"] is True
    # a reply within the real window is in time; the overdue fires again only after it
    with time_machine.travel(datetime(2027, 10, 11, 9, 0, tzinfo=SH), tick=False):
        assert await svc.runtime.scheduler.fire_due() == 0
        r = await svc.client.post(
            f"/identity-checks/{body['request_id']}/reply", json={"outcome": "not_identified"}, headers=police(svc)
        )
        assert r.status_code == 200 and r.json()["reply"]["late"] is False


async def test_gd_16_2_a_reply_at_the_exact_deadline_instant_never_deadlocks(svc: ServiceHarness) -> None:
    """The reply and the scheduler take the same locks in the same order (deadline row, then
    request row): whichever comes first wins, the other waits — no 500, one final reply."""
    await register_facility(svc)
    for i in range(4):
        with time_machine.travel(datetime(2026, 9, 18, 15, 0, tzinfo=SH), tick=False):
            body = await filed(svc, patient_ref=f"ZY-EXACT-{i}")
        with time_machine.travel(datetime(2026, 9, 23, 0, 0, 0, tzinfo=SH), tick=False):
            reply = svc.client.post(
                f"/identity-checks/{body['request_id']}/reply", json={"outcome": "not_identified"}, headers=police(svc)
            )
            r, fired = await asyncio.gather(reply, svc.runtime.scheduler.fire_due())
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "not_identified" and fired in (0, 1)
