"""Refuse untrusted SMT-LIB text before Z3 sees it, with a one-line reason; else say what may run.

Z3 executes a script's commands: `(set-option :regular-output-channel "f")`
then `(echo …)` writes a file, and `exit`, `push`/`pop`, `reset` or
`reset-assertions` hide a contradiction so that an inconsistent text comes
out sat. So the text is read as Z3 reads it (`reader.py`: comments and
strings neither hide nor fake a command) and only an allow-list of commands
passes: `set-logic`, `set-info` (atom values), `set-option` with a harmless
option, declarations and definitions of constants, functions, sorts and
datatypes, `assert`, then exactly one `check-sat` as the last command that
changes state, then optionally `get-model` / `get-value`. Names SMT-LIB
already defines (`<`, `and`, `true`, …) may not be declared again or bound,
attributes inside terms come from an allow-list (`:named`, `:pattern`, …),
bare words are SMT-LIB symbols, keywords or numbers (so Z3 splits no token
differently and no look-alike poses as a command), and invisible or control
characters are refused anywhere (Z3's C API stops at a NUL, hiding what
follows), as is a carriage return without a newline (an editor shows a new
line there; Z3 reads on, e.g. inside a comment).
What passes is handed on as `z3_text`: only the declarations, definitions and
assertions, everything else blanked with lines and columns kept, so no
option, query or `check-sat` ever reaches Z3 and its error positions still
match the text.
Trade-off: strict by design. Recursive definitions (`define-fun-rec`) are
refused: Z3 decides them incompletely and the problems here never need them;
datatypes are let through, being declarations that run nothing and the
natural way to state a finite domain (colours, notes, days).

Example: screen('(echo "hi")').reason -> "line 1: `echo` prints text, which an output-channel
         option sends to a file"
"""

from __future__ import annotations

import re

from retrolean.tools.screening import ScreenResult, invisible_characters, screen_result, show
from retrolean.tools.smt_check.reader import Atom, Command, SList, read_script, walk

SCREEN_VERSION = "1"
MAX_CHARS = 200_000
MAX_DEPTH = 256

KEPT = frozenset({"declare-const", "declare-fun", "declare-sort", "declare-datatype",
                  "declare-datatypes", "define-fun", "define-sort", "define-const", "assert"})
"""Commands handed to Z3: they declare, define or assert, and run nothing."""

OPTIONS = frozenset({":produce-models", ":produce-assignments", ":produce-unsat-cores",
                     ":produce-unsat-assumptions", ":produce-proofs", ":print-success"})
"""Options a text may set (to `true` or `false`); none changes the answer, none reaches Z3."""

ATTRIBUTES = frozenset({":named", ":pattern", ":no-pattern", ":weight", ":qid", ":skolemid"})
"""Attributes a term may carry in `(! term :attribute value)`."""

RESERVED = frozenset({
    "true", "false", "not", "and", "or", "xor", "=>", "=", "distinct", "ite", "let", "forall",
    "exists", "match", "!", "_", "as", "+", "-", "*", "/", "div", "mod", "abs", "<", "<=", ">",
    ">=", "to_real", "to_int", "is_int", "select", "store"})
"""Names SMT-LIB's core, arithmetic and array theories define: a text may not redefine them."""

_FILES = "sends output to a file"
_LIMITS = "would change the checker's limits"
OPTION_REASONS: dict[str, str] = {
    **dict.fromkeys((":regular-output-channel", ":diagnostic-output-channel", ":trace-file-name",
                     ":dump-models", ":proof-log", ":sat.drat.file", ":solver.smtlib2-log"),
                    _FILES),
    **dict.fromkeys((":timeout", ":rlimit", ":memory-max-size", ":max-memory",
                     ":memory-high-watermark", ":memory-max-alloc-count"), _LIMITS),
}

