"""One endpoint's budget, shared by every caller: requests in flight, and a pause after a 429.

A rate limit belongs to the endpoint, not to a caller. `ModelClient` keeps its own
semaphore per event loop, which is right for one process; when many processes call
one endpoint (the Ray executor's stage workers), each takes its slot from one
`EndpointBudget` instead: `acquire` before an HTTP attempt, `release` after it, and
`observe` what came back — a 429 pauses *every* caller until its Retry-After has
passed (or `pause_s` when the server gave none), so a cluster backs off as one
client would, instead of each worker hammering on until its own 429.

`SharedBudget` is the implementation: asyncio, living in one event loop — the Ray
executor hosts it in one async actor per endpoint and hands workers a proxy with
the same three methods (`agent/executors/ray_workers.py`).

This is the minimal protocol the Ray executor needs; a richer budget (requests
and tokens per minute read from the endpoint's rate-limit headers) can implement
the same three methods.

Example:
    budget = SharedBudget(concurrency=64)
    await budget.acquire(); … send …; await budget.release()
    await budget.observe(429, retry_after_s=2.0)  # every caller waits 2 s
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Protocol

from pydantic import BaseModel


class EndpointBudget(Protocol):
    """Slots for HTTP attempts to one endpoint, shared by every caller of it."""

    async def acquire(self) -> None:
        """Wait for a free slot and for any pause to pass; then hold the slot."""
        ...

    async def release(self) -> None:
        """Give a slot back."""
        ...

    async def observe(self, status: int | None, retry_after_s: float | None) -> None:
        """What an attempt came back with: a 429 pauses every caller."""
        ...


class BudgetStats(BaseModel):
    """What a budget has done: slots handed out, the most in flight, pauses after 429s."""

    acquired: int = 0
    max_in_flight: int = 0
    pauses: int = 0
    paused_s: float = 0.0


class SharedBudget:
    """An `EndpointBudget` in one event loop; see the module docstring."""

    def __init__(self, concurrency: int, pause_s: float = 1.0,
                 max_pause_s: float = 120.0) -> None:
        self.concurrency = concurrency
        self.pause_s = pause_s
        self.max_pause_s = max_pause_s
        self.stats = BudgetStats()
        self._in_flight = 0
        self._paused_until = 0.0
        self._changed: asyncio.Condition | None = None

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def acquire(self) -> None:
        """Wait for a free slot and for any pause to pass; then hold the slot."""
        changed = self._condition()
        async with changed:
            while True:
                wait = self._paused_until - time.monotonic()
                if wait <= 0 and self._in_flight < self.concurrency:
                    break
                with contextlib.suppress(TimeoutError):  # a pause ended: look again
                    await asyncio.wait_for(changed.wait(), timeout=wait if wait > 0 else None)
            self._in_flight += 1
            self.stats.acquired += 1
            self.stats.max_in_flight = max(self.stats.max_in_flight, self._in_flight)

    async def release(self) -> None:
        """Give a slot back."""
        changed = self._condition()
        async with changed:
            self._in_flight = max(0, self._in_flight - 1)
            changed.notify_all()

    async def observe(self, status: int | None, retry_after_s: float | None) -> None:
        """A 429 pauses every caller for its Retry-After (capped), or `pause_s` without one."""
        if status != 429:
            return
        pause = min(self.max_pause_s, retry_after_s if retry_after_s is not None
                    else self.pause_s)
        until = time.monotonic() + pause
        if until > self._paused_until:
            self.stats.paused_s += until - max(self._paused_until, time.monotonic())
            self._paused_until = until
            self.stats.pauses += 1

    async def snapshot(self) -> BudgetStats:
        """The stats so far (a copy)."""
        return self.stats.model_copy()
