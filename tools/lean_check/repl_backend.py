"""The REPL backend: a pool of long-lived leanprover-community/repl workers.

Each worker speaks the REPL's JSON protocol over stdin/stdout (a command,
then a blank line; one JSON answer back). A text's header (its imports) is
elaborated once per worker — `{"cmd": "import Mathlib"}` answers with an
environment number — and every later check with the same imports runs as
`{"cmd": body, "env": n}`, so `import Mathlib` is paid once, not per check.
A worker that crashes, hangs past the timeout, runs out of memory, grows past
its resident-size ceiling or has served `repl_max_checks` checks is killed
(its whole process group) and a fresh one takes its place on demand.
Trade-off: every environment a worker creates stays in its memory (the REPL
has no command to forget one), which is why workers are retired by size and
count rather than kept forever.

Example: with ReplPool(config) as pool: pool.check("import Mathlib\\nexample : 2 = 2 := rfl")
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from retrolean.tools.lean_check.config import LeanConfig
from retrolean.tools.lean_check.lexer import Reading, code_view
from retrolean.tools.lean_check.messages import JsonAccumulator, LeanRun, parse_repl_response
from retrolean.tools.lean_check.process import (
    group_rss_mb,
    kill_group,
    looks_out_of_memory,
    spawn,
    tail,
)
from retrolean.tools.worker_pool import SharedPools, WorkerPool

log = logging.getLogger(__name__)

_HEADER_LINE = re.compile(r"\s*(?:import\s+\S+\s*)*")
_IMPORT = re.compile(r"(?<![\w'!?.])import\s+(\S+)")


class ReplFailure(Exception):
    """A worker stopped answering: it hung past its time, or its process ended."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind, self.detail = kind, detail


def split_header(text: str) -> tuple[tuple[str, ...], str, int]:
    """(imports, body, lines before the body): the header the REPL can reuse, and the rest.

    Example: split_header("import Mathlib\\n\\ntheorem t …") -> (("Mathlib",), "theorem t …", 2)
    """
    view_lines = code_view(text, Reading()).split("\n")
    count = 0
    while count < len(view_lines) and _HEADER_LINE.fullmatch(view_lines[count]):
        count += 1
    imports = tuple(m[1] for line in view_lines[:count] for m in _IMPORT.finditer(line))
    body = "\n".join(text.split("\n")[count:])
    if not imports or _IMPORT.search("\n".join(view_lines[count:])):
        return (), text, 0
    return imports, body, count


