"""Capped exponential back-off with jitter, shared by the loop supervisor and the retries
of transient failures."""

from __future__ import annotations

import asyncio
import contextlib

from tenacity import RetryCallState, wait_exponential_jitter


class Backoff:
    """Capped exponential back-off with jitter (tenacity's ``wait_exponential_jitter``)."""

    def __init__(self, initial: float, maximum: float, jitter: float) -> None:
        self._wait = wait_exponential_jitter(initial=initial, max=maximum, jitter=jitter)

    def delay(self, failures: int) -> float:
        """Seconds to wait after the ``failures``-th consecutive failure (1, 2, …)."""
        state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
        state.attempt_number = max(1, failures)
        return float(self._wait(state))


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds`` unless ``stop`` is set first (shutdown never waits out a back-off)."""
    if seconds <= 0 or stop.is_set():
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
