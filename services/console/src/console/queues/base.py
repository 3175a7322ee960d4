"""What every work queue is made of: the user's view of the services (:class:`Ctx`), a row
with its due instant, the queue's declaration, and the reads shared by the loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from console.api import ApiProblem, UserApi
from console.session import Session
from console.workdays import NO_DUE, Calendars, DueView


@dataclass
class Ctx:
    api: UserApi
    session: Session
    calendars: Calendars


@dataclass
class Row:
    cells: dict[str, Any]
    href: str | None = None
    due: DueView = NO_DUE


Loader = Callable[[Ctx], Awaitable[list[Row]]]


@dataclass(frozen=True)
class Queue:
    key: str
    title: str
    roles: frozenset[str]
    columns: tuple[tuple[str, str], ...]  # (cell key, Chinese header)
    load: Loader
    note: str = ""
    dated: bool = True


@dataclass
class QueueResult:
    queue: Queue
    rows: list[Row] = field(default_factory=list)
    problem: ApiProblem | None = None


def items_of(found: Any, key: str = "items") -> list[dict[str, Any]]:
    """The rows of a report answer, ``{key: [...]}``."""
    rows = found.get(key, []) if isinstance(found, dict) else found
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def by_due(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: r.due.sort_key)


async def gather_reads(calls: list[Awaitable[Any]]) -> list[Any]:
    """Run the reads of one queue together, answers in the order asked; a read that is
    refused counts as nothing (an empty answer in its place, so answers stay beside the
    records they were read for)."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    out: list[Any] = []
    for result in results:
        if isinstance(result, ApiProblem) and result.status != 401:
            out.append({})
            continue
        if isinstance(result, BaseException):
            raise result
        out.append(result)
    return out


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)
