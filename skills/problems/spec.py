"""A combined problem as data: which gadgets, their parameters, how they are wired.

`ProblemSpec` is the template backend's structured form of a formal problem.
`compile_spec` turns it into one system of integer unknowns and constraints;
`render_smt` / `render_lean` write that system as text. Links tie one
gadget's port to another's, element by element, so the parts share
quantities and the combination can be inconsistent.

Example: a graph colouring linked to a scheduling gadget by
Link(a="graph_colouring", port_a="colours", b="scheduling", port_b="starts",
relation="equal") says every vertex colour is also a job's start slot.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

from retrolean.skills.problems.gadget import IntVar, Params, Part
from retrolean.skills.problems.links import (
    Link,
    choose_links,
    describe_link,
    link_constraints,
    link_statements,
    parse_links,
)
from retrolean.skills.problems.registry import gadget_for
from retrolean.skills.problems.terms import Term, between


class ProblemSpec(BaseModel):
    """A combination of domains with parameters and links: the template's formal problem."""

    domains: list[str]
    params: dict[str, Params]
    links: list[Link] = Field(default_factory=list)
    theme: str | None = None


@dataclass
class Section:
    domain: str
    part: Part


@dataclass
class CompiledProblem:
    """The whole system: sections per domain, then the link constraints."""

    sections: list[Section]
    links: list[tuple[Link, list[Term]]]

    @property
    def variables(self) -> list[IntVar]:
        return [v for s in self.sections for v in s.part.variables]

    @property
    def constraints(self) -> list[Term]:
        return [c for s in self.sections for c in s.part.constraints] + [
            c for _, cs in self.links for c in cs
        ]

    def bounds(self) -> list[Term]:
        return [between(v.name, v.lo, v.hi) for v in self.variables]


def compile_spec(spec: ProblemSpec) -> CompiledProblem:
    """Build every gadget's part and the link constraints between them."""
    sections = [Section(d, gadget_for(d).build(spec.params[d])) for d in spec.domains]
    parts = {s.domain: s.part for s in sections}
    links = []
    for link in spec.links:
        pa, pb = parts[link.a].port(link.port_a), parts[link.b].port(link.port_b)
        links.append((link, link_constraints(link, pa, pb)))
    return CompiledProblem(sections, links)


__all__ = ["CompiledProblem", "Link", "ProblemSpec", "Section", "choose_links", "compile_spec",
           "describe_link", "link_constraints", "link_statements", "parse_links"]
