"""SPEC 0.4: the face photo is encrypted at rest, never in an event, a log line, an audit
entry or an error message; only the requesting hospital and the addressed bureau can read
it, each read audit-logged with who and why; deleted after the retention period once the
case is closed."""

from __future__ import annotations

import base64
import json
import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import structlog
import time_machine
from sqlalchemy import select

from identity_check.adapters.tables import attachment, check_request
from medaid_shared.testing import ServiceHarness

from .helpers import filed, hospital, identified, image_bytes, police, register_facility, token

SH = ZoneInfo("Asia/Shanghai")


async def _audit(svc: ServiceHarness, action: str | None = None) -> list[dict[str, Any]]:
    t = svc.runtime.db.tables.audit_log
    query = select(t).order_by(t.c.seq)
    if action:
        query = query.where(t.c.action == action)
    async with svc.runtime.db.read() as s:
        return [dict(r) for r in (await s.execute(query)).mappings().all()]


async def _contents(svc: ServiceHarness) -> list[bytes | None]:
    async with svc.runtime.db.read() as s:
        return [r for r in (await s.execute(select(attachment.c.content_enc))).scalars()]


async def test_spec_0_4_photo_and_statement_are_encrypted_at_rest(svc: ServiceHarness) -> None:
    await register_facility(svc)
    photo = image_bytes(seed=21)
    body = await filed(svc, photos=[photo], extra={"statement": "我叫王大锤，家住柳江"})
    async with svc.runtime.db.read() as s:
        row = (await s.execute(select(attachment))).mappings().one()
        particulars = (await s.execute(select(check_request.c.particulars_enc))).scalar_one()
    stored = bytes(row["content_enc"])
    assert stored != photo and photo[100:164] not in stored
    assert "王大锤".encode() not in bytes(particulars)
    aad = f"identity_check.attachment:{row['id']}:{body['request_id']}".encode()
    assert svc.runtime.cipher.decrypt(stored, aad) == photo  # AES-GCM, bound to its row
    with pytest.raises(Exception):  # noqa: B017 - any failure: the tag does not verify
        svc.runtime.cipher.decrypt(stored, b"another row")


async def test_spec_0_4_requesting_hospital_and_addressed_bureau_read_photo_with_reason_audited(
    svc: ServiceHarness,
) -> None:
    await register_facility(svc)
    photo = image_bytes(seed=22)
    body = await filed(svc, photos=[photo])
    href = body["attachments"][0]["href"]
    r = await svc.client.get(href, params={"reason": "比对户籍照片"}, headers=police(svc))
    assert r.status_code == 200 and r.content == photo
    assert r.headers["content-type"] == "image/jpeg" and r.headers["cache-control"] == "no-store"
    r = await svc.client.get(href, params={"reason": "病历归档核对"}, headers=hospital(svc))
    assert r.status_code == 200 and r.content == photo
    reads = await _audit(svc, "identity_check.attachment.read")
    assert [(a["actor"], a["role"], a["reason"]) for a in reads] == [
        ("officer-PSB01", "police", "比对户籍照片"),
        ("doctor-H001", "hospital", "病历归档核对"),
    ]
    assert reads[0]["subject"] == body["attachments"][0]["attachment_id"]
    assert reads[0]["details"] == {"request_id": body["request_id"], "kind": "face_photo"}


async def test_spec_0_4_photo_reads_denied_to_everyone_else_and_without_reason(svc: ServiceHarness) -> None:
    await register_facility(svc, "H001", "PSB01")
    await register_facility(svc, "H002", "PSB02")
    body = await filed(svc)
    href = body["attachments"][0]["href"]
    denied = [
        police(svc, "PSB02"),  # another bureau
        hospital(svc, "H002"),  # another hospital
        token(svc, "fund_agency", "city:liuzhou"),
        token(svc, "auditor", "city:liuzhou"),
        token(svc, "admin"),
        token(svc, "police"),  # a bureau token without jurisdiction
    ]
    for headers in denied:
        r = await svc.client.get(href, params={"reason": "想看看"}, headers=headers)
        assert r.status_code == 403, headers
        assert r.headers["content-type"] == "application/problem+json"
    for params in ({}, {"reason": "  "}, {"reason": "x"}):
        r = await svc.client.get(href, params=params, headers=police(svc))
        assert r.status_code == 422 and r.json()["field"] == "reason"
    assert (await svc.client.get(href, params={"reason": "check"})).status_code == 401
    wrong = await svc.client.get(
        f"/identity-checks/{body['request_id']}/attachments/nope", params={"reason": "check"}, headers=police(svc)
    )
    assert wrong.status_code == 404
    assert await _audit(svc, "identity_check.attachment.read") == []


