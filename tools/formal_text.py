"""Formal text as the checks see it: comments stripped, boilerplate dropped.

Touchstones are matched against the comment-free text, so naming a domain in a
comment does not count as using it. Similarities are computed on the
*content* of a problem — comments, declarations of unknowns and solver
commands removed, whitespace collapsed — so two problems are compared by
their constraints, not by their commentary or bookkeeping (which also keeps
the text short enough to embed quickly).

A caption of a formal text must be English: `code_in_caption` finds the
formal text's declared unknowns or formal syntax in it.

Example: content_for_embedding("(declare-const x Int) ; x\\n(assert (> x 2))", SMTLIB2)
  -> "(assert (> x 2))"
"""

from __future__ import annotations

import re

from retrolean.memory.languages import FormalLanguage
from retrolean.tools.signatures import signature_of

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


_IDENTIFIER = re.compile(r"\b[A-Za-z]\w*_\w*\b|\b[A-Za-z]+\d+\b")
_CODE = re.compile(r"\((?:assert|declare-const|declare-fun|define-fun|check-sat)\b|:=|"
                   r"\b(?:abbrev|theorem|def)\s+\w+|\bby\s+(?:decide|omega|simp)\b")


def code_in_caption(caption: str, formal: str, language: FormalLanguage) -> str:
    """What in a caption is code rather than English ('' when nothing): an unknown the formal
    text declares, or formal syntax. Example: code_in_caption("colour_v0 is 2", smt, SMTLIB2)
    -> "identifier colour_v0" (when smt declares colour_v0)."""
    signature = signature_of(formal, language)
    declared = set(signature.names) if signature is not None else set()
    for m in _IDENTIFIER.finditer(caption):
        if m.group(0) in declared:
            return f"identifier {m.group(0)}"
    found = _CODE.search(caption)
    return f"formal syntax {found.group(0)!r}" if found else ""
