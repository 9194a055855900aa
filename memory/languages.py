"""The formal languages a problem can be written in, named once for every room.

It lives in `memory`, the bottom layer, for the reason `UserError` does: the
name is shared vocabulary. Skills render problems in it and tools check them
in it, and those two rooms may not import each other; records, plans, traces
and the command line all spell it too. A `StrEnum`, so each member *is* its
string: records, JSON files and flags keep reading and writing "smtlib2" and
"lean4", and comparisons with those strings still hold.

Example: FormalLanguage("lean4").label -> "Lean 4"; FormalLanguage.SMTLIB2.fence -> "smt2"
"""

from __future__ import annotations

from enum import StrEnum


class FormalLanguage(StrEnum):
    """A formal language: SMT-LIB 2 (decided by Z3) or Lean 4 (checked by Lean)."""

    SMTLIB2 = "smtlib2"
    LEAN4 = "lean4"

    @property
    def label(self) -> str:
        """The name people read. Example: FormalLanguage.SMTLIB2.label -> "SMT-LIB 2"."""
        return _LABELS[self]

    @property
    def fence(self) -> str:
        """The Markdown fence tag for code in this language. Example: LEAN4.fence -> "lean"."""
        return _FENCES[self]


_LABELS = {FormalLanguage.SMTLIB2: "SMT-LIB 2", FormalLanguage.LEAN4: "Lean 4"}
_FENCES = {FormalLanguage.SMTLIB2: "smt2", FormalLanguage.LEAN4: "lean"}
