"""Read SMT-LIB 2 text as Z3 reads it: tokens, then nested lists, then top-level commands.

SMT-LIB 2.6 lexing is followed: `;` comments run to the newline, string
literals escape a quote by doubling it (`"a ""b"" c"` holds `a "b" c`), `|quoted symbols|`
run to the next bar and name the same symbol as the bare word (`|echo|` is
`echo`), and only space, tab, CR and newline separate tokens. A comment or
a string that mentions a command is therefore not that command. Where Z3
versions read a text differently — a backslash before a quote in a string
(Z3 before 4.13 reads `\\"` as an escaped quote, SMT-LIB 2.6 as the end), a
backslash in a quoted symbol (older Z3 escapes a bar with it, newer Z3 refuses
it) — the reader reports a problem instead of guessing which reading runs.
A bare word must be a whole SMT-LIB symbol, keyword or number (`a:b`, `1x`,
`höhe` are problems): Z3 would split such a word into several tokens or
refuse it, and the screen must see the tokens Z3 sees. Reading is iterative,
so a deeply nested text cannot exhaust Python's stack; a depth limit refuses
it instead.
Trade-off: the first problem stops the reading (what follows an unclosed
string cannot be read reliably), so a text is reported one problem at a time.

Example: read_script('(echo "(exit)") ; (reset)').commands[0].head -> "echo"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from retrolean.tools.screening import show

AtomKind = Literal["symbol", "keyword", "string", "literal"]

_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\n]+)
  | (?P<comment>;[^\n]*)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<string>"(?:[^"]|"")*+")
  | (?P<quoted>\|[^|]*\|)
  | (?P<atom>[^ \t\r\n()";|]+)
  | (?P<unclosed>["|])
""", re.VERBOSE)
_SIMPLE = r"[A-Za-z~!@$%^&*_+=<>.?/-][A-Za-z0-9~!@$%^&*_+=<>.?/-]*"
_SYMBOL = re.compile(_SIMPLE)
_KEYWORD = re.compile(r"[A-Za-z0-9~!@$%^&*_+=<>.?/-]+")
_LITERAL = re.compile(r"[0-9]+(?:\.[0-9]+)?|#x[0-9A-Fa-f]+|#b[01]+")


@dataclass(slots=True)
class Atom:
    """One token that is not a parenthesis; `text` is a quoted symbol's name without bars."""

    kind: AtomKind
    text: str
    line: int
    quoted: bool = False


@dataclass(slots=True)
class SList:
    """A parenthesised list of atoms and lists."""

    items: list[Atom | SList]
    line: int


Node = Atom | SList


@dataclass(slots=True)
class Command:
    """One top-level list: its head symbol, its arguments and where it sits in the text."""

    head: str | None  # None when the list is empty or starts with something other than a symbol
    args: list[Node]
    line: int
    start: int
    end: int


@dataclass
class Script:
    """The commands of a text, and what kept it from being read cleanly (line, why)."""

    commands: list[Command] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def _atom(kind: str, text: str, line: int) -> Atom | None:
    """The atom a token stands for; None for a bare word Z3 would split or refuse."""
    if kind == "quoted":
        return Atom("symbol", text[1:-1], line, quoted=True)
    if kind == "string":
        return Atom("string", text[1:-1].replace('""', '"'), line)
    if text.startswith(":"):
        return Atom("keyword", text, line) if _KEYWORD.fullmatch(text, 1) else None
    if _SYMBOL.fullmatch(text):
        return Atom("symbol", text, line)
    return Atom("literal", text, line) if _LITERAL.fullmatch(text) else None


def read_script(text: str, max_depth: int = 256) -> Script:
    """The top-level commands of an SMT-LIB text, with the first reading problems found.

    Example: read_script("(assert (> x 0)))").problems -> [(1, "`)` closes nothing")]
    """
    line, last = 1, 0

    def line_at(pos: int) -> int:
        nonlocal line, last
        line += text.count("\n", last, pos)
        last = pos
        return line

    script = Script()
    stack: list[SList] = []
    start = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("space", "comment"):
            continue
        pos = m.start()
        if kind == "open":
            if len(stack) >= max_depth:
                script.problems.append((line_at(pos), f"nested deeper than {max_depth} levels"))
                return script
            if not stack:
                start = pos
            stack.append(SList([], line_at(pos)))
        elif kind == "close":
            if not stack:
                script.problems.append((line_at(pos), "`)` closes nothing"))
                return script
            done = stack.pop()
            if stack:
                stack[-1].items.append(done)
            else:
                script.commands.append(_command(done, start, m.end()))
        elif kind == "unclosed":
            what = "string literal" if m[0] == '"' else "quoted symbol"
            script.problems.append((line_at(pos), f"{what} is never closed"))
            return script
        else:
            assert kind is not None
            why = _ambiguous(kind, m[0])
            if why:
                script.problems.append((line_at(pos), why))
                return script
            atom = _atom(kind, m[0], line_at(pos))
            if atom is None:
                script.problems.append((line, f"`{show(m[0])}` is not an SMT-LIB symbol, "
                                              "keyword or number (write other names as |…|)"))
                return script
            if not stack:
                script.problems.append((atom.line, f"`{show(m[0])}` stands outside any command"))
                return script
            stack[-1].items.append(atom)
    if stack:
        script.problems.append((stack[0].line, "`(` is never closed"))
    return script


def _ambiguous(kind: str, token: str) -> str | None:
    if kind == "string" and '\\"' in token:
        return "a backslash before a quote in a string literal (Z3 versions read it differently)"
    if kind == "quoted" and "\\" in token:
        return "a backslash in a |quoted symbol| (Z3 versions read it differently)"
    return None


def _command(node: SList, start: int, end: int) -> Command:
    first = node.items[0] if node.items else None
    head = first.text if isinstance(first, Atom) and first.kind == "symbol" else None
    return Command(head=head, args=node.items[1:], line=node.line, start=start, end=end)


def walk(nodes: list[Node]) -> list[Atom]:
    """Every atom under the given nodes, depth first, without recursion."""
    out: list[Atom] = []
    stack: list[Node] = list(reversed(nodes))
    while stack:
        node = stack.pop()
        if isinstance(node, Atom):
            out.append(node)
        else:
            stack.extend(reversed(node.items))
    return out
