"""Formal text as the checks see it: comments stripped, boilerplate dropped.

Touchstones are matched against the comment-free text, so naming a domain in a
comment does not count as using it. Similarities are computed on the
*content* of a problem — comments, declarations of unknowns and solver
commands removed, whitespace collapsed — so two problems are compared by
their constraints, not by their commentary or bookkeeping (which also keeps
the text short enough to embed quickly).

Example: content_for_embedding("(declare-const x Int) ; x\\n(assert (> x 2))", SMTLIB2)
  -> "(assert (> x 2))"
"""

from __future__ import annotations

import re

from retrolean.memory.languages import FormalLanguage

_SMT_COMMENT = re.compile(r";[^\n]*")
_LEAN_LINE_COMMENT = re.compile(r"--[^\n]*")
_LEAN_BLOCK_COMMENT = re.compile(r"/-.*?-/", re.DOTALL)
_SMT_BOILERPLATE = re.compile(
    r"^\s*\((?:declare-const|declare-fun|set-logic|set-option|set-info|check-sat|get-model|"
    r"get-value|exit)\b.*$", re.MULTILINE)


def strip_comments(text: str, language: FormalLanguage) -> str:
    """The formal text without its comments (SMT-LIB `;`, Lean `--` and `/- -/`)."""
    if language == FormalLanguage.LEAN4:
        return _LEAN_LINE_COMMENT.sub("", _LEAN_BLOCK_COMMENT.sub("", text))
    return _SMT_COMMENT.sub("", text)


def content_for_embedding(text: str, language: FormalLanguage) -> str:
    """The problem's content: no comments, no declarations or solver commands, one line."""
    body = strip_comments(text, language)
    if language != FormalLanguage.LEAN4:
        body = _SMT_BOILERPLATE.sub("", body)
    return " ".join(body.split())
