"""Quarterly cost analytics (LJ-8, LJ-9, LJ-15.4): report endpoints, CSV export, flags
stored once and published as CostAnomalyFlagged."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import time_machine

from medaid_shared.testing import ServiceHarness
from tests_settlement.world import admit, bill, discharge, hospital, line

ANALYST = ("civil_affairs",)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)  # 10:00 Shanghai


async def case(
    svc: ServiceHarness,
    admission_id: str,
    facility: str,
    lines: list[dict[str, Any]],
    *,
    admitted: date = date(2026, 3, 2),
    discharged: date = date(2026, 3, 4),
    group: str = "ES1",
) -> None:
    await admit(svc, admission_id, f"P-{admission_id}", facility, admitted_at=at(admitted))
    await discharge(
        svc, admission_id, at=at(discharged), admitted_at=at(admitted), diagnosis_group=group,
        person_id=f"P-{admission_id}", facility_id=facility,
    )  # fmt: skip
    r = await svc.client.post(
        "/bills", json=bill(f"B-{admission_id}", lines, admission_id=admission_id), headers=hospital(svc, facility)
    )
    assert r.status_code == 201, r.text


def daily(amount: str, admitted: date, discharged: date, **kw: Any) -> list[dict[str, Any]]:
    """A service line on every in-stay day (no bed-hanging)."""
    days = (discharged - admitted).days
    return [line(amount, day=admitted + timedelta(days=i), **kw) for i in range(days)]


async def world(svc: ServiceHarness) -> None:
    """Five hospitals in 2026 Q1. H5's self-pay share is far above the others; one case is
    very expensive, one stays 60 days, one has unrelated tests, one is bed-hanging."""
    a, d = date(2026, 3, 2), date(2026, 3, 4)
    for n, (facility, self_pay) in enumerate(
        [("H1", "25.00"), ("H2", "30.00"), ("H3", "35.00"), ("H4", "40.00"), ("H5", "250.00")]
    ):
        for k in range(2):
            lines = [*daily("250.00", a, d), line(self_pay, in_catalogue=False, code="X-SELF", day=a)]
            await case(svc, f"{facility}-{k}", facility, lines)
        del n
    await case(svc, "COSTLY", "H1", daily("50000.00", a, d))
    long_a = date(2026, 1, 5)
    await case(
        svc, "LONG", "H2", daily("25.00", long_a, date(2026, 3, 6)), admitted=long_a, discharged=date(2026, 3, 6)
    )
    await case(svc, "TESTS", "H3", [*daily("250.00", a, d), line("300.00", code="CT-HEAD01", category="test", day=a)])
    bed_a, bed_d = date(2026, 3, 1), date(2026, 3, 6)
    idle = [line("80.00", code="BED", category="bed", day=bed_a + timedelta(days=i)) for i in range(5)]
    await case(svc, "BED", "H4", [*idle, line("200.00", day=bed_a)], admitted=bed_a, discharged=bed_d)
    # another quarter, never counted in 2026Q1
    await case(svc, "APRIL", "H5", daily("99999.00", date(2026, 4, 1), date(2026, 4, 3)),
               admitted=date(2026, 4, 1), discharged=date(2026, 4, 3))  # fmt: skip
    r = await svc.client.put(
        "/admin/diagnosis-test-rules",
        json={"rules": {"ES1": ["LAB-RESP", "CT-CHEST"]}},
        headers=svc.token("admin"),
    )
    assert r.status_code == 200, r.text


async def test_lj_8_self_pay_share_per_hospital_flags_the_abnormal_one(svc: ServiceHarness) -> None:
    await world(svc)
    r = await svc.client.get("/reports/2026Q1/self-pay-share", headers=svc.token("medical_insurance"))
    assert r.status_code == 200, r.text
    rows = {x["facility_id"]: x for x in r.json()["items"]}
    assert set(rows) == {"H1", "H2", "H3", "H4", "H5"}
    assert [f for f, x in rows.items() if x["abnormal"]] == ["H5"]
    assert rows["H5"]["share"] == "0.333333"  # 500 / 1500
    assert rows["H2"]["self_pay"] == "60.00"
    csv_r = await svc.client.get("/reports/2026Q1/self-pay-share?format=csv", headers=svc.token("civil_affairs"))
    assert csv_r.status_code == 200
    assert csv_r.headers["content-type"].startswith("text/csv")
    parsed = list(csv.DictReader(io.StringIO(csv_r.text)))
    assert {row["facility_id"]: row["abnormal"] for row in parsed}["H5"] == "True"


async def test_lj_15_4_lj_9_quarterly_run_flags_cases_once_and_publishes_them(svc: ServiceHarness) -> None:
    await world(svc)
    r = await svc.client.post("/analytics/2026Q1/run", headers=svc.token("civil_affairs"))
    assert r.status_code == 200, r.text
    result = r.json()
    flags = (await svc.client.get("/reports/2026Q1/flags", headers=svc.token("auditor"))).json()["items"]
    found = {(f["kind"], f["admission_id"] or f["facility_id"]) for f in flags}
    assert ("self_pay_share", "H5") in found  # LJ-8
    assert ("high_cost_case", "COSTLY") in found  # LJ-15.4
    assert ("long_stay", "LONG") in found  # LJ-15.4
    assert ("unrelated_tests", "TESTS") in found  # LJ-9
    assert ("bed_hanging", "BED") in found  # LJ-9
    assert ("cost_above_average", "COSTLY") in found  # LJ-9
    assert not any(subject == "APRIL" for _, subject in found)
    assert {f["rule"] for f in flags} == {"LJ-8", "LJ-9", "LJ-15.4"}
    assert result["new_flags"] == len(flags) == result["flags"]
    bed = next(f for f in flags if f["kind"] == "bed_hanging")
    assert bed["metric"] == "4.0000"  # 2–5 March: only bed charges
    events = await svc.published("CostAnomalyFlagged")
    assert len(events) == len(flags)
    assert {e["payload"]["kind"] for e in events} >= {"self_pay_share", "bed_hanging", "long_stay"}
    again = (await svc.client.post("/analytics/2026Q1/run", headers=svc.token("medical_insurance"))).json()
    assert again["new_flags"] == 0
    assert len(await svc.published("CostAnomalyFlagged")) == len(flags)
    only = await svc.client.get("/reports/2026Q1/flags?kind=bed_hanging&format=csv", headers=svc.token("health_bureau"))
    parsed = list(csv.DictReader(io.StringIO(only.text)))
    assert [(row["kind"], row["admission_id"], row["rule"]) for row in parsed] == [("bed_hanging", "BED", "LJ-9")]


async def test_an_empty_quarter_reports_nothing(svc: ServiceHarness) -> None:
    r = await svc.client.post("/analytics/2025Q4/run", headers=svc.token("civil_affairs"))
    assert r.json()["flags"] == 0
    csv_r = await svc.client.get("/reports/2025Q4/flags?format=csv", headers=svc.token("civil_affairs"))
    assert csv_r.status_code == 200
    assert csv_r.text == ""


async def test_analytics_authorization_and_bad_input(svc: ServiceHarness) -> None:
    for role, scopes in (("hospital", ("facility:H1",)), ("auditor", ()), ("health_bureau", ()), ("admin", ())):
        r = await svc.client.post("/analytics/2026Q1/run", headers=svc.token(role, *scopes))
        assert r.status_code == 403, role
    for path in ("/reports/2026Q1/self-pay-share", "/reports/2026Q1/flags"):
        assert (await svc.client.get(path, headers=hospital(svc, "H1"))).status_code == 403
        assert (await svc.client.get(path)).status_code == 401
    assert (await svc.client.get("/reports/2026Q5/flags", headers=svc.token("civil_affairs"))).status_code == 422
    assert (
        await svc.client.get("/reports/2026Q1/flags?kind=nonsense", headers=svc.token("civil_affairs"))
    ).status_code == 422
    r = await svc.client.get("/reports/2026Q1/flags?format=xml", headers=svc.token("civil_affairs"))
    assert r.status_code == 422
    rules = {"rules": {"ES1": ["LAB"]}}
    for role in ("civil_affairs", "medical_insurance", "hospital"):
        r = await svc.client.put("/admin/diagnosis-test-rules", json=rules, headers=svc.token(role, "facility:H1"))
        assert r.status_code == 403, role
    r = await svc.client.put("/admin/diagnosis-test-rules", json={"rules": {"ES1": [""]}}, headers=svc.token("admin"))
    assert r.status_code == 422


async def test_a_quarter_outside_the_calendar_is_a_bad_request(svc: ServiceHarness) -> None:
    for path in ("/reports/0000Q1/self-pay-share", "/reports/0000Q1/flags"):
        r = await svc.client.get(path, headers=svc.token("medical_insurance"))
        assert r.status_code == 422 and r.json()["field"] == "quarter"
    r = await svc.client.post("/analytics/0000Q1/run", headers=svc.token("medical_insurance"))
    assert r.status_code == 422


async def test_spec_0_4_no_settlement_table_holds_the_diagnosis_group_in_clear(svc: ServiceHarness) -> None:
    """SPEC 0.4: settlement's copy of the diagnosis group rests as ciphertext; the quarterly
    analytics group and join on its blind index, so no row of any table of the schema —
    admissions, bills, statements, flags, the outbox, the idempotency answers — shows it."""
    from sqlalchemy import text

    diagnosis = "J18.9-社区获得性肺炎"
    a, d = date(2026, 3, 2), date(2026, 3, 4)
    await case(svc, "PNEU-1", "H1", daily("250.00", a, d), group=diagnosis)
    await case(svc, "PNEU-2", "H1", [*daily("250.00", a, d), line("300.00", code="CT-HEAD01", category="test", day=a)],
               group=diagnosis)  # fmt: skip
    rules = {"rules": {diagnosis: ["LAB-RESP"]}}
    headers = {**svc.token("admin"), "Idempotency-Key": "rules-1"}
    assert (await svc.client.put("/admin/diagnosis-test-rules", json=rules, headers=headers)).status_code == 200
    r = await svc.client.post("/analytics/2026Q1/run", headers=svc.token("civil_affairs"))
    assert r.status_code == 200, r.text
    flags = (await svc.client.get("/reports/2026Q1/flags?kind=unrelated_tests", headers=svc.token("auditor"))).json()
    assert [f["admission_id"] for f in flags["items"]] == ["PNEU-2"]  # the blind index still joins the rules
    needles = [diagnosis, "肺炎", "J18.9", diagnosis.encode().hex(), "肺炎".encode().hex()]
    async with svc.runtime.db.read() as s:
        tables = (
            (await s.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'settlement'"))).scalars().all()
        )
        assert "admission" in tables and "outbox" in tables
        for table in tables:
            rows = (await s.execute(text(f'SELECT row_to_json(t)::text FROM settlement."{table}" t'))).scalars().all()
            leaks = [row for row in rows if any(needle in row for needle in needles)]
            assert leaks == [], f"settlement.{table} holds the diagnosis in clear: {leaks[:1]}"


async def test_lj_15_4_the_scheduler_runs_the_analysis_after_the_quarter_closes(svc: ServiceHarness) -> None:
    """LJ-15.4: no one calls the analysis. The quarter 2026Q1 closes at 2026-04-01 00:00
    Shanghai; one day later (the versioned ``quarterly_analysis`` interpretation) the kernel
    scheduler runs it — the same flags as on demand — and schedules 2026Q2's run."""
    await world(svc)
    scheduler = svc.runtime.scheduler
    assert scheduler is not None
    with time_machine.travel(datetime(2026, 4, 1, 15, 59, 59, tzinfo=UTC), tick=False):
        await scheduler.fire_due()
    assert await svc.published("CostAnomalyFlagged") == []  # the quarter closed, the day after not yet over
    with time_machine.travel(datetime(2026, 4, 1, 16, 0, 0, tzinfo=UTC), tick=False):
        assert await scheduler.fire_due() == 1
    flags = (await svc.client.get("/reports/2026Q1/flags", headers=svc.token("auditor"))).json()["items"]
    assert {f["kind"] for f in flags} >= {"self_pay_share", "high_cost_case", "long_stay", "bed_hanging"}
    assert len(await svc.published("CostAnomalyFlagged")) == len(flags)
    # on demand afterwards finds nothing new (each flag stored once)
    again = (await svc.client.post("/analytics/2026Q1/run", headers=svc.token("civil_affairs"))).json()
    assert again["new_flags"] == 0
    # 2026Q2 (the APRIL case) runs after its own close, 2026-07-01 00:00 Shanghai + 1 day
    with time_machine.travel(datetime(2026, 7, 1, 15, 59, tzinfo=UTC), tick=False):
        assert await scheduler.fire_due() == 0
    with time_machine.travel(datetime(2026, 7, 1, 16, 0, tzinfo=UTC), tick=False):
        assert await scheduler.fire_due() == 1
    q2 = (await svc.client.get("/reports/2026Q2/flags", headers=svc.token("auditor"))).json()["items"]
    assert all(f["quarter"] == "2026Q2" for f in q2)
    # and the chain goes on: 2026Q3's run is scheduled though nothing was billed in it
    with time_machine.travel(datetime(2026, 10, 1, 16, 0, tzinfo=UTC), tick=False):
        assert await scheduler.fire_due() == 1


async def test_lj_15_4_the_days_after_close_are_a_versioned_parameter(svc: ServiceHarness) -> None:
    r = await svc.client.post(
        "/admin/parameters",
        json={
            "versions": [
                {
                    "kind": "quarterly_analysis",
                    "region": "any",
                    "facility_level": "any",
                    "effective_from": "2026-01-01",
                    "values": {"days_after_close": 5},
                    "example": False,
                    "source": "test: five days for late bills",
                }
            ]
        },
        headers=svc.token("admin"),
    )
    assert r.status_code == 201, r.text
    await world(svc)
    scheduler = svc.runtime.scheduler
    assert scheduler is not None
    with time_machine.travel(datetime(2026, 4, 5, 15, 59, tzinfo=UTC), tick=False):
        assert await scheduler.fire_due() == 0
    with time_machine.travel(datetime(2026, 4, 5, 16, 0, tzinfo=UTC), tick=False):
        assert await scheduler.fire_due() == 1
    assert len(await svc.published("CostAnomalyFlagged")) > 0
