"""smt_check: decide an SMT-LIB 2 problem with Z3, under a time limit.

`sat` is a pass and carries Z3's model (integer constants only) as the
witness; `unsat`, `unknown`/timeout and parse errors are failures with the
reason. Each check gets its own Z3 context, so checks may run in threads.
Concession: SMT-LIB cannot run code, so untrusted text is only size-checked;
Z3's own `timeout` and `memory_max_size` bound the work.

Example: smt_check("(declare-const x Int)(assert (> x 2))").witness -> {"x": 3}
"""

from __future__ import annotations

import re
import time

import z3

from retrolean.tools.verdict import CheckMessage, Verdict

MAX_TEXT_CHARS = 200_000
CHECKER = f"z3 {z3.get_version_string()}"
_ERROR_LINE = re.compile(r'\(error "line (\d+) column (\d+): (.*)"\)')


def smt_check(text: str, timeout_ms: int = 5000, memory_mb: int = 2048) -> Verdict:
    """Check SMT-LIB 2 text: ok when Z3 finds it satisfiable within the limits."""
    start = time.perf_counter()

    def verdict(**kw) -> Verdict:
        return Verdict(checker=CHECKER, elapsed_ms=(time.perf_counter() - start) * 1000, **kw)

    if len(text) > MAX_TEXT_CHARS:
        return verdict(ok=False, status="refused",
                       reason=f"text longer than {MAX_TEXT_CHARS} characters")
    if not text.strip():
        return verdict(ok=False, status="error", reason="empty formal text")
    ctx = z3.Context()
    solver = z3.Solver(ctx=ctx)
    solver.set("timeout", int(timeout_ms))
    solver.set("max_memory", int(memory_mb))
    try:
        solver.from_string(text)
    except z3.Z3Exception as e:
        messages = parse_errors(e)
        return verdict(ok=False, status="error", messages=messages,
                       reason=messages[0].text if messages else "Z3 could not parse the text")
    if not solver.assertions():
        return verdict(ok=False, status="error", reason="no assertions: nothing to check")
    result = solver.check()
    if result == z3.sat:
        return verdict(ok=True, status="sat", witness=_witness(solver.model()))
    if result == z3.unsat:
        return verdict(ok=False, status="unsat", reason="Z3 proves the constraints inconsistent")
    why = solver.reason_unknown()
    status = "timeout" if ("timeout" in why or "canceled" in why) else "unknown"
    limit = f" after {timeout_ms} ms" if status == "timeout" else ""
    return verdict(ok=False, status=status, reason=f"Z3 gave up{limit}: {why}")


def parse_errors(e: z3.Z3Exception) -> list[CheckMessage]:
    """Z3's `(error "line L column C: …")` lines as structured messages."""
    raw = e.value.decode() if isinstance(e.value, bytes) else str(e.value)
    out = [
        CheckMessage(severity="error", line=int(m[1]), column=int(m[2]), text=m[3])
        for m in _ERROR_LINE.finditer(raw)
    ]
    return out or [CheckMessage(severity="error", text=raw.strip() or "Z3 error")]


def _witness(model: z3.ModelRef) -> dict[str, int]:
    out: dict[str, int] = {}
    for decl in model.decls():
        if decl.arity() != 0:
            continue
        value = model[decl]
        if z3.is_int_value(value):
            out[decl.name()] = value.as_long()
    return dict(sorted(out.items()))
