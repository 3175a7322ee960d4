"""Cursor pagination (the kernel's one way to page a list): keyset pages that stay whole
while items are inserted — in memory and in SQL — bounded limits, and a problem naming
``cursor`` for a cursor that is not one of this list's."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table, case, insert, select, text

from medaid_shared.errors import ValidationFailed
from medaid_shared.ids import new_id
from medaid_shared.pagination import (
    MAX_LIMIT,
    Page,
    PageQuery,
    PageRequest,
    decode_cursor,
    keyset,
    page_of,
    paginate,
    sort_key,
)
from medaid_shared.problems import PROBLEM_JSON, install_problem_handlers
from medaid_shared.runtime import Runtime


def _by_id(item: dict[str, Any]) -> tuple[str | int, ...]:
    return sort_key(item["id"])


def walk(items: list[dict[str, Any]], limit: int, *, descending: bool = False) -> list[list[str]]:
    pages: list[list[str]] = []
    page = PageRequest(limit=limit, list_path="/v1/things")
    while True:
        answer = paginate(items, page, _by_id, descending=descending)
        pages.append([i["id"] for i in answer["items"]])
        if answer["next_cursor"] is None:
            return pages
        page = PageRequest(
            limit=limit, after=decode_cursor(answer["next_cursor"], "/v1/things"), list_path="/v1/things"
        )


def test_pages_cover_the_list_once_in_order() -> None:
    items = [{"id": f"{n:03d}"} for n in range(7)]
    assert walk(items, 3) == [["000", "001", "002"], ["003", "004", "005"], ["006"]]
    assert walk(items, 3, descending=True) == [["006", "005", "004"], ["003", "002", "001"], ["000"]]
    assert walk(items, 7) == [[i["id"] for i in items]]
    assert walk([], 5) == [[]]


def test_an_exactly_full_last_page_has_no_next_cursor() -> None:
    answer = paginate([{"id": "a"}, {"id": "b"}], PageRequest(limit=2, list_path="/v1/things"), _by_id)
    assert answer == {"items": [{"id": "a"}, {"id": "b"}], "next_cursor": None}


def test_instants_sort_as_time_whatever_their_precision_or_zone() -> None:
    base = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    whole, fraction = base, base + timedelta(microseconds=500_000)
    shanghai = (base + timedelta(seconds=1)).astimezone(ZoneInfo("Asia/Shanghai"))
    items = [{"at": t, "id": str(n)} for n, t in enumerate([shanghai, fraction, whole])]
    answer = paginate(items, PageRequest(limit=10), lambda i: sort_key(i["at"], i["id"]))
    assert [i["at"] for i in answer["items"]] == [whole, fraction, shanghai]


@pytest.mark.parametrize("descending", [False, True])
def test_inserts_while_paging_give_no_duplicate_and_lose_nothing(descending: bool) -> None:
    """Ids are UUIDv7: an item inserted while a client pages sorts after everything that
    existed (or, newest first, before the cursor), so the walk sees every earlier item
    exactly once — where an offset would repeat items once the list grows in front."""
    items = [{"id": new_id()} for _ in range(25)]
    before = {i["id"] for i in items}
    seen: list[str] = []
    page = PageRequest(limit=4, list_path="/v1/things")
    while True:
        answer = paginate(items, page, _by_id, descending=descending)
        seen += [i["id"] for i in answer["items"]]
        items += [{"id": new_id()} for _ in range(3)]  # others insert between two pages
        if answer["next_cursor"] is None:
            break
        page = PageRequest(limit=4, after=decode_cursor(answer["next_cursor"], "/v1/things"), list_path="/v1/things")
    assert len(seen) == len(set(seen))
    assert before <= set(seen)


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


THINGS: list[dict[str, Any]] = [{"id": f"t{n:02d}", "n": n} for n in range(5)]


def app() -> FastAPI:
    api = FastAPI()
    install_problem_handlers(api)

    @api.get("/v1/things", response_model=Page[dict[str, Any]])
    async def list_things(page: PageQuery) -> Any:
        return paginate(THINGS, page, _by_id)

    @api.get("/v1/others", response_model=Page[dict[str, Any]])
    async def list_others(page: PageQuery) -> Any:
        return paginate(THINGS, page, lambda t: sort_key(t["n"]))

    return api


async def test_limit_and_cursor_over_http() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url="http://t") as client:
        first = (await client.get("/v1/things", params={"limit": 2})).json()
        assert [t["id"] for t in first["items"]] == ["t00", "t01"]
        second = (await client.get("/v1/things", params={"limit": 2, "cursor": first["next_cursor"]})).json()
        assert [t["id"] for t in second["items"]] == ["t02", "t03"]
        assert (await client.get("/v1/things")).json() == {"items": THINGS, "next_cursor": None}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": MAX_LIMIT + 1}, "limit"),
        ({"cursor": "%%%not-base64"}, "cursor"),
        ({"cursor": _cursor(["a list, not a cursor"])}, "cursor"),
        ({"cursor": _cursor({"l": "/v1/things", "k": []})}, "cursor"),
        ({"cursor": _cursor({"l": "/v1/things", "k": [{"nested": 1}]})}, "cursor"),
        ({"cursor": _cursor({"l": "/v1/others", "k": ["t01"]})}, "cursor"),
        ({"cursor": _cursor({"l": "/v1/things", "k": [3]})}, "cursor"),
        ({"cursor": "x" * 3000}, "cursor"),
    ],
)
async def test_a_bad_limit_or_cursor_is_a_problem_naming_it(params: dict[str, Any], field: str) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url="http://t") as client:
        r = await client.get("/v1/things", params=params)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM_JSON
    assert r.json()["field"] == field


async def test_a_cursor_of_one_list_is_refused_by_another() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url="http://t") as client:
        cursor = (await client.get("/v1/things", params={"limit": 1})).json()["next_cursor"]
        r = await client.get("/v1/others", params={"cursor": cursor})
    assert r.status_code == 422 and r.json()["field"] == "cursor"


# ---- in SQL: WHERE (key) > (cursor) ORDER BY key LIMIT n + 1 ----------------------------------

paged_metadata = MetaData(schema="kerneltest")
paged = Table(
    "paged",
    paged_metadata,
    Column("id", String(40), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("day", Date, nullable=False),
    Column("n", Integer, nullable=False),
)


@pytest.fixture
async def paged_table(runtime: Runtime) -> AsyncIterator[Runtime]:
    async with runtime.db.engine.begin() as conn:
        await conn.run_sync(paged_metadata.create_all)
        await conn.execute(text("TRUNCATE kerneltest.paged"))
    yield runtime
    # The kernel's schema must hold only the kernel's tables (the migration-drift test reads it).
    async with runtime.db.engine.begin() as conn:
        await conn.run_sync(paged_metadata.drop_all)


async def _insert(rt: Runtime, count: int, start: int) -> list[str]:
    base = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    rows = [
        {
            "id": new_id(),
            # a few rows share an instant and a day: the id decides between them
            "at": base + timedelta(microseconds=137 * ((start + k) // 2)),
            "day": (base + timedelta(days=(start + k) // 3)).date(),
            "n": (start + k) % 4,
        }
        for k in range(count)
    ]
    async with rt.db.unit_of_work() as uow:
        await uow.session.execute(insert(paged), rows)
    return [r["id"] for r in rows]


async def _sql_page(rt: Runtime, page: PageRequest, key: list[str], descending: bool) -> dict[str, Any]:
    async with rt.db.read() as session:
        query = keyset(select(paged), page, *(paged.c[k] for k in key), descending=descending)
        fetched = [dict(r) for r in (await session.execute(query)).mappings().all()]
    assert len(fetched) <= page.limit + 1  # the database read the page and one row more
    return page_of(fetched, page, lambda r: sort_key(*(r[k] for k in key)))


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("key", [["id"], ["at", "id"], ["day", "n", "id"]])
async def test_sql_pages_stay_whole_while_others_insert(paged_table: Runtime, key: list[str], descending: bool) -> None:
    """A list paged in SQL on a key ending in the unique id: rows committed by others
    between two pages neither repeat an item nor hide one that existed when the walk began
    (instants, dates, integers and text travel in the cursor and compare as themselves)."""
    rt = paged_table
    before = set(await _insert(rt, 23, 0))
    seen: list[str] = []
    page = PageRequest(limit=4, list_path="/v1/paged")
    inserted = 23
    while True:
        answer = await _sql_page(rt, page, key, descending)
        seen += [r["id"] for r in answer["items"]]
        await _insert(rt, 3, inserted)  # others insert between two pages
        inserted += 3
        if answer["next_cursor"] is None:
            break
        page = PageRequest(limit=4, after=decode_cursor(answer["next_cursor"], "/v1/paged"), list_path="/v1/paged")
    assert len(seen) == len(set(seen))
    assert before <= set(seen)
    async with rt.db.read() as session:
        order = [c.desc() if descending else c for c in (paged.c[k] for k in key)]
        everything = (await session.execute(select(paged.c.id).order_by(*order))).scalars().all()
    assert seen == [i for i in everything if i in set(seen)]  # in the list's order


async def test_a_cursor_of_another_key_is_refused_in_sql(paged_table: Runtime) -> None:
    await _insert(paged_table, 3, 0)
    for after in [("x",), ("not an instant", "id"), (5, "id")]:
        page = PageRequest(limit=1, after=after, list_path="/v1/paged")
        with pytest.raises(ValidationFailed) as refused:
            await _sql_page(paged_table, page, ["at", "id"], False)
        assert refused.value.field == "cursor"


async def test_a_computed_sort_key_pages_in_sql(paged_table: Runtime) -> None:
    """A list whose order is computed (a work queue: the urgent first, then by time) pages on
    a SQL expression as on a column: the expression's values travel in the cursor as the
    item's ``sort_key`` gives them, and a cursor of another shape is refused."""
    rt = paged_table
    await _insert(rt, 17, 0)
    urgent_first = case((paged.c.n == 0, 0), else_=1)
    key = (urgent_first, paged.c.at, paged.c.id)
    seen: list[str] = []
    page = PageRequest(limit=3, list_path="/v1/queue")
    while True:
        async with rt.db.read() as session:
            fetched = [dict(r) for r in (await session.execute(keyset(select(paged), page, *key))).mappings().all()]
        assert len(fetched) <= page.limit + 1
        answer = page_of(fetched, page, lambda r: sort_key(r["n"] != 0, r["at"], r["id"]))
        seen += [r["id"] for r in answer["items"]]
        if answer["next_cursor"] is None:
            break
        page = PageRequest(limit=3, after=decode_cursor(answer["next_cursor"], "/v1/queue"), list_path="/v1/queue")
    async with rt.db.read() as session:
        rows = (await session.execute(select(paged))).mappings().all()
    assert seen == [r["id"] for r in sorted(rows, key=lambda r: (r["n"] != 0, r["at"], r["id"]))]
    with pytest.raises(ValidationFailed) as refused:
        bad = PageRequest(limit=3, after=("not a number", "2026-12-01T08:00:00.000000Z", "x"), list_path="/v1/queue")
        async with rt.db.read() as session:
            await session.execute(keyset(select(paged), bad, *key))
    assert refused.value.field == "cursor"