async def test_spec_0_4_letter_with_embedded_photos_needs_a_reason_and_audits_each(svc: ServiceHarness) -> None:
    await register_facility(svc)
    photo = image_bytes(seed=23)
    body = await filed(svc, photos=[photo], scans=[image_bytes(seed=24)])
    url = f"/identity-checks/{body['request_id']}/letter"
    r = await svc.client.get(url, params={"include_photos": "true"}, headers=police(svc))
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = await svc.client.get(url, params={"include_photos": "true", "reason": "打印存档"}, headers=police(svc))
    assert r.status_code == 200
    assert base64.b64encode(photo).decode() in r.text and r.text.count("<img") == 2
    assert len(await _audit(svc, "identity_check.attachment.read")) == 2
    [viewed] = await _audit(svc, "identity_check.letter.viewed")
    assert viewed["details"]["photos_embedded"] == 2 and viewed["reason"] == "打印存档"


async def test_spec_0_4_photo_never_in_events_logs_audit_or_errors(
    svc: ServiceHarness, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """Search everything the service wrote or said for the photo's bytes and their base64."""
    caplog.set_level(logging.DEBUG)
    await register_facility(svc)
    photo = image_bytes(seed=31)
    png = image_bytes(500, 500, "PNG", seed=32)
    answers: list[str] = []
    with structlog.testing.capture_logs() as captured:
        with time_machine.travel(datetime(2026, 9, 30, 10, 0, tzinfo=SH), tick=False):
            a = await filed(svc, patient_ref="P-1", photos=[photo])
            r = await svc.client.post(
                "/identity-checks",
                json={"patient_ref": "P-2", "photos": [{"content_base64": base64.b64encode(png).decode()}]},
                headers={**hospital(svc), "Idempotency-Key": "p2"},
            )
            assert r.status_code == 201
            b = r.json()
            # a rejected upload: the error must not echo it
            bad = await svc.client.post(
                "/identity-checks",
                json={"patient_ref": "P-3", "photos": [{"content_base64": base64.b64encode(photo[:5000]).decode()}]},
                headers=hospital(svc),
            )
            assert bad.status_code == 422
            answers += [bad.text, json.dumps(a), r.text]
            for body in (a, b):
                got = await svc.client.get(
                    body["attachments"][0]["href"], params={"reason": "核查"}, headers=police(svc)
                )
                assert got.status_code == 200
                letter = await svc.client.get(
                    body["letter_href"], params={"include_photos": True, "reason": "打印"}, headers=hospital(svc)
                )
                assert letter.status_code == 200
            reply = await svc.client.post(
                f"/identity-checks/{a['request_id']}/reply", json=identified(), headers=police(svc)
            )
            answers.append(reply.text)
        with time_machine.travel(datetime(2026, 10, 11, 0, 0, 1, tzinfo=SH), tick=False):
            assert await svc.runtime.scheduler.fire_due() == 1  # b is overdue
    logs = [json.dumps(e, default=str, ensure_ascii=False) for e in captured]
    logs += [capsys.readouterr().out, caplog.text]
    assert any("identity_check_filed" in line for line in logs)  # the search looked at real logs

    kt = svc.runtime.db.tables
    async with svc.runtime.db.read() as s:
        outbox = [json.dumps(p, ensure_ascii=False) for p in (await s.execute(select(kt.outbox.c.payload))).scalars()]
        deadlines = [json.dumps(p) for p in (await s.execute(select(kt.deadline.c.payload))).scalars()]
        stored_answers = [json.dumps(p) for p in (await s.execute(select(kt.idempotency_key.c.response))).scalars()]
    audit = [json.dumps({k: str(v) for k, v in row.items()}, ensure_ascii=False) for row in await _audit(svc)]
    assert {o for o in outbox} and len(outbox) == 4  # 2 requested, 1 verified, 1 overdue

    haystacks = {
        "outbox": outbox,
        "logs": logs,
        "audit": audit,
        "deadlines": deadlines,
        "answers": answers + stored_answers,
    }
    for image in (photo, png):
        b64 = base64.b64encode(image).decode()
        needles = [b64[i : i + 48] for i in (0, len(b64) // 2, len(b64) - 60)]
        raw = [image[i : i + 32] for i in (200, len(image) // 2, len(image) - 40)]
        for where, texts in haystacks.items():
            for text in texts:
                for needle in needles:
                    assert needle not in text, f"base64 of a photo found in {where}"
                encoded = text.encode("utf-8", "surrogateescape")
                latin = text.encode("latin-1", "ignore")
                for chunk in raw:
                    assert chunk not in encoded and chunk not in latin, f"photo bytes found in {where}"


async def _close_not_identified(svc: ServiceHarness, body: dict[str, Any]) -> None:
    r = await svc.client.post(
        f"/identity-checks/{body['request_id']}/reply", json={"outcome": "not_identified"}, headers=police(svc)
    )
    assert r.status_code == 200, r.text
    r = await svc.client.post(
        f"/identity-checks/{body['request_id']}/close", json={"reason": "应急救助基金已结案"}, headers=hospital(svc)
    )
    assert r.status_code == 200, r.text


async def test_spec_0_4_retention_deletes_photo_bytes_180_days_after_closing(svc: ServiceHarness) -> None:
    await register_facility(svc)
    closed_at = datetime(2026, 10, 12, 9, 0, tzinfo=SH)
    with time_machine.travel(datetime(2026, 10, 9, 9, 0, tzinfo=SH), tick=False):
        body = await filed(svc, photos=[image_bytes(seed=41)], scans=[image_bytes(seed=42)])
    with time_machine.travel(closed_at, tick=False):
        await _close_not_identified(svc, body)
    with time_machine.travel(closed_at + timedelta(days=180) - timedelta(seconds=1), tick=False):
        assert await svc.runtime.scheduler.fire_due() == 0
        assert all(c is not None for c in await _contents(svc))
    with time_machine.travel(closed_at + timedelta(days=180), tick=False):
        assert await svc.runtime.scheduler.fire_due() == 1
        assert await _contents(svc) == [None, None]  # the bytes are gone
        r = await svc.client.get(body["attachments"][0]["href"], params={"reason": "复核"}, headers=police(svc))
        assert r.status_code == 410 and r.headers["content-type"] == "application/problem+json"
        detail = (await svc.client.get(f"/identity-checks/{body['request_id']}", headers=hospital(svc))).json()
    assert detail["photos_deleted_at"] is not None and all(a["deleted"] for a in detail["attachments"])
    [deleted] = await _audit(svc, "identity_check.photos.deleted")
    assert deleted["actor"] == "system" and deleted["details"]["attachments"] == 2


async def test_spec_0_4_identification_closes_the_case_and_starts_retention(svc: ServiceHarness) -> None:
    await register_facility(svc)
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=SH), tick=False):
        body = await filed(svc)
        r = await svc.client.post(
            f"/identity-checks/{body['request_id']}/reply", json=identified(), headers=police(svc)
        )
        assert r.json()["closed_at"] is not None and r.json()["close_reason"] == "identified"
    with time_machine.travel(datetime(2027, 5, 1, 9, 0, tzinfo=SH), tick=False):
        assert await svc.runtime.scheduler.fire_due() == 1
    assert await _contents(svc) == [None]


async def test_spec_0_4_retention_period_is_a_setting_and_the_sweep_applies_it(svc: ServiceHarness) -> None:
    await register_facility(svc)
    settings = svc.runtime.settings
    assert settings.photo_retention_days == 180  # the SPEC 0.4 default
    closed_at = datetime(2026, 10, 12, 9, 0, tzinfo=SH)
    with time_machine.travel(datetime(2026, 10, 9, 9, 0, tzinfo=SH), tick=False):
        body = await filed(svc)
    with time_machine.travel(closed_at, tick=False):
        await _close_not_identified(svc, body)
    settings.photo_retention_days = 30  # type: ignore[misc]
    try:
        with time_machine.travel(closed_at + timedelta(days=29), tick=False):
            r = await svc.client.post("/admin/identity-checks/photo-retention/run", headers=token(svc, "admin"))
            assert r.json() == {"purged_requests": 0}
        with time_machine.travel(closed_at + timedelta(days=30, seconds=1), tick=False):
            for headers in (police(svc), hospital(svc), token(svc, "auditor")):
                denied = await svc.client.post("/admin/identity-checks/photo-retention/run", headers=headers)
                assert denied.status_code == 403
            assert await _contents(svc) != [None]
            r = await svc.client.post("/admin/identity-checks/photo-retention/run", headers=token(svc, "admin"))
            assert r.status_code == 200 and r.json()["purged_requests"] == 1
            assert await _contents(svc) == [None]
            # the per-case deadline no longer fires on it
            assert await svc.runtime.scheduler.fire_due() == 0
    finally:
        settings.photo_retention_days = 180  # type: ignore[misc]


async def test_closing_rules_and_authorization(svc: ServiceHarness) -> None:
    await register_facility(svc, "H001", "PSB01")
    await register_facility(svc, "H002", "PSB02")
    body = await filed(svc)
    url = f"/identity-checks/{body['request_id']}/close"
    r = await svc.client.post(url, json={"reason": "患者出院"}, headers=hospital(svc))
    assert r.status_code == 422 and r.json()["rule"] == "GD-16.2"  # the reply window is open
    await svc.client.post(
        f"/identity-checks/{body['request_id']}/reply", json={"outcome": "not_identified"}, headers=police(svc)
    )
    assert (await svc.client.post(url, json={"reason": "患者出院"}, headers=police(svc))).status_code == 403
    assert (await svc.client.post(url, json={"reason": "患者出院"}, headers=hospital(svc, "H002"))).status_code == 403
    assert (await svc.client.post(url, json={"reason": ""}, headers=hospital(svc))).status_code == 422
    assert (await svc.client.post(url, json={"reason": "患者出院"}, headers=hospital(svc))).status_code == 200
    again = await svc.client.post(url, json={"reason": "患者出院"}, headers=hospital(svc))
    assert again.status_code == 409
    [closed] = await _audit(svc, "identity_check.closed")
    assert closed["reason"] == "患者出院" and closed["actor"] == "doctor-H001"


async def test_spec_0_4_lengthened_retention_waits_for_the_new_end(svc: ServiceHarness) -> None:
    await register_facility(svc)
    settings = svc.runtime.settings
    closed_at = datetime(2026, 10, 12, 9, 0, tzinfo=SH)
    with time_machine.travel(datetime(2026, 10, 9, 9, 0, tzinfo=SH), tick=False):
        body = await filed(svc)
    with time_machine.travel(closed_at, tick=False):
        await _close_not_identified(svc, body)
    settings.photo_retention_days = 200  # type: ignore[misc]
    try:
        with time_machine.travel(closed_at + timedelta(days=180, seconds=1), tick=False):
            assert await svc.runtime.scheduler.fire_due() == 1  # the old deadline: re-planned
            assert await _contents(svc) != [None]
        with time_machine.travel(closed_at + timedelta(days=200, seconds=1), tick=False):
            assert await svc.runtime.scheduler.fire_due() == 1
            assert await _contents(svc) == [None]
    finally:
        settings.photo_retention_days = 180  # type: ignore[misc]


def _retention_version(**values: int) -> dict[str, object]:
    return {"kind": "photo_retention", "effective_from": "2026-10-01", "values": values, "source": "市公安局通知"}


async def _deliver_fund_case_closed(svc: ServiceHarness, outcome: str, patient_ref: str = "ZY2026-0001") -> None:
    from medaid_shared.contracts.emergency_fund import FundCaseClosed

    from .helpers import meta

    event = FundCaseClosed(
        case_id="EC-1",
        facility_id="H001",
        patient_ref=patient_ref,
        city="liuzhou",
        outcome=outcome,
        closed_at=datetime.now(SH),
    )
    consumer = next(c for c in svc.runtime.consumers if c.name == "fund-cases")
    await consumer._apply(event, meta(event.event_type))


@pytest.mark.parametrize("outcome", ["disbursed", "excluded", "refunded"])
async def test_spec_0_4_the_letter_closes_when_its_fund_case_ends_and_photos_go_by_themselves(
    svc: ServiceHarness, outcome: str
) -> None:
    """Issue scenario: photos were kept indefinitely unless someone closed the letter. The
    fund case's end closes it; the retention job, run by the runtime itself, deletes the
    photos 180 days later, with an audit entry and an event that carries no photo."""
    await register_facility(svc)
    with time_machine.travel(datetime(2026, 10, 9, 9, 0, tzinfo=SH), tick=False):
        body = await filed(svc, photos=[image_bytes(seed=51)])
    ended = datetime(2026, 11, 20, 9, 0, tzinfo=SH)
    with time_machine.travel(ended, tick=False):
        await _deliver_fund_case_closed(svc, outcome)
        detail = (await svc.client.get(f"/identity-checks/{body['request_id']}", headers=hospital(svc))).json()
        assert detail["closed_at"] is not None and f"fund case EC-1 {outcome}" in detail["close_reason"]
        await _deliver_fund_case_closed(svc, outcome)  # again: nothing more happens
    [closed] = await _audit(svc, "identity_check.closed")
    assert closed["actor"] == "system" and closed["details"]["automatic"] is True
    with time_machine.travel(ended + timedelta(days=180) - timedelta(minutes=1), tick=False):
        assert await svc.runtime.run_retention_jobs() == {"idempotency": 0, "identity-check-photos": 0}
        assert await _contents(svc) != [None]
    with time_machine.travel(ended + timedelta(days=180, minutes=1), tick=False):
        assert (await svc.runtime.run_retention_jobs())["identity-check-photos"] == 1
        assert await _contents(svc) == [None]
    [deleted] = await _audit(svc, "identity_check.photos.deleted")
    assert deleted["details"]["parameters_version"] == "photo_retention:any:any:default"
    [event] = await svc.published("IdentityPhotosDeleted")
    payload = event["payload"]
    assert payload["request_id"] == body["request_id"] and payload["attachments_deleted"] == 1
    assert not {"photos", "photo", "content", "attachments"} & set(payload)


async def test_spec_0_4_a_letter_nobody_closes_closes_at_the_versioned_maximum(svc: ServiceHarness) -> None:
    """No letter keeps its photos indefinitely: at the latest the versioned maximum after the
    letter it closes by itself, and its photos go the versioned retention after that. A
    version loaded by the administrator decides, and the deletion cites it."""
    await register_facility(svc)
    admin = token(svc, "admin")
    received = datetime(2026, 10, 9, 9, 0, tzinfo=SH)
    with time_machine.travel(received, tick=False):
        version = _retention_version(retention_days_after_close=30, max_open_days_after_letter=60)
        r = await svc.client.post("/admin/parameters", json={"versions": [version]}, headers=admin)
        assert r.status_code == 201, r.text
        body = await filed(svc, photos=[image_bytes(seed=52)])
        refused = await svc.client.post(
            "/admin/parameters",
            json={"versions": [_retention_version(retention_days_after_close=0)]},
            headers=admin,
        )
        assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    with time_machine.travel(received + timedelta(days=60) - timedelta(minutes=1), tick=False):
        await svc.runtime.run_retention_jobs()
        detail = (await svc.client.get(f"/identity-checks/{body['request_id']}", headers=hospital(svc))).json()
        assert detail["closed_at"] is None
    closed_at = received + timedelta(days=60, minutes=1)
    with time_machine.travel(closed_at, tick=False):
        await svc.runtime.run_retention_jobs()
        detail = (await svc.client.get(f"/identity-checks/{body['request_id']}", headers=hospital(svc))).json()
        assert detail["closed_at"] is not None and "60 days after the letter" in detail["close_reason"]
        assert await _contents(svc) != [None]
    with time_machine.travel(closed_at + timedelta(days=30, minutes=1), tick=False):
        assert (await svc.runtime.run_retention_jobs())["identity-check-photos"] == 1
        assert await _contents(svc) == [None]
    [event] = await svc.published("IdentityPhotosDeleted")
    assert event["payload"]["parameters_version"] == "photo_retention:any:any:2026-10-01"
