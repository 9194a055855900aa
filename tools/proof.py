"""The outcome of a proof about formal texts: the property holds, fails, or was not decided.

Checkers say whether *one* text is consistent (`Verdict`); a `Proof` says
whether a property of texts holds — two problems are equivalent, a link adds
a constraint, a missing-domain version does not pin the dropped domain down.
`undecided` is never a pass: a time-out, text the prover cannot read, or
unknowns that do not match leave the property open, and callers fail closed.
Where the property fails, `counterexample` is an assignment that shows it.

Example: Proof(outcome="fails", prover="z3 4.13", reason="not equivalent",
               counterexample={"x": 3}, holds_in="original")
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Outcome = Literal["holds", "fails", "undecided"]
Value = int | bool | str


class Proof(BaseModel):
    """Whether a property of formal texts holds, by which prover, and the evidence."""

    outcome: Outcome
    prover: str
    reason: str = ""
    counterexample: dict[str, Value] | None = None
    holds_in: str | None = None  # which text the counterexample satisfies, where one does
    elapsed_ms: float = Field(0.0, exclude=True)

    @property
    def holds(self) -> bool:
        return self.outcome == "holds"

    def summary(self) -> str:
        """One line: outcome, prover and reason."""
        return f"{self.outcome} ({self.prover})" + (f": {self.reason}" if self.reason else "")


def shown(assignment: dict[str, Value] | None, limit: int = 12) -> str:
    """An assignment as people read it. Example: shown({"x": 3, "y": 0}) -> "x = 3, y = 0"."""
    if not assignment:
        return "(no values)"
    items = [f"{k} = {v}" for k, v in assignment.items()]
    return ", ".join(items[:limit]) + (f", … ({len(items) - limit} more)"
                                       if len(items) > limit else "")
