"""Symbolic domain presence: do a domain's touchstones occur in a formal text?

Comments are stripped first, so naming a domain in a comment does not count
as using it. Patterns are case-sensitive regexes as written in the catalog.

Example: touchstones_present("(declare-const colour_v0 Int) ; primes",
                             ["\\bprime_\\w+"], "smtlib2") -> False
"""

from __future__ import annotations

import re

from retrolean.memory.languages import FormalLanguage
from retrolean.tools.formal_text import strip_comments


def matching_touchstones(text: str, patterns: list[str], language: FormalLanguage
                         ) -> list[str]:
    """The patterns that occur in the comment-free text."""
    body = strip_comments(text, language)
    return [p for p in patterns if re.search(p, body)]


def touchstones_present(text: str, patterns: list[str], language: FormalLanguage) -> bool:
    """Whether at least one touchstone occurs in the comment-free text."""
    return bool(matching_touchstones(text, patterns, language))
