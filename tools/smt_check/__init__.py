"""smt_check: is an SMT-LIB 2 text satisfiable? Screened, then decided by Z3 under limits.

`smt_check(text)` screens the untrusted text first (`screen.py`: only
declarations, definitions, assertions and one final `check-sat` pass; a
refused text never reaches Z3), then hands the screened commands to a Z3
worker process (`pool.py`, `worker.py`) that runs in a scratch directory
with a step budget (`budget.py`: the same answer on any load), a wall-clock
backstop, a memory limit and no right to write files, none of which the text
can lift. `sat` is a pass and carries Z3's model (integer
constants only) as the witness; `unsat`, `unknown`, a time-out, a parse
error and a refusal are failures with the reason. Every verdict names its
checker ("z3 4.13.4", or "smt-screen 1" for a refusal) and the screen it
went through (`screen`).

Example: smt_check("(declare-const x Int)(assert (> x 2))(check-sat)").witness -> {"x": 3}
"""

from __future__ import annotations

import logging
import re
import time

from retrolean.tools.smt_check.budget import gave_up, out_of_budget
from retrolean.tools.smt_check.pool import WorkerFailure, deadline_s, pool_for, shutdown_pools
from retrolean.tools.smt_check.screen import (
    MAX_CHARS,
    SCREEN_VERSION,
    SmtScreenResult,
    screen,
)
from retrolean.tools.verdict import CheckMessage, Verdict

__all__ = ["MAX_CHARS", "SCREEN_CHECKER", "SmtScreenResult", "parse_errors", "screen",
           "shutdown_pools", "smt_check"]

log = logging.getLogger(__name__)

SCREEN_CHECKER = f"smt-screen {SCREEN_VERSION}"
_ERROR_LINE = re.compile(r'\(error "line (\d+) column (\d+): (.*)"\)')


def smt_check(text: str, timeout_ms: int = 5000, memory_mb: int = 2048) -> Verdict:
    """Screen, then check SMT-LIB 2 text: ok when Z3 finds it satisfiable within the limits."""
    start = time.perf_counter()

    def verdict(checker: str, **kw) -> Verdict:
        return Verdict(checker=checker, screen=SCREEN_CHECKER,
                       elapsed_ms=(time.perf_counter() - start) * 1000, **kw)

    if not text.strip():
        return verdict(SCREEN_CHECKER, ok=False, status="error", reason="empty formal text")
    screened = screen(text)
    if not screened.ok:
        log.info("refused SMT-LIB text: %s", screened.reason)
        return verdict(SCREEN_CHECKER, ok=False, status="refused", reason=screened.reason)
    try:
        answer, version = pool_for(memory_mb).check(screened.z3_text, timeout_ms)
    except WorkerFailure as e:
        if e.kind == "timeout":
            return verdict("z3", ok=False, status="timeout",
                           reason=f"Z3 did not answer within {deadline_s(timeout_ms):g} s "
                                  "and was stopped")
        return verdict("z3", ok=False, status="error",
                       reason=f"Z3 failed: {e.detail or e.kind}")
    checker = f"z3 {version}"
    status = answer.get("status")
    if status == "sat":
        witness = {str(k): int(v) for k, v in answer.get("witness", {}).items()}
        return verdict(checker, ok=True, status="sat", witness=witness)
    if status == "unsat":
        return verdict(checker, ok=False, status="unsat",
                       reason="Z3 proves the constraints inconsistent")
    if status == "error":
        messages = parse_errors(str(answer.get("error", "")))
        return verdict(checker, ok=False, status="error", messages=messages,
                       reason=messages[0].text)
    if status == "empty":
        return verdict(checker, ok=False, status="error", reason="no assertions: nothing to check")
    if status == "memory":
        return verdict(checker, ok=False, status="error",
                       reason=f"Z3 ran out of memory (limit {memory_mb} MB)")
    why = str(answer.get("why", ""))
    if "memory" in why:
        return verdict(checker, ok=False, status="error",
                       reason=f"Z3 ran out of memory (limit {memory_mb} MB)")
    return verdict(checker, ok=False, status="timeout" if out_of_budget(why) else "unknown",
                   reason=gave_up(why, timeout_ms))


def parse_errors(raw: str) -> list[CheckMessage]:
    """Z3's `(error "line L column C: …")` lines as structured messages."""
    out = [
        CheckMessage(severity="error", line=int(m[1]), column=int(m[2]), text=m[3])
        for m in _ERROR_LINE.finditer(raw)
    ]
    return out or [CheckMessage(severity="error", text=raw.strip() or "Z3 error")]
