"""Cursor pagination over a real list (persons, on PostgreSQL): a registrar pages while
others register persons at the same time, and sees every person that existed when the walk
began exactly once."""

from __future__ import annotations

import asyncio
from typing import Any

from medaid_shared.testing import ServiceHarness

from .helpers import add_facility, add_person, admit, assert_problem, ca, centralized, hospital, refer, world


async def _page(svc: ServiceHarness, cursor: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": 4, **({"cursor": cursor} if cursor else {})}
    r = await svc.client.get("/persons", params=params, headers=ca(svc))
    assert r.status_code == 200, r.text
    page: dict[str, Any] = r.json()
    assert set(page) == {"items", "next_cursor"}
    return page


async def test_paging_while_others_insert_gives_no_duplicate_and_misses_nothing(svc: ServiceHarness) -> None:
    existing = {(await add_person(svc, centralized(n)))["person_id"] for n in range(1, 12)}
    seen: list[str] = []
    cursor: str | None = None
    seq = 100
    while True:
        # the next page is read while two more registrations commit beside it
        page, *_ = await asyncio.gather(
            _page(svc, cursor), add_person(svc, centralized(seq)), add_person(svc, centralized(seq + 1))
        )
        seq += 2
        seen += [p["person_id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)), "an item came twice"
    assert existing <= set(seen), "an item that existed before the walk was skipped"
    assert seen == sorted(seen), "UUIDv7 ids: the registration order"


async def test_a_cursor_of_another_list_is_refused(svc: ServiceHarness) -> None:
    for n in (1, 2):
        await add_person(svc, centralized(n))
    cursor = (await svc.client.get("/persons", params={"limit": 1}, headers=ca(svc))).json()["next_cursor"]
    assert cursor
    r = await svc.client.get("/admissions", params={"cursor": cursor}, headers=ca(svc))
    assert_problem(r, 422, field="cursor")
    assert_problem(await svc.client.get("/persons", params={"limit": 501}, headers=ca(svc)), 422, field="limit")


async def _walk(svc: ServiceHarness, path: str, headers: dict[str, str], id_field: str, between: Any) -> list[str]:
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        r = await svc.client.get(path, params=params, headers=headers)
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["items"]) <= 2
        seen += [i[id_field] for i in page["items"]]
        await between()
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


async def test_admissions_page_newest_first_in_sql_while_others_admit(svc: ServiceHarness) -> None:
    """Latest admitted first (admitted_at, then id): admissions filed between two pages —
    newer ones land before the cursor, older ones after it — repeat nothing and hide none."""
    await world(svc)
    existing = []
    for n in range(7):
        person = await add_person(svc, centralized(10 + n))
        existing.append((await admit(svc, person["person_id"], f"2026-09-{10 + n:02d}T08:00:00+08:00"))["admission_id"])
    extra = iter(range(30, 60))

    async def others_admit() -> None:
        for day in ("01", "28"):  # one older than all, one newer than all
            person = await add_person(svc, centralized(next(extra)))
            await admit(svc, person["person_id"], f"2026-09-{day}T09:00:00+08:00")

    seen = await _walk(svc, "/admissions", ca(svc), "admission_id", others_admit)
    assert len(seen) == len(set(seen)), "an admission came twice"
    assert set(existing) <= set(seen), "an admission that existed before the walk was skipped"
    assert [s for s in seen if s in existing] == existing[::-1]


async def test_a_hospitals_referrals_fill_their_pages_though_others_are_hidden(svc: ServiceHarness) -> None:
    """A hospital sees the referrals from or to it: read in SQL pages and kept row by row,
    its pages are still full and its walk sees each of its referrals once, no other's."""
    await world(svc)
    await add_facility(svc, "TH02", level="township_health_centre")
    mine, theirs = [], []
    for n in range(5):
        person = (await add_person(svc, centralized(70 + n)))["person_id"]
        mine.append((await refer(svc, person, "H001", "2026-09-01T08:00:00+08:00"))["referral_id"])
        theirs.append((await refer(svc, person, "C001", "2026-09-01T08:00:00+08:00", frm="TH02"))["referral_id"])

    async def nothing() -> None:
        return None

    pages: list[int] = []

    async def count_page() -> None:
        pages.append(0)

    seen = await _walk(svc, "/referrals", hospital(svc, "H001"), "referral_id", count_page)
    assert seen == mine[::-1], "newest first, the hospital's own only"
    assert len(pages) == 3  # 2 + 2 + 1: full pages although every other row is another's
    assert not set(theirs) & set(seen)
    everyone = [r for pair in zip(mine, theirs, strict=True) for r in pair]
    assert await _walk(svc, "/referrals", ca(svc), "referral_id", nothing) == everyone[::-1]  # district-wide