_DISCARDS = "throws away what was asserted before it"
_RECURSIVE = "defines a recursive function, which Z3 decides incompletely"
_FIXEDPOINT = "is a Z3 fixedpoint command, not a satisfiability question"
_OPTIMISE = "is a Z3 optimisation command, not a satisfiability question"
COMMAND_REASONS: dict[str, str] = {
    "echo": "prints text, which an output-channel option sends to a file",
    "exit": "stops reading, hiding the rest of the text from the checker",
    "push": "opens an assertion scope that `pop` throws away",
    "pop": "throws away the assertions made since `push`",
    "reset": _DISCARDS, "reset-assertions": _DISCARDS,
    "check-sat-assuming": "checks under extra assumptions, not the assertions alone",
    "check-sat-using": "checks with a chosen tactic, whose parameters can write files",
    "include": "reads another file",
    "define-fun-rec": _RECURSIVE, "define-funs-rec": _RECURSIVE,
    **dict.fromkeys(("declare-rel", "declare-var", "rule", "query"), _FIXEDPOINT),
    **dict.fromkeys(("assert-soft", "maximize", "minimize"), _OPTIMISE),
}
_ALLOWED = "declarations, definitions, assert, one check-sat, then get-model or get-value"
_BINDERS = frozenset({"forall", "exists", "let"})
_DECLARES_NAME = frozenset({"declare-const", "declare-fun", "define-fun", "define-const"})
_BLANK = re.compile(r"[^\n]")
_LONE_CR = re.compile(r"\r(?!\n)")


class SmtScreenResult(ScreenResult):
    """The screen's verdict, and the text Z3 may run: kept commands only, the rest blanked."""

    z3_text: str = ""


def screen(text: str, max_chars: int = MAX_CHARS, max_depth: int = MAX_DEPTH) -> SmtScreenResult:
    """Refuse SMT-LIB text that could write files, hide assertions or change the question."""
    if len(text) > max_chars:
        return _result([(0, f"text longer than {max_chars} characters")])
    found = invisible_characters(text)
    if m := _LONE_CR.search(text):
        found.append((text.count("\n", 0, m.start()) + 1, "a carriage return without a newline "
                      "(editors show a line break that Z3 does not)"))
    script = read_script(text, max_depth)
    found += [(script.line_of(pos), why) for pos, why in script.problems]
    if found:
        return _result(found)
    check_sat: int | None = None  # the line of the first check-sat
    logic: int | None = None  # the line of the first set-logic
    for cmd in script.commands:
        line = script.line_of(cmd.start)
        source = text[cmd.start:cmd.end]
        why = _command_problem(cmd, source, check_sat, logic)
        if why:
            found.append((line, why))
        elif bad := _attribute_problem(cmd, source):
            found.append((script.line_of(bad[0]), bad[1]))
        if cmd.head == "check-sat" and check_sat is None:
            check_sat = line
        if cmd.head == "set-logic" and logic is None:
            logic = line
    if check_sat is None and not found:
        found.append((0, "the text has no `(check-sat)`: end the problem with one"))
    if found:
        return _result(found)
    return SmtScreenResult(ok=True, z3_text=_z3_text(text, [
        c for c in script.commands if c.head in KEPT]))


def _result(found: list[tuple[int, str]]) -> SmtScreenResult:
    return SmtScreenResult(**screen_result(found).model_dump())


def _z3_text(text: str, kept: list[Command]) -> str:
    parts, prev = [], 0
    for cmd in kept:
        parts += [_BLANK.sub(" ", text[prev:cmd.start]), text[cmd.start:cmd.end]]
        prev = cmd.end
    parts.append(_BLANK.sub(" ", text[prev:]))
    return "".join(parts)


