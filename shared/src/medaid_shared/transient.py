"""Which failures are the infrastructure's, not the data's.

A database or broker that is unreachable, restarting, overloaded or that aborted a
transaction for concurrency reasons (serialization failure, deadlock) says nothing about
the event or deadline being handled: the work is retried, with back-off, for as long as
the outage lasts. Everything else is the handler's own failure on a reachable system.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from aiokafka import errors as kafka_errors
from sqlalchemy import exc as sa_exc

from medaid_shared.backoff import Backoff, wait_or_stop

log = structlog.get_logger("medaid.transient")

T = TypeVar("T")

# SQLSTATE classes and codes of an unavailable or contended database (PostgreSQL appendix A):
# 08 connection exception, 40 transaction rollback (40001 serialization, 40P01 deadlock),
# 53 insufficient resources, 57P operator intervention (admin/crash shutdown, cannot
# connect now), 58 system error, 55P03 lock not available, 57014 statement cancelled.
_TRANSIENT_SQLSTATE_PREFIXES = ("08", "40", "53", "57P", "58")
_TRANSIENT_SQLSTATES = {"55P03", "57014"}

_TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    OSError,  # connection refused or reset, DNS failure, socket timeout (not a local file's error)
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,  # the connection pool had nothing to give
    kafka_errors.KafkaConnectionError,
    kafka_errors.KafkaTimeoutError,
    kafka_errors.NodeNotReadyError,
    kafka_errors.RequestTimedOutError,
    kafka_errors.NotLeaderForPartitionError,
    kafka_errors.LeaderNotAvailableError,
)


_LOCAL_OS_ERRORS = (FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError, NotADirectoryError)


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, what it wraps (``orig``) and what caused it, each once."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo and len(seen) < 20:
        current = todo.pop()
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        orig = getattr(current, "orig", None)
        todo += [orig if isinstance(orig, BaseException) else None, current.__cause__, current.__context__]
    return seen


def is_transient(exc: BaseException) -> bool:
    """True when ``exc`` (or anything in its chain) means "the database or broker is not
    available right now" rather than "this piece of work cannot be done"."""
    for e in _chain(exc):
        if isinstance(e, sa_exc.DBAPIError) and e.connection_invalidated:
            return True
        if isinstance(e, _LOCAL_OS_ERRORS):
            continue  # a missing or forbidden file is the code's or the data's, not an outage
        if isinstance(e, _TRANSIENT_TYPES):
            return True
        if isinstance(e, kafka_errors.KafkaError) and e.retriable:
            return True
        state = getattr(e, "sqlstate", None) or getattr(e, "pgcode", None)
        if isinstance(state, str) and (state.startswith(_TRANSIENT_SQLSTATE_PREFIXES) or state in _TRANSIENT_SQLSTATES):
            return True
        if type(e).__module__.startswith("asyncpg") and type(e).__name__ in {
            "InterfaceError",
            "ConnectionDoesNotExistError",
            "ConnectionFailureError",
        }:
            return True
    return False


class Stopped(Exception):
    """The service is stopping while it waited for the database or broker to return."""


async def retry_transient(
    work: Callable[[], Awaitable[T]],
    *,
    stop: asyncio.Event | None,
    backoff: Backoff,
    what: str,
    on_retry: Callable[[BaseException], None] | None = None,
) -> T:
    """Run ``work`` until it succeeds or fails for a reason that is not transient.
    Transient failures wait with capped, jittered exponential back-off — for as long as
    they last; a set ``stop`` ends the wait with :class:`Stopped`."""
    failures = 0
    while True:
        try:
            return await work()
        except Exception as exc:
            if not is_transient(exc):
                raise
            failures += 1
            delay = backoff.delay(failures)
            log.warning("transient_failure", what=what, attempt=failures, error=f"{type(exc).__name__}: {exc}"[:300])
            if on_retry is not None:
                on_retry(exc)
        if stop is not None:
            await wait_or_stop(stop, delay)
            if stop.is_set():
                raise Stopped(what)
        else:
            await asyncio.sleep(delay)
