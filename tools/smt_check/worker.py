"""One Z3 worker process: a JSON request per line on stdin, a JSON answer per line on stdout.

`pool.py` starts it as `python -P -B worker.py MEMORY_MB` in a fresh scratch
directory. Before it reads any request it limits itself for good (soft and
hard limits lowered together, so nothing it runs later can raise them):
address space to its size after start-up plus MEMORY_MB, file size to 0
(writing into any regular file fails, SIGXFSZ ignored so Z3 sees an error
instead of dying), no core dumps; Z3's own `memory_max_size` is MEMORY_MB.
Where the kernel offers Landlock (Linux 5.13+) it also gives up opening any
file at all, for reading or writing; its first line says whether it did.
Each request gets a fresh Z3 context and a plain-SMT-core solver under the
request's step budget and wall-clock backstop (`budget.py`: an answer that
does not depend on the clock or the load), so a check leaves nothing behind
for the next one.
It imports only the standard library, z3 and `budget.py` beside it, and is run
as a file, not as part of the package, so it starts in about the time
`import z3` takes.
Trade-off: the limits are process-wide, which is why checks run in separate
worker processes rather than in the caller's.

Request: {"text": "(declare-const x Int)(assert (> x 2))", "timeout_ms": 5000}
         (the budget of `budget.Budget.of(timeout_ms)`)
Answer:  {"status": "sat", "witness": {"x": 3}}; or "unsat"; or "unknown" with "why"
         (`budget.OUT_OF_STEPS`, `budget.PAST_BACKSTOP` or Z3's reason);
         or "error" with Z3's "error" text.
First line out: {"ready": true, "z3": "4.13.4", "confined": "landlock 3"}.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sys
from typing import Any, TextIO

import z3

if __name__ == "__main__":  # run as a file: its sibling `budget.py` is not on the path
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from budget import Budget, budgeted_solver, decide  # type: ignore[import-not-found]
else:
    from retrolean.tools.smt_check.budget import Budget, budgeted_solver, decide

# Landlock (Linux 5.13+): the same system call numbers on every architecture.
_CREATE_RULESET, _RESTRICT_SELF = 444, 446
_PR_SET_NO_NEW_PRIVS = 38
# execute, write, read, read dir, remove dir/file, make char/dir/reg/sock/fifo/block/sym
_FS_ACCESS_V1 = (1 << 13) - 1
_FS_REFER, _FS_TRUNCATE = 1 << 13, 1 << 14


def _address_space_now() -> int:
    """This process's virtual size in bytes (0 where /proc is absent)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def forbid_files() -> str:
    """Forbid opening any file from now on (Landlock), where the kernel offers it.

    Returns what now confines the process, e.g. "landlock 3", or "" where nothing does.
    """
    if not sys.platform.startswith("linux"):
        return ""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(ctypes.c_long(_CREATE_RULESET), None, ctypes.c_size_t(0),
                       ctypes.c_uint32(1))
    if abi < 1:
        return ""
    access = _FS_ACCESS_V1 | (_FS_REFER if abi >= 2 else 0) | (_FS_TRUNCATE if abi >= 3 else 0)
    handled = ctypes.c_uint64(access)  # struct landlock_ruleset_attr, first member only
    fd = libc.syscall(ctypes.c_long(_CREATE_RULESET), ctypes.byref(handled),
                      ctypes.c_size_t(ctypes.sizeof(handled)), ctypes.c_uint32(0))
    if fd < 0:
        return ""
    try:
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return ""
        if libc.syscall(ctypes.c_long(_RESTRICT_SELF), ctypes.c_int(fd), ctypes.c_uint32(0)):
            return ""
    finally:
        os.close(fd)
    return f"landlock {abi}"


def limit(memory_mb: int) -> None:
    """Lower this process's limits for good: memory, file size, core dumps."""
    z3.set_param("memory_max_size", memory_mb)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    base = _address_space_now()
    if base:
        cap = base + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def witness(model: z3.ModelRef) -> dict[str, int]:
    """The model's integer constants, by name."""
    out: dict[str, int] = {}
    for decl in model.decls():
        if decl.arity() != 0:
            continue
        value = model[decl]
        if z3.is_int_value(value):
            out[decl.name()] = value.as_long()
    return dict(sorted(out.items()))


def check(text: str, timeout_ms: int, memory_mb: int) -> dict[str, Any]:
    """Decide one (already screened) text within the budget for `timeout_ms`."""
    budget = Budget.of(timeout_ms)
    solver = budgeted_solver(z3.Context(), budget)
    solver.set("max_memory", int(memory_mb))
    try:
        solver.from_string(text)
    except z3.Z3Exception as e:
        raw = e.value.decode(errors="replace") if isinstance(e.value, bytes) else str(e.value)
        return {"status": "error", "error": raw}
    if not solver.assertions():
        return {"status": "empty"}
    result, why = decide(solver, budget)
    if result == z3.sat:
        return {"status": "sat", "witness": witness(solver.model())}
    if result == z3.unsat:
        return {"status": "unsat"}
    if "memory" in why:  # Z3 ran out: this worker is not to be trusted with another check
        return {"status": "memory"}
    return {"status": "unknown", "why": why}


def answer_channel() -> TextIO:
    """A copy of stdout for answers; stdout itself then goes to stderr.

    Whatever Z3 prints on its own (an `echo`, an error) therefore cannot be taken for an
    answer.
    """
    answers = os.fdopen(os.dup(1), "w", encoding="ascii")
    os.dup2(2, 1)
    return answers


def serve(answers: TextIO, memory_mb: int, confined: str) -> None:
    """Answer requests until stdin closes; exit after an allocation failure."""

    def say(obj: dict[str, Any]) -> None:
        answers.write(json.dumps(obj) + "\n")
        answers.flush()

    say({"ready": True, "z3": z3.get_version_string(), "confined": confined})
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = check(request["text"], request["timeout_ms"], memory_mb)
        except MemoryError:
            say({"status": "memory"})
            return
        say(answer)


if __name__ == "__main__":
    mb = int(sys.argv[1])
    limit(mb)
    channel = answer_channel()  # opened before files are forbidden
    serve(channel, mb, forbid_files())
