"""Symbolic domain presence: do a domain's touchstones occur in a formal text?

Comments are stripped first, so naming a domain in a comment does not count
as using it. Patterns are case-sensitive regexes as written in the catalog.

Example: touchstones_present("(declare-const colour_v0 Int) ; primes",
                             ["\\bprime_\\w+"], "smtlib2") -> False
"""

from __future__ import annotations

import re

_SMT_COMMENT = re.compile(r";[^\n]*")
_LEAN_LINE_COMMENT = re.compile(r"--[^\n]*")
_LEAN_BLOCK_COMMENT = re.compile(r"/-.*?-/", re.DOTALL)


def strip_comments(text: str, language: str) -> str:
    """The formal text without its comments (SMT-LIB `;`, Lean `--` and `/- -/`)."""
    if language == "lean4":
        return _LEAN_LINE_COMMENT.sub("", _LEAN_BLOCK_COMMENT.sub("", text))
    return _SMT_COMMENT.sub("", text)


def matching_touchstones(text: str, patterns: list[str], language: str) -> list[str]:
    """The patterns that occur in the comment-free text."""
    body = strip_comments(text, language)
    return [p for p in patterns if re.search(p, body)]


def touchstones_present(text: str, patterns: list[str], language: str) -> bool:
    """Whether at least one touchstone occurs in the comment-free text."""
    return bool(matching_touchstones(text, patterns, language))
