"""The credit blacklist (GD-24)."""

from __future__ import annotations

import time_machine

from medaid_shared.testing import ServiceHarness

from .helpers import (
    CITY,
    H1,
    NOW,
    OTHER_CITY,
    VALID_ID,
    call,
    claimed_identified,
    ok,
    open_case,
    prepare_city,
    valid_id,
)


async def test_gd_24_blacklisted_persons_new_applications_are_flagged(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        entry = {"city": CITY, "id_number": VALID_ID, "reason": "虚报身份骗取救助", "evidence": ["公安复函 2026-018"]}
        for role in ("hospital", "finance", "auditor", "other_agency"):
            assert (await call(svc, "POST", "/blacklist", role, entry)).status_code == 403
        for bad in (
            {**entry, "id_number": "110105194912310021"},
            {**entry, "evidence": []},
            {**entry, "case_id": "EC-1"},
            {k: v for k, v in entry.items() if k != "id_number"},
        ):
            assert (await call(svc, "POST", "/blacklist", "agency", bad)).status_code == 422
        listed = await ok(svc, "POST", "/blacklist", "agency", entry)
        assert listed["id_number_masked"] == "1101**********002X" and "id_digest" not in listed
        dup = await call(svc, "POST", "/blacklist", "agency", entry)
        assert dup.status_code == 409 and dup.json()["rule"] == "GD-24"
        flagged = await claimed_identified(svc, VALID_ID, "P-B1")
        clean = await claimed_identified(svc, valid_id(7), "P-B2")
        assert (await ok(svc, "GET", f"/cases/{flagged}", "hospital"))["blacklist_flag"] is True
        app = await ok(svc, "POST", "/applications", "hospital", {"facility_id": H1, "case_ids": [flagged, clean]})
        assert app["flagged"] is True
        [event] = await svc.published("FundApplicationSubmitted")
        assert event["payload"]["flagged_case_ids"] == [flagged]
        r = await call(
            svc, "POST", f"/applications/{app['application_id']}/agency-review", "agency", {"outcome": "approved"}
        )
        assert r.status_code == 422 and r.json()["rule"] == "GD-24"
        review = {"outcome": "approved", "flag_review_note": "经复核本次病情属实，予以受理"}
        assert (await ok(svc, "POST", f"/applications/{app['application_id']}/agency-review", "agency", review))[
            "state"
        ] == "agency_approved"


async def test_gd_24_listing_flags_pending_cases_and_lifting(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = await claimed_identified(svc, valid_id(9), "P-C1")
        app = await ok(svc, "POST", "/applications", "hospital", {"facility_id": H1, "case_ids": [cid]})
        assert app["flagged"] is False
        entry = await ok(
            svc,
            "POST",
            "/blacklist",
            "agency",
            {"city": CITY, "case_id": cid, "reason": "伪造费用清单", "evidence": ["稽查报告"]},
        )
        assert entry["flagged_cases"] == [cid] and entry["name_masked"] == "张*三"
        assert (await ok(svc, "GET", f"/applications/{app['application_id']}", "agency"))["flagged"] is True
        unidentified = (await open_case(svc, patient_ref="P-U"))["case_id"]
        r = await call(
            svc,
            "POST",
            "/blacklist",
            "agency",
            {"city": CITY, "case_id": unidentified, "reason": "x", "evidence": ["y"]},
        )
        assert r.status_code == 409
        wrong_city = {"city": OTHER_CITY, "case_id": cid, "reason": "x", "evidence": ["y"]}
        assert (await call(svc, "POST", "/blacklist", "other_agency", wrong_city)).status_code == 403
        rows = (await ok(svc, "GET", "/blacklist", "auditor", params={"city": CITY}))["items"]
        assert [r["entry_id"] for r in rows] == [entry["entry_id"]] and "id_digest" not in rows[0]
        assert (await call(svc, "GET", "/blacklist", "hospital", params={"city": CITY})).status_code == 403
        assert (await call(svc, "GET", "/blacklist", "other_agency", params={"city": CITY})).status_code == 403
        lift = f"/blacklist/{entry['entry_id']}/lift"
        assert (await call(svc, "POST", lift, "health", {"reason": "x"})).status_code == 403
        assert (await call(svc, "POST", lift, "agency", {"reason": ""})).status_code == 422
        assert (await ok(svc, "POST", lift, "agency", {"reason": "复议撤销"}))["lift_reason"] == "复议撤销"
        assert (await call(svc, "POST", lift, "agency", {"reason": "again"})).status_code == 409
        assert (await ok(svc, "GET", "/blacklist", "agency", params={"city": CITY}))["items"] == []
        assert (
            len((await ok(svc, "GET", "/blacklist", "agency", params={"city": CITY, "active_only": "false"}))["items"])
            == 1
        )
        assert (await call(svc, "POST", "/blacklist/BL-none/lift", "agency", {"reason": "x"})).status_code == 404
