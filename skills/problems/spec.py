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

import random
import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from skills.problems.gadget import IntVar, Params, Part, Port
from skills.problems.registry import gadget_for
from skills.problems.terms import Term, between, eq, le, sub

Relation = Literal["equal", "offset", "at_most"]


class Link(BaseModel):
    """Port `port_a` of domain `a` tied element-wise to port `port_b` of domain `b`."""

    a: str
    port_a: str
    b: str
    port_b: str
    relation: Relation = "equal"
    offset: int = 0


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


def link_constraints(link: Link, pa: Port, pb: Port) -> list[Term]:
    """Element-wise relation between two ports (zipped to the shorter one)."""
    out: list[Term] = []
    for x, y in zip(pa.terms, pb.terms, strict=False):
        if link.relation == "equal":
            out.append(eq(x, y))
        elif link.relation == "offset":
            out.append(eq(sub(x, y), link.offset))
        else:
            out.append(le(x, y))
    return out


LINK_SENTENCES: dict[str, str] = {
    "equal": "Each of {a} must equal the matching one of {b}.",
    "offset": "Each of {a} is exactly {d} more than the matching one of {b}.",
    "at_most": "Each of {a} is at most the matching one of {b}.",
}


def describe_link(link: Link, pa: Port, pb: Port) -> str:
    """The English sentence for a link, using the ports' nouns."""
    return LINK_SENTENCES[link.relation].format(a=pa.noun, b=pb.noun, d=link.offset)


def parse_links(text: str, parts: dict[str, Part]) -> list[Link]:
    """Links stated in text between the given parts' ports, in order of appearance."""
    found: list[tuple[int, Link]] = []
    for a, part_a in parts.items():
        for b, part_b in parts.items():
            if a == b:
                continue
            for pa in part_a.ports:
                for pb in part_b.ports:
                    for relation, template in LINK_SENTENCES.items():
                        pattern = re.escape(template).replace(r"\{a\}", re.escape(pa.noun))
                        pattern = pattern.replace(r"\{b\}", re.escape(pb.noun))
                        pattern = pattern.replace(r"\{d\}", r"(?P<d>-?\d+)")
                        pattern = pattern.replace(r"\ ", r"\s+")
                        for m in re.finditer(pattern, text, re.IGNORECASE):
                            offset = int(m.group("d")) if "d" in m.groupdict() else 0
                            link = Link(a=a, port_a=pa.name, b=b, port_b=pb.name,
                                        relation=relation, offset=offset)  # type: ignore[arg-type]
                            found.append((m.start(), link))
    found.sort(key=lambda t: t[0])
    return [link for _, link in found]


def choose_links(parts: dict[str, Part], order: list[str], rng: random.Random) -> list[Link]:
    """Chain the parts: each domain tied to the next through a pair of ports.

    Port pairs whose value ranges overlap are preferred (a composer picks links that can
    hold), but a mismatched pair is still drawn now and then, so some combinations are
    inconsistent and the checker has something to reject.
    """
    links = []
    for a, b in zip(order, order[1:], strict=False):
        pairs = [(pa, pb) for pa in parts[a].ports for pb in parts[b].ports]
        weights = [4 if _overlap(pa, pb) > 0 else 1 for pa, pb in pairs]
        pa, pb = rng.choices(pairs, weights=weights)[0]
        relation = rng.choices(["equal", "offset", "at_most"], weights=[5, 2, 3])[0]
        offset = 0
        if relation == "offset":
            # a - b = d: pick d so that some values of a and b can still meet
            lo, hi = max(1, pa.lo - pb.hi), min(3, pa.hi - pb.lo)
            offset = rng.randint(lo, hi) if lo <= hi else rng.randint(1, 3)
        links.append(Link(a=a, port_a=pa.name, b=b, port_b=pb.name,
                          relation=relation, offset=offset))  # type: ignore[arg-type]
    return links


def _overlap(pa: Port, pb: Port) -> int:
    """How many values the two ports' ranges share."""
    return max(0, min(pa.hi, pb.hi) - max(pa.lo, pb.lo) + 1)
