"""`Slots`: at most n holders at once, first come first served, in O(1) per acquire and release.

It does what `asyncio.Semaphore(n)` does for `ModelClient`, without its cost
when thousands of callers queue: a stage gathers every item of its batch at
once, so thousands of coroutines wait on one client's slots, and the
standard semaphore scans and removes from its waiter list (O(waiters)) on the
way in and out — measured at ~30 µs per call with 2,500 waiters, a tenth of
the client's whole CPU per request at concurrency 256. Here a release hands
its slot straight to the oldest live waiter.

Trade-off: only what the client uses (`async with slots:`), bound to the event
loop that first waits on it, as an asyncio.Semaphore is.

Example:
    slots = Slots(64)
    async with slots:
        ...  # at most 64 tasks are here at once
"""

from __future__ import annotations

import asyncio
from collections import deque


class Slots:
    """At most `n` holders at once; waiters are served in arrival order."""

    def __init__(self, n: int) -> None:
        self._free = n
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def __aenter__(self) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter  # the releaser handed its slot over
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release()  # handed a slot just as we were cancelled: pass it on
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._release()

    def _release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():  # a cancelled waiter is done: skip it
                waiter.set_result(None)
                return
        self._free += 1
