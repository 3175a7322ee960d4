"""GD-21 and SPEC 0.1: a public notice has run its term only after its last instant, and
its term follows the year's calendar notice when that is loaded afterwards."""

from __future__ import annotations

from datetime import timedelta

import chinese_calendar
import time_machine

from medaid_shared.calendar import CalendarDay
from medaid_shared.testing import ServiceHarness

from .helpers import SUBMIT, call, local, ok, prepare_city, submitted, through_review


async def test_gd_21_no_disbursement_in_the_notice_terms_last_second(svc: ServiceHarness) -> None:
    """The agency's notice runs to the end of Thu 2026-09-24: at 23:59:59.5 it is still
    running; from 2026-09-25 00:00:00 money may move."""
    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc)
        app_id, _ = await submitted(svc)
    await through_review(svc, app_id)
    path = f"/applications/{app_id}/disbursement"
    for last_second in (local(2026, 9, 24, 23, 59, 59), local(2026, 9, 24, 23, 59, 59) + timedelta(milliseconds=500)):
        with time_machine.travel(last_second, tick=False):
            r = await call(svc, "POST", path, "finance")
            assert r.status_code == 422 and r.json()["rule"] == "GD-21", r.text
    with time_machine.travel(local(2026, 9, 25, 0, 0, 0), tick=False):
        assert (await call(svc, "POST", path, "finance")).status_code == 201


async def test_spec_0_1_a_loaded_notice_moves_a_public_notice_term_and_flags_money_paid_too_early(
    svc: ServiceHarness,
) -> None:
    """The agency's notice ended (on the calendar then in force) at the end of 09-24 and
    finance paid on 09-25. The year's notice, loaded afterwards, makes Wed 09-23 a day
    off: with Fri 09-25 (Mid-Autumn) and the weekend, the real term ended at the end of
    Mon 09-28. The notice shows the real end and the
    application is flagged for finance (paid before the real end)."""
    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc)
        app_id, _ = await submitted(svc)
    await through_review(svc, app_id)
    with time_machine.travel(local(2026, 9, 25, 10), tick=False):
        await ok(svc, "POST", f"/applications/{app_id}/disbursement", "finance")
        days = [
            CalendarDay(d, False, "holiday") for d in sorted(chinese_calendar.constants.holidays) if d.year == 2026
        ] + [CalendarDay(d, True, "workday") for d in sorted(chinese_calendar.constants.workdays) if d.year == 2026]
        days.append(CalendarDay(local(2026, 9, 23).date(), False, "holiday"))
        moved = await svc.runtime.load_calendar_year(2026, days, "corrected notice", loaded_by="admin-1")
    agency_end = [m for m in moved if m.kind == "fund.notice.end" and m.due_at == local(2026, 9, 28, 23, 59, 59)]
    assert agency_end and agency_end[0].previous_due_at == local(2026, 9, 24, 23, 59, 59)
    app = await ok(svc, "GET", f"/applications/{app_id}", "finance")
    assert app["notice_flag"] == "disbursed_before_real_notice_end"
    events = await svc.published("DeadlineMoved")
    assert any(e["payload"]["kind"] == "fund.notice.end" for e in events)
