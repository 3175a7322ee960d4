"""The bureau's reply window is a versioned parameter with a statutory ceiling (GD-16.2,
SPEC 0.6): a version may shorten the 3 working days, never lengthen them; the letter's
deadline cites the version it applied."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from medaid_shared.testing import ServiceHarness

from .helpers import filed, register_facility, token

SH = ZoneInfo("Asia/Shanghai")


def _version(days: int) -> dict[str, object]:
    return {
        "kind": "reply_window",
        "effective_from": "2026-11-09",
        "values": {"reply_working_days": days},
        "source": "省公安厅通知",
    }


async def test_gd_16_2_reply_window_may_be_shorter_never_longer(svc: ServiceHarness) -> None:
    await register_facility(svc)
    admin = token(svc, "admin")
    with time_machine.travel(datetime(2026, 11, 6, 9, 0, tzinfo=SH), tick=False):
        longer = await svc.client.post("/admin/parameters", json={"versions": [_version(4)]}, headers=admin)
        assert longer.status_code == 422 and longer.json()["rule"] == "GD-16.2"
        assert longer.json()["field"] == "/versions/0/values/reply_working_days"
        r = await svc.client.post("/admin/parameters", json={"versions": [_version(2)]}, headers=admin)
        assert r.status_code == 201, r.text
        # Friday 6 November, before the version: Mon 9, Tue 10, Wed 11 (the default 3 days)
        before = await filed(svc, patient_ref="ZY2026-0101")
        assert before["reply_due_at"].startswith("2026-11-11T15:59:59")
    with time_machine.travel(datetime(2026, 11, 9, 9, 0, tzinfo=SH), tick=False):
        # Monday 9 November, the version in force: Tue 10, Wed 11
        after = await filed(svc, patient_ref="ZY2026-0102")
        assert after["reply_due_at"].startswith("2026-11-11T15:59:59")
    with time_machine.travel(datetime(2026, 11, 10, 9, 0, tzinfo=SH), tick=False):
        later = await filed(svc, patient_ref="ZY2026-0103")
        assert later["reply_due_at"].startswith("2026-11-12T15:59:59")  # Wed 11, Thu 12
    t = svc.runtime.db.tables.audit_log
    async with svc.runtime.db.read() as s:
        details = (await s.execute(select(t.c.details).where(t.c.action == "identity_check.filed"))).scalars().all()
    assert sorted(d["reply_window_version"] for d in details) == [
        "reply_window:any:any:2026-11-09",
        "reply_window:any:any:2026-11-09",
        "reply_window:any:any:default",
    ]
