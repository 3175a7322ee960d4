"""The bureau's work queue (pending, overdue first, with due dates) and each party's view:
a bureau sees only requests addressed to it, a hospital only its own."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from medaid_shared.testing import ServiceHarness

from .helpers import OTHER_ID, filed, hospital, police, register_facility, token

SH = ZoneInfo("Asia/Shanghai")


async def test_bureau_queue_pending_with_due_dates_overdue_first(svc: ServiceHarness) -> None:
    await register_facility(svc, "H001", "PSB01")
    await register_facility(svc, "H002", "PSB01")
    await register_facility(svc, "H003", "PSB02")
    with time_machine.travel(datetime(2026, 9, 28, 10, 0, tzinfo=SH), tick=False):
        old = await filed(svc, patient_ref="OLD")  # Tue 29, Wed 30, (holidays), Thu Oct 8
    with time_machine.travel(datetime(2026, 9, 30, 10, 0, tzinfo=SH), tick=False):
        mid = await filed(svc, facility_id="H002", patient_ref="MID")  # due Sat 2026-10-10
        await filed(svc, facility_id="H003", patient_ref="ELSEWHERE")  # another bureau
        answered = await filed(svc, patient_ref="DONE")
    with time_machine.travel(datetime(2026, 10, 9, 9, 0, tzinfo=SH), tick=False):
        new = await filed(svc, patient_ref="NEW")  # Sat 10 (make-up), Mon 12, Tue 13
        await svc.client.post(
            f"/identity-checks/{answered['request_id']}/reply", json={"outcome": "not_identified"}, headers=police(svc)
        )
        assert await svc.runtime.scheduler.fire_due() == 1  # OLD is overdue
        r = await svc.client.get("/identity-checks/queue", headers=police(svc))
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["request_id"] for i in items] == [old["request_id"], mid["request_id"], new["request_id"]]
    assert [i["overdue"] for i in items] == [True, False, False]
    assert items[0]["status"] == "overdue"
    assert [i["reply_due_at"][:10] for i in items] == ["2026-10-08", "2026-10-10", "2026-10-13"]
    assert r.json()["next_cursor"] is None


async def test_queue_is_for_bureaus_only(svc: ServiceHarness) -> None:
    for headers in (hospital(svc), token(svc, "fund_agency", "city:liuzhou"), token(svc, "admin")):
        assert (await svc.client.get("/identity-checks/queue", headers=headers)).status_code == 403
    assert (await svc.client.get("/identity-checks/queue")).status_code == 401


async def test_each_party_sees_only_its_own_requests(svc: ServiceHarness) -> None:
    await register_facility(svc, "H001", "PSB01")
    await register_facility(svc, "H002", "PSB02")
    a = await filed(svc, facility_id="H001", patient_ref="A")
    b = await filed(svc, facility_id="H002", patient_ref="B")

    async def ids(headers: dict[str, str], **params: str) -> list[str]:
        r = await svc.client.get("/identity-checks", headers=headers, params=params)
        assert r.status_code == 200, r.text
        return [i["request_id"] for i in r.json()["items"]]

    assert await ids(hospital(svc, "H001")) == [a["request_id"]]
    assert await ids(hospital(svc, "H002")) == [b["request_id"]]
    assert await ids(police(svc, "PSB01")) == [a["request_id"]]
    assert await ids(police(svc, "PSB02")) == [b["request_id"]]
    assert await ids(police(svc, "PSB03")) == []
    assert await ids(police(svc, "PSB01"), status="identified") == []
    assert await ids(police(svc, "PSB01"), status="awaiting_reply") == [a["request_id"]]
    bad = await svc.client.get("/identity-checks", headers=police(svc), params={"status": "nonsense"})
    assert bad.status_code == 422
    assert (await svc.client.get("/identity-checks", headers=token(svc, "fund_agency"))).status_code == 403

    assert (
        await svc.client.get(f"/identity-checks/{a['request_id']}", headers=hospital(svc, "H001"))
    ).status_code == 200
    assert (
        await svc.client.get(f"/identity-checks/{a['request_id']}", headers=police(svc, "PSB01"))
    ).status_code == 200
    for headers in (hospital(svc, "H002"), police(svc, "PSB02"), token(svc, "auditor")):
        assert (await svc.client.get(f"/identity-checks/{a['request_id']}", headers=headers)).status_code == 403
    assert (await svc.client.get("/identity-checks/none", headers=police(svc))).status_code == 404


async def test_hospital_view_shows_reply_masked_and_newest_first(svc: ServiceHarness) -> None:
    await register_facility(svc, "H001", "PSB01")
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=SH), tick=False):
        first = await filed(svc, patient_ref="A")
    with time_machine.travel(datetime(2026, 11, 3, 9, 0, tzinfo=SH), tick=False):
        second = await filed(svc, patient_ref="B")
        await svc.client.post(
            f"/identity-checks/{first['request_id']}/reply",
            json={"outcome": "identified", "id_number": OTHER_ID, "name": "李四", "household_registration": "北京"},
            headers=police(svc),
        )
        r = await svc.client.get("/identity-checks", headers=hospital(svc))
    items = r.json()["items"]
    assert [i["request_id"] for i in items] == [second["request_id"], first["request_id"]]
    assert items[1]["reply"]["name_masked"] == "李*" and OTHER_ID not in r.text
