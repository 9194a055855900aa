"""Integer terms: the tiny formal language every template problem is built in.

A gadget writes its constraints once as `Term`s; `render_smt` and `render_lean`
turn the same terms into SMT-LIB 2 and Lean 4. Everything is an unbounded
integer (`Int` in both languages); booleans are relations and connectives.
Concession: no quantifiers, no arrays, no reals — every template problem is a
finite system over named integer unknowns, which Z3 decides and Lean's `decide`
can check once a witness is plugged in.

Example: add(var("x"), 3) -> App("+", (Var("x"), Const(3)))  ->  "(+ x 3)"
"""

from __future__ import annotations

from dataclasses import dataclass


class Term:
    """A node of an integer/boolean expression."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Var(Term):
    name: str


@dataclass(frozen=True, slots=True)
class Const(Term):
    value: int


@dataclass(frozen=True, slots=True)
class App(Term):
    op: str
    args: tuple[Term, ...]


ARITH = {"+", "-", "*", "div", "mod"}
RELATIONS = {"=", "distinct", "<", "<=", ">", ">="}
CONNECTIVES = {"and", "or", "not", "=>", "ite"}
OPS = ARITH | RELATIONS | CONNECTIVES

TermLike = Term | int | str


def as_term(x: TermLike) -> Term:
    """Coerce an int to a constant and a str to a variable."""
    if isinstance(x, Term):
        return x
    if isinstance(x, bool):
        raise TypeError("booleans are not integer terms")
    if isinstance(x, int):
        return Const(x)
    if isinstance(x, str):
        return Var(x)
    raise TypeError(f"not a term: {x!r}")


def app(op: str, *args: TermLike) -> App:
    """Apply an operator; unknown operators are a programming error."""
    if op not in OPS:
        raise ValueError(f"unknown operator {op!r}")
    return App(op, tuple(as_term(a) for a in args))


def var(name: str) -> Var:
    return Var(name)


def add(*xs: TermLike) -> Term:
    """Sum; the empty sum is 0. Example: add("a", "b", 1) -> (+ a b 1)."""
    if not xs:
        return Const(0)
    return as_term(xs[0]) if len(xs) == 1 else app("+", *xs)


def sub(a: TermLike, b: TermLike) -> App:
    return app("-", a, b)


def mul(*xs: TermLike) -> Term:
    if not xs:
        return Const(1)
    return as_term(xs[0]) if len(xs) == 1 else app("*", *xs)


def mod(a: TermLike, m: TermLike) -> App:
    return app("mod", a, m)


def div(a: TermLike, m: TermLike) -> App:
    return app("div", a, m)


def eq(a: TermLike, b: TermLike) -> App:
    return app("=", a, b)


def ne(a: TermLike, b: TermLike) -> App:
    """a differs from b, written as a two-term `distinct`."""
    return app("distinct", a, b)


def lt(a: TermLike, b: TermLike) -> App:
    return app("<", a, b)


def le(a: TermLike, b: TermLike) -> App:
    return app("<=", a, b)


def gt(a: TermLike, b: TermLike) -> App:
    return app(">", a, b)


def ge(a: TermLike, b: TermLike) -> App:
    return app(">=", a, b)


def distinct(*xs: TermLike) -> Term:
    """Pairwise different; fewer than two terms is trivially true."""
    return app("distinct", *xs) if len(xs) >= 2 else TRUE


def and_(*xs: Term) -> Term:
    if not xs:
        return TRUE
    return xs[0] if len(xs) == 1 else App("and", tuple(xs))


def or_(*xs: Term) -> Term:
    if not xs:
        return FALSE
    return xs[0] if len(xs) == 1 else App("or", tuple(xs))


def not_(x: Term) -> App:
    return App("not", (x,))


def implies(a: Term, b: Term) -> App:
    return App("=>", (a, b))


def ite(c: Term, a: TermLike, b: TermLike) -> App:
    return App("ite", (c, as_term(a), as_term(b)))


def between(x: TermLike, lo: int, hi: int) -> Term:
    """lo <= x <= hi."""
    return and_(le(lo, x), le(x, hi))


def count_true(conds: list[Term]) -> Term:
    """How many of the conditions hold, as an integer term."""
    return add(*[ite(c, 1, 0) for c in conds])


TRUE = App("=", (Const(0), Const(0)))
FALSE = App("=", (Const(0), Const(1)))


def variables(t: Term) -> set[str]:
    """Names of the variables a term mentions."""
    if isinstance(t, Var):
        return {t.name}
    if isinstance(t, App):
        out: set[str] = set()
        for a in t.args:
            out |= variables(a)
        return out
    return set()


def evaluate(t: Term, env: dict[str, int]) -> int | bool:
    """Evaluate a term under an assignment (SMT-LIB semantics: Euclidean div/mod)."""
    if isinstance(t, Const):
        return t.value
    if isinstance(t, Var):
        return env[t.name]
    assert isinstance(t, App)
    vals = [evaluate(a, env) for a in t.args]
    op = t.op
    if op == "+":
        return sum(vals)
    if op == "-":
        return vals[0] - vals[1] if len(vals) == 2 else -vals[0]
    if op == "*":
        out = 1
        for v in vals:
            out *= v
        return out
    if op in ("div", "mod"):
        a, m = vals
        q = a // m if m > 0 else -(a // -m)
        r = a - m * q
        if r < 0:  # Euclidean: remainder is never negative
            q, r = (q - 1, r + m) if m > 0 else (q + 1, r - m)
        return q if op == "div" else r
    if op == "=":
        return all(v == vals[0] for v in vals[1:])
    if op == "distinct":
        return len(set(vals)) == len(vals)
    if op == "<":
        return vals[0] < vals[1]
    if op == "<=":
        return vals[0] <= vals[1]
    if op == ">":
        return vals[0] > vals[1]
    if op == ">=":
        return vals[0] >= vals[1]
    if op == "and":
        return all(vals)
    if op == "or":
        return any(vals)
    if op == "not":
        return not vals[0]
    if op == "=>":
        return (not vals[0]) or vals[1]
    if op == "ite":
        return vals[1] if vals[0] else vals[2]
    raise ValueError(op)