def _command_problem(cmd: Command, source: str, check_sat: int | None,
                     logic: int | None) -> str | None:
    """Why a command may not run here (`check_sat`, `logic`: lines of the first ones so far)."""
    name = cmd.head
    if name is None:
        return "a command must start with its name, e.g. `(assert …)`"
    shown = f"`{show(name)}`"
    if name in COMMAND_REASONS:
        return f"{shown} {COMMAND_REASONS[name]}"
    if name == "check-sat":
        if check_sat is not None:
            return f"a second `check-sat` (the first is on line {check_sat}): " \
                   "the text must ask exactly one question"
        return "`check-sat` takes no arguments" if cmd.args else None
    if name in ("get-model", "get-value"):
        if check_sat is None:
            return f"{shown} before `check-sat` asks for a model that does not exist yet"
        return _query_problem(cmd)
    if name not in KEPT and name not in ("set-logic", "set-info", "set-option"):
        return f"{shown} is not an allowed command (allowed: {_ALLOWED})"
    if name == "set-option" and (why := _option_problem(cmd)):
        return why
    if check_sat is not None:
        return f"{shown} after `check-sat` would change what was checked; only get-model and " \
               "get-value may follow it"
    if name == "set-option":
        return None
    if name == "set-logic":
        if logic is not None:
            return f"a second `set-logic` (the first is on line {logic})"
        return None if _atoms(cmd.args, 1, "symbol") else "`set-logic` takes one logic name"
    if name == "set-info":
        ok = (len(cmd.args) in (1, 2) and _is(cmd.args[0], "keyword")
              and all(isinstance(a, Atom) for a in cmd.args))
        if not ok:
            return "`set-info` takes a keyword and at most one plain value"
        key = cmd.args[0].text  # type: ignore[union-attr]
        if key.lower().replace("_", "-") in OPTION_REASONS or key in OPTIONS:
            return f"`set-info {show(key)}` names a solver option, not information"
        return None
    return _name_problem(cmd, source)


def _is(node: Atom | SList, kind: str) -> bool:
    return isinstance(node, Atom) and node.kind == kind


def _atoms(args: list[Atom | SList], count: int, kind: str) -> bool:
    return len(args) == count and all(_is(a, kind) for a in args)


def _option_problem(cmd: Command) -> str | None:
    args = cmd.args
    if not args or not _is(args[0], "keyword"):
        return "`set-option` without an option keyword"
    assert isinstance(args[0], Atom)
    key = args[0].text
    if key in OPTIONS:
        value = args[1] if len(args) == 2 else None
        if isinstance(value, Atom) and value.kind == "symbol" and value.text in ("true", "false"):
            return None
        return f"`set-option {key}` takes true or false"
    normal = key.lower().replace("_", "-")
    why = OPTION_REASONS.get(normal, "is not in the allow-list (:print-success and the "
                                     ":produce-… options)")
    return f"option `{show(key)}` {why}"


def _query_problem(cmd: Command) -> str | None:
    if cmd.head == "get-model":
        return "`get-model` takes no arguments" if cmd.args else None
    if len(cmd.args) == 1 and isinstance(cmd.args[0], SList) and cmd.args[0].items:
        return None
    return "`get-value` takes one list of terms, e.g. `(get-value (x y))`"


def _name_problem(cmd: Command, source: str) -> str | None:
    """A declaration, definition or binder that redefines a name SMT-LIB already gives."""
    names: list[Atom] = []
    if cmd.head in _DECLARES_NAME and cmd.args and isinstance(cmd.args[0], Atom):
        names.append(cmd.args[0])
    if cmd.head == "define-fun" and len(cmd.args) > 1 and isinstance(cmd.args[1], SList):
        names += _bound(cmd.args[1])
    binds = any(b in source for b in _BINDERS)  # most commands bind nothing: skip the walk
    stack = [a for a in cmd.args if isinstance(a, SList)] if binds else []
    while stack:
        node = stack.pop()
        head = node.items[0] if node.items else None
        if (isinstance(head, Atom) and head.text in _BINDERS and len(node.items) > 1
                and isinstance(node.items[1], SList)):
            names += _bound(node.items[1])
        stack += [a for a in node.items if isinstance(a, SList)]
    for atom in names:
        if atom.kind == "symbol" and atom.text in RESERVED:
            return f"`{show(atom.text)}` is SMT-LIB's own symbol and may not be declared or " \
                   "bound again"
    return None


def _bound(binders: SList) -> list[Atom]:
    """The names a binder list introduces: `((x Int) (y Int))` -> x, y."""
    return [b.items[0] for b in binders.items
            if isinstance(b, SList) and b.items and isinstance(b.items[0], Atom)]


def _attribute_problem(cmd: Command, source: str) -> tuple[int, str] | None:
    """(offset, why) for the first attribute off the allow-list in a command handed to Z3."""
    if cmd.head not in KEPT or ":" not in source:
        return None
    for atom in walk(cmd.args):
        if atom.kind == "keyword" and atom.text not in ATTRIBUTES:
            return atom.pos, f"attribute `{show(atom.text)}` is not in the allow-list " \
                              f"({', '.join(sorted(ATTRIBUTES))})"
    return None
