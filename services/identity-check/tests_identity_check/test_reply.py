"""GD-16.2: the bureau's reply with the standard template — identified (valid ID number,
name, household registration place) or not identified — once per request, in time or late
on the official calendar; IdentityVerified carries only masked data and a digest."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from identity_check.adapters.tables import check_request, finding
from medaid_shared.crypto import Unsealer
from medaid_shared.settings import DEV_PERSON_MATCHING_PRIVATE_KEY, PERSON_MATCHING_PURPOSE
from medaid_shared.testing import ServiceHarness

from .helpers import OTHER_ID, VALID_ID, filed, hospital, identified, police, register_facility, token

SH = ZoneInfo("Asia/Shanghai")
FILED_AT = datetime(2026, 9, 30, 10, 0, tzinfo=SH)  # due: end of make-up Saturday 2026-10-10


async def _file(svc: ServiceHarness, **kwargs: Any) -> dict[str, Any]:
    await register_facility(svc, "H001", "PSB01")
    with time_machine.travel(FILED_AT, tick=False):
        return await filed(svc, **kwargs)


async def _reply(svc: ServiceHarness, request_id: str, body: dict[str, Any], at: datetime, **kw: Any) -> Any:
    with time_machine.travel(at, tick=False):
        return await svc.client.post(
            f"/identity-checks/{request_id}/reply", json=body, headers=kw.get("headers") or police(svc)
        )


async def _state(svc: ServiceHarness) -> tuple[list[str], int]:
    async with svc.runtime.db.read() as s:
        statuses = list((await s.execute(select(check_request.c.status))).scalars())
        findings = len((await s.execute(select(finding.c.id))).all())
    return statuses, findings


async def test_gd_16_2_identified_on_the_make_up_saturday_is_in_time(svc: ServiceHarness) -> None:
    body = await _file(svc)
    r = await _reply(svc, body["request_id"], identified(), datetime(2026, 10, 10, 22, 0, tzinfo=SH))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "identified"
    assert out["reply"]["late"] is False and out["reply"]["outcome"] == "identified"
    assert out["reply"]["name_masked"] == "张*三"
    assert out["reply"]["id_number_masked"] == VALID_ID[:4] + "*" * 10 + VALID_ID[-4:]
    assert VALID_ID not in r.text and "张小三" not in r.text and "拉堡镇" not in r.text
    [event] = await svc.published("IdentityVerified")
    p = event["payload"]
    assert (p["outcome"], p["late"], p["late_identification"]) == ("identified", False, False)
    assert p["name_masked"] == "张*三" and p["id_number_masked"] == out["reply"]["id_number_masked"]
    # SPEC 0.4: no digest; the number sealed for the emergency fund, opened by its key only
    assert "id_number_digest" not in p
    assert Unsealer(DEV_PERSON_MATCHING_PRIVATE_KEY).open(p["id_number_sealed"], PERSON_MATCHING_PURPOSE) == VALID_ID
    assert p["reference_number"] == body["reference_number"] and p["facility_id"] == "H001"
    assert VALID_ID not in str(p) and "张小三" not in str(p) and "拉堡" not in str(p)
    # the reply closes the reply deadline: no overdue later
    with time_machine.travel(datetime(2026, 10, 12, 9, 0, tzinfo=SH), tick=False):
        assert await svc.runtime.scheduler.fire_due() == 0
    assert await svc.published("IdentityCheckOverdue") == []


async def test_gd_16_2_holidays_do_not_count_reply_on_october_8_is_in_time(svc: ServiceHarness) -> None:
    body = await _file(svc)
    r = await _reply(svc, body["request_id"], {"outcome": "not_identified"}, datetime(2026, 10, 8, 9, 0, tzinfo=SH))
    assert r.json()["reply"]["late"] is False and r.json()["status"] == "not_identified"
    [event] = await svc.published("IdentityVerified")
    assert event["payload"]["outcome"] == "not_identified" and event["payload"]["late"] is False
    assert event["payload"]["name_masked"] is None and event["payload"]["id_number_sealed"] is None


async def test_gd_16_2_second_final_reply_is_a_conflict_and_changes_nothing(svc: ServiceHarness) -> None:
    body = await _file(svc)
    at = datetime(2026, 10, 8, 9, 0, tzinfo=SH)
    assert (await _reply(svc, body["request_id"], {"outcome": "not_identified"}, at)).status_code == 200
    before = (await _state(svc), len(await svc.published()))
    r = await _reply(svc, body["request_id"], identified(), at)
    assert r.status_code == 409 and r.json()["rule"] == "GD-16.2"
    r = await _reply(svc, body["request_id"], {"outcome": "not_identified"}, at)
    assert r.status_code == 409
    assert (await _state(svc), len(await svc.published())) == before


async def test_gd_16_2_invalid_id_number_is_refused_without_echo_and_changes_nothing(svc: ServiceHarness) -> None:
    body = await _file(svc)
    at = datetime(2026, 10, 8, 9, 0, tzinfo=SH)
    wrong = VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1")
    for bad in (wrong, "123456", "4502031990010112345"):
        r = await _reply(svc, body["request_id"], identified(bad), at)
        assert r.status_code == 422, r.text
        assert r.json()["field"] == "/id_number" and bad not in r.text
    incomplete = {"outcome": "identified", "id_number": VALID_ID, "name": "张三"}
    r = await _reply(svc, body["request_id"], incomplete, at)
    assert r.status_code == 422 and r.json()["field"] == "/household_registration"
    mixed = {"outcome": "not_identified", "id_number": VALID_ID}
    r = await _reply(svc, body["request_id"], mixed, at)
    assert r.status_code == 422 and r.json()["field"] == "/id_number"
    r = await _reply(svc, body["request_id"], {"outcome": "maybe"}, at)
    assert r.status_code == 422 and r.json()["field"] == "/outcome"
    assert await _state(svc) == (["awaiting_reply"], 0)
    assert await svc.published("IdentityVerified") == []


async def test_gd_16_2_reply_to_another_bureaus_request_or_by_a_hospital_is_forbidden(svc: ServiceHarness) -> None:
    body = await _file(svc)
    at = datetime(2026, 10, 8, 9, 0, tzinfo=SH)
    for headers in (police(svc, "PSB02"), hospital(svc), token(svc, "fund_agency", "city:liuzhou")):
        with time_machine.travel(at, tick=False):
            r = await svc.client.post(
                f"/identity-checks/{body['request_id']}/reply", json=identified(), headers=headers
            )
        assert r.status_code == 403, headers
    r = await _reply(svc, "no-such-request", identified(), at)
    assert r.status_code == 404
    assert await _state(svc) == (["awaiting_reply"], 0)


async def test_gd_16_2_reply_is_audited_with_who_role_and_outcome(svc: ServiceHarness) -> None:
    body = await _file(svc)
    await _reply(
        svc, body["request_id"], {**identified(), "remarks": "经人像比对确认"}, datetime(2026, 10, 9, 9, 0, tzinfo=SH)
    )
    t = svc.runtime.db.tables.audit_log
    async with svc.runtime.db.read() as s:
        [row] = (await s.execute(select(t).where(t.c.action == "identity_check.replied"))).mappings().all()
    assert (row["actor"], row["role"], row["reason"]) == ("officer-PSB01", "police", "identified")
    assert row["details"]["late"] is False and VALID_ID not in str(row["details"])


async def test_reply_idempotency_key_repeats_the_first_answer(svc: ServiceHarness) -> None:
    body = await _file(svc)
    headers = {**police(svc), "Idempotency-Key": "reply-1"}
    at = datetime(2026, 10, 9, 9, 0, tzinfo=SH)
    first = await _reply(svc, body["request_id"], identified(), at, headers=headers)
    again = await _reply(svc, body["request_id"], identified(), at, headers=headers)
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert len(await svc.published("IdentityVerified")) == 1
    t = svc.runtime.db.tables.idempotency_key
    async with svc.runtime.db.read() as s:
        stored = str((await s.execute(select(t))).mappings().all())
    assert VALID_ID not in stored and "张小三" not in stored


async def test_spec_0_4_full_identity_read_by_the_parties_with_reason_audited(svc: ServiceHarness) -> None:
    await register_facility(svc, "H002", "PSB02")
    body = await _file(svc)
    url = f"/identity-checks/{body['request_id']}/identity"
    assert (await svc.client.get(url, params={"reason": "追缴欠费"}, headers=hospital(svc))).status_code == 404
    await _reply(svc, body["request_id"], identified(OTHER_ID), datetime(2026, 10, 9, 9, 0, tzinfo=SH))
    r = await svc.client.get(url, params={"reason": "追缴欠费"}, headers=hospital(svc))
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert r.json()["id_number"] == OTHER_ID and r.json()["name"] == "张小三"
    assert r.json()["household_registration"] == "广西柳州市柳江区拉堡镇"
    for headers in (hospital(svc, "H002"), police(svc, "PSB02"), token(svc, "auditor")):
        assert (await svc.client.get(url, params={"reason": "看看"}, headers=headers)).status_code == 403
    assert (await svc.client.get(url, headers=hospital(svc))).status_code == 422
    t = svc.runtime.db.tables.audit_log
    async with svc.runtime.db.read() as s:
        reads = (await s.execute(select(t).where(t.c.action == "identity_check.identity.read"))).mappings().all()
    assert [(r["actor"], r["reason"]) for r in reads] == [("doctor-H001", "追缴欠费")]
