"""The formal checker as the model backend uses it: remembered verdicts and feedback.

The model backend checks each formal text it gets (so that a checker error can
go back to the model in a re-ask), and the stage checks the same text again
to record the verdict. `remember_verdicts` wraps the checker so the second
check is a lookup; `check_feedback` words a failed verdict for the model.

Trade-off: verdicts are remembered by exact text in a bounded LRU (1,024 by
default) in memory only; a verdict is cheap to redo for Z3 and the Lean REPL,
and a persistent store would have to know when the checker changed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from retrolean.tools.verdict import Verdict

Checker = Callable[[str, str], Verdict]  # (text, language) -> verdict
_NAMES = {"lean4": "Lean 4", "smtlib2": "SMT-LIB 2"}


def remember_verdicts(check: Checker, size: int = 1024) -> Checker:
    """The checker, answering a text it has checked before from memory (a copy each time).

    Example: check = remember_verdicts(make_checker(settings)); check(t, "smtlib2") twice
             runs Z3 once.
    """
    seen: OrderedDict[tuple[str, str], Verdict] = OrderedDict()
    lock = threading.Lock()

    def checked(text: str, language: str) -> Verdict:
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


def check_feedback(verdict: Verdict, language: str, limit: int = 5) -> str:
    """A failed verdict as the model should read it: status, reason, the first errors.

    Example: check_feedback(unsat_verdict, "smtlib2") -> "The SMT-LIB 2 checker rejected
             your text: unsat (z3 4.13): Z3 proves the constraints inconsistent. …"
    """
    lines = [f"The {_NAMES.get(language, language)} checker rejected your text: "
             f"{verdict.summary()}."]
    errors = [m for m in verdict.messages if m.severity == "error"][:limit]
    for message in errors:
        where = f"line {message.line}: " if message.line is not None else ""
        lines.append(f"- {where}{' '.join(message.text.split())[:300]}")
    if verdict.status == "unsat":
        lines.append("No assignment satisfies every constraint: change figures or links so "
                     "that a solution exists, and check your witness by hand.")
    elif verdict.sorry:
        lines.append("The witness theorem `problem_consistent` must be proved without sorry.")
    return "\n".join(lines)
