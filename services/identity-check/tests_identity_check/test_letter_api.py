"""GD-15 / GD-16.1: the hospital files the letter (multipart or JSON), the photo is checked,
the letter is addressed to the hospital's own bureau, rendered print-ready, and published
as IdentityCheckRequested with the GD-16.2 reply deadline scheduled."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import func, select

from identity_check.adapters.tables import attachment, check_request
from medaid_shared.testing import ServiceHarness

from .helpers import file_letter, filed, hospital, image_bytes, police, register_facility, token

SH = ZoneInfo("Asia/Shanghai")


async def _counts(svc: ServiceHarness) -> tuple[int, int, int, int]:
    kt = svc.runtime.db.tables
    async with svc.runtime.db.read() as s:
        return (
            (await s.execute(select(func.count()).select_from(check_request))).scalar_one(),
            (await s.execute(select(func.count()).select_from(attachment))).scalar_one(),
            (await s.execute(select(func.count()).select_from(kt.outbox))).scalar_one(),
            (await s.execute(select(func.count()).select_from(kt.deadline))).scalar_one(),
        )


async def test_gd_16_1_multipart_letter_to_own_bureau_with_deadline_and_event(svc: ServiceHarness) -> None:
    await register_facility(svc, "H001", "PSB01")
    with time_machine.travel(datetime(2026, 9, 30, 10, 0, tzinfo=SH), tick=False):
        body = await filed(
            svc,
            scans=[image_bytes(800, 500, "PNG", seed=7)],
            extra={"statement": "患者自述姓李", "found_documents": ["工牌一张"], "patient_description": "男，约40岁"},
        )
    assert body["bureau_id"] == "PSB01" and body["facility_id"] == "H001" and body["patient_ref"] == "ZY2026-0001"
    assert body["reference_number"] == "IC-2026-H001-00001"
    assert body["status"] == "awaiting_reply"
    # GD-16.2 across National Day: day 3 is the make-up Saturday 2026-10-10.
    assert body["reply_due_at"] == "2026-10-10T15:59:59Z"
    kinds = sorted(a["kind"] for a in body["attachments"])
    assert kinds == ["document_scan", "face_photo"]
    [event] = await svc.published("IdentityCheckRequested")
    assert event["payload"]["request_id"] == body["request_id"]
    assert event["payload"]["bureau_id"] == "PSB01"
    assert event["payload"]["reply_due_at"] == "2026-10-10T15:59:59Z"
    assert set(event["payload"]) == {
        "request_id",
        "reference_number",
        "facility_id",
        "bureau_id",
        "patient_ref",
        "received_at",
        "reply_due_at",
        "calendar_provisional",
    }
    async with svc.runtime.db.read() as s:
        dl = svc.runtime.db.tables.deadline
        [row] = (await s.execute(select(dl))).mappings().all()
    assert row["kind"] == "identity_check.reply_due" and row["subject"] == body["request_id"]
    assert row["basis"] == "working_days"
    assert row["due_at"] == datetime(2026, 10, 10, 16, 0, 0, tzinfo=UTC)  # first instant after day 3


async def test_gd_16_1_json_letter_with_base64_photos(svc: ServiceHarness) -> None:
    await register_facility(svc)
    photo = image_bytes(500, 500, "PNG", seed=3)
    r = await svc.client.post(
        "/identity-checks",
        json={
            "patient_ref": "ZY-77",
            "photos": [{"content_base64": base64.b64encode(photo).decode()}],
            "document_scans": [
                {"content_base64": "data:image/jpeg;base64," + base64.b64encode(image_bytes(seed=4)).decode()}
            ],
            "found_documents": ["身份证复印件（模糊）"],
        },
        headers=hospital(svc),
    )
    assert r.status_code == 201, r.text
    [photo_out] = [a for a in r.json()["attachments"] if a["kind"] == "face_photo"]
    assert (photo_out["media_type"], photo_out["width"], photo_out["size_bytes"]) == ("image/png", 500, len(photo))


async def test_gd_15_letter_needs_only_the_admission_number_and_a_photo(svc: ServiceHarness) -> None:
    """GD-15: treat first — no identity, no name is asked of the hospital to file."""
    await register_facility(svc)
    body = await filed(svc, patient_ref="EM-2026-000123")
    assert body["patient_ref"] == "EM-2026-000123"


async def test_gd_16_1_reference_numbers_count_per_facility_and_year(svc: ServiceHarness) -> None:
    await register_facility(svc, "H001", "PSB01")
    await register_facility(svc, "H002", "PSB01")
    a = await filed(svc, patient_ref="A1")
    b = await filed(svc, patient_ref="A2")
    c = await filed(svc, facility_id="H002", patient_ref="A1")
    assert [x["reference_number"][-5:] for x in (a, b, c)] == ["00001", "00002", "00001"]
    assert len({a["reference_number"], b["reference_number"], c["reference_number"]}) == 3


async def test_gd_16_1_letter_without_a_face_photo_is_refused(svc: ServiceHarness) -> None:
    await register_facility(svc)
    r = await svc.client.post("/identity-checks", json={"patient_ref": "A1", "photos": []}, headers=hospital(svc))
    assert r.status_code == 422 and r.json()["rule"] == "GD-16.1" and r.json()["field"] == "/photos"
    # multipart with only a document scan: still no face photo
    r = await file_letter(svc, photos=[], scans=[image_bytes(seed=9)])
    assert r.status_code == 422 and r.json()["rule"] == "GD-16.1"
    assert await _counts(svc) == (0, 0, 0, 0)


async def test_gd_16_1_fake_photo_is_refused_and_nothing_changes(svc: ServiceHarness) -> None:
    await register_facility(svc)
    fake = b"%PDF-1.4 definitely not a photo" * 50
    r = await file_letter(svc, photos=[image_bytes(), fake])
    assert r.status_code == 422, r.text
    problem = r.json()
    assert r.headers["content-type"] == "application/problem+json"
    assert problem["field"] == "/photos/1" and problem["rule"] == "GD-16.1"
    assert "not a decodable JPEG or PNG" in problem["detail"]
    assert "PDF" not in r.text
    assert await _counts(svc) == (0, 0, 0, 0)


async def test_gd_16_1_gif_small_and_bad_base64_are_refused(svc: ServiceHarness) -> None:
    await register_facility(svc)
    r = await file_letter(svc, photos=[image_bytes(400, 400, "GIF")])
    assert r.status_code == 422 and r.json()["field"] == "/photos/0"
    r = await file_letter(svc, photos=[image_bytes(120, 160)])
    assert r.status_code == 422 and "at least" in r.json()["detail"]
    r = await svc.client.post(
        "/identity-checks",
        json={"patient_ref": "A1", "photos": [{"content_base64": "!!!not base64!!!"}]},
        headers=hospital(svc),
    )
    assert r.status_code == 422 and r.json()["field"] == "/photos/0"
    assert await _counts(svc) == (0, 0, 0, 0)


async def test_gd_16_1_oversized_photo_and_oversized_request_are_refused(svc: ServiceHarness) -> None:
    await register_facility(svc)
    limit = svc.runtime.settings.photo_max_bytes
    huge = image_bytes() + b"\x00" * (limit + 1)
    r = await file_letter(svc, photos=[huge])
    assert r.status_code == 422 and "larger than" in r.json()["detail"] and r.json()["field"] == "/photos/0"
    r = await svc.client.post(
        "/identity-checks",
        content=b"{" + b" " * (svc.runtime.settings.max_request_bytes + 10) + b"}",
        headers={**hospital(svc), "content-type": "application/json"},
    )
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    assert await _counts(svc) == (0, 0, 0, 0)


async def test_gd_16_1_too_many_photos_unknown_fields_and_bad_patient_ref(svc: ServiceHarness) -> None:
    await register_facility(svc)
    many = [image_bytes(seed=i) for i in range(svc.runtime.settings.max_face_photos + 1)]
    r = await file_letter(svc, photos=many)
    assert r.status_code == 422 and r.json()["field"] == "/photos", r.text
    r = await file_letter(svc, extra={"surprise": "x"})
    assert r.status_code == 422 and r.json()["field"] == "/surprise"
    r = await file_letter(svc, patient_ref="张 三")
    assert r.status_code == 422 and r.json()["field"] == "/patient_ref"
    r = await svc.client.post(
        "/identity-checks", content=b"patient_ref=A1", headers={**hospital(svc), "content-type": "text/plain"}
    )
    assert r.status_code == 415
    assert await _counts(svc) == (0, 0, 0, 0)


async def test_gd_16_1_one_letter_per_admission_and_idempotent_repeat(svc: ServiceHarness) -> None:
    await register_facility(svc)
    photo = image_bytes(seed=11)
    headers = {**hospital(svc), "Idempotency-Key": "letter-A1"}
    first = await file_letter(svc, patient_ref="A1", photos=[photo], headers=headers)
    again = await file_letter(svc, patient_ref="A1", photos=[photo], headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["request_id"] == again.json()["request_id"]
    other_photo = await file_letter(svc, patient_ref="A1", photos=[image_bytes(seed=12)], headers=headers)
    assert other_photo.status_code == 409  # same key, different request
    duplicate = await file_letter(svc, patient_ref="A1", photos=[photo])
    assert duplicate.status_code == 422 and duplicate.json()["field"] == "/patient_ref"
    assert len(await svc.published("IdentityCheckRequested")) == 1


async def test_filing_authorization_wrong_role_and_wrong_facility(svc: ServiceHarness) -> None:
    await register_facility(svc, "H001")
    await register_facility(svc, "H002")
    r = await file_letter(svc, headers=police(svc))
    assert r.status_code == 403
    r = await file_letter(svc, headers=token(svc, "civil_affairs", "city:liuzhou"))
    assert r.status_code == 403
    r = await file_letter(svc, headers=hospital(svc, "H001"), extra={"facility_id": "H002"})
    assert r.status_code == 403
    both = token(svc, "hospital", "facility:H001", "facility:H002")
    r = await file_letter(svc, headers=both)
    assert r.status_code == 422 and r.json()["field"] == "/facility_id"
    r = await svc.client.post("/identity-checks", json={"patient_ref": "A1", "photos": []})
    assert r.status_code == 401
    assert await _counts(svc) == (0, 0, 0, 0)


async def test_gd_16_1_print_ready_letter_escapes_text_and_is_visible_to_both_parties_only(
    svc: ServiceHarness,
) -> None:
    await register_facility(svc, "H001", "PSB01", name="柳江区人民医院")
    await register_facility(svc, "H002", "PSB02")
    with time_machine.travel(datetime(2026, 9, 30, 10, 0, tzinfo=SH), tick=False):
        body = await filed(svc, extra={"statement": "<script>alert(1)</script>我姓王", "found_documents": ["银行卡"]})
        r = await svc.client.get(f"/identity-checks/{body['request_id']}/letter", headers=police(svc))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "关于协助核查身份不明患者身份的函" in html
    assert body["reference_number"] in html and "PSB01" in html and "柳江区人民医院" in html
    assert "2026年10月10日 23:59" in html  # GD-16.2 reply deadline in the letter
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "@page" in html and "<img" not in html  # photos are embedded only on request
    assert r.headers["cache-control"] == "no-store"
    mine = await svc.client.get(f"/identity-checks/{body['request_id']}/letter", headers=hospital(svc))
    assert mine.status_code == 200
    for headers in (police(svc, "PSB02"), hospital(svc, "H002"), token(svc, "fund_agency", "city:liuzhou")):
        denied = await svc.client.get(f"/identity-checks/{body['request_id']}/letter", headers=headers)
        assert denied.status_code == 403, headers
    missing = await svc.client.get("/identity-checks/no-such-id/letter", headers=police(svc))
    assert missing.status_code == 404


async def test_gd_16_1_openapi_documents_multipart_and_base64_json_upload(svc: ServiceHarness) -> None:
    doc = (await svc.client.get("http://test/openapi.json")).json()
    content = doc["paths"]["/v1/identity-checks"]["post"]["requestBody"]["content"]
    multipart = content["multipart/form-data"]["schema"]["properties"]
    assert multipart["photos"]["items"]["format"] == "binary"
    as_json = content["application/json"]["schema"]
    assert "$ref" not in str(as_json)
    assert "content_base64" in as_json["properties"]["photos"]["items"]["properties"]


async def test_gd_16_1_concurrent_letters_for_one_admission_give_one_request_never_a_500(
    svc: ServiceHarness,
) -> None:
    import asyncio

    await register_facility(svc)
    answers = await asyncio.gather(*(file_letter(svc, patient_ref="RACE-1") for _ in range(3)))
    codes = sorted(r.status_code for r in answers)
    assert codes.count(201) == 1 and set(codes) <= {201, 409, 422}, codes
    assert len(await svc.published("IdentityCheckRequested")) == 1


async def test_spec_0_4_multipart_photos_stay_in_memory_never_spooled_to_disk(svc: ServiceHarness) -> None:
    """Starlette spools uploads over 1 MB to a temporary file; ours stay in memory."""
    import httpx
    from starlette.requests import Request

    from identity_check.api.routes import _InMemoryMultiPartParser

    big = image_bytes(1200, 1200, "PNG", seed=5)
    assert len(big) > 1024 * 1024
    built = httpx.Request(
        "POST",
        "http://test/identity-checks",
        data={"patient_ref": "A"},
        files=[("photos", ("a.png", big, "image/png"))],
    )
    body = built.read()
    sent = False

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/identity-checks",
        "headers": [(k.lower().encode(), v.encode()) for k, v in built.headers.items()],
        "query_string": b"",
    }
    form = await _InMemoryMultiPartParser(Request(scope, receive), svc.runtime.settings).parse()
    upload = form.getlist("photos")[0]
    assert not upload.file._rolled  # type: ignore[union-attr]
    assert await upload.read() == big  # type: ignore[union-attr]
    await form.close()
