"""The request list and the bureau's queue page in SQL: walked page by page with the
cursor they give every request once, in the list's order (the queue: overdue first, then by
reply due time, GD-16.2, GD-16.3); pages stay full though other parties' requests sit between
(the scope is a condition of the query, SPEC 0.3); a garbled or foreign cursor is an RFC 9457
problem naming ``cursor``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from medaid_shared.app import API_PREFIX
from medaid_shared.pagination import MAX_LIMIT, PageRequest
from medaid_shared.testing import ServiceHarness

from .helpers import filed, hospital, police, register_facility

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 2, 9, 0, tzinfo=SH)  # a Monday


async def _walk(svc: ServiceHarness, path: str, headers: dict[str, str], limit: int) -> list[list[str]]:
    """The ids of each page, following ``next_cursor`` to the end."""
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        r = await svc.client.get(path, params=params, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"items", "next_cursor"}
        pages.append([i["request_id"] for i in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def _world(svc: ServiceHarness) -> dict[str, list[dict[str, Any]]]:
    """PSB01's requests from two hospitals, interleaved with PSB02's; two filed at one instant."""
    await register_facility(svc, "H001", "PSB01")
    await register_facility(svc, "H002", "PSB01")
    await register_facility(svc, "H003", "PSB02")
    mine: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    for n in range(5):
        with time_machine.travel(START + timedelta(days=n), tick=False):
            mine.append(await filed(svc, facility_id="H001" if n % 2 else "H002", patient_ref=f"P{n}"))
            theirs.append(await filed(svc, facility_id="H003", patient_ref=f"Q{n}"))
            if n == 2:  # the same instant: the id decides
                mine.append(await filed(svc, facility_id="H001", patient_ref=f"P{n}b"))
    return {"mine": mine, "theirs": theirs}


async def test_the_request_list_pages_newest_first_over_the_callers_scope(svc: ServiceHarness) -> None:
    world = await _world(svc)
    mine = world["mine"]
    newest_first = [
        r["request_id"] for r in sorted(mine, key=lambda r: (r["received_at"], r["request_id"]), reverse=True)
    ]
    pages = await _walk(svc, "/identity-checks", police(svc, "PSB01"), 2)
    assert [len(p) for p in pages] == [2, 2, 2]  # full pages though PSB02's requests sit between
    assert [i for p in pages for i in p] == newest_first
    assert not {r["request_id"] for r in world["theirs"]} & {i for p in pages for i in p}
    own = [r["request_id"] for r in mine if r["facility_id"] == "H001"]
    walked = [i for p in await _walk(svc, "/identity-checks", hospital(svc, "H001"), 1) for i in p]
    assert walked == [i for i in newest_first if i in own]  # a hospital its own requests only
    assert await _walk(svc, "/identity-checks", police(svc, "PSB02"), MAX_LIMIT) == [
        [r["request_id"] for r in reversed(world["theirs"])]
    ]


async def test_the_bureau_queue_pages_overdue_first_then_by_due_time(svc: ServiceHarness) -> None:
    """GD-16.3: the requests whose reply window ended come first; GD-16.2: then the open
    ones by reply due time; answered requests are not on the queue."""
    world = await _world(svc)
    mine = world["mine"]
    with time_machine.travel(START + timedelta(days=8), tick=False):
        fired = await svc.runtime.scheduler.fire_due()
        assert fired >= 2  # the first requests' windows have ended
        answered = mine[-1]
        r = await svc.client.post(
            f"/identity-checks/{answered['request_id']}/reply", json={"outcome": "not_identified"}, headers=police(svc)
        )
        assert r.status_code == 200, r.text
        whole = (await svc.client.get("/identity-checks/queue", headers=police(svc))).json()["items"]
        pages = await _walk(svc, "/identity-checks/queue", police(svc, "PSB01"), 2)
    walked = [i for p in pages for i in p]
    assert walked == [i["request_id"] for i in whole]
    assert len(walked) == len(set(walked)) == len(mine) - 1 and answered["request_id"] not in walked
    assert [len(p) for p in pages[:-1]] == [2] * (len(pages) - 1)
    statuses = [i["status"] for i in whole]
    assert statuses == sorted(statuses, key=lambda s: s != "overdue") and statuses[0] == "overdue"
    overdue = [i for i in whole if i["status"] == "overdue"]
    rest = [i for i in whole if i["status"] != "overdue"]
    for group in (overdue, rest):
        assert [(i["reply_due_at"], i["request_id"]) for i in group] == sorted(
            (i["reply_due_at"], i["request_id"]) for i in group
        )
    assert not {r["request_id"] for r in world["theirs"]} & set(walked)


async def test_a_garbled_or_foreign_cursor_is_a_problem_naming_cursor(svc: ServiceHarness) -> None:
    await _world(svc)
    listed = (await svc.client.get("/identity-checks", params={"limit": 1}, headers=police(svc))).json()
    queued = (await svc.client.get("/identity-checks/queue", params={"limit": 1}, headers=police(svc))).json()
    assert listed["next_cursor"] and queued["next_cursor"]
    for path, cursor in [
        ("/identity-checks/queue", listed["next_cursor"]),  # another list's
        ("/identity-checks", queued["next_cursor"]),
        ("/identity-checks", "not-a-cursor!"),
        ("/identity-checks/queue", PageRequest(list_path=f"{API_PREFIX}/identity-checks/queue").cursor_for(("x",))),
        ("/identity-checks", PageRequest(list_path=f"{API_PREFIX}/identity-checks").cursor_for((1, "x"))),
    ]:
        r = await svc.client.get(path, params={"cursor": cursor}, headers=police(svc))
        assert r.status_code == 422, (path, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["field"] == "cursor"
