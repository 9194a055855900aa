"""The formal checkers as one function per run, and the tool that reads each language.

`smt_check` decides SMT-LIB 2 with Z3; `lean_check` screens and checks Lean 4
with Lean. `CHECKER_LANGUAGE` says which language each checker tool reads,
`formal_checker` builds the `(text, language) -> Verdict` function a run checks
with (Z3's time limit, Lean's configuration and the witness policy applied),
and `remember_verdicts` answers a text checked before from memory.

Trade-off: verdicts are remembered by exact text in a bounded LRU (1,024 by
default), in memory only: the model backend checks each answer while asking
(a checker error goes back to the model in a re-ask) and the stage then
checks the same text to record its verdict, so the second check is a lookup;
a verdict is cheap to redo for Z3 and the Lean REPL, and a persistent store
would have to know when the checker changed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from retrolean.memory.languages import FormalLanguage
from retrolean.tools.lean_check import WITNESS_POLICY, LeanConfig, lean_check
from retrolean.tools.smt_check import smt_check
from retrolean.tools.verdict import Verdict

Checker = Callable[[str, FormalLanguage], Verdict]  # (text, language) -> verdict

CHECKER_LANGUAGE: dict[str, FormalLanguage] = {
    "smt_check": FormalLanguage.SMTLIB2,
    "lean_check": FormalLanguage.LEAN4,
}


def checker_tool(language: FormalLanguage) -> str:
    """The checker tool that reads a language. Example: checker_tool(LEAN4) -> "lean_check"."""
    return next(tool for tool, reads in CHECKER_LANGUAGE.items() if reads == language)


def formal_checker(z3_timeout_ms: int, lean: LeanConfig) -> Checker:
    """The run's checker: Z3 for SMT-LIB 2, Lean (screened, witness policy) for Lean 4."""

    def check(text: str, language: FormalLanguage) -> Verdict:
        if language == FormalLanguage.LEAN4:
            return lean_check(text, policy=WITNESS_POLICY, config=lean)
        return smt_check(text, timeout_ms=z3_timeout_ms)

    return check


def remember_verdicts(check: Checker, size: int = 1024) -> Checker:
    """The checker, answering a text it has checked before from memory (a copy each time).

    Example: check = remember_verdicts(formal_checker(5000, LeanConfig()));
             check(t, FormalLanguage.SMTLIB2) twice runs Z3 once.
    """
    seen: OrderedDict[tuple[str, FormalLanguage], Verdict] = OrderedDict()
    lock = threading.Lock()

    def checked(text: str, language: FormalLanguage) -> Verdict:
        key = (text, language)
        with lock:
            hit = seen.get(key)
            if hit is not None:
                seen.move_to_end(key)
                return hit.model_copy(deep=True)
        verdict = check(text, language)
        with lock:
            seen[key] = verdict.model_copy(deep=True)
            while len(seen) > size:
                seen.popitem(last=False)
        return verdict

    return checked
