"""Read a formal text's signature: the unknowns it declares and their sorts.

SMT-LIB: the top-level `declare-const` and `declare-fun` commands, read with
a small s-expression reader (comments, string literals and `|quoted|` symbols
handled), nothing executed. Lean 4: the binders of `problem` (`abbrev` or
`def problem (x y : Int) : Prop`), the shape every prompt and the template
ask for. Trade-off: a Lean problem stated another way has no signature here,
and the caller treats it as unknowns that cannot be matched.

Example: smt_signature("(declare-const x Int)(assert (> x 2))").names -> ["x"]
"""

from __future__ import annotations

import re

from retrolean.memory.languages import FormalLanguage
from retrolean.memory.signature import Signature, Unknown

SExpr = str | list["SExpr"]

_TOKEN = re.compile(r'\s+|;[^\n]*|"(?:[^"]|"")*"|\|[^|]*\||[()]|[^\s();"|]+')
_LEAN_HEAD = re.compile(r"(?:abbrev|def)\s+problem\s*((?:\([^()]*\)\s*)*):\s*Prop\b")
_LEAN_BINDER = re.compile(r"\(([^():]+):\s*([^()]+)\)")
_LEAN_SORTS = {"Int": "Int", "ℤ": "Int", "Nat": "Nat", "ℕ": "Nat", "Bool": "Bool",
               "Prop": "Bool"}


def sexprs(text: str) -> list[SExpr]:
    """The top-level s-expressions of a text; ValueError on unbalanced parentheses.

    Example: sexprs("(a (b c)) ; note") -> [["a", ["b", "c"]]]
    """
    stack: list[list[SExpr]] = [[]]
    for m in _TOKEN.finditer(text):
        token = m.group(0)
        if token.isspace() or token.startswith(";"):
            continue
        if token == "(":
            stack.append([])
        elif token == ")":
            if len(stack) == 1:
                raise ValueError("unbalanced ')'")
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(token[1:-1] if token.startswith("|") else token)
    if len(stack) != 1:
        raise ValueError("unbalanced '('")
    return stack[0]


def written(expr: SExpr) -> str:
    """An s-expression written back as text. Example: written(["Array", "Int", "Int"])."""
    return expr if isinstance(expr, str) else "(" + " ".join(written(e) for e in expr) + ")"


def smt_signature(text: str) -> Signature:
    """The constants and functions an SMT-LIB 2 script declares; ValueError if unreadable."""
    out: list[Unknown] = []
    for command in sexprs(text):
        if not isinstance(command, list) or not command or not isinstance(command[0], str):
            continue
        head = command[0]
        if head == "declare-const" and len(command) == 3 and isinstance(command[1], str):
            out.append(Unknown(name=command[1], sort=written(command[2])))
        elif head == "declare-fun" and len(command) == 4 and isinstance(command[1], str):
            args = command[2]
            sort = written(command[3]) if args == [] else f"{written(args)} {written(command[3])}"
            out.append(Unknown(name=command[1], sort=sort))
    return Signature(unknowns=tuple(out))


def lean_signature(text: str) -> Signature | None:
    """The binders of `problem` in a Lean 4 text, or None where it has no such definition."""
    head = _LEAN_HEAD.search(text)
    if head is None:
        return None
    out = []
    for names, sort in _LEAN_BINDER.findall(head.group(1)):
        kind = _LEAN_SORTS.get(sort.strip(), sort.strip())
        out += [Unknown(name=n, sort=kind) for n in names.split()]
    return Signature(unknowns=tuple(out))


def signature_of(text: str, language: FormalLanguage) -> Signature | None:
    """The signature of a formal text, or None where it cannot be read."""
    if FormalLanguage(language) == FormalLanguage.LEAN4:
        return lean_signature(text)
    try:
        return smt_signature(text)
    except ValueError:
        return None
