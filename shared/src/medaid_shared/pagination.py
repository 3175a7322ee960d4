"""Cursor pagination, the one way every list of every service pages: ``limit`` and
``cursor`` in, the envelope ``{"items": [...], "next_cursor": ...}`` out.

A page is a keyset page, never an offset: the cursor carries the sort key of the last item
already given, and the next page holds the items whose key comes strictly after it. Each
list sorts by a key that ends in the resource's unique id (UUIDv7 ids sort in the order
they were minted), so the order is total. A client paging while others insert therefore
never gets an item twice and never misses one that existed when it started: a new item
lands either after the cursor (and comes on a later page) or before it (and is simply not
part of what this walk had yet to see).

A list pages in SQL: ``keyset`` turns the list's query into ``WHERE (key) > (cursor)
ORDER BY key LIMIT limit + 1`` — the database reads one page and one row more (which says
whether there is a next page), however long the list — and ``page_of`` makes the envelope of
what it fetched. ``paginate`` pages a list that exists only in memory (one composed from
several sources, or from an answer of another kind).

The cursor is opaque to clients: base64url of JSON naming the list (its path) and the key.
A cursor that does not decode, or that belongs to another list, is refused with a problem
naming the ``cursor`` parameter; a refused cursor changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from fastapi import Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Boolean, ColumnElement, Date, DateTime, Integer, Select, Uuid, literal, tuple_

from medaid_shared.errors import ValidationFailed

DEFAULT_LIMIT = 100
"""Items per page when the client does not say: a screenful of a work queue."""

MAX_LIMIT = 500
"""The largest page: keeps one answer (and the rows a service reads for it) a few hundred
kilobytes, whatever a client asks."""

MAX_CURSOR_LENGTH = 2000
"""A cursor is a few sort-key values; anything longer is not one of ours."""

KeyPart = str | int
Key = tuple[KeyPart, ...]
T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    """What the client asked for: at most ``limit`` items after the key ``after`` (None:
    from the start) of the list at ``list_path``."""

    limit: int = DEFAULT_LIMIT
    after: Key | None = None
    list_path: str = ""

    def cursor_for(self, key: Key) -> str:
        """The opaque cursor that continues this list after the item whose key is ``key``."""
        raw = json.dumps({"l": self.list_path, "k": list(key)}, separators=(",", ":"), ensure_ascii=False)
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


EXAMPLE_CURSOR = "eyJsIjoiL3YxL2FkbWlzc2lvbnMiLCJrIjpbIjAxOTNhYmNkIl19"


def _page_example(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """A page's example is a page of its item's example (when the item model shows one)."""
    (item,) = model.__pydantic_generic_metadata__["args"] or (None,)
    extra = (
        item.model_config.get("json_schema_extra") if isinstance(item, type) and issubclass(item, BaseModel) else None
    )
    examples = extra.get("examples") if isinstance(extra, dict) else None
    if isinstance(examples, list) and examples:
        schema["examples"] = [{"items": examples[:1], "next_cursor": EXAMPLE_CURSOR}]


class Page(BaseModel, Generic[T]):
    """One page of a list: ``next_cursor`` is null on the last page."""

    model_config = ConfigDict(json_schema_extra=_page_example)

    items: list[T] = Field(description="the items of this page, in the list's order")
    next_cursor: str | None = Field(
        description="pass as `cursor` to get the next page; null when this is the last page",
        examples=[EXAMPLE_CURSOR],
    )

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        """``AdmissionPage`` for a page of ``Admission``; ``Page`` for untyped items."""
        (item,) = params
        return f"{item.__name__}Page" if isinstance(item, type) and issubclass(item, BaseModel) else "Page"


def key_part(value: Any) -> KeyPart:
    """A sort-key value as it travels in a cursor and compares after decoding: instants as
    fixed-width UTC text (so text order is time order), dates and UUIDs as text, None
    before everything else."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | str):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date | UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be part of a list's sort key")


def sort_key(*values: Any) -> Key:
    """A list's sort key from an item's values (the last one its unique id)."""
    return tuple(key_part(v) for v in values)