class ReplWorker:
    """One REPL process, its output reader, and the header environments it holds."""

    def __init__(self, config: LeanConfig) -> None:
        self.config = config
        self.scratch = Path(tempfile.mkdtemp(prefix="retrolean-repl-"))
        self.envs: dict[tuple[str, ...], int] = {}
        self.checks = 0
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr = open(self.scratch / "stderr.log", "w+", encoding="utf-8")  # noqa: SIM115
        cwd = config.project.expanduser() if config.project else self.scratch
        try:
            self.proc = spawn(list(config.repl_command), cwd=cwd, memory_mb=config.memory_mb,
                              isolate=config.isolate_network, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=self._stderr, text=True,
                              encoding="utf-8", errors="replace")
        except BaseException:
            self._stderr.close()
            shutil.rmtree(self.scratch, ignore_errors=True)
            raise
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        try:
            for line in self.proc.stdout:
                self._lines.put(line)
        except (OSError, ValueError):
            log.debug("worker %s output closed", self.proc.pid)
        finally:
            self._lines.put(None)

    def stderr_tail(self) -> str:
        """The last lines the worker wrote to stderr."""
        try:
            return tail((self.scratch / "stderr.log").read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return ""

    def request(self, payload: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        """Send one command and wait for its answer; ReplFailure if none comes in time."""
        deadline = time.monotonic() + timeout_s
        data = json.dumps(payload, ensure_ascii=False) + "\n\n"
        writer = threading.Thread(target=self._write, args=(data,), daemon=True)
        writer.start()
        writer.join(timeout_s)
        if writer.is_alive():
            raise ReplFailure("timeout", "the worker stopped reading its input")
        answer = JsonAccumulator()
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise ReplFailure("timeout") from None
            if line is None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=5)
                raise ReplFailure("crashed", f"exit code {self.proc.returncode}")
            obj = answer.feed(line)
            if obj is not None:
                return obj

    def _write(self, data: str) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            log.debug("worker %s closed its input", self.proc.pid)

    def worn_out(self) -> bool:
        """Whether the worker should be retired: too many checks, or too much memory."""
        if self.checks >= self.config.repl_max_checks:
            return True
        return group_rss_mb(self.proc.pid) > self.config.rss_limit_mb

    def close(self) -> None:
        """Kill the worker's process group and remove its scratch directory."""
        kill_group(self.proc)
        self._reader.join(timeout=5)  # the killed group's pipe ends: the reader sees EOF
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        self._stderr.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


class ReplPool:
    """A fixed number of REPL workers shared by threads; broken workers are replaced."""

    def __init__(self, config: LeanConfig) -> None:
        self.config = config
        self.workers: WorkerPool[ReplWorker] = WorkerPool(
            config.pool_size, lambda: ReplWorker(config), ReplWorker.close)

    @property
    def started(self) -> int:
        """Workers ever started (a replaced worker counts again)."""
        return self.workers.started

    def __enter__(self) -> ReplPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check(self, text: str) -> LeanRun:
        """Check one text on a free worker; the answer's lines refer to the whole text."""
        imports, body, offset = split_header(text)
        start = time.perf_counter()
        try:
            worker = self.workers.acquire()
        except OSError as e:
            return LeanRun(crashed=True, detail=f"the REPL could not start: {e}")
        keep = False
        try:
            run = self._run(worker, imports, body, offset)
            worker.checks += 1
            keep = not (run.out_of_memory or worker.worn_out())
        except ReplFailure as e:
            detail = worker.stderr_tail()
            log.warning("REPL worker %s failed (%s); replacing it", worker.proc.pid, e)
            run = LeanRun(timed_out=e.kind == "timeout", crashed=e.kind == "crashed",
                          out_of_memory=e.kind == "crashed" and looks_out_of_memory(detail),
                          returncode=worker.proc.poll(), detail=detail or str(e))
        finally:
            self.workers.release(worker, keep)
        run.elapsed_ms = (time.perf_counter() - start) * 1000
        return run

    def _run(self, worker: ReplWorker, imports: tuple[str, ...], body: str,
             offset: int) -> LeanRun:
        payload: dict[str, Any] = {"cmd": body}
        if imports:
            env = worker.envs.get(imports)
            if env is None:
                header = "\n".join(f"import {m}" for m in imports)
                answer = parse_repl_response(
                    worker.request({"cmd": header}, self.config.header_timeout_s))
                for m in answer.messages:
                    m.line = m.column = None
                if answer.error or answer.env is None or any(
                        m.severity == "error" for m in answer.messages):
                    return LeanRun(messages=answer.messages, returncode=1,
                                   detail=answer.error or "the imports did not elaborate")
                env = worker.envs[imports] = answer.env
            payload["env"] = env
        answer = parse_repl_response(worker.request(payload, self.config.timeout_s), offset)
        if answer.error is not None:
            return LeanRun(returncode=1, detail=f"REPL: {answer.error}")
        oom = looks_out_of_memory(*(m.text for m in answer.messages if m.severity == "error"))
        return LeanRun(messages=answer.messages, sorries=answer.sorries, returncode=0,
                       out_of_memory=oom)

    def close(self) -> None:
        """Kill every idle worker; busy ones are killed when they come back."""
        self.workers.close()


_POOLS: SharedPools[ReplPool] = SharedPools()


def pool_for(config: LeanConfig) -> ReplPool:
    """The shared pool for a configuration (started on first use, closed at exit)."""
    return _POOLS.get(config.model_dump_json(), lambda: ReplPool(config))


def shutdown_pools() -> None:
    """Close every shared REPL pool."""
    _POOLS.close_all()
