"""A pool of persistent Z3 worker processes, each in its own scratch directory, under limits.

Z3 runs outside the caller's process so that its limits are real: a worker
caps its own address space and file size at start and, where Linux offers
Landlock, gives up opening files (see `worker.py`); it runs in a fresh
scratch directory that is removed with it, and answers within a
deadline the caller enforces — Z3's `timeout` plus a grace — or is killed
(its whole process group) and replaced. A crash, an abort or an exhausted
memory limit in Z3 ends one worker, never the run. Workers start on demand,
up to `size`, are shared by threads, and are retired after `max_checks`.
Trade-off: a check costs a pipe round trip (a fraction of a millisecond,
measured by bench/smt_check.py) on top of Z3's own time, and the first
check of a process waits for one worker to start (about `import z3`).

Example: pool_for(2048).check("(declare-const x Int)(assert (> x 2))", 5000)
         -> ({"status": "sat", "witness": {"x": 3}}, "4.13.4")
"""

from __future__ import annotations

import collections
import contextlib
import functools
import json
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from retrolean.tools.smt_check.budget import Budget
from retrolean.tools.worker_pool import SharedPools, WorkerPool

log = logging.getLogger(__name__)

WORKER = Path(__file__).with_name("worker.py")
START_TIMEOUT_S = 60.0
GRACE_S = 2.0


class WorkerFailure(Exception):
    """A worker gave no answer: it passed its deadline, or its process ended."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind, self.detail = kind, detail


@functools.cache
def _warn_once(message: str) -> None:
    log.warning(message)


def deadline_s(timeout_ms: int) -> float:
    """How long the caller waits for an answer: Z3's wall-clock backstop, a quarter again,
    plus a grace (Z3 stops itself long before, at its step budget)."""
    return Budget.of(timeout_ms).wall_ms / 1000 * 1.25 + GRACE_S


class Z3Worker:
    """One worker process, its scratch directory and the tail of what it wrote to stderr."""

    def __init__(self, memory_mb: int, command: list[str] | None = None) -> None:
        self.scratch = Path(tempfile.mkdtemp(prefix="retrolean-z3-"))
        self.checks = 0
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=20)
        self._buffer = b""
        argv = command or [sys.executable, "-P", "-B", str(WORKER), str(memory_mb)]
        try:
            self.proc = subprocess.Popen(argv, cwd=self.scratch, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         start_new_session=True)
        except BaseException:
            shutil.rmtree(self.scratch, ignore_errors=True)
            raise
        self._drain = threading.Thread(target=self._read_stderr, daemon=True)
        self._drain.start()
        try:
            hello = self._answer(time.monotonic() + START_TIMEOUT_S)
        except WorkerFailure:
            self.close()
            raise
        self.version = str(hello.get("z3", "?"))
        self.confined = str(hello.get("confined", ""))
        if not self.confined:
            _warn_once("Landlock is not available here: Z3 workers may open files (the screen, "
                       "the scratch directory and a file-size limit of 0 still apply)")

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        with contextlib.suppress(OSError, ValueError):
            for raw in self.proc.stderr:
                self.stderr_tail.append(raw.decode("utf-8", "replace").rstrip())

    def detail(self) -> str:
        """What went wrong, from the exit status and the last stderr line."""
        code = self.proc.poll()
        if code is not None:  # it exited: let the drain read its last words (EOF ends it)
            self._drain.join(timeout=1.0)
        why = (f"killed by signal {-code}" if code is not None and code < 0
               else f"exit code {code}" if code is not None else "")
        last = self.stderr_tail[-1] if self.stderr_tail else ""
        return "; ".join(p for p in (why, last) if p)

    def request(self, payload: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        """Send one request and wait for its answer until the deadline."""
        deadline = time.monotonic() + timeout_s
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(payload).encode("ascii") + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError) as e:
            raise WorkerFailure("crashed", self.detail() or str(e)) from None
        answer = self._answer(deadline)
        self.checks += 1
        return answer

    def _answer(self, deadline: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WorkerFailure("timeout")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=5)
                raise WorkerFailure("crashed", self.detail())
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            answer = json.loads(line)
        except ValueError:
            raise WorkerFailure("crashed", f"unreadable answer {line[:80]!r}") from None
        if not isinstance(answer, dict):
            raise WorkerFailure("crashed", f"unreadable answer {line[:80]!r}")
        return answer

    def close(self) -> None:
        """Kill the worker's process group, reap it, remove its scratch directory."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            log.error("Z3 worker %s did not die after SIGKILL", self.proc.pid)
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        self._drain.join(timeout=5)
        with contextlib.suppress(OSError):
            if self.proc.stderr is not None:
                self.proc.stderr.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


class Z3Pool:
    """Up to `size` Z3 workers shared by threads; a failed or worn-out worker is replaced."""

    def __init__(self, memory_mb: int, size: int | None = None, max_checks: int = 2000,
                 command: list[str] | None = None) -> None:
        self.memory_mb = memory_mb
        self.max_checks = max_checks
        self.workers: WorkerPool[Z3Worker] = WorkerPool(
            size or max(1, os.cpu_count() or 1), lambda: Z3Worker(memory_mb, command),
            Z3Worker.close)

    def __enter__(self) -> Z3Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check(self, z3_text: str, timeout_ms: int) -> tuple[dict[str, Any], str]:
        """Z3's answer on a screened text, and the Z3 version that gave it.

        Only `smt_check` calls this, with text its screen let through.
        Raises WorkerFailure when the worker passed its deadline or died.
        """
        try:
            worker = self.workers.acquire()
        except (OSError, WorkerFailure) as e:
            raise WorkerFailure("crashed", f"a Z3 worker could not start: {e}") from None
        keep = False
        try:
            answer = worker.request({"text": z3_text, "timeout_ms": int(timeout_ms)},
                                    deadline_s(timeout_ms))
            keep = answer.get("status") != "memory" and worker.checks < self.max_checks
            return answer, worker.version
        except WorkerFailure as e:
            log.warning("Z3 worker %s failed (%s); replacing it", worker.proc.pid, e)
            raise
        finally:
            self.workers.release(worker, keep)

    def close(self) -> None:
        """Kill every idle worker; busy ones are killed when they come back."""
        self.workers.close()


_POOLS: SharedPools[Z3Pool] = SharedPools()


def pool_for(memory_mb: int) -> Z3Pool:
    """The shared pool for a memory limit (workers start on first use, stop at exit)."""
    return _POOLS.get(memory_mb, lambda: Z3Pool(memory_mb))


def shutdown_pools() -> None:
    """Close every shared Z3 pool."""
    _POOLS.close_all()
