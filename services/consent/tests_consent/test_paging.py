"""Consent's lists page in SQL: the reviewers' work list of self-pay items (LJ-7.2, LJ-7.3)
and the expert pool (LJ-11.2). Walked page by page with the cursor each gives, a list longer
than the limit yields every item once, in its order; the caller's scope (SPEC 0.3: a
hospital's facilities, an institution, village or town, the person, guardian or agent) is a
condition of the query, so pages stay full though others' items sit between; a garbled or
foreign cursor is an RFC 9457 problem naming ``cursor``."""

from __future__ import annotations

from typing import Any

from medaid_shared.app import API_PREFIX
from medaid_shared.pagination import MAX_LIMIT, PageRequest
from medaid_shared.testing import ServiceHarness

from .helpers import agent, capacity, guardian, no_guardian_verified, setup_person
from .test_api_consents import record, sign

CODES = ("X", "X-01", "X-02", "Y", "Y-7")


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
        assert {"items", "next_cursor"} <= set(body)
        assert len(body["items"]) <= limit
        pages.append([i[key] for i in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def _full_pages(count: int, limit: int) -> list[int]:
    """The page sizes of a walk over ``count`` items: every page full but the last."""
    return [min(limit, count - k) for k in range(0, count, limit)] or [0]


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


async def _items(svc: ServiceHarness) -> list[dict[str, Any]]:
    """Three persons' items, proposed in turn: P1 (institution I01, town T01) at H001, P2
    (village V01, town T01) at H002, P3 (institution I02, town T02, guardian g-3, agent a-3)
    at H001."""
    await setup_person(svc, "P1", admission_id="A1", facility_id="H001", capacity=capacity(True))
    await setup_person(svc, "P2", centralized=False, admission_id="A2", facility_id="H002", capacity=capacity(True))
    await setup_person(
        svc,
        "P3",
        admission_id="A3",
        facility_id="H001",
        institution_id="I02",
        town_id="T02",
        capacity=capacity(False),
        guardian=guardian("g-3"),
        agents=[agent("a-3")],
    )
    proposed = []
    for n in range(3):
        for admission, facility in (("A1", "H001"), ("A2", "H002"), ("A3", "H001")):
            body = {
                "item_code": CODES[n],
                "item_name": "人血白蛋白",
                "category": "drug",
                "unit_price": "150.00",
                "quantity": 1,
                "necessity": "低蛋白血症",
                "attending_doctor": "doc-1",
            }
            r = await svc.client.post(
                f"/admissions/{admission}/self-pay-items",
                json=body,
                headers=svc.token("hospital", f"facility:{facility}"),
            )
            assert r.status_code == 201, r.text
            proposed.append(r.json())
    return proposed


async def test_self_pay_items_page_oldest_first_over_each_callers_scope(svc: ServiceHarness) -> None:
    """LJ-7.2, LJ-7.3, SPEC 0.3."""
    proposed = await _items(svc)
    district = svc.token("civil_affairs")
    whole = (await svc.client.get("/self-pay-items", params={"limit": MAX_LIMIT}, headers=district)).json()
    keys = [(i["proposed_at"], i["item_id"]) for i in whole["items"]]
    assert whole["next_cursor"] is None and len(keys) == 9 and keys == sorted(keys)
    order = [i["item_id"] for i in whole["items"]]
    assert set(order) == {i["item_id"] for i in proposed}
    assert _flat(await _walk(svc, "/self-pay-items", district, "item_id", 4)) == order

    person_of = {i["item_id"]: i["person_id"] for i in whole["items"]}
    facility_of = {i["item_id"]: i["facility_id"] for i in whole["items"]}
    cases: list[tuple[tuple[str, ...], str | None, Any]] = [
        (("hospital", "facility:H001"), None, lambda i: facility_of[i] == "H001"),
        (("hospital", "facility:H002"), None, lambda i: facility_of[i] == "H002"),
        (("institution", "institution:I01"), None, lambda i: person_of[i] == "P1"),
        (("village_committee", "village:V01"), None, lambda i: person_of[i] == "P2"),
        (("town_government", "town:T01"), None, lambda i: person_of[i] in {"P1", "P2"}),
        (("patient",), "P3", lambda i: person_of[i] == "P3"),
        (("guardian",), "g-3", lambda i: person_of[i] == "P3"),
        (("agent",), "a-3", lambda i: person_of[i] == "P3"),
        (("hospital", "facility:H009"), None, lambda i: False),
        (("guardian",), "g-1", lambda i: False),
    ]
    for token, subject, sees in cases:
        headers = svc.token(*token, **({"subject": subject} if subject else {}))
        pages = await _walk(svc, "/self-pay-items", headers, "item_id", 2)
        expected = [i for i in order if sees(i)]
        assert _flat(pages) == expected, token
        # full pages though the items the caller may not see sit between
        assert [len(p) for p in pages] == _full_pages(len(expected), 2), token

    recorded = [i["item_id"] for i in whole["items"] if i["status"] == whole["items"][0]["status"]]
    by_status = await _walk(svc, "/self-pay-items", district, "item_id", 2, status=whole["items"][0]["status"])
    assert _flat(by_status) == recorded

    experts_cursor = PageRequest(list_path=f"{API_PREFIX}/experts").cursor_for(("E1",))
    await _refuses_bad_cursors(svc, "/self-pay-items", district, experts_cursor)


async def test_the_expert_pool_pages_by_expert_id(svc: ServiceHarness) -> None:
    """LJ-11.2: the pool with each expert's assignment load, by expert id."""
    bureau = svc.token("health_bureau", subject="hb-1")
    for n in (5, 1, 4, 2, 3):
        body = {"expert_id": f"E{n}", "name": f"专家{n}", "hospital_id": "H002", "specialty": "surgery"}
        assert (await svc.client.post("/experts", json=body, headers=bureau)).status_code == 201
    pages = await _walk(svc, "/experts", svc.token("civil_affairs"), "expert_id", 2)
    assert pages == [["E1", "E2"], ["E3", "E4"], ["E5"]]
    whole = (await svc.client.get("/experts", headers=svc.token("auditor"))).json()
    assert [e["assignments"] for e in whole["items"]] == [0] * 5 and whole["next_cursor"] is None
    items_cursor = (await svc.client.get("/experts", params={"limit": 1}, headers=bureau)).json()["next_cursor"]
    assert items_cursor
    await _refuses_bad_cursors(
        svc, "/self-pay-items", svc.token("civil_affairs"), items_cursor
    )  # an expert cursor on the items' list
    self_pay_cursor = PageRequest(list_path=f"{API_PREFIX}/self-pay-items").cursor_for(("x", "y"))
    await _refuses_bad_cursors(svc, "/experts", bureau, self_pay_cursor)


async def test_the_rank4_work_list_pages_oldest_filed_first_in_each_state(svc: ServiceHarness) -> None:
    """LJ-10: civil affairs' work list of rank-4 signatures keeps its envelope (state, rule)
    and pages by ``limit`` and ``cursor``; the state is a condition of the query."""
    await setup_person(svc, capacity=capacity(False), guardian=no_guardian_verified())
    filed = []
    for _ in range(5):
        t = await record(svc)
        r = await sign(svc, t["treatment_id"], "institution", "institution:I01", subject="head-I01")
        assert r.status_code == 201, r.text
        filed.append(r.json()["consent_id"])
    civil = svc.token("civil_affairs")
    acknowledged = filed[1]
    r = await svc.client.post(f"/rank4-signatures/{acknowledged}/acknowledgement", json={}, headers=civil)
    assert r.status_code == 200, r.text

    first = (await svc.client.get("/rank4-signatures", params={"limit": 2}, headers=civil)).json()
    # The one list envelope (docs/VOCABULARY.md): the state is the filter asked, the rule each item's.
    assert set(first) == {"items", "next_cursor"} and first["next_cursor"]
    assert {f["rule"] for f in first["items"]} == {"LJ-10"} and not any(f["acknowledged_at"] for f in first["items"])
    whole = (await svc.client.get("/rank4-signatures", params={"limit": MAX_LIMIT}, headers=civil)).json()["items"]
    keys = [(f["filed_at"], f["consent_id"]) for f in whole]
    assert keys == sorted(keys) and {f["consent_id"] for f in whole} == set(filed) - {acknowledged}
    pages = await _walk(svc, "/rank4-signatures", civil, "consent_id", 3)
    assert [len(p) for p in pages] == [3, 1] and _flat(pages) == [f["consent_id"] for f in whole]
    assert await _walk(svc, "/rank4-signatures", civil, "consent_id", 1, state="acknowledged") == [[acknowledged]]
    assert await _walk(svc, "/rank4-signatures", civil, "consent_id", 1, state="overdue") == [[]]
    experts_cursor = PageRequest(list_path=f"{API_PREFIX}/experts").cursor_for(("E1",))
    await _refuses_bad_cursors(svc, "/rank4-signatures", civil, experts_cursor)
