"""Read SMT-LIB 2 text as Z3 reads it: tokens, then nested lists, then top-level commands.

SMT-LIB 2.6 lexing is followed: `;` comments run to the newline, string
literals escape a quote by doubling it (`"a ""b"" c"` holds `a "b" c`),
`|quoted symbols|` run to the next bar and name the same symbol as the bare
word (`|echo|` is `echo`), and only space, tab, CR and newline separate
tokens. A comment or a string that mentions a command is therefore not that
command. Where Z3 releases read a text differently — a backslash before a
quote in a string (older Z3 reads `\\"` as an escaped quote, SMT-LIB 2.6 and
Z3 5 as the end of the string), a backslash in a quoted symbol (older Z3
escapes a bar with it, Z3 5 refuses it) — the reader reports a problem
instead of guessing which reading runs.
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

import bisect
import re
from dataclasses import dataclass, field
from typing import Literal

from retrolean.tools.screening import show

AtomKind = Literal["symbol", "keyword", "string", "literal"]

_WORD_END = r"(?![^ \t\r\n()\";|])"  # a bare word ends at a separator, a quote, a bar or `;`
_TOKEN = re.compile(rf"""
    (?P<space>[ \t\r\n]+)
  | (?P<comment>;[^\n]*)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<string>"(?:[^"]|"")*+")
  | (?P<quoted>\|[^|]*\|)
  | (?P<symbol>[A-Za-z~!@$%^&*_+=<>.?/-][0-9A-Za-z~!@$%^&*_+=<>.?/-]*+){_WORD_END}
  | (?P<keyword>:[0-9A-Za-z~!@$%^&*_+=<>.?/-]++){_WORD_END}
  | (?P<literal>[0-9]++(?:\.[0-9]++)?|\#x[0-9A-Fa-f]++|\#b[01]++){_WORD_END}
  | (?P<word>[^ \t\r\n()";|]+)
  | (?P<unclosed>["|])
""", re.VERBOSE)


@dataclass(slots=True)
class Atom:
    """One token that is not a parenthesis; `text` is a quoted symbol's name without bars."""

    kind: AtomKind
    text: str
    pos: int
    quoted: bool = False


@dataclass(slots=True)
class SList:
    """A parenthesised list of atoms and lists; `pos` is where its `(` stands."""

    items: list[Atom | SList]
    pos: int


Node = Atom | SList


@dataclass(slots=True)
class Command:
    """One top-level list: its head symbol, its arguments and where it sits in the text."""

    head: str | None  # None when the list is empty or starts with something other than a symbol
    args: list[Node]
    start: int
    end: int


@dataclass
class Script:
    """The commands of a text, and what kept it from being read cleanly (offset, why)."""

    text: str
    commands: list[Command] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    _breaks: list[int] | None = None

    def line_of(self, pos: int) -> int:
        """The 1-based line of an offset into the text."""
        if self._breaks is None:
            self._breaks = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._breaks, pos) + 1


def read_script(text: str, max_depth: int = 256) -> Script:
    """The top-level commands of an SMT-LIB text, with the first reading problem found.

    Example: read_script("(assert (> x 0)))").problems -> [(16, "`)` closes nothing")]
    """
    script = Script(text)
    stack: list[SList] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "space" or kind == "comment":
            continue
        pos = m.start()
        if kind == "open":
            if len(stack) >= max_depth:
                script.problems.append((pos, f"nested deeper than {max_depth} levels"))
                return script
            stack.append(SList([], pos))
            continue
        if kind == "close":
            if not stack:
                script.problems.append((pos, "`)` closes nothing"))
                return script
            done = stack.pop()
            if stack:
                stack[-1].items.append(done)
            else:
                script.commands.append(_command(done, m.end()))
            continue
        token = m[0]
        if kind == "symbol" or kind == "keyword" or kind == "literal":
            atom = Atom(kind, token, pos)  # type: ignore[arg-type]
        elif kind == "string":
            if '\\"' in token:
                script.problems.append((pos, "a backslash before a quote in a string literal "
                                             "(Z3 versions read it differently)"))
                return script
            atom = Atom("string", token[1:-1].replace('""', '"'), pos)
        elif kind == "quoted":
            if "\\" in token:
                script.problems.append((pos, "a backslash in a |quoted symbol| (Z3 versions "
                                             "read it differently)"))
                return script
            atom = Atom("symbol", token[1:-1], pos, quoted=True)
        elif kind == "word":
            script.problems.append((pos, f"`{show(token)}` is not an SMT-LIB symbol, keyword or "
                                         "number (write other names as |…|)"))
            return script
        else:
            what = "string literal" if token == '"' else "quoted symbol"
            script.problems.append((pos, f"{what} is never closed"))
            return script
        if not stack:
            script.problems.append((pos, f"`{show(token)}` stands outside any command"))
            return script
        stack[-1].items.append(atom)
    if stack:
        script.problems.append((stack[0].pos, "`(` is never closed"))
    return script


def _command(node: SList, end: int) -> Command:
    first = node.items[0] if node.items else None
    head = first.text if isinstance(first, Atom) and first.kind == "symbol" else None
    return Command(head=head, args=node.items[1:], start=node.pos, end=end)


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
