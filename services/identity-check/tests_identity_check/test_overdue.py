"""GD-16.3: at the end of the third working day without a reply the request is overdue:
IdentityCheckOverdue lets the hospital apply to the fund as unidentified."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from medaid_shared.testing import ServiceHarness

from .helpers import filed, hospital, police, register_facility

SH = ZoneInfo("Asia/Shanghai")


async def test_gd_16_3_overdue_fires_after_the_make_up_saturday_not_before(svc: ServiceHarness) -> None:
    await register_facility(svc)
    with time_machine.travel(datetime(2026, 9, 30, 10, 0, tzinfo=SH), tick=False):
        body = await filed(svc)
    # During the National Day holiday and on the make-up Saturday itself: not overdue.
    for at in (datetime(2026, 10, 7, 23, 0, tzinfo=SH), datetime(2026, 10, 10, 23, 59, 59, tzinfo=SH)):
        with time_machine.travel(at, tick=False):
            assert await svc.runtime.scheduler.fire_due() == 0
    with time_machine.travel(datetime(2026, 10, 11, 0, 0, 0, tzinfo=SH), tick=False):
        assert await svc.runtime.scheduler.fire_due() == 1
        assert await svc.runtime.scheduler.fire_due() == 0  # exactly once
        detail = (await svc.client.get(f"/identity-checks/{body['request_id']}", headers=hospital(svc))).json()
    [event] = await svc.published("IdentityCheckOverdue")
    p = event["payload"]
    assert p["request_id"] == body["request_id"] and p["reference_number"] == body["reference_number"]
    assert p["due_at"] == "2026-10-10T15:59:59Z" and p["facility_id"] == "H001" and p["bureau_id"] == "PSB01"
    assert p["patient_ref"] == body["patient_ref"]
    assert detail["status"] == "overdue" and detail["overdue"] is True


async def test_gd_16_3_make_up_sunday_counts_so_overdue_comes_earlier(svc: ServiceHarness) -> None:
    """Filed Fri 2026-09-18: Sun 20 (make-up), Mon 21, Tue 22 → overdue from Wed 23 00:00."""
    await register_facility(svc)
    with time_machine.travel(datetime(2026, 9, 18, 15, 0, tzinfo=SH), tick=False):
        body = await filed(svc)
    assert body["reply_due_at"] == "2026-09-22T15:59:59Z"
    with time_machine.travel(datetime(2026, 9, 23, 0, 0, 1, tzinfo=SH), tick=False):
        assert await svc.runtime.scheduler.fire_due() == 1
    assert len(await svc.published("IdentityCheckOverdue")) == 1


async def test_gd_16_3_no_overdue_once_replied_and_a_late_reply_after_overdue_is_late(svc: ServiceHarness) -> None:
    await register_facility(svc)
    with time_machine.travel(datetime(2026, 9, 30, 10, 0, tzinfo=SH), tick=False):
        body = await filed(svc)
    with time_machine.travel(datetime(2026, 10, 12, 9, 0, tzinfo=SH), tick=False):
        assert await svc.runtime.scheduler.fire_due() == 1
        r = await svc.client.post(
            f"/identity-checks/{body['request_id']}/reply", json={"outcome": "not_identified"}, headers=police(svc)
        )
    assert r.status_code == 200 and r.json()["reply"]["late"] is True and r.json()["status"] == "not_identified"
    [verified] = await svc.published("IdentityVerified")
    assert verified["payload"]["late"] is True
    assert verified["payload"]["reply_due_at"] == "2026-10-10T15:59:59Z"


async def test_gd_16_3_overdue_is_recorded_in_the_audit_log(svc: ServiceHarness) -> None:
    from sqlalchemy import select

    await register_facility(svc)
    with time_machine.travel(datetime(2026, 9, 30, 10, 0, tzinfo=SH), tick=False):
        body = await filed(svc)
    with time_machine.travel(datetime(2026, 10, 11, 0, 0, 1, tzinfo=SH), tick=False):
        await svc.runtime.scheduler.fire_due()
    t = svc.runtime.db.tables.audit_log
    async with svc.runtime.db.read() as s:
        [row] = (await s.execute(select(t).where(t.c.action == "identity_check.overdue"))).mappings().all()
    assert row["subject"] == body["request_id"] and row["actor"] == "system" and "GD-16.3" in row["reason"]
