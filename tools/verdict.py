"""The verdict of a formal checker (Z3 for SMT-LIB, Lean 4), shared by every checker.

A verdict says whether the text checked, why not, what the checker said, and
which checker (name and version) said it. A witness — an assignment that
satisfies the problem — travels with it where the checker found one.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Severity = Literal["error", "warning", "information"]
Status = Literal["ok", "sat", "unsat", "unknown", "timeout", "error", "refused"]


class CheckMessage(BaseModel):
    """One message of the checker, with its position where known (1-based line, 0-based column)."""

    severity: Severity
    text: str
    line: int | None = None
    column: int | None = None


class Verdict(BaseModel):
    """Whether a formal text checks: `ok` plus the evidence."""

    ok: bool
    status: Status
    checker: str
    screen: str = ""  # the screen the text went through first, with its version ("" if none)
    reason: str = ""
    messages: list[CheckMessage] = Field(default_factory=list)
    witness: dict[str, int] | None = None
    sorry: bool = False
    elapsed_ms: float = Field(0.0, exclude=True)  # timing goes to the trace, not the record

    def summary(self) -> str:
        """One line: status, checker and reason."""
        tail = f": {self.reason}" if self.reason else ""
        return f"{self.status} ({self.checker}){tail}"
