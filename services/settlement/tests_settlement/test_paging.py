"""Settlement's lists page in SQL (bills, statements, manual reimbursements, the
catalogue): walked page by page with the cursor each gives, a list longer than the limit
yields every item once, in its order; a hospital's pages stay full though other hospitals'
rows sit between (the facility scope is a condition of the query, SPEC 0.3); a garbled or
foreign cursor is an RFC 9457 problem naming ``cursor``."""

from __future__ import annotations

from typing import Any

from medaid_shared.app import API_PREFIX
from medaid_shared.pagination import MAX_LIMIT, PageRequest
from medaid_shared.testing import ServiceHarness
from tests_settlement.world import (
    admin,
    admit,
    bill,
    catalogue_entry,
    hospital,
    insurance,
    line,
    load_catalogue,
    load_parameters,
    settled,
)


async def _walk(
    svc: ServiceHarness, path: str, headers: dict[str, str], key: str, limit: int, **params: Any
) -> list[list[str]]:
    """The ``key`` of each page's items, following ``next_cursor`` to the end."""
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        query: dict[str, Any] = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        r = await svc.client.get(path, params=query, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"items", "next_cursor"}
        assert len(body["items"]) <= limit
        pages.append([i[key] for i in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def _whole(svc: ServiceHarness, path: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    r = await svc.client.get(path, params={**params, "limit": MAX_LIMIT}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["next_cursor"] is None
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def _flat(pages: list[list[str]]) -> list[str]:
    return [i for p in pages for i in p]


async def _refuses_bad_cursors(svc: ServiceHarness, path: str, headers: dict[str, str], foreign: str) -> None:
    for cursor in (
        foreign,  # another list's
        "%%%not-a-cursor",
        PageRequest(list_path=f"{API_PREFIX}{path}").cursor_for((1, 2, 3)),  # this list's path, not its key
    ):
        r = await svc.client.get(path, params={"cursor": cursor}, headers=headers)
        assert r.status_code == 422, (path, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["field"] == "cursor"


async def test_bills_page_latest_first_and_a_hospital_sees_full_pages_of_its_own(svc: ServiceHarness) -> None:
    await admit(svc, "A1", "P1", "H001")
    await admit(svc, "A2", "P2", "H002")
    for n in range(5):
        for admission, facility in (("A1", "H001"), ("A2", "H002")):
            body = bill(f"B{admission}-{n}", [line("10.00")], admission_id=admission, kind="interim")
            assert (await svc.client.post("/bills", json=body, headers=hospital(svc, facility))).status_code == 201
    everything = await _whole(svc, "/bills", insurance(svc))
    assert len(everything) == 10
    keys = [(b["submitted_at"], b["bill_id"]) for b in everything]
    assert keys == sorted(keys, reverse=True)  # latest submitted first, the id between equals
    assert _flat(await _walk(svc, "/bills", insurance(svc), "bill_id", 3)) == [b["bill_id"] for b in everything]

    pages = await _walk(svc, "/bills", hospital(svc, "H001"), "bill_id", 2)
    assert [len(p) for p in pages] == [2, 2, 1]  # full pages though H002's bills sit between
    assert _flat(pages) == [b["bill_id"] for b in everything if b["facility_id"] == "H001"]
    by_admission = _flat(await _walk(svc, "/bills", insurance(svc), "bill_id", 2, admission_id="A2"))
    assert by_admission == [b["bill_id"] for b in everything if b["admission_id"] == "A2"]
    catalogue_cursor = await _a_cursor(svc, "/catalogue", admin(svc))
    await _refuses_bad_cursors(svc, "/bills", insurance(svc), catalogue_cursor)


async def _a_cursor(svc: ServiceHarness, path: str, headers: dict[str, str]) -> str:
    cursor: str | None = (await svc.client.get(path, params={"limit": 1}, headers=headers)).json()["next_cursor"]
    assert cursor
    return cursor


async def test_statements_and_manual_reimbursements_page_latest_first(svc: ServiceHarness) -> None:
    """Statements (a hospital's own only, SPEC 0.3) and the manual reimbursements of LJ-13.2
    (non-designated hospitals) walk whole and in order."""
    await load_parameters(svc)
    for n in range(6):
        facility = "H001" if n % 2 else "H002"
        await settled(
            svc, [line("1000.00")], admission_id=f"A{n}", person_id=f"P{n}", facility_id=facility, designated=n < 3
        )
    statements = await _whole(svc, "/statements", insurance(svc))
    assert len(statements) == 6
    keys = [(s["completed_at"], s["statement_id"]) for s in statements]
    assert keys == sorted(keys, reverse=True)
    assert _flat(await _walk(svc, "/statements", insurance(svc), "statement_id", 4)) == [
        s["statement_id"] for s in statements
    ]
    own = await _walk(svc, "/statements", hospital(svc, "H001"), "statement_id", 2)
    assert [len(p) for p in own] == [2, 1]
    assert _flat(own) == [s["statement_id"] for s in statements if s["facility_id"] == "H001"]
    one_person = _flat(await _walk(svc, "/statements", insurance(svc), "statement_id", 1, person_id="P4"))
    assert one_person == [s["statement_id"] for s in statements if s["person_id"] == "P4"]

    manual = await _whole(svc, "/reimbursements", insurance(svc))
    assert {m["statement_id"] for m in manual} == {s["statement_id"] for s in statements if s["mode"] == "manual"}
    assert len(manual) == 3
    keys = [(m["requested_at"], m["statement_id"]) for m in manual]
    assert keys == sorted(keys, reverse=True)
    walked = await _walk(svc, "/reimbursements", insurance(svc), "statement_id", 2, pending="true")
    assert [len(p) for p in walked] == [2, 1]
    assert _flat(walked) == [m["statement_id"] for m in manual]

    bills_cursor = await _a_cursor(svc, "/bills", insurance(svc))
    await _refuses_bad_cursors(svc, "/statements", insurance(svc), bills_cursor)
    await _refuses_bad_cursors(svc, "/reimbursements", insurance(svc), bills_cursor)


async def test_the_catalogue_pages_by_version_id_with_its_filters_in_sql(svc: ServiceHarness) -> None:
    """SPEC 0.5: ``on`` keeps the entries in force that day (from effective_from, before
    effective_to) and ``code`` one code's entries, in the query itself."""
    await load_catalogue(svc)
    older = [
        catalogue_entry("DRG001", True, effective_from="2025-01-01", effective_to="2026-01-01"),
        catalogue_entry("RETIRED", True, effective_from="2025-01-01", effective_to="2025-07-01"),
    ]
    r = await svc.client.post("/admin/catalogue", json={"items": older}, headers=admin(svc))
    assert r.status_code == 201, r.text
    everything = [e["version_id"] for e in await _whole(svc, "/catalogue", admin(svc))]
    assert len(everything) == 10 and everything == sorted(everything)
    assert _flat(await _walk(svc, "/catalogue", hospital(svc), "version_id", 3)) == everything

    in_2025 = await _walk(svc, "/catalogue", admin(svc), "version_id", 1, on="2025-03-01")
    assert in_2025 == [["DRG001:any:2025-01-01"], ["RETIRED:any:2025-01-01"]]
    in_2026 = _flat(await _walk(svc, "/catalogue", admin(svc), "version_id", 3, on="2026-01-01"))
    assert in_2026 == [v for v in everything if v.endswith("2026-01-01")]  # effective_to is exclusive
    assert _flat(await _walk(svc, "/catalogue", admin(svc), "version_id", 1, code="DRG001")) == [
        "DRG001:any:2025-01-01",
        "DRG001:any:2026-01-01",
    ]
    bad = await svc.client.get(
        "/catalogue",
        params={"cursor": PageRequest(list_path=f"{API_PREFIX}/catalogue").cursor_for((1,))},
        headers=admin(svc),
    )
    assert bad.status_code == 422 and bad.json()["field"] == "cursor"
    bills_cursor = PageRequest(list_path=f"{API_PREFIX}/bills").cursor_for(("DRG001:any:2025-01-01",))
    await _refuses_bad_cursors(svc, "/catalogue", admin(svc), bills_cursor)
