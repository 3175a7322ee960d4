"""GD-16.1: "a clear frontal face photo" — the least resolution and contrast the image check
asks for are the versioned interpretation ``photo_clarity``: a version loaded for a day
applies to letters filed from that day, a refusal names the version it applied, the filing
records it, and a version that would let a blank image through is refused."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from medaid_shared.testing import ServiceHarness

from .helpers import file_letter, filed, image_bytes, register_facility, token

SH = ZoneInfo("Asia/Shanghai")
STRICTER = {
    "kind": "photo_clarity",
    "effective_from": "2026-10-01",
    "values": {"min_width": 600, "min_height": 800, "min_contrast": 16},
    "source": "市公安局关于协查照片的通知",
}


async def _filed_audit(svc: ServiceHarness) -> list[dict[str, object]]:
    t = svc.runtime.db.tables.audit_log
    async with svc.runtime.db.read() as s:
        rows = (await s.execute(select(t).where(t.c.action == "identity_check.filed").order_by(t.c.seq))).mappings()
        return [dict(r["details"]) for r in rows]


async def test_gd_16_1_a_clear_photo_is_a_versioned_interpretation(svc: ServiceHarness) -> None:
    await register_facility(svc)
    admin = token(svc, "admin")
    with time_machine.travel(datetime(2026, 9, 30, 9, 0, tzinfo=SH), tick=False):
        r = await svc.client.post("/admin/parameters", json={"versions": [STRICTER]}, headers=admin)
        assert r.status_code == 201, r.text
        # the day before the version: the default (300 × 300) applies to a 480 × 640 photo
        await filed(svc, patient_ref="ZY2026-0001")
    with time_machine.travel(datetime(2026, 10, 1, 0, 0, 30, tzinfo=SH), tick=False):
        refused = await file_letter(svc, patient_ref="ZY2026-0002")
        problem = refused.json()
        assert refused.status_code == 422 and (problem["field"], problem["rule"]) == ("/photos/0", "GD-16.1")
        assert "at least 600×800" in problem["detail"]
        assert "photo_clarity:any:any:2026-10-01" in problem["detail"]
        await filed(svc, patient_ref="ZY2026-0002", photos=[image_bytes(600, 800)])
    first, second = await _filed_audit(svc)
    assert first["photo_clarity_version"] == "photo_clarity:any:any:default"
    assert second["photo_clarity_version"] == "photo_clarity:any:any:2026-10-01"


async def test_gd_16_1_a_clarity_version_that_passes_a_blank_image_is_refused(svc: ServiceHarness) -> None:
    admin = token(svc, "admin")
    with time_machine.travel(datetime(2026, 9, 30, 9, 0, tzinfo=SH), tick=False):
        for values in ({"min_width": 0, "min_height": 800, "min_contrast": 16}, {"min_contrast": 0}):
            bad = {**STRICTER, "values": {**STRICTER["values"], **values}}  # type: ignore[dict-item]
            r = await svc.client.post("/admin/parameters", json={"versions": [bad]}, headers=admin)
            assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), r.text
        listing = await svc.client.get("/parameters", headers=admin)
        assert listing.status_code == 200
        assert [v for v in listing.json()["items"] if v["kind"] == "photo_clarity"] == []
