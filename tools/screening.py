"""What every screen of untrusted formal text shares: its result, its reasons, its characters.

A screen (Lean's in `lean_check/screen.py`, SMT-LIB's in `smt_check/screen.py`)
collects `(line, why)` problems and turns them into one `ScreenResult`
whose `reason` is the first problem in line order, one line. Invisible,
bidirectional and control characters are refused by both screens alike: they
make a text read differently than a parser reads it (and Z3's C API stops at
a NUL, hiding the rest of the text).
Trade-off: a character check is per line and reports only the first bad
character of each line; one is enough to refuse the text.

Example: screen_result([(3, "`echo` prints"), (0, "text too long")]).reason -> "text too long"
"""

from __future__ import annotations

import re
import unicodedata

from pydantic import BaseModel, Field

_SUSPECT = re.compile(r"[^\t\n\r\x20-\x7e]")  # all but tab, newline, CR and printable ASCII


class ScreenResult(BaseModel):
    """Whether untrusted text may run; `reason` is the first problem, one line."""

    ok: bool
    reason: str = ""
    problems: list[str] = Field(default_factory=list)


def screen_result(found: list[tuple[int, str]]) -> ScreenResult:
    """The result for `(line, why)` problems (line 0: the whole text), ordered by line."""
    ordered = sorted(found, key=lambda t: t[0])
    problems = list(dict.fromkeys((f"line {n}: {why}" if n else why) for n, why in ordered))
    return ScreenResult(ok=not problems, reason=problems[0] if problems else "", problems=problems)


def show(token: str) -> str:
    """A token as a reason quotes it: whitespace collapsed, at most 40 characters."""
    token = " ".join(token.split())
    return token if len(token) <= 40 else token[:37] + "..."


def invisible_characters(text: str) -> list[tuple[int, str]]:
    """Invisible, bidirectional and control characters (tab, CR and newline excepted).

    Only characters outside printable ASCII are looked up, so plain ASCII text costs one
    regular-expression scan.

    Example: invisible_characters("a\\n(assert\\u202e x)") ->
             [(2, "invisible or control character U+202E (RIGHT-TO-LEFT OVERRIDE)")]
    """
    out: list[tuple[int, str]] = []
    last_line = 0
    for m in _SUSPECT.finditer(text):
        c = m[0]
        cat = unicodedata.category(c)
        if cat in ("Cf", "Cs", "Zl", "Zp") or cat == "Cc":
            line_no = text.count("\n", 0, m.start()) + 1
            if line_no != last_line:
                out.append((line_no, f"invisible or control character U+{ord(c):04X} "
                                      f"({unicodedata.name(c, cat)})"))
                last_line = line_no
    return out
