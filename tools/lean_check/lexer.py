"""Code views of Lean 4 text: comments and literal contents blanked, `«»` escapes opened.

The screen looks for dangerous tokens in these views, so a token inside a
comment or a string does not count, and a token that only *looks* commented
out does. Lean's lexer is followed where it matters: block comments nest,
`--` runs to the newline, strings end at an unescaped quote, char literals
like '"' hide nothing, `«IO»` names `IO`. Where Lean's behaviour depends
on context (is this string interpolated, as after s!, m!, throwError? which
letters continue an identifier before a quote?), one view is made per
reading and the screen takes the union of what any view shows. Raw strings
(r"…", r#"…"#) are read as every Lean 4 since 2023 reads them.
Trade-off: the union can refuse odd but harmless text (a plain string
containing `{IO}`); it never lets through text that one reading hides.

Example: code_view('#check 1 -- #eval x\\n"#eval"', Reading()) -> '#check 1  \\n"      "'
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Reading:
    """One way of reading ambiguous Lean text."""

    interpolated: bool = False  # strings' `{…}` hold code (as after s!, m!, throwError)
    wide_identifiers: bool = False  # any Unicode letter continues an identifier


_SPECIAL = re.compile("[-/\"r'«{}]")
READINGS = tuple(Reading(i, w) for i, w in itertools.product((False, True), repeat=2))


def lean_letter_like(c: str) -> bool:
    """Lean's extra identifier letters: Greek (not λ Π Σ), Coptic, letter-like, math alphabets."""
    v = ord(c)
    return ((0x3B1 <= v <= 0x3C9 and v != 0x3BB)
            or (0x391 <= v <= 0x3A9 and v not in (0x3A0, 0x3A3))
            or 0x3CA <= v <= 0x3FB or 0x1F00 <= v <= 0x1FFE or 0x2100 <= v <= 0x214F
            or 0x1D49C <= v <= 0x1D59F or 0x2080 <= v <= 0x209C or 0x1D62 <= v <= 0x1D6A)


def _ident_rest(c: str, wide: bool) -> bool:
    if c.isascii():
        return c.isalnum() or c in "_'!?"
    return c.isalnum() if wide else lean_letter_like(c)


def block_comment_end(text: str, start: int) -> int:
    """Index just past the nested block comment whose body starts at `start` (len if open)."""
    depth, j, n = 1, start, len(text)
    while j < n:
        pair = text[j:j + 2]
        if pair == "-/":
            depth -= 1
            j += 2
            if depth == 0:
                return j
        elif pair == "/-":
            depth += 1
            j += 2
        else:
            j += 1
    return n


def _char_literal_end(text: str, i: int) -> int | None:
    """Index past a char literal starting at `i` ('a', '\\n', '\\x41', '\\u03bb'), else None."""
    j = i + 1
    if j >= len(text):
        return None
    if text[j] == "\\":
        kind = text[j + 1:j + 2]
        j += {"x": 4, "u": 6}.get(kind, 2)
    else:
        j += 1
    return j + 1 if text[j:j + 1] == "'" else None


def _raw_string_end(text: str, i: int) -> int | None:
    """Index past a raw string r#…"…"#… starting at `i` (the `r`), else None."""
    j = i + 1
    while j < len(text) and text[j] == "#":
        j += 1
    if text[j:j + 1] != '"':
        return None
    close = '"' + "#" * (j - i - 1)
    end = text.find(close, j + 1)
    return len(text) if end < 0 else end + len(close)


def code_view(text: str, reading: Reading) -> str:
    """The text as code only: comments and literal contents become blanks, newlines stay."""
    out: list[str] = []
    n = len(text)
    i = 0
    depths: list[int] = []  # brace depth inside each open interpolation
    in_string = False

    def blank(a: int, b: int) -> str:
        return "\n" * text.count("\n", a, b)

    while i < n:
        if in_string:  # scanning the inside of a string literal
            j = i
            while j < n and text[j] != '"' and not (reading.interpolated and text[j] == "{"):
                j += 2 if text[j] == "\\" else 1
            out.append(blank(i, min(j, n)))
            if j >= n:
                break
            if text[j] == '"':
                out.append('"')
                in_string = False
            else:
                out.append("{")
                depths.append(0)
                in_string = False
            i = j + 1
            continue
        c = text[i]
        prev = text[i - 1] if i else " "
        if c == "-" and text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            out.append(" ")
        elif c == "/" and text.startswith("/-", i):
            body = i + 3 if text[i + 2:i + 3] in ("-", "!") else i + 2
            j = block_comment_end(text, body)
            out.append(" " + blank(i, j))
            i = j
        elif c == '"':
            out.append('"')
            in_string = True
            i += 1
        elif (c == "r" and not _ident_rest(prev, reading.wide_identifiers)
              and (j := _raw_string_end(text, i)) is not None):
            out.append('""' + blank(i, j))
            i = j
        elif (c == "'" and not _ident_rest(prev, reading.wide_identifiers)
              and text[i + 1:i + 2] != "'" and (j := _char_literal_end(text, i)) is not None):
            out.append("' '")
            i = j
        elif c == "«":
            j = text.find("»", i + 1)
            j = n if j < 0 else j
            out.append(text[i + 1:j])
            i = j + 1
        elif c == "{" and depths:
            depths[-1] += 1
            out.append(c)
            i += 1
        elif c == "}" and depths:
            if depths[-1] == 0:
                depths.pop()
                in_string = True
            else:
                depths[-1] -= 1
            out.append(c)
            i += 1
        else:
            m = _SPECIAL.search(text, i + 1)
            j = m.start() if m else n
            out.append(text[i:j])
            i = j
    return "".join(out)


def code_views(text: str) -> list[str]:
    """The distinct code views of `text`, one per reading of its ambiguities."""
    seen: dict[str, None] = {}
    for reading in READINGS:
        seen.setdefault(code_view(text, reading))
    return list(seen)