def decode_cursor(cursor: str, list_path: str) -> Key:
    """The key a cursor continues after; a problem naming ``cursor`` if it is not a cursor
    of this list."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = json.loads(raw.decode())
        key = decoded["k"]
        belongs_to = decoded["l"]
    except (binascii.Error, ValueError, UnicodeDecodeError, TypeError, KeyError) as exc:
        raise ValidationFailed("cursor is not a cursor this service gave out", field="cursor") from exc
    if belongs_to != list_path:
        raise ValidationFailed("cursor belongs to another list", field="cursor")
    if not isinstance(key, list) or not key or not all(isinstance(p, str | int) for p in key):
        raise ValidationFailed("cursor is not a cursor this service gave out", field="cursor")
    return tuple(key)


def paginate(
    items: Iterable[T], page: PageRequest, key: Callable[[T], Key], *, descending: bool = False
) -> dict[str, Any]:
    """The page of ``items`` (any order, already filtered to what the caller may see) that
    ``page`` asks for, as the list envelope. ``descending`` lists newest first."""
    ordered = sorted(((key(item), item) for item in items), key=lambda pair: pair[0], reverse=descending)
    if page.after is not None:
        after = page.after
        if ordered and [type(p) for p in ordered[0][0]] != [type(p) for p in after]:
            raise ValidationFailed("cursor is not a cursor of this list", field="cursor")
        ordered = [(k, i) for k, i in ordered if (k < after if descending else k > after)]
    chosen = ordered[: page.limit]
    more = len(ordered) > page.limit
    return {
        "items": [item for _, item in chosen],
        "next_cursor": page.cursor_for(chosen[-1][0]) if more else None,
    }


def keyset(query: Select[Any], page: PageRequest, *key: ColumnElement[Any], descending: bool = False) -> Select[Any]:
    """``query`` narrowed to the page ``page`` asks for, in SQL: the rows whose ``key``
    columns come strictly after the cursor's (before it, ``descending``), in key order, at
    most ``limit + 1`` of them — hand them to :func:`page_of`. The key columns are NOT NULL
    and end in the rows' unique id (so the order is total and a row inserted meanwhile lands
    on one side of the cursor); the item's ``sort_key`` gives the same values in the same order.
    A key part may be an expression of the row (a ``CASE`` for a computed order, e.g. the
    overdue first): its SQL type types the cursor's value as a column's does."""
    if page.after is not None:
        bound = tuple_(*key)
        after = tuple_(*(literal(v, type_=c.type) for v, c in zip(_typed(page.after, key), key, strict=True)))
        query = query.where(bound < after if descending else bound > after)
    return query.order_by(*(c.desc() if descending else c.asc() for c in key)).limit(page.limit + 1)


def page_of(fetched: Sequence[T], page: PageRequest, key: Callable[[T], Key]) -> dict[str, Any]:
    """The list envelope of what a :func:`keyset` query fetched (in order, at most one item
    more than the page holds: that one only says there is a next page)."""
    chosen = list(fetched[: page.limit])
    more = len(fetched) > page.limit
    return {"items": chosen, "next_cursor": page.cursor_for(key(chosen[-1])) if more else None}


def _typed(after: Key, key: Sequence[ColumnElement[Any]]) -> list[Any]:
    """The cursor's key parts as values of the key columns' types (the reverse of
    ``key_part``); a cursor of another shape is not a cursor of this list."""
    if len(after) != len(key):
        raise _not_this_list()
    try:
        return [_typed_part(part, column.type) for part, column in zip(after, key, strict=True)]
    except (ValueError, TypeError) as exc:
        raise _not_this_list() from exc


def _typed_part(part: KeyPart, kind: Any) -> Any:
    if isinstance(kind, DateTime):
        return datetime.strptime(str(part), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    if isinstance(kind, Date):
        return date.fromisoformat(str(part))
    if isinstance(kind, Uuid):
        return UUID(str(part))
    wanted = int if isinstance(kind, Boolean | Integer) else str
    if not isinstance(part, wanted):
        raise TypeError(f"a {wanted.__name__} key part, not {part!r}")
    return bool(part) if isinstance(kind, Boolean) else part


def _not_this_list() -> ValidationFailed:
    return ValidationFailed("cursor is not a cursor of this list", field="cursor")


def _page_request(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="at most this many items")] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(max_length=MAX_CURSOR_LENGTH, description="`next_cursor` of the previous page; omit for the first"),
    ] = None,
) -> PageRequest:
    path = request.url.path
    return PageRequest(limit=limit, after=decode_cursor(cursor, path) if cursor else None, list_path=path)


PageQuery = Annotated[PageRequest, Depends(_page_request)]
"""The ``limit`` and ``cursor`` query parameters of a list route, decoded."""
