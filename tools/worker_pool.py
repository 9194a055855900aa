"""Long-lived worker processes shared by threads: the bookkeeping the Lean and Z3 pools share.

`WorkerPool` keeps at most `size` workers alive, starts one on demand when
none is idle, hands idle ones out to threads, and stops a worker that is
released as broken, so the next request starts a fresh one. `SharedPools`
keeps one pool per configuration for the whole process and closes them all
at exit. What a worker is and how it answers is the caller's business
(`lean_check/repl_backend.py`, `smt_check/pool.py`).
Trade-off: a thread waits while every worker is busy; there is no queue
with priorities or time-outs — a check is bounded by its worker's own limit.

Example: pool = WorkerPool(2, start=lambda: ReplWorker(config), stop=ReplWorker.close)
         worker = pool.acquire(); …; pool.release(worker, keep=True)
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable, Hashable
from typing import Generic, Protocol, TypeVar

W = TypeVar("W")


class Closable(Protocol):
    """Anything with a `close()`."""

    def close(self) -> None: ...


P = TypeVar("P", bound=Closable)


class WorkerPool(Generic[W]):
    """Up to `size` workers shared by threads; a released broken worker is stopped."""

    def __init__(self, size: int, start: Callable[[], W], stop: Callable[[W], None]) -> None:
        self.size = size
        self.started = 0  # workers ever started (a replaced worker counts again)
        self._start, self._stop = start, stop
        self._idle: list[W] = []
        self._alive = 0
        self._closed = False
        self._cond = threading.Condition()

    @property
    def alive(self) -> int:
        """Workers running now, idle or busy."""
        return self._alive

    @property
    def idle(self) -> list[W]:
        """A copy of the idle workers."""
        with self._cond:
            return list(self._idle)

    def acquire(self) -> W:
        """An idle worker, or a new one when fewer than `size` are alive; else wait."""
        with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError("the worker pool is closed")
                if self._idle:
                    return self._idle.pop()
                if self._alive < self.size:
                    self._alive += 1
                    self.started += 1
                    break
                self._cond.wait()
        try:
            return self._start()
        except BaseException:
            self.release(None)
            raise

    def release(self, worker: W | None, keep: bool = False) -> None:
        """Give a worker back: kept for the next request, or stopped (keep=False)."""
        if worker is not None and keep:
            with self._cond:
                if not self._closed:
                    self._idle.append(worker)
                    self._cond.notify()
                    return
        if worker is not None:
            self._stop(worker)
        with self._cond:
            self._alive -= 1
            self._cond.notify()

    def close(self) -> None:
        """Stop every idle worker; busy ones are stopped when they come back."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._alive -= len(idle)
            self._cond.notify_all()
        for worker in idle:
            self._stop(worker)


class SharedPools(Generic[P]):
    """One pool per key for the whole process, made on first use and closed at exit."""

    def __init__(self) -> None:
        self._pools: dict[Hashable, P] = {}
        self._lock = threading.Lock()
        atexit.register(self.close_all)

    def get(self, key: Hashable, make: Callable[[], P]) -> P:
        """The pool for `key`, made by `make()` the first time."""
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = make()
            return pool

    def close_all(self) -> None:
        """Close and forget every pool."""
        with self._lock:
            pools = list(self._pools.values())
            self._pools.clear()
        for pool in pools:
            pool.close()
