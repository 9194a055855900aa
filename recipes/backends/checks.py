"""A failed formal verdict worded for the model, so a re-ask can show it what went wrong.

The model backend checks each formal text it gets (with the run's checker,
`retrolean.tools.checkers`), and a text that fails goes back to the model
with `check_feedback`: the checker's status and reason, then its first errors.
"""

from __future__ import annotations

from retrolean.memory.languages import FormalLanguage
from retrolean.tools.verdict import Verdict


def check_feedback(verdict: Verdict, language: FormalLanguage, limit: int = 5) -> str:
    """A failed verdict as the model should read it: status, reason, the first errors.

    Example: check_feedback(unsat_verdict, FormalLanguage.SMTLIB2) -> "The SMT-LIB 2 checker
             rejected your text: unsat (z3 4.13): Z3 proves the constraints inconsistent. …"
    """
    name = FormalLanguage(language).label
    lines = [f"The {name} checker rejected your text: {verdict.summary()}."]
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
