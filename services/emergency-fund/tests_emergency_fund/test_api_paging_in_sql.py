"""Every list of the fund pages in SQL (issue 13, SPEC 0.4 scope): a walk with a small
limit gives every item of the caller's scope once, in the list's order, every page but the
last full (scope and filters are asked of the database, not applied after it read a page);
a garbled cursor is a problem naming ``cursor``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import time_machine

from emergency_fund.adapters.repository import SqlRepository
from medaid_shared.ids import new_id
from medaid_shared.record_table import SqlRecords
from medaid_shared.testing import ServiceHarness

from .helpers import CITY, H1, H2, NOW, OTHER_CITY, call, inflow, ok, open_case, prepare_city

LIMIT = 2


async def walk(svc: ServiceHarness, path: str, as_: str, key: Callable[[dict[str, Any]], Any], **params: Any) -> list:
    seen: list[Any] = []
    cursor: str | None = None
    while True:
        page = await ok(
            svc, "GET", path, as_, params={**params, "limit": LIMIT, **({"cursor": cursor} if cursor else {})}
        )
        assert set(page) == {"items", "next_cursor"}
        cursor = page["next_cursor"]
        assert len(page["items"]) == LIMIT or cursor is None, "a page short of the limit before the last"
        seen += [key(i) for i in page["items"]]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)), "an item came twice"
    assert len(seen) > LIMIT, "the list must be longer than one page"
    return seen


async def refuses_garbled_cursor(svc: ServiceHarness, path: str, as_: str, **params: Any) -> None:
    r = await call(svc, "GET", path, as_, params={**params, "cursor": "not-a-cursor!"})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == "cursor"


def _records_of(repo: SqlRepository, table: str) -> Any:
    """The repository's record table of ``table`` (its rows as records)."""
    return next(r for r in vars(repo).values() if isinstance(r, SqlRecords) and r.table.name == table)


async def seed(svc: ServiceHarness, table: str, rows: list[dict[str, Any]]) -> None:
    async with svc.runtime.db.unit_of_work() as uow:
        records = _records_of(SqlRepository(uow.session, svc.runtime.cipher), table)
        for row in rows:
            await records.add(records.kind(**row))


async def clone_cases(svc: ServiceHarness, template: str, variants: list[dict[str, Any]]) -> list[str]:
    """Copies of a case (the scope columns and state varied), for lists over many cases."""
    async with svc.runtime.db.unit_of_work() as uow:
        repo = SqlRepository(uow.session, svc.runtime.cipher)
        case = await repo.cases.get(template)
        assert case is not None
        ids = []
        for v in variants:
            cid = new_id("CS")
            copy = replace(
                case, id=cid, patient_ref=f"CL-{cid}", admission_id=None, identity_check_request_id=None, **v
            )
            await repo.cases.add(copy)
            ids.append(cid)
        return ids


