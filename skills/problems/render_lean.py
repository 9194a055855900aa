"""Write a compiled problem as a Lean 4 file (core Lean only, no Mathlib).

The problem is an `abbrev` proposition over its integer unknowns; consistency
is the theorem that some assignment satisfies it, proved by plugging in the
witness and `decide`. Concession: `decide` evaluates in the kernel, so very
large problems may need `maxRecDepth`; the template keeps problems small.

Example: App("<=", (Const(0), Var("x"))) -> "(0 ≤ x)"
"""

from __future__ import annotations

from retrolean.skills.problems.spec import CompiledProblem
from retrolean.skills.problems.terms import App, Const, Term, Var

_INFIX = {"+": "+", "-": "-", "*": "*", "div": "/", "mod": "%", "=": "=",
          "<": "<", "<=": "≤", ">": ">", ">=": "≥", "and": "∧", "or": "∨", "=>": "→"}


def lean_term(t: Term) -> str:
    """One term in Lean 4 syntax, fully parenthesised."""
    if isinstance(t, Const):
        return str(t.value) if t.value >= 0 else f"({t.value})"
    if isinstance(t, Var):
        return t.name
    assert isinstance(t, App)
    args = [lean_term(a) for a in t.args]
    if t.op == "not":
        return f"(¬{args[0]})"
    if t.op == "ite":
        return f"(if {args[0]} then {args[1]} else {args[2]})"
    if t.op == "distinct":
        pairs = [f"{a} ≠ {b}" for i, a in enumerate(args) for b in args[i + 1 :]]
        return "(" + " ∧ ".join(pairs) + ")"
    if t.op == "-" and len(args) == 1:
        return f"(-{args[0]})"
    if t.op == "=" and len(args) > 2:
        return "(" + " ∧ ".join(f"{args[0]} = {b}" for b in args[1:]) + ")"
    return "(" + f" {_INFIX[t.op]} ".join(args) + ")"


def render_lean(problem: CompiledProblem, title: str, witness: dict[str, int] | None) -> str:
    """The problem as `abbrev problem … : Prop`, plus an existence theorem if a witness is given."""
    names = [v.name for v in problem.variables]
    conjuncts = [lean_term(c) for c in problem.bounds() + problem.constraints]
    lines = [f"/-! {title} -/", "", f"abbrev problem ({' '.join(names)} : Int) : Prop :="]
    lines.append("  " + " ∧\n  ".join(conjuncts))
    if witness is not None:
        values = ", ".join(lean_term(Const(witness[n])) for n in names)
        lines += ["", f"theorem problem_consistent : ∃ {' '.join(names)} : Int,",
                  f"    problem {' '.join(names)} :=", f"  ⟨{values}, by decide⟩"]
    return "\n".join(lines) + "\n"
