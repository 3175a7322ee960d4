"""Application workflow, public notice, disbursement and write-off (GD-20.1, GD-20.2, GD-21, GD-7)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import time_machine
from sqlalchemy import func, select

from emergency_fund.adapters.tables import disbursement, ledger_txn
from medaid_shared.testing import ServiceHarness

from .helpers import (
    AGENCY,
    CITY,
    EARLY,
    H1,
    H2,
    HEALTH,
    PAY,
    SUBMIT,
    VALID_ID,
    call,
    claimed_identified,
    local,
    ok,
    prepare_city,
    ready_unidentified_case,
    register_facility,
    submitted,
    through_review,
)


async def counts(svc: ServiceHarness) -> tuple[int, int, int]:
    async with svc.runtime.db.read() as s:
        payouts = (await s.execute(select(func.count()).select_from(disbursement))).scalar_one()
        txns = (await s.execute(select(func.count()).where(ledger_txn.c.kind == "disbursement"))).scalar_one()
    return payouts, txns, len(await svc.published("FundDisbursed"))


async def test_gd_20_1_gd_20_2_gd_21_the_whole_way(svc: ServiceHarness) -> None:
    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc)
        await ok(
            svc,
            "POST",
            f"/funds/{CITY}/preallocations",
            "agency",
            {"facility_id": H1, "year": 2026, "amount": "10000.00"},
        )
        app_id, case_ids = await submitted(svc, cases=2)
        app = await ok(svc, "GET", f"/applications/{app_id}", "hospital")
        assert app["state"] == "submitted" and app["requested_amount"] == "30180.00"
        # GD-20.1: the unit application carries the cost lists
        assert [(c["billed"], c["in_catalogue"], len(c["cost_list"])) for c in app["cases"]] == [
            ("15000.00", "15000.00", 1)
        ] * 2
        step = app["steps"][0]
        # GD-20.2: 10 working days on the official calendar: Sun 09-20 is a make-up working day,
        # Fri 09-25 (Mid-Autumn) and 10-01 … 10-07 (National Day) are holidays → the end of Fri 2026-10-09.
        assert step["step"] == "agency"
        assert datetime.fromisoformat(step["due_at"]) == local(2026, 10, 9, 23, 59, 59).astimezone(UTC)
        [event] = await svc.published("FundApplicationSubmitted")
        assert event["payload"]["case_ids"] == sorted(case_ids) and event["payload"]["amount"] == "30180.00"
        for c in case_ids:
            assert (await ok(svc, "GET", f"/cases/{c}", "hospital"))["state"] == "in_application"
        notice = await ok(svc, "POST", f"/applications/{app_id}/notices", "hospital")
        assert datetime.fromisoformat(notice["ends_at"]) == local(2026, 9, 22, 23, 59, 59).astimezone(UTC)
        assert (await call(svc, "POST", f"/applications/{app_id}/notices", "hospital")).status_code == 409
        early = await call(svc, "POST", f"/applications/{app_id}/notices", "agency")
        assert early.status_code == 409 and early.json()["rule"] == "GD-21"
        await ok(
            svc,
            "POST",
            f"/applications/{app_id}/co-review-notes",
            "police",
            {"note": "身份核查无异常", "case_id": case_ids[0]},
        )
        await ok(svc, "POST", f"/applications/{app_id}/co-review-notes", "insurance", {"note": "未参保"})
    with time_machine.travel(AGENCY, tick=False):
        cut = {"outcome": "approved", "cases": [{"case_id": case_ids[0], "approved_amount": "14000.00"}]}
        r = await call(svc, "POST", f"/applications/{app_id}/agency-review", "agency", cut)
        assert r.status_code == 422 and r.json()["field"] == "/reason"
        more = {"outcome": "approved", "cases": [{"case_id": case_ids[0], "approved_amount": "99999.00"}]}
        assert (await call(svc, "POST", f"/applications/{app_id}/agency-review", "agency", more)).status_code == 422
        reviewed = await ok(
            svc, "POST", f"/applications/{app_id}/agency-review", "agency", {**cut, "reason": "部分检查不合理"}
        )
        assert reviewed["state"] == "agency_approved" and reviewed["approved_amount"] == "29090.00"
        again = await call(svc, "POST", f"/applications/{app_id}/agency-review", "agency", {"outcome": "approved"})
        assert again.status_code == 409
        notice = await ok(svc, "POST", f"/applications/{app_id}/notices", "agency")
        assert sorted(e["amount"] for e in notice["entries"]) == ["14000.00", "15090.00"]
        assert datetime.fromisoformat(notice["ends_at"]) == local(2026, 9, 24, 23, 59, 59).astimezone(UTC)
    with time_machine.travel(HEALTH, tick=False):
        await ok(svc, "POST", f"/applications/{app_id}/health-review", "health", {"outcome": "approved"})
    with time_machine.travel(EARLY, tick=False):
        r = await call(svc, "POST", f"/applications/{app_id}/disbursement", "finance")
        assert r.status_code == 422 and r.json()["rule"] == "GD-21"
    with time_machine.travel(PAY, tick=False):
        paid = await ok(svc, "POST", f"/applications/{app_id}/disbursement", "finance")
        # GD-7: the hospital's 10000.00 advance is set against the claim first
        assert (paid["amount"], paid["from_preallocation"], paid["from_fund_cash"]) == (
            "29090.00",
            "10000.00",
            "19090.00",
        )
        fund = await ok(svc, "GET", f"/funds/{CITY}", "auditor")
        assert fund["cash"] == str(Decimal("1000000.00") - Decimal("10000.00") - Decimal("19090.00"))
        assert fund["preallocated"] == {} and fund["trial_balance"] == "0.00"
        assert fund["balances"][f"assistance_paid:{H1}"] == "29090.00"
        [event] = await svc.published("FundDisbursed")
        assert event["payload"]["amount"] == "29090.00" and event["payload"]["late"] is False
        # SPEC 0.4: each paid case's police letter closes (identity-check starts photo retention)
        closed = [e["payload"] for e in await svc.published("FundCaseClosed")]
        assert {c["outcome"] for c in closed} == {"disbursed"} and {c["case_id"] for c in closed} == set(
            event["payload"]["case_ids"]
        )
        reviews = [
            (e["payload"]["step"], e["payload"]["outcome"]) for e in await svc.published("FundApplicationReviewed")
        ]
        assert reviews == [("agency", "approved"), ("health", "approved")]
        assert {n["role"] for n in (await ok(svc, "GET", f"/applications/{app_id}", "auditor"))["co_review_notes"]} == {
            "police",
            "medical_insurance",
        }
        for c in case_ids:
            assert (await ok(svc, "GET", f"/cases/{c}", "hospital"))["state"] == "paid"
        rec = await ok(svc, "GET", f"/funds/{CITY}/preallocations/reconciliation", "auditor", params={"year": 2026})
        h1 = next(r for r in rec["hospitals"] if r["facility_id"] == H1)
        assert (h1["approved_claims"], h1["set_against_advance"], h1["paid_from_fund"]) == (
            "29090.00",
            "10000.00",
            "19090.00",
        )
        # write-off (核销)
        body = {"vouchers": ["V-2026-001"], "note": "票据核对"}
        assert (await call(svc, "POST", f"/applications/{app_id}/write-off", "finance", body)).status_code == 403
        done = await ok(svc, "POST", f"/applications/{app_id}/write-off", "agency", body)
        assert done["state"] == "written_off" and done["disbursement"]["write_off_vouchers"] == ["V-2026-001"]
        assert (await call(svc, "POST", f"/applications/{app_id}/write-off", "agency", body)).status_code == 409
        late_note = await call(svc, "POST", f"/applications/{app_id}/co-review-notes", "civil", {"note": "补充意见"})
        assert late_note.status_code == 409 and late_note.json()["rule"] == "GD-20.2"
        fund = await ok(svc, "GET", f"/funds/{CITY}", "auditor")
        assert fund["balances"]["assistance_written_off"] == "29090.00" and fund["trial_balance"] == "0.00"
        assert len(await svc.published("FundWrittenOff")) == 1
        # next year's suggested pre-allocation is based on this cycle's use (GD-7)
        plan = await ok(svc, "GET", f"/funds/{CITY}/preallocations/plan", "agency", params={"year": 2027})
        assert plan["hospitals"] == [
            {"facility_id": H1, "last_cycle_use": "29090.00", "refunded": "0.00", "suggested": "23272.00"}
        ]


async def test_gd_21_no_disbursement_before_both_notices_even_concurrently(svc: ServiceHarness) -> None:
    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc)
        app_id, _ = await submitted(svc)
    with time_machine.travel(AGENCY, tick=False):
        await ok(svc, "POST", f"/applications/{app_id}/agency-review", "agency", {"outcome": "approved"})
    with time_machine.travel(HEALTH, tick=False):
        await ok(svc, "POST", f"/applications/{app_id}/health-review", "health", {"outcome": "approved"})
    with time_machine.travel(PAY, tick=False):
        r = await call(svc, "POST", f"/applications/{app_id}/disbursement", "finance")
        assert r.status_code == 422 and "hospital" in r.json()["detail"]
        await ok(svc, "POST", f"/applications/{app_id}/notices", "hospital")  # runs until 2026-09-30
        r = await call(svc, "POST", f"/applications/{app_id}/disbursement", "finance")
        assert r.status_code == 422 and "agency" in r.json()["detail"]
        await ok(svc, "POST", f"/applications/{app_id}/notices", "agency")
        attempts = await asyncio.gather(
            *[call(svc, "POST", f"/applications/{app_id}/disbursement", "finance") for _ in range(12)]
        )
        assert {a.status_code for a in attempts} == {422}
        assert all(a.json()["rule"] == "GD-21" for a in attempts)
    # both notices run three working days: 09-28, 09-29, 09-30; still not on the last day
    with time_machine.travel(local(2026, 9, 30, 23, 59), tick=False):
        attempts = await asyncio.gather(
            *[
                call(
                    svc, "POST", f"/applications/{app_id}/disbursement", "finance", headers={"Idempotency-Key": f"k{i}"}
                )
                for i in range(6)
            ]
        )
        assert {a.status_code for a in attempts} == {422}
        assert await counts(svc) == (0, 0, 0)
        assert (await ok(svc, "GET", f"/funds/{CITY}", "agency"))["cash"] == "1000000.00"
    # the National Day holidays do not count: the notices ended at the end of 09-30
    with time_machine.travel(local(2026, 10, 1, 0, 0, 1), tick=False):
        await ok(svc, "POST", f"/applications/{app_id}/disbursement", "finance")
        assert await counts(svc) == (1, 1, 1)


async def test_disbursement_never_twice_under_concurrent_retries(svc: ServiceHarness) -> None:
    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc)
        app_id, _ = await submitted(svc)
    await through_review(svc, app_id)
    with time_machine.travel(PAY, tick=False):
        path = f"/applications/{app_id}/disbursement"
        same_key = {"Idempotency-Key": "pay-once"}
        results = await asyncio.gather(
            *[call(svc, "POST", path, "finance", headers=same_key) for _ in range(10)],
            *[call(svc, "POST", path, "finance") for _ in range(10)],
        )
        statuses = sorted(r.status_code for r in results)
        same = [r.status_code for r in results[:10]]
        # every retry carrying the key gets the one answer (a replay) once a keyed attempt won
        assert set(same) in ({201}, {409})
        winners = [r for r in results if r.status_code == 201]
        assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}
        assert len({r.json()["disbursement_id"] for r in winners}) == 1  # every 201 is the same disbursement
        assert all(r.json()["rule"] == "GD-21" for r in results if r.status_code == 409)
        assert await counts(svc) == (1, 1, 1)
        fund = await ok(svc, "GET", f"/funds/{CITY}", "auditor")
        assert fund["cash"] == "984910.00" and fund["trial_balance"] == "0.00"
        # a later retry with the key replays the first answer; without it, a second disbursement is refused
        replay = await call(svc, "POST", path, "finance", headers=same_key)
        if set(same) == {201}:
            assert (
                replay.status_code == 201 and replay.json()["disbursement_id"] == winners[0].json()["disbursement_id"]
            )
        else:  # an attempt without the key won; the keyed retries were refused, and still are
            assert replay.status_code == 409
        assert (await call(svc, "POST", path, "finance")).status_code == 409
        assert await counts(svc) == (1, 1, 1)


async def test_gd_3_concurrent_disbursements_never_overdraw_the_fund(svc: ServiceHarness) -> None:
    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc, cash="20000.00")
        await register_facility(svc, "H003")
        first, _ = await submitted(svc)  # 15090.00
        second, _ = await submitted(svc, facility=H2, as_="hospital2")
        for app_id, hospital in ((first, "hospital"), (second, "hospital2")):
            await ok(svc, "POST", f"/applications/{app_id}/notices", hospital)
    for app_id in (first, second):
        with time_machine.travel(AGENCY, tick=False):
            await ok(svc, "POST", f"/applications/{app_id}/agency-review", "agency", {"outcome": "approved"})
            await ok(svc, "POST", f"/applications/{app_id}/notices", "agency")
        with time_machine.travel(HEALTH, tick=False):
            await ok(svc, "POST", f"/applications/{app_id}/health-review", "health", {"outcome": "approved"})
    with time_machine.travel(PAY, tick=False):
        results = await asyncio.gather(
            call(svc, "POST", f"/applications/{first}/disbursement", "finance"),
            call(svc, "POST", f"/applications/{second}/disbursement", "finance"),
        )
        assert sorted(r.status_code for r in results) == [201, 409]
        fund = await ok(svc, "GET", f"/funds/{CITY}", "auditor")
        assert fund["cash"] == "4910.00" and fund["trial_balance"] == "0.00"


async def test_gd_20_2_overdue_step_is_flagged_and_reported(svc: ServiceHarness) -> None:
    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc)
        app_id, _ = await submitted(svc)
    with time_machine.travel(local(2026, 10, 9, 23, 0), tick=False):
        await svc.runtime.scheduler.fire_due()  # (the daily registration delivery, GD-19, only)
        assert await svc.published("FundStepOverdue") == []
        assert (await ok(svc, "GET", "/reports/overdue-steps", "auditor"))["items"] == []
    with time_machine.travel(local(2026, 10, 10, 0, 30), tick=False):
        assert await svc.runtime.scheduler.fire_due() == 1
        [event] = await svc.published("FundStepOverdue")
        assert event["payload"]["step"] == "agency" and event["payload"]["application_id"] == app_id
        report = await ok(svc, "GET", "/reports/overdue-steps", "auditor")
        assert [(s["application_id"], s["step"], s["open"]) for s in report["items"]] == [(app_id, "agency", True)]
        assert (await call(svc, "GET", "/reports/overdue-steps", "hospital")).status_code == 403
        assert (
            await call(svc, "GET", "/reports/overdue-steps", "other_agency", params={"city": CITY})
        ).status_code == 403
        app = await ok(svc, "GET", f"/applications/{app_id}", "agency")
        assert app["steps"][0]["overdue"] is True
        # The list carries the step each application waits for, with its due instant.
        [listed] = (await ok(svc, "GET", "/applications", "agency"))["items"]
        assert listed["open_step"]["step"] == "agency" and listed["open_step"]["overdue"] is True
        assert listed["open_step"]["due_at"] == app["steps"][0]["due_at"]
        await ok(svc, "POST", f"/applications/{app_id}/agency-review", "agency", {"outcome": "approved"})
        [listed] = (await ok(svc, "GET", "/applications", "agency"))["items"]
        assert listed["open_step"]["step"] == "health" and listed["open_step"]["overdue"] is False
        [reviewed] = await svc.published("FundApplicationReviewed")
        assert reviewed["payload"]["late"] is True
        report = await ok(svc, "GET", "/reports/overdue-steps", "agency")
        assert [(s["step"], s["open"], s["late"]) for s in report["items"]] == [("agency", False, True)]
        await svc.runtime.scheduler.fire_due()
        assert len(await svc.published("FundStepOverdue")) == 1  # the health step has its own, later deadline


async def test_gd_20_2_rejections_state_their_reason(svc: ServiceHarness) -> None:
    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc)
        app_id, [case_id] = await submitted(svc)
        r = await call(svc, "POST", f"/applications/{app_id}/agency-review", "agency", {"outcome": "rejected"})
        assert r.status_code == 422 and r.json()["field"] == "/reason"
        assert (await ok(svc, "GET", f"/applications/{app_id}", "agency"))["state"] == "submitted"
        await ok(
            svc,
            "POST",
            f"/applications/{app_id}/agency-review",
            "agency",
            {"outcome": "rejected", "reason": "费用清单不全"},
        )
        app = await ok(svc, "GET", f"/applications/{app_id}", "hospital")
        assert app["state"] == "rejected" and app["steps"][0]["reason"] == "费用清单不全"
        case = await ok(svc, "GET", f"/cases/{case_id}", "hospital")
        assert case["state"] == "open" and case["application_id"] is None
        await ok(
            svc,
            "POST",
            f"/cases/{case_id}/claim",
            "hospital",
            {"medical_amount": "15000.00", "living_amount": "90.00", "declaration": "补正后重报"},
        )
        second = await ok(svc, "POST", "/applications", "hospital", {"facility_id": H1, "case_ids": [case_id]})
        await ok(
            svc, "POST", f"/applications/{second['application_id']}/agency-review", "agency", {"outcome": "approved"}
        )
        r = await call(
            svc, "POST", f"/applications/{second['application_id']}/health-review", "health", {"outcome": "rejected"}
        )
        assert r.status_code == 422
        await ok(
            svc,
            "POST",
            f"/applications/{second['application_id']}/health-review",
            "health",
            {"outcome": "rejected", "reason": "超出病种范围"},
        )
        assert (await ok(svc, "GET", f"/applications/{second['application_id']}", "health"))["state"] == "rejected"
        await ok(
            svc,
            "POST",
            f"/cases/{case_id}/claim",
            "hospital",
            {"medical_amount": "15000.00", "living_amount": "90.00", "declaration": "再报"},
        )
        third = await ok(svc, "POST", "/applications", "hospital", {"facility_id": H1, "case_ids": [case_id]})
        await ok(
            svc, "POST", f"/applications/{third['application_id']}/agency-review", "agency", {"outcome": "approved"}
        )
        await ok(
            svc, "POST", f"/applications/{third['application_id']}/health-review", "health", {"outcome": "approved"}
        )
        assert (
            await call(
                svc, "POST", f"/applications/{third['application_id']}/finance-rejection", "finance", {"reason": ""}
            )
        ).status_code == 422
        assert (
            await call(
                svc, "POST", f"/applications/{third['application_id']}/finance-rejection", "health", {"reason": "x"}
            )
        ).status_code == 403
        await ok(
            svc,
            "POST",
            f"/applications/{third['application_id']}/finance-rejection",
            "finance",
            {"reason": "资金未到位"},
        )
        reasons = [
            e["payload"]["reason"]
            for e in await svc.published("FundApplicationReviewed")
            if e["payload"]["outcome"] == "rejected"
        ]
        assert reasons == ["费用清单不全", "超出病种范围", "资金未到位"]


async def test_application_authorization_and_bad_input(svc: ServiceHarness) -> None:
    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc)
        case_id = await ready_unidentified_case(svc)
        body: dict[str, Any] = {"facility_id": H1, "case_ids": [case_id]}
        assert (await call(svc, "POST", "/applications", "agency", body)).status_code == 403
        assert (await call(svc, "POST", "/applications", "hospital2", body)).status_code == 403
        assert (
            await call(svc, "POST", "/applications", "hospital", {**body, "case_ids": [case_id, case_id]})
        ).status_code == 422
        assert (await call(svc, "POST", "/applications", "hospital", {**body, "case_ids": []})).status_code == 422
        r = await call(svc, "POST", "/applications", "hospital", {**body, "case_ids": ["EC-unknown"]})
        assert r.status_code == 422 and r.json()["field"] == "/case_ids/0"
        app = await ok(svc, "POST", "/applications", "hospital", body)
        r = await call(svc, "POST", "/applications", "hospital", body)
        assert r.status_code == 409 and r.json()["rule"] == "GD-20.1"
        path = f"/applications/{app['application_id']}"
        assert (await call(svc, "GET", path, "hospital2")).status_code == 403
        assert (await call(svc, "GET", path, "other_agency")).status_code == 403
        assert (await call(svc, "GET", "/applications/FA-none", "agency")).status_code == 404
        assert (await ok(svc, "GET", "/applications", "hospital2"))["items"] == []
        assert [a["application_id"] for a in (await ok(svc, "GET", "/applications", "finance"))["items"]] == [
            app["application_id"]
        ]
        for role in ("hospital", "health", "finance", "auditor", "other_agency"):
            assert (await call(svc, "POST", f"{path}/agency-review", role, {"outcome": "approved"})).status_code == 403
        for role in ("hospital", "agency", "finance", "auditor"):
            assert (await call(svc, "POST", f"{path}/health-review", role, {"outcome": "approved"})).status_code == 403
        for role in ("hospital", "agency", "health", "auditor", "other_finance"):
            assert (await call(svc, "POST", f"{path}/disbursement", role)).status_code == 403
        for role in ("hospital", "agency", "finance", "auditor"):
            assert (await call(svc, "POST", f"{path}/co-review-notes", role, {"note": "x"})).status_code == 403
        assert (await call(svc, "POST", f"{path}/notices", "hospital2")).status_code == 403
        assert (await call(svc, "POST", f"{path}/notices", "finance")).status_code == 403
        assert (await call(svc, "POST", f"{path}/notices", "other_agency")).status_code == 403
        assert (
            await call(svc, "POST", f"{path}/co-review-notes", "civil", {"note": "x", "case_id": "EC-x"})
        ).status_code == 422
        assert (await call(svc, "POST", f"{path}/agency-review", "agency", {"outcome": "maybe"})).status_code == 422
        unknown = {"outcome": "approved", "cases": [{"case_id": "EC-x", "approved_amount": "1.00"}]}
        assert (await call(svc, "POST", f"{path}/agency-review", "agency", unknown)).status_code == 422
        zero = {"outcome": "approved", "reason": "无", "cases": [{"case_id": case_id, "approved_amount": "0.00"}]}
        assert (await call(svc, "POST", f"{path}/agency-review", "agency", zero)).status_code == 422
        r = await call(svc, "POST", f"{path}/disbursement", "finance")
        assert r.status_code == 409 and r.json()["rule"] == "GD-20.2"
        assert (await call(svc, "POST", f"{path}/health-review", "health", {"outcome": "approved"})).status_code == 409
        assert (await ok(svc, "GET", path, "agency"))["state"] == "submitted"


async def test_gd_21_public_notice_page_and_feed_without_login(svc: ServiceHarness) -> None:
    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc)
        app_id, [case_id] = await submitted(svc)
        await ok(svc, "POST", f"/applications/{app_id}/notices", "hospital")
        feed = (await svc.client.get("/public/notices")).json()
        [notice] = feed["items"]
        assert notice["rule"] == "GD-21" and feed["next_cursor"] is None
        assert notice["status"] == "running" and notice["publisher"] == "hospital"
        assert notice["facility_name"] == f"Hospital {H1}"
        assert notice["entries"] == [
            {
                "recipient": f"身份不明患者 {case_id[:8]}",
                "id_number_masked": None,
                "admitted_on": "2026-09-14",
                "amount": "15090.00",
            }
        ]
        page = await svc.client.get("/public/notices.html", params={"city": CITY})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "15090.00" in page.text and "身份不明患者" in page.text
        running = await ok(svc, "GET", "/reports/notices-running", "auditor")
        assert [(n["application_id"], n["working_days_left"]) for n in running["items"]] == [(app_id, 3)]
        assert (await call(svc, "GET", "/reports/notices-running", "hospital")).status_code == 403
        assert (await svc.client.post("/public/notices")).status_code == 405
    with time_machine.travel(local(2026, 12, 1, 10), tick=False):
        assert (await svc.client.get("/public/notices")).json()["items"] == []
    with time_machine.travel(local(2026, 9, 24, 10), tick=False):
        feed = (await svc.client.get("/public/notices", params={"include_ended": "false"})).json()
        assert feed["items"] == []
        assert len((await svc.client.get("/public/notices")).json()["items"]) == 1


async def test_gd_21_notice_masks_identified_recipients(svc: ServiceHarness) -> None:
    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc)
        case_id = await claimed_identified(svc, VALID_ID, "P-ID")
        app = await ok(svc, "POST", "/applications", "hospital", {"facility_id": H1, "case_ids": [case_id]})
        await ok(svc, "POST", f"/applications/{app['application_id']}/notices", "hospital")
        feed = await svc.client.get("/public/notices")
        page = await svc.client.get("/public/notices.html")
        [entry] = feed.json()["items"][0]["entries"]
        assert entry["recipient"] == "张*三" and entry["id_number_masked"] == "1101**********002X"
        for body in (feed.text, page.text):
            assert VALID_ID not in body and "张小三" not in body and "id_digest" not in body