async def test_reference_lists_page_in_sql_within_their_city(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        now = NOW
        await seed(
            svc,
            "facility",
            [
                {"facility_id": f"F{n:02d}", "city": city, "name": f"F{n}", "source": "agency", "updated_at": now}
                for n, city in enumerate([CITY, OTHER_CITY] * 4)
            ],
        )
        facilities = await walk(
            svc, "/reference/facilities", "agency", lambda f: (f["city"], f["facility_id"]), city=CITY
        )
        assert {c for c, _ in facilities} == {CITY}
        assert [f for _, f in facilities] == sorted([H1, H2, "F00", "F02", "F04", "F06"])
        await refuses_garbled_cursor(svc, "/reference/facilities", "agency", city=CITY)

        disease = {"urgent_critical": True, "basis": "文件", "created_at": now, "created_by": "t", "name": "病"}
        await seed(
            svc,
            "disease",
            [
                {**disease, "id": new_id("DZ"), "code": code, "scope": scope, "effective_from": since}
                for scope in ("national", CITY, OTHER_CITY)
                for code in ("A01", "B02")
                for since in (date(2020, 1, 1), date(2024, 1, 1))
            ],
        )
        diseases = await walk(
            svc, "/reference/diseases", "agency", lambda d: (d["scope"], d["code"], d["disease_id"]), city=CITY
        )
        assert diseases == sorted(diseases)
        assert {s for s, _, _ in diseases} == {"national", CITY}
        assert len(diseases) == 9  # 4 national + 4 of the city + I21 of prepare_city
        await refuses_garbled_cursor(svc, "/reference/diseases", "agency")

        average = {"average_cost": "100.00", "source": "s", "imported_at": now, "imported_by": "t"}
        await seed(
            svc,
            "cost_average",
            [
                {**average, "facility_id": fac, "disease_code": code, "year": year}
                for fac in (H1, H2)
                for code in ("A01", "B02")
                for year in (2024, 2025)
            ],
        )
        averages = await walk(
            svc, "/reference/cost-averages", "hospital", lambda a: (a["year"], a["disease_code"]), facility_id=H1
        )
        assert averages == [(2024, "A01"), (2024, "B02"), (2025, "A01"), (2025, "B02"), (2026, "I21")]
        await refuses_garbled_cursor(svc, "/reference/cost-averages", "hospital", facility_id=H1)

        standard = {"monthly_amount": "800.00", "source": "s", "set_at": now, "set_by": "t"}
        await seed(
            svc,
            "living_standard",
            [
                {**standard, "city": city, "effective_from": date(2020, 1, 1) + timedelta(days=40 * n)}
                for n in range(4)
                for city in (CITY, OTHER_CITY)
            ],
        )
        standards = await walk(svc, f"/reference/living-standards/{CITY}", "civil", lambda s: s["effective_from"])
        assert standards == sorted(standards) and len(standards) == 5
        await refuses_garbled_cursor(svc, f"/reference/living-standards/{CITY}", "civil")


async def test_gd_3_ledger_pages_latest_first_and_the_account_filter_in_sql(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        for n in range(7):
            await inflow(svc, "donation" if n % 2 else "city_budget", "10.00", 2026, f"C-{n}")
        path = f"/funds/{CITY}/ledger"
        every = await walk(svc, path, "finance", lambda t: t["txn_id"])
        assert every == sorted(every, reverse=True) and len(every) == 8
        donations = await walk(svc, path, "finance", lambda t: t["txn_id"], account="income:donation")
        assert donations == sorted(donations, reverse=True) and len(donations) == 3
        budget = await walk(svc, path, "finance", lambda t: t["txn_id"], account="income:city_budget")
        assert budget == [t for t in every if t in set(budget)] and len(budget) == 4
        assert (await call(svc, "GET", path, "other_finance")).status_code == 403
        await refuses_garbled_cursor(svc, path, "finance")


async def test_case_lists_and_queues_page_in_sql_within_the_callers_scope(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        template = (await open_case(svc, patient_ref="T-1"))["case_id"]
        # scope: facility H1 (the hospital), city CITY (departments); rows outside it interleave
        spread = [
            {"facility_id": H1, "city": CITY},
            {"facility_id": H2, "city": CITY},
            {"facility_id": "G1", "city": OTHER_CITY},
        ] * 3
        opened = await clone_cases(svc, template, spread)
        h1 = sorted([template] + [c for c, v in zip(opened, spread, strict=True) if v["facility_id"] == H1])
        in_city = sorted([template] + [c for c, v in zip(opened, spread, strict=True) if v["city"] == CITY])

        assert await walk(svc, "/cases", "hospital", lambda c: c["case_id"]) == h1
        assert await walk(svc, "/cases", "agency", lambda c: c["case_id"]) == in_city
        assert await walk(svc, "/cases", "agency", lambda c: c["case_id"], facility_id=H1) == h1
        await refuses_garbled_cursor(svc, "/cases", "agency")

        # GD-13.3: extension requests awaiting a decision; closed cases stay out
        requested = {"extension_status": "requested", "extension_hours": 24, "extension_reason": "r"}
        variants = [{**v, **requested, "state": state} for v in spread for state in ("open", "paid")]
        waiting = await clone_cases(svc, template, variants)
        expect = sorted(c for c, v in zip(waiting, variants, strict=True) if v["city"] == CITY and v["state"] == "open")
        assert await walk(svc, "/emergency-extensions", "agency", lambda i: i["case_id"]) == expect
        await refuses_garbled_cursor(svc, "/emergency-extensions", "agency")

        # GD-18.1: the police's queue, only the channels the police confirm, only its city
        claimed = {"amount": "50.00", "claimed_amount": "50.00", "status": "claimed", "source": "hospital"}
        claimed |= {"recorded_at": NOW, "recorded_by": "t", "reference": ""}
        rows = [
            {**claimed, "case_id": c, "channel": channel}
            for c in opened
            for channel in ("liable_party", "road_traffic_accident_fund", "work_injury_insurance")
        ]
        await seed(svc, "channel_payment", rows)
        police = await walk(svc, "/channel-confirmations", "police", lambda i: (i["case_id"], i["channel"]))
        assert police == sorted(
            (c, ch) for c in set(opened) & set(in_city) for ch in ("liable_party", "road_traffic_accident_fund")
        )
        await refuses_garbled_cursor(svc, "/channel-confirmations", "police")

        # GD-14: a case's own proposal comes before its cost items' proposals
        proposed = await clone_cases(
            svc,
            template,
            [
                {
                    **v,
                    "exclusion_proposed": "able_to_pay_refuses",
                    "exclusion_proposed_reason": "r",
                    "exclusion_proposed_at": NOW,
                }
                for v in spread
            ],
        )
        item = {"occurred_at": NOW, "category": "drug", "description": "d", "in_catalogue": True, "amount": "5.00"}
        item |= {"exclusion": "beyond_treatment_need", "exclusion_status": "proposed", "recorded_at": NOW}
        await seed(
            svc,
            "cost_item",
            [{**item, "id": new_id("CI"), "case_id": c, "recorded_by": "t"} for c in proposed for _ in range(2)],
        )
        queue = await walk(svc, "/exclusion-proposals", "agency", lambda i: (i["case_id"], i["cost_item_id"] or ""))
        assert queue == sorted(queue)
        mine = set(proposed) & {c for c, v in zip(proposed, spread, strict=True) if v["city"] == CITY}
        assert {c for c, _ in queue} == mine and len(queue) == 3 * len(mine)
        assert next(i for c, i in queue if c == min(mine)) == ""
        await refuses_garbled_cursor(svc, "/exclusion-proposals", "agency")

        # GD-16.4: refund demands, in the caller's scope
        demand = {"amount": "10.00", "refunded": "0.00", "reason": "r", "state": "open", "demanded_by": "t"}
        refunds = [
            {
                **demand,
                "id": new_id("RF"),
                "case_id": c,
                "application_id": "A",
                "city": v["city"],
                "facility_id": v["facility_id"],
                "demanded_at": NOW,
            }
            for c, v in zip(opened, spread, strict=True)
        ]
        await seed(svc, "refund_demand", refunds)
        assert await walk(svc, "/refunds", "hospital", lambda r: r["refund_id"]) == sorted(
            r["id"] for r in refunds if r["facility_id"] == H1
        )
        await refuses_garbled_cursor(svc, "/refunds", "agency")


async def test_applications_and_blacklist_page_in_sql_within_scope(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        spread = [(H1, CITY), (H2, CITY), ("G1", OTHER_CITY)] * 3
        apps = [
            {
                "id": new_id("AP"),
                "city": city,
                "facility_id": fac,
                "state": "submitted",
                "requested_amount": "1.00",
                "submitted_at": NOW,
                "submitted_by": "t",
                "updated_at": NOW,
            }
            for fac, city in spread
        ]
        await seed(svc, "application", apps)
        assert await walk(svc, "/applications", "hospital", lambda a: a["application_id"]) == sorted(
            a["id"] for a in apps if a["facility_id"] == H1
        )
        assert await walk(svc, "/applications", "agency", lambda a: a["application_id"]) == sorted(
            a["id"] for a in apps if a["city"] == CITY
        )
        await refuses_garbled_cursor(svc, "/applications", "agency")

        entries = [
            {
                "id": new_id("BL"),
                "city": city,
                "id_digest": f"d{n}",
                "reason": "r",
                "evidence": [],
                "listed_at": NOW,
                "listed_by": "t",
                "lifted_at": NOW if n % 4 == 0 else None,
            }
            for n, (_, city) in enumerate(spread)
        ]
        await seed(svc, "blacklist", entries)
        listed = await walk(svc, "/blacklist", "agency", lambda e: e["entry_id"], city=CITY, active_only=False)
        assert listed == sorted(e["id"] for e in entries if e["city"] == CITY)
        active = await walk(svc, "/blacklist", "agency", lambda e: e["entry_id"], city=CITY)
        assert active == sorted(e["id"] for e in entries if e["city"] == CITY and e["lifted_at"] is None)
        await refuses_garbled_cursor(svc, "/blacklist", "agency", city=CITY)


async def test_report_and_public_lists_page_in_sql_within_their_city(svc: ServiceHarness) -> None:
    """GD-20.2, GD-21, GD-19: the overdue steps, the running notices, the public board and
    the registration export's JSON page in SQL like every other list."""
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        spread = [(H1, CITY), (H2, CITY), ("G1", OTHER_CITY)] * 2
        apps = [
            {
                "id": new_id("AP"),
                "city": city,
                "facility_id": fac,
                "state": "submitted",
                "requested_amount": "1.00",
                "submitted_at": NOW,
                "submitted_by": "t",
                "updated_at": NOW,
            }
            for fac, city in spread
        ]
        await seed(svc, "application", apps)
        steps = [
            {"application_id": a["id"], "step": step, "started_at": NOW - timedelta(days=30), "due_at": due}
            for n, a in enumerate(apps)
            for step, due in (("agency", NOW - timedelta(days=n % 3)), ("health", NOW - timedelta(hours=1)))
        ]
        await seed(svc, "application_step", steps)
        walked = await walk(svc, "/reports/overdue-steps", "agency", lambda s: (s["application_id"], s["step"]))
        city_of = {a["id"]: a["city"] for a in apps}
        mine = [s for s in steps if city_of[s["application_id"]] == CITY and s["due_at"] < NOW]  # past due, open
        assert walked == [
            (s["application_id"], s["step"])
            for s in sorted(mine, key=lambda s: (s["due_at"], s["application_id"], s["step"]))
        ]
        await refuses_garbled_cursor(svc, "/reports/overdue-steps", "agency")

        notices = [
            {
                "id": new_id("NT"),
                "application_id": a["id"],
                "city": a["city"],
                "facility_id": a["facility_id"],
                "publisher": "hospital",
                "starts_at": NOW - timedelta(days=1 + n % 2),
                "ends_at": NOW + timedelta(days=1 + n % 3),
                "working_days": 3,
                "entries": [],
                "total": "1.00",
                "published_by": "t",
            }
            for n, a in enumerate(apps)
        ]
        await seed(svc, "notice", notices)
        in_city = [n for n in notices if n["city"] == CITY]
        running = await walk(svc, "/reports/notices-running", "agency", lambda n: n["notice_id"])
        assert running == [n["id"] for n in sorted(in_city, key=lambda n: (n["ends_at"], n["id"]))]
        await refuses_garbled_cursor(svc, "/reports/notices-running", "agency")
        board = await walk(svc, "/public/notices", "agency", lambda n: n["notice_id"], city=CITY)
        assert board == [n["id"] for n in sorted(in_city, key=lambda n: (n["starts_at"], n["id"]), reverse=True)]
        await refuses_garbled_cursor(svc, "/public/notices", "agency")
