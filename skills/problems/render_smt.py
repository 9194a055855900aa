"""Write a compiled problem as an SMT-LIB 2 script.

Example: App("+", (Var("x"), Const(-3))) -> "(+ x (- 3))"
"""

from __future__ import annotations

from retrolean.skills.problems.spec import CompiledProblem, describe_link
from retrolean.skills.problems.terms import App, Const, Term, Var


def smt_term(t: Term) -> str:
    """One term as an SMT-LIB s-expression."""
    if isinstance(t, Const):
        return str(t.value) if t.value >= 0 else f"(- {-t.value})"
    if isinstance(t, Var):
        return t.name
    assert isinstance(t, App)
    return "(" + " ".join([t.op, *(smt_term(a) for a in t.args)]) + ")"


def render_smt(problem: CompiledProblem, title: str) -> str:
    """The whole problem: declarations, bounds, one block per domain, the links."""
    lines = [f"; {title}", "(set-logic QF_NIA)"]
    for section in problem.sections:
        lines.append(f"; -- {section.domain}")
        for c in section.part.comments:
            lines.append(f"; {c}")
        for v in section.part.variables:
            lines.append(f"(declare-const {v.name} Int)")
        bounds = " ".join(f"(<= {smt_term(Const(v.lo))} {v.name} {smt_term(Const(v.hi))})"
                          for v in section.part.variables)
        if bounds:
            lines.append(f"(assert (and {bounds}))")
        for c in section.part.constraints:
            lines.append(f"(assert {smt_term(c)})")
    sections = {s.domain: s.part for s in problem.sections}
    for link, constraints in problem.links:
        pa, pb = sections[link.a].port(link.port_a), sections[link.b].port(link.port_b)
        lines.append(f"; -- link: {describe_link(link, pa, pb)}")
        if constraints:
            lines.append(f"(assert (and {' '.join(smt_term(c) for c in constraints)}))")
    lines += ["(check-sat)", "(get-model)"]
    return "\n".join(lines) + "\n"
